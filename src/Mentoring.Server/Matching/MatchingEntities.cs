using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mentoring.Server.Matching;

/// <summary>A programme's matching settings, as its package's matching.json gave them at the last import (JSON of
/// <see cref="MatchingSettings"/>). Written by the import only.</summary>
public sealed class MatchingSettingsRecord
{
    public required string ProgrammeId { get; init; }
    public required string Settings { get; set; }
}

/// <summary>The facilitator's constraints on the proposal, one document per programme: locks and forbids (JSON lists of
/// {mentor, mentee}), capacities per mentor (JSON map of city to mentees) and, when chosen, whether every mentee must be
/// matched (null: the settings' default).</summary>
public sealed class MatchingConstraintsRecord
{
    public required string ProgrammeId { get; init; }
    public string Locks { get; set; } = "[]";
    public string Forbids { get; set; } = "[]";
    public string Capacities { get; set; } = "{}";
    public bool? EveryMenteeMatched { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public Guid UpdatedBy { get; set; }
}

/// <summary>A publication: the proposal (JSON, as the API gave it) and the groups it came to, kept as the record of
/// where those groups came from.</summary>
public sealed class MatchingPublication
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string ProgrammeId { get; init; }
    public DateTimeOffset PublishedAt { get; init; }
    public Guid PublishedBy { get; init; }
    public required string Proposal { get; init; }
    /// <summary>JSON list of {group, number, created}: each pair's group, new or already there.</summary>
    public required string Groups { get; init; }
}

internal sealed class MatchingSettingsConfiguration : IEntityTypeConfiguration<MatchingSettingsRecord>
{
    public void Configure(EntityTypeBuilder<MatchingSettingsRecord> b)
    {
        b.ToTable("matching_settings").HasKey(s => s.ProgrammeId);
        b.HasOne<ProgrammeRecord>().WithMany().HasForeignKey(s => s.ProgrammeId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class MatchingConstraintsConfiguration : IEntityTypeConfiguration<MatchingConstraintsRecord>
{
    public void Configure(EntityTypeBuilder<MatchingConstraintsRecord> b)
    {
        b.ToTable("matching_constraints").HasKey(s => s.ProgrammeId);
        b.HasOne<ProgrammeRecord>().WithMany().HasForeignKey(s => s.ProgrammeId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class MatchingPublicationConfiguration : IEntityTypeConfiguration<MatchingPublication>
{
    public void Configure(EntityTypeBuilder<MatchingPublication> b)
    {
        b.ToTable("matching_publications").HasKey(p => p.Id);
        b.HasOne<ProgrammeRecord>().WithMany().HasForeignKey(p => p.ProgrammeId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}
