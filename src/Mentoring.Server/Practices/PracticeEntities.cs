using System.Text.Json;
using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Mentoring.Server.Practices;

public static class PracticeStatus
{
    public const string Proposed = "proposed";
    public const string SentBack = "sent-back";
    public const string Published = "published";
}

/// <summary>A good practice in the library of the programme it was proposed in (<see cref="ProgrammeId"/>, its owner).
/// Proposed by a city coordinator (or the facilitator), published or sent back by the owner's facilitator; once
/// published and <see cref="Shared"/>, another programme's facilitator may show it in their library too.</summary>
public sealed class Practice
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string ProgrammeId { get; init; }
    /// <summary>Its id in the programme package it was imported from; null for one proposed on the site.</summary>
    public string? SourceKey { get; init; }
    public required string Title { get; set; }
    public required string City { get; set; }
    /// <summary>ISO 3166 two-letter code.</summary>
    public required string Country { get; set; }
    /// <summary>The language this description is written in: it picks the search configuration.</summary>
    public required string Language { get; set; }
    public string Summary { get; set; } = "";
    public string Achieves { get; set; } = "";
    public string RunBy { get; set; } = "";
    public string Resources { get; set; } = "";
    public string Results { get; set; } = "";
    public string Contact { get; set; } = "";
    /// <summary>The languages the practice's own material is in.</summary>
    public List<string> Languages { get; set; } = [];
    public List<string> Links { get; set; } = [];
    public required string Status { get; set; }
    public bool Shared { get; set; }
    public string? SendBackReason { get; set; }
    public Guid? ProposedBy { get; init; }
    /// <summary>The city the proposer coordinates: its coordinators may follow and edit the proposal.</summary>
    public string? ProposedByCity { get; init; }
    public DateTimeOffset ProposedAt { get; set; }
    public Guid? PublishedBy { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>Raised by every change: two facilitators (or nodes) changing one practice at once, one of them wins.</summary>
    public int Version { get; set; }
}

public sealed class PracticeTheme
{
    public Guid PracticeId { get; init; }
    public required string Theme { get; init; }
}

/// <summary>A key factor the practice illustrates, by name: the benchmark feature will link these to its key factors.</summary>
public sealed class PracticeKeyFactor
{
    public Guid PracticeId { get; init; }
    public int Position { get; init; }
    public required string Name { get; set; }
}

/// <summary>A file of the practice: the file itself is a row of uploaded_files (Uploads/ stores and serves it).</summary>
public sealed class PracticeFile
{
    public Guid PracticeId { get; init; }
    public Guid FileId { get; init; }
}

/// <summary>Another programme's library shows this (published, shared) practice: its facilitator decided so.</summary>
public sealed class PracticeShow
{
    public Guid PracticeId { get; init; }
    public required string ProgrammeId { get; init; }
    public Guid ShownBy { get; init; }
    public DateTimeOffset ShownAt { get; init; }
}

internal sealed class PracticeConfiguration : IEntityTypeConfiguration<Practice>
{
    private static readonly ValueComparer<List<string>> ListComparer = new(
        (a, b) => a!.SequenceEqual(b!), l => l.Aggregate(0, (h, s) => HashCode.Combine(h, s)), l => l.ToList());

    public void Configure(EntityTypeBuilder<Practice> b)
    {
        b.ToTable("practices").HasKey(p => p.Id);
        b.HasOne<ProgrammeRecord>().WithMany().HasForeignKey(p => p.ProgrammeId).OnDelete(DeleteBehavior.Restrict);
        // A JSON array in a text column on both databases: read with the practice, never filtered on.
        b.Property(p => p.Languages).HasConversion(new JsonListConverter(), ListComparer);
        b.Property(p => p.Links).HasConversion(new JsonListConverter(), ListComparer);
        b.Property(p => p.Version).IsConcurrencyToken();
        b.Snake();
    }

    private sealed class JsonListConverter() : ValueConverter<List<string>, string>(
        v => JsonSerializer.Serialize(v, (JsonSerializerOptions?)null), v => JsonSerializer.Deserialize<List<string>>(v, (JsonSerializerOptions?)null) ?? new List<string>());
}

internal sealed class PracticeThemeConfiguration : IEntityTypeConfiguration<PracticeTheme>
{
    public void Configure(EntityTypeBuilder<PracticeTheme> b)
    {
        b.ToTable("practice_themes").HasKey(t => new { t.PracticeId, t.Theme });
        b.HasOne<Practice>().WithMany().HasForeignKey(t => t.PracticeId).OnDelete(DeleteBehavior.Cascade);
        b.Snake();
    }
}

internal sealed class PracticeKeyFactorConfiguration : IEntityTypeConfiguration<PracticeKeyFactor>
{
    public void Configure(EntityTypeBuilder<PracticeKeyFactor> b)
    {
        b.ToTable("practice_key_factors").HasKey(k => new { k.PracticeId, k.Position });
        b.HasOne<Practice>().WithMany().HasForeignKey(k => k.PracticeId).OnDelete(DeleteBehavior.Cascade);
        b.Snake();
    }
}

internal sealed class PracticeFileConfiguration : IEntityTypeConfiguration<PracticeFile>
{
    public void Configure(EntityTypeBuilder<PracticeFile> b)
    {
        b.ToTable("practice_files").HasKey(f => new { f.PracticeId, f.FileId });
        b.HasOne<Practice>().WithMany().HasForeignKey(f => f.PracticeId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Uploads.UploadedFile>().WithMany().HasForeignKey(f => f.FileId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class PracticeShowConfiguration : IEntityTypeConfiguration<PracticeShow>
{
    public void Configure(EntityTypeBuilder<PracticeShow> b)
    {
        b.ToTable("practice_shows").HasKey(s => new { s.PracticeId, s.ProgrammeId });
        b.HasOne<Practice>().WithMany().HasForeignKey(s => s.PracticeId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<ProgrammeRecord>().WithMany().HasForeignKey(s => s.ProgrammeId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}
