using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mentoring.Server.SupportNetworks;

/// <summary>The kinds of member organisation a city's network has (URBACT local groups' usual members).</summary>
public static class OrganisationKinds
{
    public static readonly IReadOnlyList<string> All =
        ["ngo", "municipal-department", "migrant-association", "school", "employer", "service-provider", "other"];

    /// <summary>The kind's name for people (a key of the page texts).</summary>
    public static string Label(string kind) => kind switch
    {
        "ngo" => "NGO",
        "municipal-department" => "Municipal department",
        "migrant-association" => "Migrant association",
        "school" => "School",
        "employer" => "Employer",
        "service-provider" => "Service provider",
        _ => "Other organisation",
    };
}

/// <summary>How a person gave their consent; a closed list, so the record of consent never holds free text about them.</summary>
public static class ConsentWays
{
    public static readonly IReadOnlyList<string> All = ["written", "email", "oral", "online-form"];

    public static string Label(string how) => how switch
    {
        "written" => "In writing, signed",
        "email" => "By email",
        "oral" => "Orally, with a witness noted",
        _ => "Through an online form",
    };
}

/// <summary>A member organisation of one city's local support network in one programme, placed on the URBACT
/// stakeholder grid by its importance and its influence (1-5 each).</summary>
public sealed class SupportOrganisation
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string ProgrammeId { get; set; } = "";
    public string CityId { get; set; } = "";
    public string Name { get; set; } = "";
    public string Kind { get; set; } = "";
    public int Importance { get; set; }
    public int Influence { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A person of a member organisation. Their personal data (name, role, email, phone) is stored only with a
/// consent (<see cref="SupportConsent"/>); once they withdraw it, all four are null and <see cref="WithdrawnAt"/> says
/// when, while the row stays so the organisation's and the meetings' counts stay.</summary>
public sealed class SupportPerson
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid OrganisationId { get; set; }
    public string ProgrammeId { get; set; } = "";
    public string CityId { get; set; } = "";
    public string? Name { get; set; }
    public string? Role { get; set; }
    public string? Email { get; set; }
    public string? Phone { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? WithdrawnAt { get; set; }
}

/// <summary>A recorded consent: for what, on which day and how the person gave it, and which user recorded it. Kept after
/// a withdrawal (with its time) as the record that the processing had a lawful basis.</summary>
public sealed class SupportConsent
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid PersonId { get; set; }
    public string Purpose { get; set; } = "";
    public DateOnly GivenOn { get; set; }
    public string How { get; set; } = "";
    public Guid RecordedBy { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
    public DateTimeOffset? WithdrawnAt { get; set; }
}

public sealed class SupportMeeting
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string ProgrammeId { get; set; } = "";
    public string CityId { get; set; } = "";
    public DateOnly Date { get; set; }
    public string Title { get; set; } = "";
    public string Notes { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Who attended a meeting: a person (with their organisation), or an organisation without naming anyone. Only
/// ids: a withdrawal leaves the row, so the meeting's attendance count stays.</summary>
public sealed class SupportAttendance
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid MeetingId { get; set; }
    public Guid OrganisationId { get; set; }
    public Guid? PersonId { get; set; }
}

internal sealed class SupportOrganisationConfiguration : IEntityTypeConfiguration<SupportOrganisation>
{
    public void Configure(EntityTypeBuilder<SupportOrganisation> b)
    {
        b.ToTable("support_organisations").HasKey(o => o.Id);
        b.HasIndex(o => new { o.ProgrammeId, o.CityId });
        b.HasOne<ProgrammeRecord>().WithMany().HasForeignKey(o => o.ProgrammeId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<City>().WithMany().HasForeignKey(o => o.CityId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class SupportPersonConfiguration : IEntityTypeConfiguration<SupportPerson>
{
    public void Configure(EntityTypeBuilder<SupportPerson> b)
    {
        b.ToTable("support_people").HasKey(p => p.Id);
        b.HasIndex(p => new { p.ProgrammeId, p.CityId });
        b.HasOne<SupportOrganisation>().WithMany().HasForeignKey(p => p.OrganisationId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class SupportConsentConfiguration : IEntityTypeConfiguration<SupportConsent>
{
    public void Configure(EntityTypeBuilder<SupportConsent> b)
    {
        b.ToTable("support_consents").HasKey(c => c.Id);
        b.HasIndex(c => c.PersonId);
        b.HasOne<SupportPerson>().WithMany().HasForeignKey(c => c.PersonId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Person>().WithMany().HasForeignKey(c => c.RecordedBy).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class SupportMeetingConfiguration : IEntityTypeConfiguration<SupportMeeting>
{
    public void Configure(EntityTypeBuilder<SupportMeeting> b)
    {
        b.ToTable("support_meetings").HasKey(m => m.Id);
        b.HasIndex(m => new { m.ProgrammeId, m.CityId });
        b.Snake();
    }
}

internal sealed class SupportAttendanceConfiguration : IEntityTypeConfiguration<SupportAttendance>
{
    public void Configure(EntityTypeBuilder<SupportAttendance> b)
    {
        b.ToTable("support_attendance").HasKey(a => a.Id);
        b.HasIndex(a => a.MeetingId);
        b.HasOne<SupportMeeting>().WithMany().HasForeignKey(a => a.MeetingId).OnDelete(DeleteBehavior.Cascade);
        b.Snake();
    }
}

/// <summary>Which workflow tasks are done on the network page: a task whose step id ends in "local-network" (IncluCities'
/// step-3 tasks mentor-local-network and mentee-local-network). The pair page links such an open task to the network of
/// the reader's city, so a definition needs no "requires" of its own for it.</summary>
public static class NetworkTasks
{
    public const string StepIdSuffix = "local-network";

    public static bool IsNetworkTask(string stepId) => stepId.EndsWith(StepIdSuffix, StringComparison.Ordinal);
}
