using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mentoring.Server.ActionPlans;

/// <summary>A group's action plan (one per group): the working copy's plan-wide fields, the language it is written in
/// (its exports use it), and the city administration's endorsement once the mentee records it. <see cref="Revision"/>
/// counts the changes of the working copy; it is the row's concurrency token, so two saves made on the same revision
/// cannot both be written (the second is refused, 409).</summary>
public sealed class ActionPlanRecord
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string ProgrammeId { get; init; }
    public required Guid GroupId { get; init; }
    public required string Language { get; set; }
    public string Context { get; set; } = "";
    public string Needs { get; set; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateOnly? EndorsedOn { get; set; }
    public string? EndorsedBy { get; set; }
    public Guid? EndorsementFileId { get; set; }
    public Guid? EndorsementRecordedBy { get; set; }
    public DateTimeOffset? EndorsementRecordedAt { get; set; }
    public int Revision { get; set; }
}

/// <summary>An objective of the working copy, linked to key factors of the group's benchmark (a JSON array of their ids).</summary>
public sealed class ActionPlanObjectiveRecord
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required Guid PlanId { get; init; }
    public int Position { get; set; }
    public required string Title { get; set; }
    public string Description { get; set; } = "";
    public string KeyFactors { get; set; } = "[]";
}

/// <summary>An action of the working copy, with URBACT's Integrated Action Plan fields. Its id is stable across versions,
/// so a version's action, its comments and the diff all name the same action. Activities, indicators and risks are JSON
/// arrays read and written whole with the action. Cost is in euros.</summary>
public sealed class ActionPlanActionRecord
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required Guid PlanId { get; init; }
    public Guid? ObjectiveId { get; set; }
    public int Position { get; set; }
    public required string Title { get; set; }
    public string Description { get; set; } = "";
    public Guid? PracticeId { get; set; }
    public string Activities { get; set; } = "[]";
    public DateOnly? StartOn { get; set; }
    public DateOnly? EndOn { get; set; }
    public string Responsible { get; set; } = "";
    public string Partners { get; set; } = "";
    public decimal? Cost { get; set; }
    public string FundingSource { get; set; } = "";
    public string Indicators { get; set; } = "[]";
    public string Risks { get; set; } = "[]";
    public string Status { get; set; } = ActionStatuses.Planned;
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>A frozen version: the whole plan as it was (<see cref="Content"/>, a <see cref="PlanContent"/> in JSON), under a
/// label a workflow names (draft, consolidated, reviewed, ...). Never updated: nothing in the code writes it after the insert.</summary>
public sealed class ActionPlanVersionRecord
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required Guid PlanId { get; init; }
    public int Number { get; init; }
    public required string Label { get; init; }
    public required string Content { get; init; }
    public DateTimeOffset FrozenAt { get; init; }
    public Guid? FrozenBy { get; init; }
    public required string FrozenByName { get; init; }
}

/// <summary>A comment on one action, of the working copy (<see cref="VersionId"/> null) or of a frozen version.</summary>
public sealed class ActionPlanCommentRecord
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required Guid PlanId { get; init; }
    public required Guid ActionId { get; init; }
    public Guid? VersionId { get; init; }
    public required Guid AuthorId { get; init; }
    public required string Text { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

public static class ActionStatuses
{
    public const string Planned = "planned";
    public const string InProgress = "in-progress";
    public const string Done = "done";
    public const string Dropped = "dropped";
    public static readonly IReadOnlyList<string> All = [Planned, InProgress, Done, Dropped];
}

internal sealed class ActionPlanConfiguration : IEntityTypeConfiguration<ActionPlanRecord>
{
    public void Configure(EntityTypeBuilder<ActionPlanRecord> b)
    {
        b.ToTable("action_plans").HasKey(x => x.Id);
        b.HasIndex(x => x.GroupId).IsUnique();
        b.Property(x => x.Revision).IsConcurrencyToken();
        b.HasOne<ProgrammeRecord>().WithMany().HasForeignKey(x => x.ProgrammeId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Group>().WithMany().HasForeignKey(x => x.GroupId).OnDelete(DeleteBehavior.Cascade);
        // Known to EF so that the document's insert is written before the plan's update that names it.
        b.HasOne<Uploads.UploadedFile>().WithMany().HasForeignKey(x => x.EndorsementFileId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Person>().WithMany().HasForeignKey(x => x.EndorsementRecordedBy).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class ActionPlanObjectiveConfiguration : IEntityTypeConfiguration<ActionPlanObjectiveRecord>
{
    public void Configure(EntityTypeBuilder<ActionPlanObjectiveRecord> b)
    {
        b.ToTable("action_plan_objectives").HasKey(x => x.Id);
        b.HasIndex(x => x.PlanId);
        b.HasOne<ActionPlanRecord>().WithMany().HasForeignKey(x => x.PlanId).OnDelete(DeleteBehavior.Cascade);
        b.Snake();
    }
}

internal sealed class ActionPlanActionConfiguration : IEntityTypeConfiguration<ActionPlanActionRecord>
{
    public void Configure(EntityTypeBuilder<ActionPlanActionRecord> b)
    {
        b.ToTable("action_plan_actions").HasKey(x => x.Id);
        b.HasIndex(x => x.PlanId);
        b.Property(x => x.Cost).HasPrecision(14, 2);
        b.HasOne<ActionPlanRecord>().WithMany().HasForeignKey(x => x.PlanId).OnDelete(DeleteBehavior.Cascade);
        b.Snake();
    }
}

internal sealed class ActionPlanVersionConfiguration : IEntityTypeConfiguration<ActionPlanVersionRecord>
{
    public void Configure(EntityTypeBuilder<ActionPlanVersionRecord> b)
    {
        b.ToTable("action_plan_versions").HasKey(x => x.Id);
        b.HasIndex(x => new { x.PlanId, x.Label }).IsUnique();
        b.HasIndex(x => new { x.PlanId, x.Number }).IsUnique();
        b.HasOne<ActionPlanRecord>().WithMany().HasForeignKey(x => x.PlanId).OnDelete(DeleteBehavior.Cascade);
        b.Snake();
    }
}

internal sealed class ActionPlanCommentConfiguration : IEntityTypeConfiguration<ActionPlanCommentRecord>
{
    public void Configure(EntityTypeBuilder<ActionPlanCommentRecord> b)
    {
        b.ToTable("action_plan_comments").HasKey(x => x.Id);
        b.HasIndex(x => new { x.PlanId, x.ActionId });
        b.HasOne<ActionPlanRecord>().WithMany().HasForeignKey(x => x.PlanId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Person>().WithMany().HasForeignKey(x => x.AuthorId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}
