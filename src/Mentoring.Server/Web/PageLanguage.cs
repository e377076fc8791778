using System.Security.Claims;
using Mentoring.Server.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Localization;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Web;

/// <summary>
/// The page language: the one the signed-in person chose with the switch (saved with them, so it follows them to
/// another browser), else the one chosen on this browser before signing in (a cookie), else Accept-Language.
/// </summary>
public sealed class PageLanguage : RequestCultureProvider
{
    public override async Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
    {
        if (IsApi(httpContext.Request.Path)) return null;
        // Localisation runs before the authentication middleware has set User, so the cookie is read here.
        var user = httpContext.User.Identity?.IsAuthenticated == true ? httpContext.User
            : (await httpContext.AuthenticateAsync(WebServices.CookieScheme)).Principal;
        if (user?.Identity?.IsAuthenticated != true || !Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var personId))
            return null;
        var dbs = httpContext.RequestServices.GetRequiredService<IDbContextFactory<MentoringDb>>();
        await using var db = await dbs.CreateDbContextAsync(httpContext.RequestAborted);
        var language = await db.People.Where(p => p.Id == personId).Select(p => p.PageLanguage).FirstOrDefaultAsync(httpContext.RequestAborted);
        return language is not null && Texts.Languages.Contains(language) ? new ProviderCultureResult(language) : null;
    }

    /// <summary>Saves the signed-in person's choice; the language is one of <see cref="Texts.Languages"/>.</summary>
    public static async Task SaveAsync(HttpContext httpContext, string language)
    {
        if (!Guid.TryParse(httpContext.User.FindFirstValue(ClaimTypes.NameIdentifier), out var personId)) return;
        var dbs = httpContext.RequestServices.GetRequiredService<IDbContextFactory<MentoringDb>>();
        await using var db = await dbs.CreateDbContextAsync(httpContext.RequestAborted);
        await db.People.Where(p => p.Id == personId)
            .ExecuteUpdateAsync(set => set.SetProperty(p => p.PageLanguage, language), httpContext.RequestAborted);
    }

    private static bool IsApi(PathString path) => path.StartsWithSegments("/api") || path.StartsWithSegments("/health");
}
