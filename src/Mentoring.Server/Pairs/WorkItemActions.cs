using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Uploads;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pairs;

/// <summary>
/// The one path by which a person's request becomes a resume: find the open work item, check its kind, take the
/// <c>Idempotency-Key</c>, run the command, and answer in problem details when it cannot be done.
/// </summary>
public sealed class WorkItemActions(IDbContextFactory<MentoringDb> dbs, WorkflowHost host, TimeProvider clock)
{
    public const string IdempotencyHeader = "Idempotency-Key";

    public Task<Results<Ok<CommandResponse>, ProblemHttpResult, ValidationProblem>> ExecuteAsync(
        HttpContext http, Guid instanceId, Guid itemId, string kind, object request,
        Func<WorkItem, WorkflowCommand> command, CancellationToken cancellationToken) =>
        RunAsync(http, instanceId, itemId, kind, request, command, null, null, cancellationToken);

    /// <summary>Completes a task, from the API (JSON or multipart) and the pair page alike. A file sent with it is stored
    /// in the completion's transaction as the pair's and the task's; a <c>fileId</c> must name a file the caller
    /// uploaded for this task before. <paramref name="body"/> is what the caller sent (its fingerprint for the
    /// Idempotency-Key), without the file.</summary>
    public Task<Results<Ok<CommandResponse>, ProblemHttpResult, ValidationProblem>> CompleteTaskAsync(
        HttpContext http, Guid instanceId, Guid? pairId, Guid itemId, Actor actor, CompleteTaskRequest body, PendingUpload? upload,
        CancellationToken cancellationToken)
    {
        var personId = http.User.PersonId();
        var fileId = upload?.Id.ToString() ?? body.FileId;
        Func<MentoringDb, WorkItem, Task<ValidationProblem?>>? check = upload is null && !string.IsNullOrWhiteSpace(body.FileId)
            ? async (db, item) => await UploadedFiles.CheckAttachableAsync(db, body.FileId.Trim(), personId, item, cancellationToken) is { } error
                ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["fileId"] = [error] }, title: "The file cannot be attached.")
                : null
            : null;
        Action<MentoringDb>? store = upload is null ? null
            : db => UploadedFiles.Add(db, upload, personId, pairId, itemId, clock.GetUtcNow());
        return RunAsync(http, instanceId, itemId, "task", body,
            item => new CompleteTask(actor, item.StepId, item.Activation, body.Note, body.Link, fileId?.Trim(), body.Choice),
            check, store, cancellationToken);
    }

    private async Task<Results<Ok<CommandResponse>, ProblemHttpResult, ValidationProblem>> RunAsync(
        HttpContext http, Guid instanceId, Guid itemId, string kind, object request, Func<WorkItem, WorkflowCommand> command,
        Func<MentoringDb, WorkItem, Task<ValidationProblem?>>? check, Action<MentoringDb>? alsoWrite, CancellationToken cancellationToken)
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

        if (check is not null && await check(db, item) is { } invalid) return invalid;

        var outcome = await host.ExecuteAsync(instanceId, command(item), key, cancellationToken, alsoWrite: alsoWrite);
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
