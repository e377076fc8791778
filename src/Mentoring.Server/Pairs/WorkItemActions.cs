using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Data;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pairs;

/// <summary>
/// The one path by which a person's request becomes a resume: find the open work item, check its kind, take the
/// <c>Idempotency-Key</c>, run the command, and answer in problem details when it cannot be done.
/// </summary>
public sealed class WorkItemActions(IDbContextFactory<MentoringDb> dbs, WorkflowHost host)
{
    public const string IdempotencyHeader = "Idempotency-Key";

    public async Task<Results<Ok<CommandResponse>, ProblemHttpResult, ValidationProblem>> ExecuteAsync(
        HttpContext http, Guid instanceId, Guid itemId, string kind, object request,
        Func<WorkItem, WorkflowCommand> command, CancellationToken cancellationToken)
    {
        if (Key(http, request) is not { } key)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Idempotency-Key header required",
                detail: "Send a unique Idempotency-Key header (for example a new UUID) with every change, and the same one when you retry it.");

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var item = await db.WorkItems.AsNoTracking()
            .SingleOrDefaultAsync(w => w.Id == itemId && w.InstanceId == instanceId && w.Kind == kind, cancellationToken);
        if (item is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No such {kind.Replace('-', ' ')}",
                detail: $"This pair has no {kind.Replace('-', ' ')} {itemId}.");

        var outcome = await host.ExecuteAsync(instanceId, command(item), key, cancellationToken);
        switch (outcome.Kind)
        {
            case OutcomeKind.Applied:
                return TypedResults.Ok(outcome.Response);
            case OutcomeKind.Replayed:
                http.Response.Headers["Idempotent-Replayed"] = "true";
                return TypedResults.Ok(outcome.Response);
            case OutcomeKind.NotFound:
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such workflow");
            case OutcomeKind.KeyReused:
                return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key reused",
                    detail: outcome.Rejection!.Message);
        }

        var rejection = outcome.Rejection!;
        switch (rejection.Kind)
        {
            case RejectionKind.Invalid:
                return TypedResults.ValidationProblem(rejection.FieldErrors ?? new Dictionary<string, string[]>(),
                    title: rejection.Message);
            case RejectionKind.Forbidden:
                return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not yours to do", detail: rejection.Message);
            case RejectionKind.NotOpen:
            {
                var now = await db.WorkItems.AsNoTracking().SingleAsync(w => w.Id == itemId, cancellationToken);
                var detail = now.ClosedAt is { } at
                    ? $"'{now.Title}' was {Describe(now.Status)} on {at:yyyy-MM-dd HH:mm} UTC by {now.ClosedByName}."
                    : rejection.Message;
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Already done", detail: detail,
                    extensions: new Dictionary<string, object?> { ["closedAt"] = now.ClosedAt, ["closedBy"] = now.ClosedByName });
            }
            default:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not possible now", detail: rejection.Message);
        }
    }

    private static string Describe(string status) => status switch
    {
        WorkItemStatus.Completed => "completed",
        WorkItemStatus.SentBack => "sent back",
        _ => "cancelled",
    };

    /// <summary>The key with a fingerprint of who asked for what, so a key reused for another request is caught.</summary>
    public static IdempotencyKey? Key(HttpContext http, object request)
    {
        var key = http.Request.Headers[IdempotencyHeader].ToString().Trim();
        if (key.Length is 0 or > Inputs.Limits.IdempotencyKey || key.Any(char.IsControl)) return null;
        var fingerprint = $"{http.User.Identity?.Name}\n{http.Request.Method} {http.Request.Path}\n{JsonSerializer.Serialize(request, request.GetType(), WorkflowHost.Json)}";
        return new IdempotencyKey(key, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fingerprint))));
    }
}
