using Mentoring.Server.Data;
using Mentoring.Server.Pairs;
using Mentoring.Server.Programme;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pages.Pairs;

/// <summary>The pairs a person may see: all for the facilitator, their association's cities' pairs for an observer.</summary>
public sealed class IndexModel(IDbContextFactory<MentoringDb> dbs) : PageModel
{
    public IReadOnlyList<PairSummary> Pairs { get; private set; } = [];
    public bool ReadOnly => User.IsInRole(PersonRoles.Observer);

    public async Task OnGetAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        Pairs = await PairQueries.Summaries(db, User).AsNoTracking().Take(500).ToListAsync(ct);
    }
}
