using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Engine.Tests.Support;
using static Mentoring.Engine.Tests.Support.Zones;

namespace Mentoring.Engine.Tests.Runtime;

/// <summary>Days off (a city's holidays, "August off") keep nudges off those days, for that city's side only.</summary>
public class WorkingCalendarTests
{
    private static readonly ReminderRules Usual = new([7, 2], OnDueDate: true, new OverdueRule(EveryDays: 3, Max: 4, CopyFacilitatorFrom: 2));
    private static readonly DateTimeOffset LongBefore = new(2026, 1, 5, 8, 0, 0, TimeSpan.Zero);

    private static PairServices WithMenteeDaysOff(params DayOff[] days) =>
        new() { DaysOff = new DaysOffCalendar(WorkingHours.Default, [], [], days) };

    [Fact]
    public void A_reminder_that_would_land_in_the_mentee_citys_August_off_comes_on_its_last_working_day_before()
    {
        // Due Thursday 3 September 2026; seven days before is Thursday 27 August.
        var services = WithMenteeDaysOff(new DayOff(null, 8));
        var riga = NudgeSchedule.ForTask(Usual, EndOfDay(2026, 9, 3, 3), Role.Mentee, services, LongBefore).ToList();
        var brussels = NudgeSchedule.ForTask(Usual, EndOfDay(2026, 9, 3, 2), Role.Mentor, services, LongBefore).ToList();

        // The reminder says how many days are really left from the day it comes on.
        Assert.Contains(riga, t => t.At == Local(2026, 7, 31, 9, 0, 3) && t.Data.GetValueOrDefault("daysBefore") == "34");
        Assert.DoesNotContain(riga, t => t.At.Month == 8);
        Assert.Contains(brussels, t => t.At == Local(2026, 8, 27, 9, 0, 2) && t.Data.GetValueOrDefault("daysBefore") == "7"); // Schaerbeek works in August
    }

    [Fact]
    public void An_overdue_escalation_due_on_a_city_holiday_goes_out_the_next_working_morning()
    {
        // Due Monday 19 January 2026 in Riga; Tuesday 20 January is a holiday there.
        var calendar = WithMenteeDaysOff(new DayOff(new DateOnly(2026, 1, 20), null)).DaysOff!;

        Assert.Equal(Local(2026, 1, 21, 9, 0, 2), NudgeSchedule.OverdueAt(EndOfDay(2026, 1, 19, 2), 1, Usual.Overdue!, Riga, calendar, Role.Mentee));
        Assert.Equal(Local(2026, 1, 20, 9, 0, 2), NudgeSchedule.OverdueAt(EndOfDay(2026, 1, 19, 2), 1, Usual.Overdue!, Riga, calendar, Role.Mentor));
        Assert.True(calendar.IsDayOff(new DateOnly(2026, 1, 20), Role.Both));
        Assert.False(calendar.IsWorkingDay(new DateOnly(2026, 1, 20), Role.Mentee));
    }

    [Fact]
    public void The_programmes_days_off_count_for_everyone_and_a_citys_only_for_its_side()
    {
        var calendar = new DaysOffCalendar(WorkingHours.Default, [new DayOff(new DateOnly(2026, 12, 24), null)],
            [new DayOff(new DateOnly(2026, 7, 21), null)], []);

        Assert.True(calendar.IsDayOff(new DateOnly(2026, 12, 24), Role.Facilitator));
        Assert.True(calendar.IsDayOff(new DateOnly(2026, 12, 24), Role.Mentee));
        Assert.True(calendar.IsDayOff(new DateOnly(2026, 7, 21), Role.Mentor));
        Assert.False(calendar.IsDayOff(new DateOnly(2026, 7, 21), Role.Mentee));
        Assert.False(calendar.IsDayOff(new DateOnly(2026, 7, 21), Role.Facilitator));
        Assert.False(calendar.IsWorkingDay(new DateOnly(2026, 7, 21), Role.Mentor));
        Assert.True(calendar.IsWorkingDay(new DateOnly(2026, 7, 21), Role.Mentee));
    }

    [Fact]
    public void A_due_date_moved_by_days_stays_at_the_end_of_a_local_day_across_the_change_to_summer_time()
    {
        // Friday 20 March 2026, end of the day in Brussels (UTC+1), two weeks on: Friday 3 April, UTC+2.
        Assert.Equal(EndOfDay(2026, 4, 3, 2), PlanShift.ByDays(EndOfDay(2026, 3, 20, 1), 14, Brussels));
        // A reminder moved onto a Saturday goes to Monday's working morning.
        Assert.Equal(Local(2026, 3, 23, 9, 0, 1), PlanShift.NudgeByDays(Local(2026, 3, 20, 9, 0, 1), 1, Brussels, new WorkingCalendar(WorkingHours.Default), Role.Mentor));
    }
}
