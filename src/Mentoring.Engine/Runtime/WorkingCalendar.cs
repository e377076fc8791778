using Mentoring.Engine.Definitions;

namespace Mentoring.Engine.Runtime;

/// <summary>When nudges may reach people: working days and the window within them, in the recipient's time zone.</summary>
public sealed record WorkingHours(IReadOnlySet<DayOfWeek> Days, TimeOnly Start, TimeOnly End)
{
    public static readonly WorkingHours Default = new(
        new HashSet<DayOfWeek> { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday },
        new TimeOnly(9, 0), new TimeOnly(17, 0));

    public bool IsWorkingDay(DateOnly date) => Days.Contains(date.DayOfWeek);
}

/// <summary>
/// The slot policy of one instance: on which local dates a recipient may be nudged, and at what time. Every due-time
/// rule asks <see cref="IsWorkingDay"/> and nothing else, so a calendar that knows a programme's or a city's
/// non-working dates (holidays, August off) only overrides that one method.
/// </summary>
public class WorkingCalendar(WorkingHours hours)
{
    public WorkingHours Hours { get; } = hours;

    /// <summary>Whether <paramref name="date"/>, a date in the recipient's own time zone, is a working day for the
    /// people acting as <paramref name="role"/> in this instance (the mentor city's, the mentee city's, the facilitator).
    /// This base knows only the working days of the week.</summary>
    public virtual bool IsWorkingDay(DateOnly date, Role role) => Hours.IsWorkingDay(date);

    /// <summary>The first working day on or after <paramref name="date"/>. A year without one (a misconfigured
    /// calendar) gives the date itself rather than looping.</summary>
    public DateOnly OnOrAfter(DateOnly date, Role role)
    {
        for (var i = 0; i < 366; i++)
            if (IsWorkingDay(date.AddDays(i), role)) return date.AddDays(i);
        return date;
    }

    /// <summary>The last working day on or before <paramref name="date"/>.</summary>
    public DateOnly OnOrBefore(DateOnly date, Role role)
    {
        for (var i = 0; i < 366; i++)
            if (IsWorkingDay(date.AddDays(-i), role)) return date.AddDays(-i);
        return date;
    }

    /// <summary>The recipient's slot on <paramref name="date"/>: the start of working hours there, in their zone.</summary>
    public DateTimeOffset SlotOn(DateOnly date, TimeZoneInfo zone) => NudgeSchedule.AtLocal(date, Hours.Start, zone);

    /// <summary>The first instant at or after <paramref name="instant"/> within the recipient's working hours.</summary>
    public DateTimeOffset WithinWorkingHours(DateTimeOffset instant, Role role, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(instant, zone);
        var date = DateOnly.FromDateTime(local.DateTime);
        var time = TimeOnly.FromDateTime(local.DateTime);
        if (IsWorkingDay(date, role) && time >= Hours.Start && time < Hours.End) return instant;
        if (IsWorkingDay(date, role) && time < Hours.Start) return SlotOn(date, zone);
        return SlotOn(OnOrAfter(date.AddDays(1), role), zone);
    }
}
