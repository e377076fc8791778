using System.Security.Claims;
using Mentoring.Server.Benchmarks.Scores;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Pairs;
using Mentoring.Server.Programme;
using Mentoring.Server.Web;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Benchmarks.Export;

/// <summary>What the exports of a benchmark show: the benchmark, the pair's line ("Pair 4: Schaerbeek – Jelgava") and
/// theme, and the self-scores per key factor. <see cref="PublicUrl"/> makes the links to the library's practices
/// absolute in a Word file, which has no page to be relative to.</summary>
public sealed record BenchmarkExport(BenchmarkView Benchmark, string Pair, string Theme, IReadOnlyList<ScoreChange> Changes, string PublicUrl)
{
    public IEnumerable<KeyFactorView> KeyFactors => Benchmark.Factors.Where(f => !f.Local).OrderBy(f => f.Position);
    public IEnumerable<KeyFactorView> LocalFactors => Benchmark.Factors.Where(f => f.Local).OrderBy(f => f.Position);
    public string PracticeLink(Guid practice) => $"{PublicUrl.TrimEnd('/')}/practices/{practice}";
}

/// <summary>
/// The benchmark as a printable page (<c>/pairs/{id}/benchmark/print</c>, Pages/Benchmarks/Print) and as Word
/// (<c>/pairs/{id}/benchmark.docx</c>), both in the reader's language, read by whoever may read the pair.
/// </summary>
public static class BenchmarkExports
{
    public const string PrintStylesPath = "/benchmark-print.css";

    public enum Access { Ok, NotFound, Forbidden, NoBenchmark }

    public static async Task<(Access Access, BenchmarkExport? Export)> LoadAsync(MentoringDb db, DefinitionStore definitions, ClaimsPrincipal user,
        Guid groupId, string publicUrl, string language, CancellationToken ct)
    {
        var (access, group, _) = await PairPageData.CheckAsync(db, user, groupId, ct);
        if (access != PairPageData.Access.Ok) return (access == PairPageData.Access.Forbidden ? Access.Forbidden : Access.NotFound, null);
        if (await ScoreSheets.ChangesAsync(db, groupId, ct) is not { } scored) return (Access.NoBenchmark, null);
        var summary = await PairQueries.Summaries(db, user, group!.Id).AsNoTracking().SingleAsync(ct);
        var terms = await ProgrammeTerms.LoadAsync(db, group.ProgrammeId, language, ct);
        return (Access.Ok, new BenchmarkExport(scored.Benchmark, PairQueries.NumberedLine(summary, definitions, terms), summary.Theme, scored.Changes, publicUrl));
    }

    public static IEndpointRouteBuilder MapBenchmarkExports(this IEndpointRouteBuilder app)
    {
        app.MapGet("/pairs/{pairId:guid}/benchmark.docx", async (HttpContext http, Guid pairId, IDbContextFactory<MentoringDb> dbs,
                DefinitionStore definitions, IOptions<EmailOptions> email, Texts texts, CancellationToken ct) =>
            {
                await using var db = await dbs.CreateDbContextAsync(ct);
                var (access, export) = await LoadAsync(db, definitions, http.User, pairId, email.Value.PublicUrl, Texts.Language, ct);
                return access switch
                {
                    Access.Ok => Results.File(BenchmarkDocx.Build(export!, texts), BenchmarkDocx.ContentType, BenchmarkDocx.FileName(export!)),
                    Access.Forbidden => Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not your pair"),
                    Access.NoBenchmark => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: ScoreSheets.NoBenchmark),
                    _ => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such pair"),
                };
            })
            .RequireAuthorization().WithTags("Benchmark scores")
            .WithSummary("The pair's benchmark as a Word document in the reader's language: key factors, local factors and self-scores.");

        // The print page's own styles: the site's stylesheet is shared by every page, and the policy allows no inline styles.
        app.MapGet(PrintStylesPath, () => Results.Text(PrintStyles, "text/css; charset=utf-8")).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private const string PrintStyles = """
        /* The printable benchmark: the site's look on screen, a plain document on paper. */
        .print-page { max-width: 48rem; }
        .print-page .factor { border-top: 1px solid #c9d1da; padding-top: .5rem; margin-top: 1.25rem; }
        .print-page .factor h3 { font-size: 1.1rem; margin: .5rem 0 .25rem; }
        .print-page .factor h4 { font-size: 1rem; margin: .75rem 0 .25rem; }
        .print-page .why { white-space: pre-wrap; }
        .print-page .screen-only { background: #f3f6f9; border: 1px solid #c9d1da; padding: .5rem .75rem; border-radius: 4px; }
        @media print {
          @page { margin: 18mm 16mm; }
          body { font: 11pt/1.4 Georgia, "Times New Roman", serif; color: #000; }
          .screen-only, .skip { display: none; }
          main { max-width: none; padding: 0; }
          a { color: #000; text-decoration: none; }
          a[href^="http"]::after { content: " (" attr(href) ")"; font-size: 9pt; }
          .print-page .factor { break-inside: avoid-page; }
          h1, h2, h3 { break-after: avoid-page; }
          table { break-inside: auto; } tr { break-inside: avoid; } thead { display: table-header-group; }
          th, td { border-bottom: 1px solid #000; }
        }
        """;
}
