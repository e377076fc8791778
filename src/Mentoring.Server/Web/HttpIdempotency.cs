using Mentoring.Server.Workflows;

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
}
