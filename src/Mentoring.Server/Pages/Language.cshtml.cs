using Mentoring.Server.Web;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mentoring.Server.Pages;

/// <summary>The language switch on every page: saved with the signed-in person, and in a cookie for a year (so the
/// sign-in page keeps it too).</summary>
public sealed class LanguageModel : PageModel
{
    public IActionResult OnGet() => Redirect("/");

    public async Task<IActionResult> OnPostAsync(string? culture, string? returnUrl)
    {
        if (culture is null || !Texts.Languages.Contains(culture))
            return BadRequest(new ProblemDetails
            {
                Status = StatusCodes.Status400BadRequest, Title = "Unknown language",
                Detail = $"'{culture}' is not a page language: use one of {string.Join(", ", Texts.Languages)}.",
            });
        Response.Cookies.Append(WebServices.LanguageCookie, CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
            new CookieOptions
            {
                MaxAge = TimeSpan.FromDays(365), HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = Request.IsHttps,
                IsEssential = true,
            });
        if (User.Identity?.IsAuthenticated == true) await PageLanguage.SaveAsync(HttpContext, culture);
        return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/");
    }
}
