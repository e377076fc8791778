using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mentoring.Server.Benchmarks.Scores;

/// <summary>When the mentee scores itself: at the start of the benchmark (<see cref="Baseline"/>) and at the review of
/// the action plans, the third study visit (<see cref="Review"/>). The API's path says it in lower case.</summary>
public enum ScoreMoment { Baseline, Review }

/// <summary>The mentee's self-score on one key factor at one moment: 0-4 with an optional comment, and who entered it
/// last and when. One row per factor per moment (M022); a factor taken out of the benchmark takes its scores with it.</summary>
public sealed class BenchmarkScore
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required Guid GroupId { get; init; }
    /// <summary>A key factor of the group's benchmark (<c>benchmark_factors.id</c>; the reference is the database's).</summary>
    public required Guid FactorId { get; init; }
    /// <summary><c>baseline</c> or <c>review</c>.</summary>
    public required string Moment { get; init; }
    public int Score { get; set; }
    public string? Comment { get; set; }
    public Guid EnteredBy { get; set; }
    public DateTimeOffset EnteredAt { get; set; }
}

internal sealed class BenchmarkScoreConfiguration : IEntityTypeConfiguration<BenchmarkScore>
{
    public void Configure(EntityTypeBuilder<BenchmarkScore> b)
    {
        b.ToTable("benchmark_scores").HasKey(s => s.Id);
        b.HasIndex(s => new { s.FactorId, s.Moment }).IsUnique();
        b.HasOne<Group>().WithMany().HasForeignKey(s => s.GroupId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Person>().WithMany().HasForeignKey(s => s.EnteredBy).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}
