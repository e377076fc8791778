using Mentoring.Server.Data;

// A stand-in for the benchmark contract (SESSION21-DESIGN.md) that branch i11-benchmark provides: deleted when its
// Checkpoint commit is merged. Only the signatures matter here.
namespace Mentoring.Server.Benchmarks;

public enum BenchmarkStatus { Draft, Agreed }

public sealed record BenchmarkView(Guid GroupId, string ProgrammeId, string Title, BenchmarkStatus Status,
    DateTimeOffset? AgreedAt, string? AgreedBy, int Version, IReadOnlyList<KeyFactorView> Factors);

public sealed record KeyFactorView(Guid Id, int Position, string Title, string WhyAndHow,
    IReadOnlyList<string> GuidingQuestions, IReadOnlyList<MentorExample> Examples, bool Local);

public sealed record MentorExample(string Text, Guid? PracticeId, string? Url);

public static class BenchmarkQueries
{
    internal static readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, BenchmarkView> StandIn = new();

    public static Task<BenchmarkView?> ForGroupAsync(MentoringDb db, Guid groupId, CancellationToken ct) =>
        Task.FromResult(StandIn.TryGetValue(groupId, out var view) ? view : null);
}
