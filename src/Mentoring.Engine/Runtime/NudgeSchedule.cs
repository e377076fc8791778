using System.Globalization;
using Mentoring.Engine.Definitions;

namespace Mentoring.Engine.Runtime;

/// <summary>When nudges may reach people: working days and the window within them, in the recipient's time zone.</summary>
public sealed partial record WorkingHours(IReadOnlySet<DayOfWeek> Days, TimeOnly Start, TimeOnly End)
{
    public static readonly WorkingHours Default = new(
        new HashSet<DayOfWeek> { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday },
        new TimeOnly(9, 0), new TimeOnly(17, 0));

    public bool IsWorkingDay(DateOnly date) => Days.Contains(date.DayOfWeek) && !IsDayOff(date);
}

/// <summary>
/// The due-time rules: turns a definition's reminder rules into instants in the recipient's own time zone,
/// inside their working hours, across daylight-saving changes.
/// </summary>
public static class NudgeSchedule
{
    /// <summary>The timers for a task's reminders: one set per coordinator it concerns, each in their time zone.
    /// Reminders whose time has passed already are left out: a nudge about a date gone by helps nobody.</summary>
    public static IEnumerable<(TimerPurpose Purpose, DateTimeOffset At, IReadOnlyDictionary<string, string> Data)> ForTask(
        ReminderRules rules, DateTimeOffset dueAt, Role assignee, IWorkflowServices services, DateTimeOffset now)
    {
        Role[] roles = assignee == Role.Both ? [Role.Mentor, Role.Mentee] : [assignee];
        foreach (var role in roles)
        {
            var zone = services.TimeZoneOf(role);
            var hours = services.WorkingHours.For(role);
            var dueDate = LocalDate(dueAt, zone);
            foreach (var days in rules.DaysBefore)
            {
                var at = AtLocal(PreviousWorkingDay(dueDate.AddDays(-days), hours), hours.Start, zone);
                if (at > now && at < dueAt)
                    yield return (TimerPurpose.Reminder, at, Data(role, ("daysBefore", days)));
            }

            if (rules.OnDueDate)
            {
                var at = AtLocal(PreviousWorkingDay(dueDate, hours), hours.Start, zone);
                if (at > now && at < dueAt) yield return (TimerPurpose.DueToday, at, Data(role));
            }

            if (rules.Overdue is not null)
                yield return (TimerPurpose.Overdue, OverdueAt(dueAt, 1, rules.Overdue, zone, hours), Data(role, ("count", 1)));
        }
    }

    /// <summary>The <paramref name="count"/>-th overdue escalation: the first working morning after the due date,
    /// then every <see cref="OverdueRule.EveryDays"/> days.</summary>
    public static DateTimeOffset OverdueAt(DateTimeOffset dueAt, int count, OverdueRule rule, TimeZoneInfo zone, WorkingHours hours)
    {
        var date = LocalDate(dueAt, zone).AddDays(1 + (count - 1) * rule.EveryDays);
        return AtLocal(NextWorkingDay(date, hours), hours.Start, zone);
    }

    /// <summary>A study-visit follow-up: <paramref name="daysAfter"/> days after the visit, on a working morning;
    /// never before now (a visit recorded late still gets its follow-up).</summary>
    public static DateTimeOffset FollowUpAt(DateOnly visitDate, int daysAfter, TimeZoneInfo zone, WorkingHours hours, DateTimeOffset now)
    {
        var at = AtLocal(NextWorkingDay(visitDate.AddDays(daysAfter), hours), hours.Start, zone);
        return at > now ? at : WithinWorkingHours(now, zone, hours);
    }

    /// <summary>The first instant at or after <paramref name="instant"/> that falls within working hours.</summary>
    public static DateTimeOffset WithinWorkingHours(DateTimeOffset instant, TimeZoneInfo zone, WorkingHours hours)
    {
        var local = TimeZoneInfo.ConvertTime(instant, zone);
        var date = DateOnly.FromDateTime(local.DateTime);
        var time = TimeOnly.FromDateTime(local.DateTime);
        if (hours.IsWorkingDay(date) && time >= hours.Start && time < hours.End) return instant;
        if (hours.IsWorkingDay(date) && time < hours.Start) return AtLocal(date, hours.Start, zone);
        return AtLocal(NextWorkingDay(date.AddDays(1), hours), hours.Start, zone);
    }

    public static DateOnly LocalDate(DateTimeOffset instant, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);

    /// <summary>The instant of a local wall-clock time. A time that does not exist (the spring-forward gap) moves
    /// past the gap; an ambiguous one (autumn) takes the first, summer-time, occurrence.</summary>
    public static DateTimeOffset AtLocal(DateOnly date, TimeOnly time, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(30);
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }

    private static DateOnly PreviousWorkingDay(DateOnly date, WorkingHours hours)
    {
        for (var i = 0; i < 366 && !hours.IsWorkingDay(date); i++) date = date.AddDays(-1);
        return date;
    }

    private static DateOnly NextWorkingDay(DateOnly date, WorkingHours hours)
    {
        for (var i = 0; i < 366 && !hours.IsWorkingDay(date); i++) date = date.AddDays(1);
        return date;
    }

    private static Dictionary<string, string> Data(Role role, params (string Key, int Value)[] values)
    {
        var data = new Dictionary<string, string> { ["role"] = role.ToString().ToLowerInvariant() };
        foreach (var (key, value) in values) data[key] = value.ToString(CultureInfo.InvariantCulture);
        return data;
    }
}
