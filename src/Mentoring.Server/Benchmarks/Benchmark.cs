using System.Text.Json;
using Mentoring.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Benchmarks;

public enum BenchmarkStatus { Draft, Agreed }

/// One pair's benchmark. Version counts every saved change (optimistic concurrency: an edit names the version it
/// read; a stale one is refused 409).
public sealed record BenchmarkView(Guid GroupId, string ProgrammeId, string Title, BenchmarkStatus Status,
    DateTimeOffset? AgreedAt, string? AgreedBy, int Version, IReadOnlyList<KeyFactorView> Factors);

/// Local: an additional local factor the mentee added (false: from the theme's template or the mentor).
public sealed record KeyFactorView(Guid Id, int Position, string Title, string WhyAndHow,
    IReadOnlyList<string> GuidingQuestions, IReadOnlyList<MentorExample> Examples, bool Local);

/// An example from the mentor; PracticeId links a good practice of the library (Practices/), Url any page.
public sealed record MentorExample(string Text, Guid? PracticeId, string? Url);

public static class BenchmarkQueries
{
    /// The group's benchmark, or null when it has none yet. No access check: callers check the reader's access.
    public static async Task<BenchmarkView?> ForGroupAsync(MentoringDb db, Guid groupId, CancellationToken ct)
    {
        var benchmark = await db.Benchmarks.AsNoTracking().SingleOrDefaultAsync(b => b.GroupId == groupId, ct);
        if (benchmark is null) return null;
        var factors = await db.BenchmarkFactors.AsNoTracking().Where(f => f.BenchmarkId == benchmark.Id)
            .OrderBy(f => f.Position).ThenBy(f => f.Id).ToListAsync(ct);
        return View(benchmark, factors);
    }

    internal static BenchmarkView View(BenchmarkRecord benchmark, IEnumerable<BenchmarkFactorRecord> factors) =>
        new(benchmark.GroupId, benchmark.ProgrammeId, benchmark.Title,
            benchmark.Status == BenchmarkRecord.Agreed ? BenchmarkStatus.Agreed : BenchmarkStatus.Draft,
            benchmark.AgreedAt, benchmark.AgreedBy, benchmark.Version,
            factors.OrderBy(f => f.Position).Select(View).ToList());

    internal static KeyFactorView View(BenchmarkFactorRecord factor) =>
        new(factor.Id, factor.Position, factor.Title, factor.WhyAndHow, Questions(factor.GuidingQuestions), Examples(factor.Examples), factor.Local);

    internal static IReadOnlyList<string> Questions(string json) => JsonSerializer.Deserialize<List<string>>(json) ?? [];

    internal static IReadOnlyList<MentorExample> Examples(string json) =>
        JsonSerializer.Deserialize<List<MentorExample>>(json, BenchmarkRecord.Json) ?? [];
}
