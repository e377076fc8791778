using Mentoring.Engine.Definitions;

namespace Mentoring.Engine.Runtime;

/// <summary>A day off on top of the weekend: one date, or a whole month every year (August).</summary>
public sealed record DayOff(DateOnly? Date, int? Month)
{
    public bool Covers(DateOnly date) => Date == date || Month == date.Month;
}

/// <summary>
/// The programme's and each city's days off (holidays, "August off"): answers whether a local date is a working day
/// for the people behind a role. The programme's days count for everyone; a city's only for its own side.
/// </summary>
public sealed class WorkingCalendar(IReadOnlyCollection<DayOff> programme, IReadOnlyCollection<DayOff> mentorCity,
    IReadOnlyCollection<DayOff> menteeCity)
{
    public static readonly WorkingCalendar None = new([], [], []);

    public bool IsEmpty => programme.Count == 0 && mentorCity.Count == 0 && menteeCity.Count == 0;

    /// <summary>Whether <paramref name="date"/> is a day off for <paramref name="role"/>: both cities' for
    /// <see cref="Role.Both"/>, the programme's alone for the facilitator.</summary>
    public bool IsDayOff(Role role, DateOnly date) =>
        programme.Any(d => d.Covers(date))
        || (role is Role.Mentor or Role.Both && mentorCity.Any(d => d.Covers(date)))
        || (role is Role.Mentee or Role.Both && menteeCity.Any(d => d.Covers(date)));
}

public sealed partial record WorkingHours
{
    /// <summary>The days off; none unless the host loaded a calendar.</summary>
    public WorkingCalendar Calendar { get; init; } = WorkingCalendar.None;

    /// <summary>Whose days off count: set by <see cref="For"/>; the facilitator's (the programme's) otherwise.</summary>
    public Role Side { get; init; } = Role.Facilitator;

    /// <summary>These hours as the people behind <paramref name="role"/> keep them, with their city's days off.</summary>
    public WorkingHours For(Role role) => Calendar.IsEmpty || Side == role ? this : this with { Side = role };

    private bool IsDayOff(DateOnly date) => Calendar.IsDayOff(Side, date);
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

    /// <summary>A nudge moved by whole days, then on to the next working morning if it landed on a day off.</summary>
    public static DateTimeOffset NudgeByDays(DateTimeOffset instant, int days, TimeZoneInfo zone, WorkingHours hours) =>
        NudgeSchedule.WithinWorkingHours(ByDays(instant, days, zone), zone, hours);
}
