using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Web;

/// <summary>
/// Caps every request body at a little over the upload limit (<see cref="WebOptions.MaxRequestBytes"/>), so an
/// oversized upload is refused from its Content-Length before a byte of it is read or buffered, rather than after
/// it has arrived. The API answers 413 with problem details; a page is shown again (as a GET) with status 413 and
/// the reason in an alert. A body without a Content-Length is cut off by the server at the same size.
/// </summary>
public static class RequestSizeLimit
{
    /// <summary>Set on a refused page request; the layout shows it as an alert.</summary>
    public const string RefusedKey = "mentoring:request-refused";

    public static WebApplication UseRequestSizeLimit(this WebApplication app)
    {
        app.Use(LimitAsync);
        return app;
    }

    private static async Task LimitAsync(HttpContext context, Func<Task> next)
    {
        var limit = context.RequestServices.GetRequiredService<IOptions<WebOptions>>().Value.MaxRequestBytes;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit;
        if (context.Request.ContentLength is not { } length || length <= limit)
        {
            try
            {
                await next();
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge && !context.Response.HasStarted)
            {
                await RefuseAsync(context, limit, reExecute: null);
            }

            return;
        }

        await RefuseAsync(context, limit, next);
    }

    private static async Task RefuseAsync(HttpContext context, long limit, Func<Task>? reExecute)
    {
        var text = context.RequestServices.GetRequiredService<Texts>();
        var maxFileMb = context.RequestServices.GetRequiredService<IOptions<WebOptions>>().Value.MaxUploadBytes / (1024 * 1024);
        var message = string.Format(text["The file is too large: at most {0} MB. Nothing was saved."], maxFileMb);
        context.Response.Clear();
        context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        if (reExecute is null || context.Request.Path.StartsWithSegments("/api") || !HttpMethods.IsPost(context.Request.Method))
        {
            await Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large",
                detail: $"The request body is larger than {limit} bytes; files may be at most {maxFileMb} MB.").ExecuteAsync(context);
            return;
        }

        // Show the page the form was on, without reading the body: the same page as a GET, with the reason.
        context.Request.Method = HttpMethods.Get;
        context.Request.QueryString = QueryString.Empty;
        context.Request.ContentLength = 0;
        context.Request.ContentType = null;
        context.Request.Body = Stream.Null;
        context.Items[RefusedKey] = message;
        await reExecute();
    }
}
