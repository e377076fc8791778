using Mentoring.Server.Auth;
using Mentoring.Server.Pairs;
using Mentoring.Server.Programme;
using Mentoring.Server.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Mentoring.Server.Email;

/// <summary>The email log for the facilitator: <c>GET /api/email</c> and <c>POST /api/email/{id}/resend</c>.</summary>
public static class EmailApi
{
    private static readonly string[] Statuses = [OutboxStatus.Pending, OutboxStatus.Sent, OutboxStatus.Dead];

    public static IEndpointRouteBuilder MapEmailApi(this IEndpointRouteBuilder app)
    {
        var email = app.MapGroup("/api/email").WithTags("Email")
            .RequireAuthorization(p => p.RequireRole(PersonRoles.Facilitator, PersonRoles.Admin));
        email.MapGet("/", ListAsync);
        email.MapPost("/{id:guid}/resend", ResendAsync);
        return app;
    }

    private static async Task<Results<Ok<List<EmailLogEntry>>, ValidationProblem>> ListAsync(string? status, int? take, int? skip,
        HttpContext http, OutboxAdmin admin, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (status is not null && !Statuses.Contains(status))
            errors["status"] = [$"Use one of: {string.Join(", ", Statuses)}."];
        if (take is < 1 or > OutboxAdmin.MaxTake) errors["take"] = [$"Between 1 and {OutboxAdmin.MaxTake}."];
        if (skip is < 0) errors["skip"] = ["Zero or more."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        return TypedResults.Ok(await admin.ListAsync(http.User.ProgrammeId(), status, skip ?? 0, take ?? 50, ct));
    }

    private static async Task<Results<Ok<EmailLogEntry>, ProblemHttpResult>> ResendAsync(HttpContext http, Guid id,
        OutboxAdmin admin, CancellationToken ct)
    {
        if (http.ApiKey(new EmptyRequest()) is not { } key)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Idempotency-Key header required",
                detail: "Send a unique Idempotency-Key header (for example a new UUID) with every change, and the same one when you retry it.");

        var result = await admin.ResendAsync(http.User.ProgrammeId(), id, key, ct);
        switch (result.Outcome)
        {
            case ResendOutcome.Resent:
                return TypedResults.Ok(result.Message!);
            case ResendOutcome.Replayed:
                http.Response.MarkReplayed();
                return TypedResults.Ok(result.Message!);
            case ResendOutcome.NotFound:
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such email",
                    detail: $"There is no email {id} in the log (delivered mail is deleted after a while).");
            case ResendOutcome.AlreadyPending:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Already waiting to be sent",
                    detail: $"The email '{result.Message!.Template}' to {result.Message.RecipientName} is pending; it will be sent on its next try " +
                            $"(at {result.Message.NextAttemptAt:yyyy-MM-dd HH:mm} UTC).");
            case ResendOutcome.InFlight:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Still in progress",
                    detail: Workflows.Idempotency.InFlightMessage);
            default:
                return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key reused",
                    detail: "This Idempotency-Key was used for a different request; use a new key for a new request.");
        }
    }
}
