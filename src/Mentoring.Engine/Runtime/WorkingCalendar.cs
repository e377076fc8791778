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

/// <summary>A day off on top of the weekend: one date, or a whole month every year (August).</summary>
public sealed record DayOff(DateOnly? Date, int? Month)
{
    public bool Covers(DateOnly date) => Date == date || Month == date.Month;
}

/// <summary>
/// The calendar of an instance whose programme or cities keep days off (holidays, "August off"): a working day of the
/// week is still off when it is one of them. The programme's days count for everyone; a city's only for its own side.
/// </summary>
public sealed class DaysOffCalendar(WorkingHours hours, IReadOnlyCollection<DayOff> programme,
    IReadOnlyDictionary<Role, IReadOnlyCollection<DayOff>> byRole) : WorkingCalendar(hours)
{
    /// <summary>A pair's calendar: the programme's days, the mentor city's and the mentee city's.</summary>
    public DaysOffCalendar(WorkingHours hours, IReadOnlyCollection<DayOff> programme, IReadOnlyCollection<DayOff> mentorCity,
        IReadOnlyCollection<DayOff> menteeCity)
        : this(hours, programme, new Dictionary<Role, IReadOnlyCollection<DayOff>> { [Role.Mentor] = mentorCity, [Role.Mentee] = menteeCity })
    {
    }

    public override bool IsWorkingDay(DateOnly date, Role role) => base.IsWorkingDay(date, role) && !IsDayOff(date, role);

    /// <summary>Whether <paramref name="date"/> is a day off for <paramref name="role"/>: its cities' days, every group
    /// city's for <see cref="Role.Both"/>, the programme's alone for the facilitator. The weekend is not a day off in
    /// this sense.</summary>
    public bool IsDayOff(DateOnly date, Role role) =>
        programme.Any(d => d.Covers(date))
        || (role == Role.Both
            ? byRole.Values.Any(days => days.Any(d => d.Covers(date)))
            : byRole.TryGetValue(role, out var own) && own.Any(d => d.Covers(date)));
}

/// <summary>Moving planned instants by whole days, as the facilitator's plan tools do: by local calendar days in the
/// zone they were planned in, so a due date at the end of a local day stays at the end of one across daylight saving.</summary>
public static class PlanShift
{
    public static DateTimeOffset ByDays(DateTimeOffset instant, int days, TimeZoneInfo zone)
    {
        if (days == 0) return instant;
        var local = TimeZoneInfo.ConvertTime(instant, zone);
        return NudgeSchedule.AtLocal(DateOnly.FromDateTime(local.DateTime).AddDays(days), TimeOnly.FromDateTime(local.DateTime), zone);
    }

    /// <summary>A nudge moved by whole days, then on to the recipient's next working morning if it landed off work.</summary>
    public static DateTimeOffset NudgeByDays(DateTimeOffset instant, int days, TimeZoneInfo zone, WorkingCalendar calendar, Role role) =>
        calendar.WithinWorkingHours(ByDays(instant, days, zone), role, zone);
}
