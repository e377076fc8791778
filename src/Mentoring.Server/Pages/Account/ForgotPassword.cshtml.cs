using Mentoring.Server.Data;
using Mentoring.Server.Web.Accounts;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pages.Account;

public sealed class ForgotPasswordModel(IDbContextFactory<MentoringDb> dbs, AccountService accounts) : PageModel
{
    public bool Sent { get; private set; }

    public void OnGet()
    {
    }

    public async Task OnPostAsync(string? email, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var address = (email ?? "").Trim();
        var person = address.Length == 0 ? null : await db.People.SingleOrDefaultAsync(p => p.Email == address, ct);
        if (person is not null)
        {
            accounts.AddLink(db, person, LinkPurpose.PasswordReset, null, null);
            await db.SaveChangesAsync(ct);
        }

        // The same answer whether or not the address is known.
        Sent = true;
    }
}
