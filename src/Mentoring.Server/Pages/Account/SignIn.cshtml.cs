using Mentoring.Server.Auth;
using Mentoring.Server.Web;
using Mentoring.Server.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using System.Security.Claims;

namespace Mentoring.Server.Pages.Account;

public sealed class SignInModel(AccountService accounts, Texts text, IOptions<WebOptions> options, TimeProvider clock,
    IDbContextFactory<Data.MentoringDb> dbs) : PageModel
{
    public string? Error { get; private set; }
    public string? Email { get; private set; }
    public string? ReturnUrl { get; private set; }

    public void OnGet(string? returnUrl) => ReturnUrl = returnUrl;

    public async Task<IActionResult> OnPostAsync(string? email, string? password, string? returnUrl, CancellationToken ct)
    {
        var (result, person, stamp) = await accounts.SignInAsync(email, password, ct);
        if (result != SignInOutcome.Success || person is null)
        {
            Email = email;
            ReturnUrl = returnUrl;
            // One message for an unknown address, a wrong password and a locked account: none of them is told apart.
            Error = text["Wrong email or password. After several failed attempts the account is locked for a while."];
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }

        IReadOnlyList<Claim> claims;
        await using (var db = await dbs.CreateDbContextAsync(ct)) claims = await CurrentUser.ClaimsAsync(db, person, ct);
        var identity = new ClaimsIdentity(claims.Append(new Claim(AccountService.SecurityStampClaim, stamp ?? "")),
            WebServices.CookieScheme);
        await HttpContext.SignInAsync(WebServices.CookieScheme, new ClaimsPrincipal(identity),
            new AuthenticationProperties { IsPersistent = false, IssuedUtc = clock.GetUtcNow(), ExpiresUtc = clock.GetUtcNow() + options.Value.SessionLength });
        return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/");
    }
}
