using Mentoring.Server.Auth;
using Mentoring.Server.Web;
using Mentoring.Server.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mentoring.Server.Pages.Account;

public sealed class SignOutModel(AccountService accounts) : PageModel
{
    public void OnGet()
    {
    }

    /// <summary>Ends every session of the person, not just this browser's cookie: a copy of the cookie (another
    /// device, or one that was stolen) stops working too.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (User.Identity?.IsAuthenticated == true) await accounts.SignOutEverywhereAsync(User.PersonId(), ct);
        await HttpContext.SignOutAsync(WebServices.CookieScheme);
        return Redirect("/signin");
    }
}
