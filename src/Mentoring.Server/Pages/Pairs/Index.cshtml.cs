using Mentoring.Engine.Definitions;
using Mentoring.Server.Data;
using Mentoring.Server.Pairs;
using Mentoring.Server.Programme;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pages.Pairs;

/// <summary>The groups a person may see: all for the facilitator, their association's cities' groups for an observer;
/// one column per group role, in the order the groups' definitions declare them.</summary>
public sealed class IndexModel(IDbContextFactory<MentoringDb> dbs, DefinitionStore definitions) : PageModel
{
    public IReadOnlyList<PairSummary> Pairs { get; private set; } = [];
    public ProgrammeTerms Terms { get; private set; } = ProgrammeTerms.None;
    /// <summary>The group roles of the listed groups' definitions, each once, in their declared order.</summary>
    public IReadOnlyList<RoleDefinition> Roles { get; private set; } = [];
    public bool ReadOnly => User.IsInRole(PersonRoles.Observer);

    public GroupNames Names(PairSummary pair) => pair.Names(definitions.Catalog);

    public async Task OnGetAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        Pairs = await PairQueries.Summaries(db, User).AsNoTracking().Take(500).ToListAsync(ct);
        Terms = await ProgrammeTerms.ForPageAsync(HttpContext, dbs);
        var declared = Pairs.Select(p => (p.Workflow, p.WorkflowVersion)).Distinct()
            .SelectMany(run => GroupNames.GroupRoles(definitions.Catalog.Find(run.Workflow, run.WorkflowVersion)));
        // A role only members hold (its definition not loaded) still gets its column, titled by its id.
        var held = Pairs.SelectMany(p => p.Members).Select(m => m.Role).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(role => new RoleDefinition(role, role));
        Roles = declared.Concat(held).DistinctBy(r => r.Id).ToList();
    }
}
