using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Mentoring.Server.Web;

/// <summary>Where an endpoint or a page finds its request's <see cref="IdempotencyKey"/>; the key itself is made by
/// <see cref="Idempotency.For"/>, as the command services make theirs.</summary>
public static class HttpIdempotency
{
    public const string ReplayedHeader = "Idempotent-Replayed";

    /// <summary>The API's key: the <c>Idempotency-Key</c> header, for the method and path (the operation and its target)
    /// and the body.</summary>
    public static IdempotencyKey? ApiKey(this HttpContext http, object request) =>
        http.FormKey(http.Request.Headers[Idempotency.Header].ToString(), request);

    /// <summary>A page's key: the form's hidden key, for the page posted to and the form's fields.</summary>
    public static IdempotencyKey? FormKey(this HttpContext http, string? key, object request) =>
        Idempotency.For(key, http.User.Identity?.Name, $"{http.Request.Method} {http.Request.Path}", request);

    public static void MarkReplayed(this HttpResponse response) => response.Headers[ReplayedHeader] = "true";

    /// <summary>The missing key's answer, the same on every endpoint that changes something.</summary>
    public static ProblemHttpResult KeyRequired() =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Idempotency-Key header required",
            detail: "Send a unique Idempotency-Key header (for example a new UUID) with every change, and the same one when you retry it.");

    /// <summary>The API's answer to a change made once per key: the response (marked when it is the first request's
    /// again), 422 for a key used for another request, 409 while the first is still running, and the feature's own
    /// answer (<paramref name="refused"/>) for a refusal.</summary>
    public static Results<Ok<T>, ProblemHttpResult, ValidationProblem> Answer<T>(this HttpContext http, Idempotent<T> outcome,
        Func<object, Results<Ok<T>, ProblemHttpResult, ValidationProblem>> refused)
    {
        switch (outcome.Kind)
        {
            case IdempotentKind.Done:
                return TypedResults.Ok(outcome.Response!);
            case IdempotentKind.Replayed:
                http.Response.MarkReplayed();
                return TypedResults.Ok(outcome.Response!);
            case IdempotentKind.KeyReused:
                return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key reused",
                    detail: "This Idempotency-Key was used for another request; send a new one.");
            case IdempotentKind.InFlight:
                return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "In progress", detail: Idempotency.InFlightMessage);
            default:
                return refused(outcome.Refusal!);
        }
    }
}
