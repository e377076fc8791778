using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mentoring.Server.Plans;

/// <summary>A pause of a whole programme (holidays, elections, a pandemic). Open while <see cref="ResumedAt"/> is null;
/// no nudge goes out for the programme meanwhile.</summary>
public sealed class ProgrammePause
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string ProgrammeId { get; init; }
    public DateTimeOffset PausedAt { get; init; }
    public required string PausedBy { get; init; }
    public required string Reason { get; init; }
    public DateTimeOffset? ResumedAt { get; set; }
    public string? ResumedBy { get; set; }
    public string? ResumeReason { get; set; }
    /// <summary>How far open due dates and timers moved on resume: the pause's length in days, or 0.</summary>
    public int? MovedDays { get; set; }
}

/// <summary>A day off for the whole programme (no <see cref="CityId"/>) or for one city: one <see cref="Date"/>, or a
/// <see cref="Month"/> every year ("August off").</summary>
public sealed class CalendarDayOff
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string ProgrammeId { get; init; }
    public string? CityId { get; init; }
    public DateOnly? Date { get; init; }
    public int? Month { get; init; }
    public string? Reason { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

internal sealed class ProgrammePauseConfiguration : IEntityTypeConfiguration<ProgrammePause>
{
    public void Configure(EntityTypeBuilder<ProgrammePause> b)
    {
        b.ToTable("programme_pauses").HasKey(p => p.Id);
        b.HasOne<ProgrammeRecord>().WithMany().HasForeignKey(p => p.ProgrammeId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class CalendarDayOffConfiguration : IEntityTypeConfiguration<CalendarDayOff>
{
    public void Configure(EntityTypeBuilder<CalendarDayOff> b)
    {
        b.ToTable("calendar_days_off").HasKey(d => d.Id);
        b.HasOne<ProgrammeRecord>().WithMany().HasForeignKey(d => d.ProgrammeId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<City>().WithMany().HasForeignKey(d => d.CityId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}
