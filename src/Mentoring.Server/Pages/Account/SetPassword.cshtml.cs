using Mentoring.Server.Data;
using Mentoring.Server.Web;
using Mentoring.Server.Accounts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Pages.Account;

/// <summary>Both single-use links land here: /invitations/accept (invitation) and /password/reset (reset).</summary>
public sealed class SetPasswordModel(IDbContextFactory<MentoringDb> dbs, AccountService accounts, Texts text,
    IOptions<WebOptions> options) : PageModel
{
    public bool Invalid { get; private set; }
    public string? Error { get; private set; }
    public string? Token { get; private set; }
    public string? PersonName { get; private set; }
    public int MinLength => options.Value.MinPasswordLength;

    private string Purpose => Request.Path.StartsWithSegments("/invitations") ? LinkPurpose.Invitation : LinkPurpose.PasswordReset;

    public async Task<IActionResult> OnGetAsync(string? token, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var found = await accounts.FindLinkAsync(db, token, Purpose, ct);
        Token = token;
        PersonName = found?.Person.Name;
        Invalid = found is null;
        if (Invalid) Response.StatusCode = StatusCodes.Status410Gone;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? token, string? password, string? confirm, CancellationToken ct)
    {
        Token = token;
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            var found = await accounts.FindLinkAsync(db, token, Purpose, ct);
            if (found is null)
            {
                Invalid = true;
                Response.StatusCode = StatusCodes.Status410Gone;
                return Page();
            }

            PersonName = found.Value.Person.Name;
        }

        if (AccountService.PasswordProblem(password, MinLength) is not null)
            Error = string.Format(text["The password is too short: use at least {0} characters."], MinLength);
        else if (password != confirm)
            Error = text["The two passwords are not the same."];
        if (Error is not null)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        if (!await accounts.UseLinkAsync(token, Purpose, password!, ct))
        {
            Invalid = true;
            Response.StatusCode = StatusCodes.Status410Gone;
            return Page();
        }

        TempData["Message"] = text["Your password is set. Sign in with it now."];
        return Redirect("/signin");
    }
}
