using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mentoring.Server.Teams;

public static class TeamRoles
{
    public const string Lead = "lead";
    public const string Member = "member";
    public static readonly string[] All = [Lead, Member];
}

/// <summary>A person's role in their city's team. Being in the team is having a coordinator's place for the city in the
/// programme (that is what every page checks); this row adds the team role, and keeps a removed member (RemovedAt) so an
/// assignment to them is refused by name. A coordinator without a row is a member.</summary>
public sealed class TeamMember
{
    public required string ProgrammeId { get; init; }
    public required Guid PersonId { get; init; }
    public required string CityId { get; set; }
    public required string TeamRole { get; set; }
    public DateTimeOffset AddedAt { get; set; }
    public DateTimeOffset? RemovedAt { get; set; }
}

/// <summary>Who of a city's team has a task of that city: claimed by them or given to them by the lead. No row: the
/// task waits in the team's queue. One row per work item and city, so two claims at once cannot both win.</summary>
public sealed class TaskClaim
{
    public Guid WorkItemId { get; init; }
    public required string CityId { get; init; }
    public required string ProgrammeId { get; init; }
    public Guid PersonId { get; set; }
    public DateTimeOffset Since { get; set; }
}

/// <summary>A person away from <see cref="StartsAt"/> to <see cref="EndsAt"/>; their tasks answer to the deputy
/// meanwhile, or to the team's lead when there is none.</summary>
public sealed class Absence
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string ProgrammeId { get; init; }
    public Guid PersonId { get; init; }
    public DateTimeOffset StartsAt { get; init; }
    public DateTimeOffset EndsAt { get; init; }
    public Guid? DeputyId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    public bool Covers(DateTimeOffset at) => StartsAt <= at && at < EndsAt;
    public bool Overlaps(DateTimeOffset from, DateTimeOffset to) => StartsAt < to && from < EndsAt;
}

internal sealed class TeamMemberConfiguration : IEntityTypeConfiguration<TeamMember>
{
    public void Configure(EntityTypeBuilder<TeamMember> b)
    {
        b.ToTable("team_members").HasKey(m => new { m.ProgrammeId, m.PersonId });
        b.HasOne<Person>().WithMany().HasForeignKey(m => m.PersonId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class TaskClaimConfiguration : IEntityTypeConfiguration<TaskClaim>
{
    public void Configure(EntityTypeBuilder<TaskClaim> b)
    {
        b.ToTable("task_claims").HasKey(c => new { c.WorkItemId, c.CityId });
        b.HasOne<WorkItem>().WithMany().HasForeignKey(c => c.WorkItemId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class AbsenceConfiguration : IEntityTypeConfiguration<Absence>
{
    public void Configure(EntityTypeBuilder<Absence> b)
    {
        b.ToTable("absences").HasKey(a => a.Id);
        b.Property(a => a.Id).ValueGeneratedNever();
        b.Snake();
    }
}
