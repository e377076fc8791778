using System.Text.Json;
using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mentoring.Server.Benchmarks;

/// <summary>A group's benchmark (one per group): its title, its status (draft until the facilitator agrees it) and
/// <see cref="Version"/>, which goes up with every saved change so two writers at once cannot both win.
/// <see cref="Theme"/> is the package template's theme it started from, if any.</summary>
public sealed class BenchmarkRecord
{
    public const string Draft = "draft";
    public const string Agreed = "agreed";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string ProgrammeId { get; init; }
    public required Guid GroupId { get; init; }
    public string? Theme { get; init; }
    public required string Title { get; set; }
    public string Status { get; set; } = Draft;
    public DateTimeOffset? AgreedAt { get; set; }
    public string? AgreedBy { get; set; }
    public int Version { get; set; } = 1;
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One key factor of a benchmark. Its id is stable across edits (scores refer to it); guiding questions and
/// mentor examples are JSON arrays, read and written whole with the factor.</summary>
public sealed class BenchmarkFactorRecord
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required Guid BenchmarkId { get; init; }
    public int Position { get; set; }
    public required string Title { get; set; }
    public string WhyAndHow { get; set; } = "";
    public string GuidingQuestions { get; set; } = "[]";
    public string Examples { get; set; } = "[]";
    public bool Local { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>One line of a benchmark's history: who changed which field (of the benchmark, or of one factor), when,
/// from what to what, and the version the change made.</summary>
public sealed class BenchmarkChangeRecord
{
    public long Id { get; init; }
    public required Guid BenchmarkId { get; init; }
    public Guid? FactorId { get; init; }
    public int Version { get; init; }
    public required string Field { get; init; }
    public string? OldValue { get; init; }
    public string? NewValue { get; init; }
    public Guid? ChangedBy { get; init; }
    public required string ChangedByName { get; init; }
    public DateTimeOffset ChangedAt { get; init; }
}

/// <summary>A programme's key-factor templates as its package last gave them (<c>benchmarks.json</c>'s text, read again by
/// <c>BenchmarkTemplates</c> when a pair's benchmark is created).</summary>
public sealed class BenchmarkTemplatesRecord
{
    public required string ProgrammeId { get; init; }
    public required string Source { get; set; }
    public required string Hash { get; set; }
    public DateTimeOffset ImportedAt { get; set; }
}

internal sealed class BenchmarkConfiguration : IEntityTypeConfiguration<BenchmarkRecord>
{
    public void Configure(EntityTypeBuilder<BenchmarkRecord> b)
    {
        b.ToTable("benchmarks").HasKey(x => x.Id);
        b.HasIndex(x => x.GroupId).IsUnique();
        b.HasOne<ProgrammeRecord>().WithMany().HasForeignKey(x => x.ProgrammeId).OnDelete(DeleteBehavior.Restrict);
        // A group removed from the set-up takes its benchmark with it (M021: ON DELETE CASCADE).
        b.HasOne<Group>().WithMany().HasForeignKey(x => x.GroupId).OnDelete(DeleteBehavior.Cascade);
        b.Snake();
    }
}

internal sealed class BenchmarkFactorConfiguration : IEntityTypeConfiguration<BenchmarkFactorRecord>
{
    public void Configure(EntityTypeBuilder<BenchmarkFactorRecord> b)
    {
        b.ToTable("benchmark_factors").HasKey(x => x.Id);
        b.HasIndex(x => new { x.BenchmarkId, x.Position });
        b.HasOne<BenchmarkRecord>().WithMany().HasForeignKey(x => x.BenchmarkId).OnDelete(DeleteBehavior.Cascade);
        b.Snake();
    }
}

internal sealed class BenchmarkChangeConfiguration : IEntityTypeConfiguration<BenchmarkChangeRecord>
{
    public void Configure(EntityTypeBuilder<BenchmarkChangeRecord> b)
    {
        b.ToTable("benchmark_changes").HasKey(x => x.Id);
        b.Property(x => x.Id).ValueGeneratedOnAdd();
        b.HasIndex(x => new { x.BenchmarkId, x.Id });
        b.HasOne<BenchmarkRecord>().WithMany().HasForeignKey(x => x.BenchmarkId).OnDelete(DeleteBehavior.Cascade);
        b.Snake();
    }
}

internal sealed class BenchmarkTemplatesConfiguration : IEntityTypeConfiguration<BenchmarkTemplatesRecord>
{
    public void Configure(EntityTypeBuilder<BenchmarkTemplatesRecord> b)
    {
        b.ToTable("benchmark_templates").HasKey(x => x.ProgrammeId);
        b.HasOne<ProgrammeRecord>().WithMany().HasForeignKey(x => x.ProgrammeId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}
