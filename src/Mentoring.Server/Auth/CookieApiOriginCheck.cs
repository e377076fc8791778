using Mentoring.Server.Email;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Auth;

/// <summary>
/// The API's defence against cross-site request forgery. A browser attaches the session cookie to a request that
/// another site starts (SameSite=Lax still lets some through, and a same-site subdomain is not stopped by it at all),
/// and the API has no antiforgery token a script-free page could send. So an unsafe request under <c>/api</c> that
/// the cookie would authenticate must say, in <c>Origin</c> (or <c>Referer</c> when a browser leaves Origin out),
/// that it comes from the app's own origin: <c>Email:PublicUrl</c>'s, or the request's own scheme and host. One
/// with a foreign origin, the opaque "null" origin or neither header is refused with 403 before any endpoint runs.
/// A request with an Authorization header is never authenticated by the cookie (see WebServices' scheme selector),
/// and a token cannot be sent by another site, so those are left alone.
/// </summary>
public static class CookieApiOriginCheck
{
    public static WebApplication UseCookieApiOriginCheck(this WebApplication app)
    {
        app.Use(CheckAsync);
        return app;
    }

    private static Task CheckAsync(HttpContext context, Func<Task> next)
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments("/api") || !IsUnsafe(request.Method) || request.Headers.Authorization.Count > 0
            || !request.Cookies.ContainsKey(Web.WebServices.SessionCookie))
            return next();

        var publicUrl = context.RequestServices.GetRequiredService<IOptions<EmailOptions>>().Value.PublicUrl;
        var claimed = request.Headers.Origin.ToString() is { Length: > 0 } origin ? origin : request.Headers.Referer.ToString();
        if (OriginOf(claimed) is { } from
            && (SameOrigin(from, OriginOf(publicUrl)) || SameOrigin(from, OriginOf($"{request.Scheme}://{request.Host}"))))
            return next();

        return Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Cross-site request refused",
                detail: "A change made with the sign-in cookie must come from this app's own pages. "
                        + "API clients send a personal token (Authorization: Bearer mtk_...) instead.")
            .ExecuteAsync(context);
    }

    private static bool IsUnsafe(string method) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method));

    private static Uri? OriginOf(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;

    private static bool SameOrigin(Uri a, Uri? b) =>
        b is not null && a.Scheme == b.Scheme && a.Port == b.Port && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase);
}
