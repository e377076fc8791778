using Mentoring.Server.Benchmarks.Export;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Web;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Pages.Benchmarks;

/// <summary>The benchmark as a document to print (/pairs/{id}/benchmark/print), for whoever may read the pair.</summary>
[Authorize]
public sealed class PrintModel(IDbContextFactory<MentoringDb> dbs, DefinitionStore definitions, IOptions<EmailOptions> email, TimeProvider clock)
    : PageModel
{
    public BenchmarkExport Export { get; private set; } = null!;
    public DateTimeOffset Now => clock.GetUtcNow();

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var (access, export) = await BenchmarkExports.LoadAsync(db, definitions, User, id, email.Value.PublicUrl, Texts.Language, ct);
        switch (access)
        {
            case BenchmarkExports.Access.Ok:
                Export = export!;
                return Page();
            case BenchmarkExports.Access.Forbidden:
                return Forbid();
            default:
                return NotFound();
        }
    }
}
