using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Engine.Tests.Support;
using static Mentoring.Engine.Tests.Support.Zones;

namespace Mentoring.Engine.Tests.Runtime;

/// <summary>Reminders at 09:00 on working days in each recipient's own zone, across daylight-saving changes.</summary>
public class NudgeScheduleTests
{
    private static readonly ReminderRules Usual = new([7, 2], OnDueDate: true, new OverdueRule(EveryDays: 3, Max: 4, CopyFacilitatorFrom: 2));
    private static readonly WorkingCalendar Hours = new(WorkingHours.Default);
    private static readonly DateTimeOffset LongBefore = new(2026, 1, 5, 8, 0, 0, TimeSpan.Zero);

    private static List<(TimerPurpose Purpose, DateTimeOffset At)> Schedule(ReminderRules rules, DateTimeOffset dueAt, Role assignee,
        DateTimeOffset now) =>
        NudgeSchedule.ForTask(rules, dueAt, assignee, new PairServices(), now).Select(t => (t.Purpose, t.At)).ToList();

    [Fact]
    public void Reminders_come_seven_and_two_days_before_on_the_day_and_after_it_on_the_next_working_morning()
    {
        // Due Thursday 19 March 2026 in Brussels (UTC+1).
        var schedule = NudgeSchedule.ForTask(Usual, EndOfDay(2026, 3, 19, 1), Role.Mentor, new PairServices(), LongBefore).ToList();

        Assert.Equal(
        [
            (TimerPurpose.Reminder, Local(2026, 3, 12, 9, 0, 1), "7"),
            (TimerPurpose.Reminder, Local(2026, 3, 17, 9, 0, 1), "2"),
            (TimerPurpose.DueToday, Local(2026, 3, 19, 9, 0, 1), null),
            (TimerPurpose.Overdue, Local(2026, 3, 20, 9, 0, 1), null),
        ], schedule.Select(t => (t.Purpose, t.At, t.Data.GetValueOrDefault("daysBefore"))));
        Assert.All(schedule, t => Assert.Equal("mentor", t.Data["role"]));
        Assert.Equal("1", schedule[^1].Data["count"]);
    }

    [Theory]
    [InlineData(1, 3, 23, 2)] // Friday's task: first overdue on Monday morning, not Saturday
    [InlineData(2, 3, 26, 2)] // three days after Monday, not three after the due date (Tuesday, one day after Monday)
    [InlineData(3, 3, 30, 3)] // three days after Thursday is a Sunday: Monday, in summer time
    [InlineData(4, 4, 2, 3)] // three days after the Monday it actually went
    public void Escalations_after_a_weekend_keep_their_spacing_between_sends(int count, int month, int day, int offset)
    {
        var at = NudgeSchedule.OverdueAt(EndOfDay(2026, 3, 20, 2), count, Usual.Overdue!, Riga, Hours, Role.Mentee);

        Assert.Equal(Local(2026, month, day, 9, 0, offset), at);
    }

    [Fact]
    public void Escalations_skip_a_holiday_and_the_next_one_counts_from_the_day_it_went()
    {
        // Due Tuesday 14 April; Wednesday 15 April is a holiday in this calendar.
        var services = new PairServices { Holidays = [new DateOnly(2026, 4, 15)] };
        var rule = new OverdueRule(EveryDays: 3, Max: 3, CopyFacilitatorFrom: 9);

        var sends = Enumerable.Range(1, 3).Select(n => NudgeSchedule.OverdueAt(EndOfDay(2026, 4, 14, 3), n, rule, Riga, services.Calendar, Role.Mentee));

        Assert.Equal([Local(2026, 4, 16, 9, 0, 3), Local(2026, 4, 20, 9, 0, 3), Local(2026, 4, 23, 9, 0, 3)], sends);
    }

    [Fact]
    public void A_reminder_that_would_fall_on_a_weekend_moves_to_the_friday_before()
    {
        // Due Monday 23 March: two days before is Saturday.
        var schedule = Schedule(new ReminderRules([2], false, null), EndOfDay(2026, 3, 23, 2), Role.Mentee, LongBefore);

        Assert.Equal([(TimerPurpose.Reminder, Local(2026, 3, 20, 9, 0, 2))], schedule);
    }

    [Fact]
    public void A_sunday_due_date_is_announced_on_friday_as_days_left_not_as_due_today()
    {
        var schedule = NudgeSchedule.ForTask(new ReminderRules([], true, null), EndOfDay(2026, 3, 22, 2), Role.Mentee, new PairServices(), LongBefore)
            .Single();

        Assert.Equal((TimerPurpose.Reminder, Local(2026, 3, 20, 9, 0, 2), "2"), (schedule.Purpose, schedule.At, schedule.Data["daysBefore"]));
    }

    [Fact]
    public void Two_nudges_of_one_task_never_land_in_the_same_slot()
    {
        // Due Sunday 22 March: "2 days before" and "on the due date" both fall on Friday 20 March.
        var schedule = Schedule(new ReminderRules([7, 2], true, null), EndOfDay(2026, 3, 22, 2), Role.Mentee, LongBefore);

        Assert.Equal([(TimerPurpose.Reminder, Local(2026, 3, 13, 9, 0, 2)), (TimerPurpose.Reminder, Local(2026, 3, 20, 9, 0, 2))], schedule);
        Assert.Equal(schedule.Count, schedule.Select(t => t.At).Distinct().Count());
    }

    [Fact]
    public void A_task_owed_by_both_coordinators_has_one_facilitator_copy_chain_in_the_facilitators_own_slot()
    {
        var rules = new ReminderRules([], false, new OverdueRule(EveryDays: 3, Max: 4, CopyFacilitatorFrom: 2, CopyFacilitatorByEmail: true));

        var schedule = NudgeSchedule.ForTask(rules, EndOfDay(2026, 3, 19, 2), Role.Both, new PairServices(), LongBefore).ToList();

        var copy = Assert.Single(schedule, t => t.Data.ContainsKey("copy"));
        Assert.Equal(("facilitator", "2"), (copy.Data["role"], copy.Data["count"]));
        Assert.Equal(Local(2026, 3, 23, 9, 0, 1), copy.At); // the 2nd escalation, 09:00 in Brussels
        Assert.Equal(["mentee", "mentor"], schedule.Where(t => !t.Data.ContainsKey("copy")).Select(t => t.Data["role"]).Order());
    }

    [Fact]
    public void Facilitator_copies_go_to_the_digest_unless_the_rule_asks_for_email()
    {
        var schedule = NudgeSchedule.ForTask(Usual, EndOfDay(2026, 3, 19, 2), Role.Both, new PairServices(), LongBefore);

        Assert.DoesNotContain(schedule, t => t.Data["role"] == "facilitator");
    }

    [Fact]
    public void A_report_reminder_is_unnecessary_once_the_visit_is_reported()
    {
        var report = new FollowUp(3, "visit-report-due", [Role.Both], UnlessVisitIs: VisitPhase.Reported);
        var update = new FollowUp(14, "action-plan-update", [Role.Mentee]);

        Assert.False(NudgeSchedule.IsUnnecessary(report, VisitPhase.Held));
        Assert.True(NudgeSchedule.IsUnnecessary(report, VisitPhase.Reported));
        Assert.False(NudgeSchedule.IsUnnecessary(update, VisitPhase.Reported));
    }

    [Fact]
    public void Reminders_already_in_the_past_are_not_scheduled()
    {
        // Due 19 March; it is Saturday 14 March: the seven-day reminder (12 March) is gone.
        var schedule = Schedule(Usual, EndOfDay(2026, 3, 19, 1), Role.Mentor, new DateTimeOffset(2026, 3, 14, 10, 0, 0, TimeSpan.Zero));

        Assert.Equal([TimerPurpose.Reminder, TimerPurpose.DueToday, TimerPurpose.Overdue], schedule.Select(t => t.Purpose));
        Assert.Equal(Local(2026, 3, 17, 9, 0, 1), schedule[0].At);
    }

    [Fact]
    public void A_task_opened_on_its_due_day_after_nine_gets_no_reminder_before_it()
    {
        var schedule = Schedule(Usual, EndOfDay(2026, 3, 19, 1), Role.Mentor, Local(2026, 3, 19, 11, 0, 1));

        Assert.Equal([(TimerPurpose.Overdue, Local(2026, 3, 20, 9, 0, 1))], schedule);
    }

    [Fact]
    public void Reminders_stay_at_nine_local_across_the_spring_change_in_Athens()
    {
        // Athens moves from UTC+2 to UTC+3 on Sunday 28 March 2027. Due Wednesday 31 March.
        var schedule = NudgeSchedule.ForTask(new ReminderRules([7, 2], true, null), EndOfDay(2027, 3, 31, 3), Role.Mentee,
            new FixedZone(Athens), LongBefore).Select(t => t.At).ToList();

        Assert.Equal([Local(2027, 3, 24, 9, 0, 2), Local(2027, 3, 29, 9, 0, 3), Local(2027, 3, 31, 9, 0, 3)], schedule);
        Assert.Equal([TimeSpan.FromHours(2), TimeSpan.FromHours(3), TimeSpan.FromHours(3)], schedule.Select(at => at.Offset));
        Assert.Equal([7, 6, 6], schedule.Select(at => at.UtcDateTime.Hour));
    }

    [Fact]
    public void Reminders_stay_at_nine_local_across_the_autumn_change_in_Athens()
    {
        // Athens goes back to UTC+2 on Sunday 31 October 2027. Due Wednesday 3 November.
        var dueAt = EndOfDay(2027, 11, 3, 2);
        var schedule = NudgeSchedule.ForTask(new ReminderRules([7, 2], false, null), dueAt, Role.Mentee, new FixedZone(Athens), LongBefore)
            .Select(t => t.At).ToList();
        var overdue = NudgeSchedule.OverdueAt(dueAt, 1, Usual.Overdue!, Athens, Hours, Role.Mentee);

        Assert.Equal([Local(2027, 10, 27, 9, 0, 3), Local(2027, 11, 1, 9, 0, 2)], schedule);
        Assert.Equal([6, 7], schedule.Select(at => at.UtcDateTime.Hour));
        Assert.Equal(Local(2027, 11, 4, 9, 0, 2), overdue);
    }

    [Theory]
    [InlineData(3, 0)]
    [InlineData(3, 30)]
    public void A_local_time_in_the_spring_forward_gap_moves_past_it(int hour, int minute)
    {
        var at = NudgeSchedule.AtLocal(new DateOnly(2027, 3, 28), new TimeOnly(hour, minute), Athens);

        Assert.Equal(Local(2027, 3, 28, 4, 0, 3), at);
        Assert.Equal(new DateTimeOffset(2027, 3, 28, 1, 0, 0, TimeSpan.Zero), at.ToUniversalTime());
    }

    [Fact]
    public void An_ambiguous_local_time_in_autumn_takes_the_summer_time_occurrence()
    {
        var at = NudgeSchedule.AtLocal(new DateOnly(2027, 10, 31), new TimeOnly(3, 30), Athens);

        Assert.Equal(Local(2027, 10, 31, 3, 30, 3), at);
        Assert.Equal(TimeSpan.FromHours(3), at.Offset);
    }

    [Theory]
    [InlineData(2026, 3, 20, 18, 0, 2026, 3, 23, 9, 0)] // Friday evening -> Monday morning
    [InlineData(2026, 3, 21, 12, 0, 2026, 3, 23, 9, 0)] // Saturday -> Monday
    [InlineData(2026, 3, 19, 17, 0, 2026, 3, 20, 9, 0)] // the end of the day is outside it
    [InlineData(2026, 3, 17, 7, 30, 2026, 3, 17, 9, 0)] // early on Tuesday -> 09:00 that day
    [InlineData(2026, 3, 18, 11, 15, 2026, 3, 18, 11, 15)] // within hours: unchanged
    public void Within_working_hours_moves_an_instant_to_the_next_working_time(int y, int m, int d, int h, int min, int ey, int em, int ed, int eh, int emin)
    {
        var at = Hours.WithinWorkingHours(Local(y, m, d, h, min, 1), Role.Mentor, Brussels);

        Assert.Equal(Local(ey, em, ed, eh, emin, 1), at);
    }

    [Fact]
    public void A_task_for_both_gets_one_set_of_reminders_per_coordinator_in_each_ones_zone()
    {
        // Due Thursday 19 March at the end of the day in Riga; 09:00 in Brussels is an hour later than 09:00 in Riga.
        var schedule = NudgeSchedule.ForTask(new ReminderRules([2], true, null), EndOfDay(2026, 3, 19, 2), Role.Both, new PairServices(), LongBefore)
            .Select(t => (t.Data["role"], t.Purpose, t.At)).ToList();

        Assert.Equal(
        [
            ("mentor", TimerPurpose.Reminder, Local(2026, 3, 17, 9, 0, 1)),
            ("mentor", TimerPurpose.DueToday, Local(2026, 3, 19, 9, 0, 1)),
            ("mentee", TimerPurpose.Reminder, Local(2026, 3, 17, 9, 0, 2)),
            ("mentee", TimerPurpose.DueToday, Local(2026, 3, 19, 9, 0, 2)),
        ], schedule);
        Assert.Equal(TimeSpan.FromHours(1), schedule[0].At - schedule[2].At);
    }

    [Fact]
    public void Reminders_use_the_configured_start_of_the_working_day()
    {
        var hours = new WorkingHours(new HashSet<DayOfWeek> { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday },
            new TimeOnly(8, 30), new TimeOnly(16, 0));
        var services = new PairServices { WorkingHours = hours };

        // Due Monday 23 March: three days before is Friday, not a working day here, so Thursday.
        var at = Assert.Single(NudgeSchedule.ForTask(new ReminderRules([3], false, null), EndOfDay(2026, 3, 23, 1), Role.Mentor, services, LongBefore)).At;

        Assert.Equal(Local(2026, 3, 19, 8, 30, 1), at);
    }

    [Fact]
    public void A_follow_up_comes_on_the_working_morning_the_given_days_after_the_visit()
    {
        var at = NudgeSchedule.FollowUpAt(new DateOnly(2026, 4, 15), 3, Riga, Hours, Role.Mentee, LongBefore);

        Assert.Equal(Local(2026, 4, 20, 9, 0, 3), at);
    }

    [Fact]
    public void A_follow_up_of_a_visit_recorded_late_comes_at_the_next_working_time_not_in_the_past()
    {
        var saturday = new DateTimeOffset(2026, 4, 25, 10, 0, 0, TimeSpan.Zero);

        var at = NudgeSchedule.FollowUpAt(new DateOnly(2026, 4, 15), 3, Riga, Hours, Role.Mentee, saturday);

        Assert.Equal(Local(2026, 4, 27, 9, 0, 3), at);
    }

    /// <summary>Everyone in one zone (a Greek network's municipalities).</summary>
    private sealed class FixedZone(TimeZoneInfo zone) : IWorkflowServices
    {
        public WorkingCalendar Calendar { get; } = new(WorkingHours.Default);
        public TimeZoneInfo TimeZoneOf(Role role) => zone;
        public IReadOnlyList<Recipient> ResolveRecipients(IReadOnlyList<Role> roles) => [];
        public bool HasEventOccurred(string eventName) => false;
    }
}
