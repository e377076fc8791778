using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Mentoring.Server.SupportNetworks;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Mentoring.Server.Visits;

/// <summary>How a visit is held.</summary>
public static class VisitFormats
{
    public const string InPerson = "in-person", Online = "online", Hybrid = "hybrid";
    public static readonly IReadOnlyList<string> All = [InPerson, Online, Hybrid];
}

/// <summary>A study visit as it really happens, beside the engine's work item (which keeps the phase: proposed,
/// confirmed, held, reported): its days, format, host and visiting city and agenda. <see cref="Revision"/> grows each
/// time the sessions change after the visit was confirmed; it is the invitations' SEQUENCE.</summary>
public sealed class VisitPlan
{
    public Guid ItemId { get; init; }
    public Guid GroupId { get; init; }
    public required string ProgrammeId { get; init; }
    public DateOnly StartDate { get; set; }
    public DateOnly EndDate { get; set; }
    public required string Format { get; set; }
    public required string HostCityId { get; set; }
    public required string VisitingCityId { get; set; }
    public string Agenda { get; set; } = "";
    public int Revision { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One session of a visit, on one day, in the host city's local time: a place, an online link, or both.</summary>
public sealed class VisitSession
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid ItemId { get; init; }
    /// <summary>1, 2, ... in the order of the plan; with the item it makes the calendar UID.</summary>
    public int Number { get; set; }
    public DateOnly Date { get; set; }
    public TimeOnly StartsAt { get; set; }
    public TimeOnly EndsAt { get; set; }
    public required string Title { get; set; }
    public string? Place { get; set; }
    public string? OnlineUrl { get; set; }
}

/// <summary>Who takes part: a person of one of the two cities' support networks (only the id, so a withdrawal of their
/// consent reaches them here too), or a member of the visiting delegation (name, role and email as entered).</summary>
public sealed class VisitParticipant
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid ItemId { get; init; }
    public required string CityId { get; init; }
    public Guid? SupportPersonId { get; init; }
    public bool Delegation { get; init; }
    public string? Name { get; set; }
    public string? Role { get; set; }
    public string? Email { get; set; }
}

/// <summary>The structured report: what was seen, what was learnt. Its files are the uploaded files of the visit's work
/// item (Uploads/), its agreed next steps <see cref="VisitNextStep"/>.</summary>
public sealed class VisitReport
{
    public Guid ItemId { get; init; }
    public string Seen { get; set; } = "";
    public string Learnt { get; set; } = "";
    public Guid ReportedBy { get; set; }
    public DateTimeOffset ReportedAt { get; set; }
}

/// <summary>A next step agreed at the visit: owned by a city (its coordinator ticks it off) or by a person with an
/// account, due on a day; it is a deadline in the owner's calendar until it is done.</summary>
public sealed class VisitNextStep
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid ItemId { get; init; }
    public Guid GroupId { get; init; }
    public int Number { get; init; }
    /// <summary>Settable for a withdrawal of consent, which erases the person's mentions from it.</summary>
    public required string Text { get; set; }
    public string? OwnerCityId { get; init; }
    public Guid? OwnerPersonId { get; init; }
    public DateOnly DueOn { get; init; }
    public DateTimeOffset? DoneAt { get; set; }
    public Guid? DoneBy { get; set; }
}

internal sealed class VisitPlanConfiguration : IEntityTypeConfiguration<VisitPlan>
{
    public void Configure(EntityTypeBuilder<VisitPlan> b)
    {
        b.ToTable("visit_plans").HasKey(p => p.ItemId);
        b.HasOne<WorkItem>().WithMany().HasForeignKey(p => p.ItemId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Group>().WithMany().HasForeignKey(p => p.GroupId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(p => p.ProgrammeId);
        b.Snake();
    }
}

internal sealed class VisitSessionConfiguration : IEntityTypeConfiguration<VisitSession>
{
    // "HH:mm" text on both databases: SQLite has no time type and the host city's local time needs no more.
    private static readonly ValueConverter<TimeOnly, string> Time = new(t => t.ToString("HH:mm"), s => TimeOnly.ParseExact(s, "HH:mm"));

    public void Configure(EntityTypeBuilder<VisitSession> b)
    {
        b.ToTable("visit_sessions").HasKey(s => s.Id);
        b.HasIndex(s => s.ItemId);
        b.HasOne<VisitPlan>().WithMany().HasForeignKey(s => s.ItemId).OnDelete(DeleteBehavior.Cascade);
        b.Property(s => s.StartsAt).HasConversion(Time);
        b.Property(s => s.EndsAt).HasConversion(Time);
        b.Snake();
    }
}

internal sealed class VisitParticipantConfiguration : IEntityTypeConfiguration<VisitParticipant>
{
    public void Configure(EntityTypeBuilder<VisitParticipant> b)
    {
        b.ToTable("visit_participants").HasKey(p => p.Id);
        b.HasIndex(p => p.ItemId);
        b.HasIndex(p => p.SupportPersonId);
        b.HasOne<VisitPlan>().WithMany().HasForeignKey(p => p.ItemId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<SupportPerson>().WithMany().HasForeignKey(p => p.SupportPersonId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class VisitReportConfiguration : IEntityTypeConfiguration<VisitReport>
{
    public void Configure(EntityTypeBuilder<VisitReport> b)
    {
        b.ToTable("visit_reports").HasKey(r => r.ItemId);
        b.HasOne<VisitPlan>().WithMany().HasForeignKey(r => r.ItemId).OnDelete(DeleteBehavior.Cascade);
        b.Snake();
    }
}

internal sealed class VisitNextStepConfiguration : IEntityTypeConfiguration<VisitNextStep>
{
    public void Configure(EntityTypeBuilder<VisitNextStep> b)
    {
        b.ToTable("visit_next_steps").HasKey(s => s.Id);
        b.HasIndex(s => s.ItemId);
        b.HasIndex(s => s.OwnerCityId);
        b.HasIndex(s => s.OwnerPersonId);
        b.HasOne<VisitPlan>().WithMany().HasForeignKey(s => s.ItemId).OnDelete(DeleteBehavior.Cascade);
        b.Snake();
    }
}
