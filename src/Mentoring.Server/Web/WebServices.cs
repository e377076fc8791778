using System.Globalization;
using System.Threading.RateLimiting;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Inputs;
using Mentoring.Server.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Localization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Web;

public static class WebServices
{
    /// <summary>Picks the API-token scheme when the request has an Authorization header, else the cookie.</summary>
    public const string Scheme = "Mentoring";
    public const string CookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string SignInLimiter = "sign-in";
    public const string LanguageCookie = ".Mentoring.Language";
    public const string SessionCookie = ".Mentoring.Session";

    /// <summary>The web app: cookie sign-in beside API tokens, Razor Pages, data-protection keys in the database,
    /// the sign-in rate limiter, the page languages (<see cref="Texts.Languages"/>) and the OpenAPI document.</summary>
    public static IHostApplicationBuilder AddMentoringWeb(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<WebOptions>(builder.Configuration.GetSection(WebOptions.Section));
        builder.Services.AddLocalization(options => options.ResourcesPath = "Resources");
        builder.Services.AddSingleton<Texts>();

        builder.Services.AddDataProtection().SetApplicationName("Mentoring");
        builder.Services.AddOptions<KeyManagementOptions>()
            .Configure<IDbContextFactory<MentoringDb>>((options, dbs) => options.XmlRepository = new DatabaseXmlRepository(dbs));

        builder.Services.AddAuthentication(options =>
            {
                options.DefaultScheme = Scheme;
                options.DefaultChallengeScheme = Scheme;
            })
            .AddPolicyScheme(Scheme, "API token or cookie", options =>
                options.ForwardDefaultSelector = context =>
                    context.Request.Headers.Authorization.Count > 0 ? ApiTokenAuthentication.SchemeName : CookieScheme)
            .AddCookie(CookieScheme, options =>
            {
                options.Cookie.Name = SessionCookie;
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.LoginPath = "/signin";
                options.LogoutPath = "/signout";
                options.AccessDeniedPath = "/forbidden";
                options.SlidingExpiration = true;
                options.Events.OnRedirectToLogin = context => ApiOr(context, StatusCodes.Status401Unauthorized);
                options.Events.OnRedirectToAccessDenied = context => ApiOr(context, StatusCodes.Status403Forbidden);
                options.Events.OnValidatePrincipal = RejectEndedSessionAsync;
            });
        builder.Services.AddOptions<CookieAuthenticationOptions>(CookieScheme)
            .Configure<IOptions<WebOptions>>((cookie, web) => cookie.ExpireTimeSpan = web.Value.SessionLength);
        builder.Services.AddAntiforgery(options =>
        {
            options.Cookie.Name = ".Mentoring.Antiforgery";
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.Cookie.SameSite = SameSiteMode.Strict;
        });

        builder.Services.AddRazorPages(options =>
        {
            options.Conventions.AuthorizeFolder("/");
            options.Conventions.AllowAnonymousToFolder("/Account");
            options.Conventions.AllowAnonymousToPage("/Language");
            options.Conventions.AddPageRoute("/Account/SetPassword", "invitations/accept");
        });

        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (!HttpMethods.IsPost(context.Request.Method) || !context.Request.Path.Equals("/signin", StringComparison.OrdinalIgnoreCase))
                    return RateLimitPartition.GetNoLimiter("");
                var permits = context.RequestServices.GetRequiredService<IOptions<WebOptions>>().Value.SignInAttemptsPerMinute;
                return RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "local",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
            });
        });

        builder.Services.Configure<RequestLocalizationOptions>(options =>
        {
            CultureInfo[] cultures = [.. Texts.Languages.Select(CultureInfo.GetCultureInfo)];
            options.DefaultRequestCulture = new RequestCulture("en");
            options.SupportedCultures = cultures;
            options.SupportedUICultures = cultures;
            options.RequestCultureProviders =
            [
                new PageLanguage(),
                new CookieRequestCultureProvider { CookieName = LanguageCookie },
                new AcceptLanguageHeaderRequestCultureProvider(),
            ];
        });

        // Greek (and Latvian, ...) written as characters, not as &#x...; escapes: readable source, smaller pages.
        builder.Services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(options =>
            options.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        builder.Services.AddOpenApi();
        return builder;
    }

    public static WebApplication UseMentoringWeb(this WebApplication app)
    {
        app.Use(SecurityHeaders);
        app.UseCookieApiOriginCheck();
        app.UseRequestLocalization();
        app.UseRateLimiter();
        RequestSizeLimit.UseRequestSizeLimit(app);
        app.MapGet("/site.css", SiteCss).AllowAnonymous().ExcludeFromDescription();
        app.MapRazorPages();
        app.MapOpenApi().AllowAnonymous();
        return app;
    }

    /// <summary>Every cookie-authenticated request: a cookie whose security stamp is no longer the account's (signed
    /// out, new password, signed out everywhere) or that has none (issued before stamps) is refused and cleared. Not
    /// cached, so a copy of the cookie stops working the moment its session is ended, on every node.</summary>
    private static async Task RejectEndedSessionAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var accounts = context.HttpContext.RequestServices.GetRequiredService<AccountService>();
        if (!Guid.TryParse(principal?.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value, out var personId)
            || !await accounts.IsSessionCurrentAsync(personId, principal!.FindFirst(AccountService.SecurityStampClaim)?.Value,
                context.HttpContext.RequestAborted))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieScheme);
            return;
        }

        // The programme, role and city the cookie carries were the person's when it was signed: taken out of that
        // programme (or given another role or city), the very next request runs as what they are now, and the cookie
        // is signed again with it.
        var dbs = context.HttpContext.RequestServices.GetRequiredService<IDbContextFactory<MentoringDb>>();
        await using var db = await dbs.CreateDbContextAsync(context.HttpContext.RequestAborted);
        if (await Auth.CurrentUser.RefreshedAsync(db, principal!, context.HttpContext.RequestAborted) is { } now)
        {
            context.ReplacePrincipal(now);
            context.ShouldRenew = true;
        }
    }

    private static Task ApiOr(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    private static Task SecurityHeaders(HttpContext context, Func<Task> next)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy =
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'self'";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        return next();
    }

    private static readonly Lazy<byte[]> Css = new(() =>
    {
        using var stream = typeof(WebServices).Assembly.GetManifestResourceStream("Mentoring.Server.site.css")!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    private static IResult SiteCss(HttpContext context)
    {
        context.Response.Headers.CacheControl = "public, max-age=3600";
        return Results.Bytes(Css.Value, "text/css; charset=utf-8");
    }
}
