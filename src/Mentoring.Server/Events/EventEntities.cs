using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Mentoring.Server.Uploads;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mentoring.Server.Events;

/// <summary>The kinds of programme-wide event (IncluCities' steps 3 and 6 and the programme's governance).</summary>
public static class EventKinds
{
    public static readonly IReadOnlyList<string> All =
        ["mentoring-training", "training-academy", "transfer-workshop", "transversal-workshop", "steering-committee", "final-conference", "other"];

    /// <summary>The kind's name for people (a key of the page texts).</summary>
    public static string Label(string kind) => kind switch
    {
        "mentoring-training" => "Mentoring training",
        "training-academy" => "Training academy",
        "transfer-workshop" => "Transfer workshop",
        "transversal-workshop" => "Transversal workshop",
        "steering-committee" => "Steering committee",
        "final-conference" => "Final conference",
        _ => "Other programme event",
    };
}

/// <summary>A programme-wide event. Its times are instants; <see cref="TimeZone"/> (the host city's, or the facilitator's
/// for an online event) is the zone they are entered and shown in. <see cref="RaisesEvent"/> names the programme event
/// (a signal of the programme workflow) that holding it raises. <see cref="Sequence"/> grows with each change of time
/// or place, so calendars update their copy of the invitation.</summary>
public sealed class ProgrammeMeeting
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string ProgrammeId { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Title { get; set; } = "";
    public DateTimeOffset EventStart { get; set; }
    public DateTimeOffset EventEnd { get; set; }
    public string TimeZone { get; set; } = "";
    public string? HostCityId { get; set; }
    public string? Venue { get; set; }
    public string? OnlineUrl { get; set; }
    public string Agenda { get; set; } = "";
    public string? RaisesEvent { get; set; }
    public int Sequence { get; set; }
    public DateTimeOffset? HeldAt { get; set; }
    public Guid? HeldBy { get; set; }
    /// <summary>Set when the facilitator calls it off before it is held: the invited get a cancellation, the figures leave it out.</summary>
    public DateTimeOffset? CancelledAt { get; set; }
    public Guid CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A material of an event: a link, or a file uploaded through Uploads/ (<see cref="FileId"/>).</summary>
public sealed class ProgrammeMeetingMaterial
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public Guid MeetingId { get; set; }
    public string Title { get; set; } = "";
    public string? Url { get; set; }
    public Guid? FileId { get; set; }
    public Guid AddedBy { get; set; }
    public DateTimeOffset AddedAt { get; set; }
}

/// <summary>A person (with an account) who attended, and the city they attended for (null: the programme's own people,
/// such as the facilitator's).</summary>
public sealed class ProgrammeMeetingAttendance
{
    public Guid MeetingId { get; set; }
    public Guid PersonId { get; set; }
    public string? CityId { get; set; }
    public DateTimeOffset RecordedAt { get; set; }
}

internal sealed class ProgrammeMeetingConfiguration : IEntityTypeConfiguration<ProgrammeMeeting>
{
    public void Configure(EntityTypeBuilder<ProgrammeMeeting> b)
    {
        b.ToTable("programme_meetings").HasKey(m => m.Id);
        b.HasIndex(m => new { m.ProgrammeId, m.EventStart });
        b.HasOne<ProgrammeRecord>().WithMany().HasForeignKey(m => m.ProgrammeId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<City>().WithMany().HasForeignKey(m => m.HostCityId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class ProgrammeMeetingMaterialConfiguration : IEntityTypeConfiguration<ProgrammeMeetingMaterial>
{
    public void Configure(EntityTypeBuilder<ProgrammeMeetingMaterial> b)
    {
        b.ToTable("programme_meeting_materials").HasKey(m => m.Id);
        b.HasIndex(m => m.MeetingId);
        b.HasOne<ProgrammeMeeting>().WithMany().HasForeignKey(m => m.MeetingId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<UploadedFile>().WithMany().HasForeignKey(m => m.FileId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class ProgrammeMeetingAttendanceConfiguration : IEntityTypeConfiguration<ProgrammeMeetingAttendance>
{
    public void Configure(EntityTypeBuilder<ProgrammeMeetingAttendance> b)
    {
        b.ToTable("programme_meeting_attendance").HasKey(a => new { a.MeetingId, a.PersonId });
        b.HasIndex(a => a.PersonId);
        b.HasOne<ProgrammeMeeting>().WithMany().HasForeignKey(a => a.MeetingId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Person>().WithMany().HasForeignKey(a => a.PersonId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}
