using Mentoring.Server.Data;
using Mentoring.Server.Accounts;
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
        var person = await EmailAddress.FindAsync(db, email, ct);
        if (person is not null)
        {
            accounts.AddLink(db, person, LinkPurpose.PasswordReset, null, null);
            await db.SaveChangesAsync(ct);
        }

        // The same answer whether or not the address is known.
        Sent = true;
    }
}
