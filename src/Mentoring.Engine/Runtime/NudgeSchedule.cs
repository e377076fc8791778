using System.Globalization;
using Mentoring.Engine.Definitions;

namespace Mentoring.Engine.Runtime;

/// <summary>
/// The due-time rules: turns a definition's reminder rules into instants in each recipient's own time zone, at the
/// start of their working hours on a day their <see cref="WorkingCalendar"/> calls a working day, across
/// daylight-saving changes. The host's sender applies them; it decides nothing about time itself.
/// </summary>
public static class NudgeSchedule
{
    /// <summary>The timers for a task's reminders: one chain per coordinator it concerns, each in their own time zone,
    /// and, when the rule emails the facilitator's copies, one chain for the facilitator in theirs. Reminders whose
    /// time has passed already are left out (a nudge about a date gone by helps nobody), and no two reminders of one
    /// recipient share a slot: where they would, only the one nearest the due date is kept.</summary>
    public static IEnumerable<(TimerPurpose Purpose, DateTimeOffset At, IReadOnlyDictionary<string, string> Data)> ForTask(
        ReminderRules rules, DateTimeOffset dueAt, Role assignee, IWorkflowServices services, DateTimeOffset now,
        IReadOnlyDictionary<string, string>? extra = null, IReadOnlyList<Role>? bothMeans = null)
    {
        var calendar = services.Calendar;
        // Both is every acting group role of the definition; a pair's mentor and mentee when the caller does not say.
        IReadOnlyList<Role> roles = assignee == Role.Both ? bothMeans ?? RoleDefinition.PairDefaults.Select(r => r.Role).ToList() : [assignee];
        foreach (var role in roles)
        {
            var zone = services.TimeZoneOf(role);
            var dueDate = LocalDate(dueAt, zone);
            var before = new List<(TimerPurpose Purpose, DateTimeOffset At, int DaysLeft)>();
            foreach (var days in rules.DaysBefore)
            {
                var date = calendar.OnOrBefore(dueDate.AddDays(-days), role);
                before.Add((TimerPurpose.Reminder, calendar.SlotOn(date, zone), dueDate.DayNumber - date.DayNumber));
            }

            if (rules.OnDueDate)
            {
                // "Due today" is only true on the due date; a due date off work is announced on the working day
                // before it as a reminder with the days left.
                var date = calendar.OnOrBefore(dueDate, role);
                before.Add((date == dueDate ? TimerPurpose.DueToday : TimerPurpose.Reminder, calendar.SlotOn(date, zone),
                    dueDate.DayNumber - date.DayNumber));
            }

            foreach (var slot in before.Where(b => b.At > now && b.At < dueAt).GroupBy(b => b.At).Select(g => g.MinBy(b => b.DaysLeft)))
                yield return slot.Purpose == TimerPurpose.DueToday
                    ? (slot.Purpose, slot.At, Data(role, extra))
                    : (slot.Purpose, slot.At, Data(role, extra, ("daysBefore", slot.DaysLeft)));

            if (rules.Overdue is not null)
                yield return (TimerPurpose.Overdue, OverdueAt(dueAt, 1, rules.Overdue, zone, calendar, role), Data(role, extra, ("count", 1)));
        }

        if (rules.Overdue is { CopyFacilitatorByEmail: true } rule && assignee != Role.Facilitator && rule.CopyFacilitatorFrom <= rule.Max)
        {
            // One copy chain for the task, however many coordinators owe it, in the facilitator's own slots.
            var zone = services.TimeZoneOf(Role.Facilitator);
            var data = Data(Role.Facilitator, extra, ("count", rule.CopyFacilitatorFrom));
            data["copy"] = "true";
            yield return (TimerPurpose.Overdue, OverdueAt(dueAt, rule.CopyFacilitatorFrom, rule, zone, calendar, Role.Facilitator), data);
        }
    }

    /// <summary>The <paramref name="count"/>-th overdue escalation: the first working morning after the due date, then
    /// each <see cref="OverdueRule.EveryDays"/> days after the one before it actually went, so a weekend that moves
    /// one escalation moves the rest with it and the spacing between sends holds.</summary>
    public static DateTimeOffset OverdueAt(DateTimeOffset dueAt, int count, OverdueRule rule, TimeZoneInfo zone,
        WorkingCalendar calendar, Role role)
    {
        var date = calendar.OnOrAfter(LocalDate(dueAt, zone).AddDays(1), role);
        for (var i = 1; i < count; i++) date = calendar.OnOrAfter(date.AddDays(rule.EveryDays), role);
        return calendar.SlotOn(date, zone);
    }

    /// <summary>Which escalation a timer fired late (every node was down) stands for: the latest one whose time has
    /// come, at most <see cref="OverdueRule.Max"/>. Sent once as that one, so an outage never becomes a burst.</summary>
    public static int LatestEscalationDue(DateTimeOffset dueAt, int count, OverdueRule rule, TimeZoneInfo zone,
        WorkingCalendar calendar, Role role, DateTimeOffset now)
    {
        var current = count;
        while (current < rule.Max && OverdueAt(dueAt, current + 1, rule, zone, calendar, role) <= now) current++;
        return current;
    }

    /// <summary>A study-visit follow-up: <paramref name="daysAfter"/> days after the visit, in the recipient's slot on
    /// a working day; never before now (a visit recorded late still gets its follow-up, at the next slot).</summary>
    public static DateTimeOffset FollowUpAt(DateOnly visitDate, int daysAfter, TimeZoneInfo zone, WorkingCalendar calendar,
        Role role, DateTimeOffset now)
    {
        var at = calendar.SlotOn(calendar.OnOrAfter(visitDate.AddDays(daysAfter), role), zone);
        return at > now ? at : NextSlot(now, zone, calendar, role);
    }

    /// <summary>The recipient's first slot (start of working hours on a working day) at or after <paramref name="instant"/>.</summary>
    public static DateTimeOffset NextSlot(DateTimeOffset instant, TimeZoneInfo zone, WorkingCalendar calendar, Role role)
    {
        var date = LocalDate(instant, zone);
        var today = calendar.SlotOn(date, zone);
        return calendar.IsWorkingDay(date, role) && today >= instant ? today : calendar.SlotOn(calendar.OnOrAfter(date.AddDays(1), role), zone);
    }

    /// <summary>Whether a follow-up has become unnecessary: the visit reached the phase the definition names.</summary>
    public static bool IsUnnecessary(FollowUp followUp, VisitPhase phase) =>
        followUp.UnlessVisitIs is { } unless && phase >= unless;

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

    private static Dictionary<string, string> Data(Role role, IReadOnlyDictionary<string, string>? extra, params (string Key, int Value)[] values)
    {
        var data = new Dictionary<string, string>(extra ?? new Dictionary<string, string>()) { ["role"] = role.Id };
        foreach (var (key, value) in values) data[key] = value.ToString(CultureInfo.InvariantCulture);
        return data;
    }
}
