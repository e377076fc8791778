using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Tokens;
using Mentoring.Server.Web;
using Mentoring.Server.Accounts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pages.Me;

public sealed class TokensModel(IDbContextFactory<MentoringDb> dbs, AccountService accounts, Texts text, TimeProvider clock) : PageModel
{
    public IReadOnlyList<TokenView> List { get; private set; } = [];
    public CreatedToken? Created { get; private set; }
    public string? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        List = await TokensApi.ListAsync(db, User.PersonId(), ct);
    }

    public async Task OnPostCreateAsync(string? name, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var invalid = string.IsNullOrWhiteSpace(name) ? text["Name the token (up to 100 characters)."]
            : PageCommands.Invalid(new CreateTokenRequest(name), clock, text);
        if (invalid is not null)
        {
            Error = invalid;
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
        else
        {
            Created = await TokensApi.CreateAsync(db, User.PersonId(), name!.Trim(), clock.GetUtcNow(), ct);
        }

        List = await TokensApi.ListAsync(db, User.PersonId(), ct);
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid id, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await TokensApi.RevokeAsync(db, User.PersonId(), id, clock.GetUtcNow(), ct);
        TempData["Message"] = text["The token is revoked."];
        return Redirect("/me/tokens");
    }

    /// <summary>Ends every session of this person, this browser's too (hence the sign-in page next); tokens stay.</summary>
    public async Task<IActionResult> OnPostSignOutEverywhereAsync(CancellationToken ct)
    {
        await accounts.SignOutEverywhereAsync(User.PersonId(), ct);
        await HttpContext.SignOutAsync(WebServices.CookieScheme);
        TempData["Message"] = text["You are signed out on every device. Your API tokens still work: revoke any you no longer trust."];
        return Redirect("/signin");
    }
}
