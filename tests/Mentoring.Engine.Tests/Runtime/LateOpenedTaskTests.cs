using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Engine.Tests.Support;
using static Mentoring.Engine.Tests.Support.Build;

namespace Mentoring.Engine.Tests.Runtime;

/// <summary>Due dates of tasks that open after their stage started, and the prompts to plan a study visit.</summary>
public class LateOpenedTaskTests
{
    /// <summary>Monday 2 March 2026, 09:00 in Brussels, 10:00 in Riga.</summary>
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    private static readonly ReminderRules Usual = new([7, 2], OnDueDate: true, new OverdueRule(EveryDays: 3, Max: 4, CopyFacilitatorFrom: 2));

    private static Instance Started(params StepDefinition[] steps)
    {
        var instance = new Instance(Workflow(steps), new PairServices(), Monday);
        instance.Start().Applied();
        return instance;
    }

    [Fact]
    public void A_task_opened_after_an_earlier_step_is_never_due_before_it_opens()
    {
        // The stage rule says 21 days after the stage started; the first task takes 200 days.
        var instance = Started(Task("first", Role.Mentee, DaysAfterStart(7)),
            Task("late", Role.Mentee, DaysAfterStart(21), reminders: Usual));
        instance.AdvanceDays(200);

        var result = instance.Complete("first").Applied();

        var opened = result.Of<WorkItemOpened>().Single(o => o.StepId == "late");
        // Opened on 18 September; the stage rule gave 23 March. Due 14 days after it opened instead.
        Assert.Equal(Zones.EndOfDay(2026, 10, 2, offsetHours: 3), opened.DueAt);
        // Nothing of its chain is due at once: every reminder and escalation lies ahead of the moment it opened.
        Assert.All(result.Of<TimerScheduled>().Where(t => t.StepId == "late"), t => Assert.True(t.DueAt > instance.Now.AddDays(6)));
    }

    [Fact]
    public void A_task_opened_with_its_stage_keeps_the_stage_rule()
    {
        var instance = Started(Task("quick", Role.Mentee, DaysAfterStart(7)));

        Assert.Equal(Zones.EndOfDay(2026, 3, 9, offsetHours: 2), instance.State.Active["quick"].DueAt);
    }

    [Fact]
    public void A_late_opened_task_gets_the_minimum_its_definition_gives()
    {
        var instance = Started(Task("first", Role.Mentee, DaysAfterStart(7)),
            Task("late", Role.Mentee, new DaysAfterStageStart(21, AtLeastDaysAfterOpen: 30)));
        instance.AdvanceDays(100);

        instance.Complete("first").Applied();

        var due = instance.State.Active["late"].DueAt!.Value;
        Assert.Equal(NudgeSchedule.LocalDate(instance.Now, Zones.Riga).AddDays(30), NudgeSchedule.LocalDate(due, Zones.Riga));
    }

    [Fact]
    public void A_task_due_days_after_it_opens_counts_from_the_day_it_opened()
    {
        var instance = Started(Task("first", Role.Mentee, DaysAfterStart(7)), Task("after", Role.Mentor, new DaysAfterOpen(45)));
        instance.AdvanceDays(300);

        instance.Complete("first").Applied();

        var due = instance.State.Active["after"].DueAt!.Value;
        Assert.Equal(NudgeSchedule.LocalDate(instance.Now, Zones.Brussels).AddDays(45), NudgeSchedule.LocalDate(due, Zones.Brussels));
    }

    [Fact]
    public void A_task_released_late_by_a_programme_event_does_not_open_overdue()
    {
        var services = new PairServices();
        var instance = new Instance(Workflow(Steps(Wait("academy", "training-academy-held"),
            Task("hold-workshop", Role.Mentee, DaysAfterStart(75), reminders: Usual))), services, Monday);
        instance.Start().Applied();
        instance.AdvanceDays(380);
        services.Raise("training-academy-held");

        var result = instance.Run(new DeliverEvent("training-academy-held")).Applied();

        var opened = result.Of<WorkItemOpened>().Single(o => o.StepId == "hold-workshop");
        Assert.True(opened.DueAt > instance.Now.AddDays(13), $"due {opened.DueAt:u}, opened {instance.Now:u}");
        Assert.DoesNotContain(result.Of<TimerScheduled>(), t => t.DueAt <= instance.Now);
    }

    [Fact]
    public void A_visit_confirmed_less_than_a_week_ahead_does_not_make_its_preparation_overdue()
    {
        var instance = Started(Parallel("both", [Visit("visit-1")],
            [Task("prepare", Role.Both, DaysAfterVisit("visit-1", -7), reminders: Usual)]));
        instance.Propose("visit-1", new DateOnly(2026, 3, 5)).Applied();

        instance.Confirm("visit-1").Applied();

        Assert.True(instance.State.Active["prepare"].DueAt >= instance.Now);
    }

    [Fact]
    public void A_study_visit_with_planning_prompts_its_proposer_until_a_date_is_proposed()
    {
        var planning = new VisitPlanning("Propose a date for the 1st study visit", 60, Usual);
        var visit = new StudyVisitStep("visit-1", "1st study visit", null, Role.Mentee, Role.Mentor, [], planning);
        var instance = new Instance(Workflow(Steps(visit)), new PairServices(), Monday);

        var started = instance.Start().Applied();

        var timers = started.Of<TimerScheduled>().Where(t => t.StepId == "visit-1").ToList();
        Assert.Equal([TimerPurpose.Reminder, TimerPurpose.Reminder, TimerPurpose.DueToday, TimerPurpose.Overdue], timers.Select(t => t.Purpose));
        Assert.All(timers, t => Assert.Equal(("true", "mentee", planning.Title), (t.Data!["planning"], t.Data["role"], t.Data["title"])));
        var due = DateTimeOffset.Parse(timers[0].Data!["due"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(new DateOnly(2026, 5, 1), NudgeSchedule.LocalDate(due, Zones.Riga));

        var proposed = instance.Propose("visit-1", new DateOnly(2026, 4, 20)).Applied();

        Assert.Contains(proposed.Of<TimersCancelled>(), c => c.StepId == "visit-1");
    }

    [Fact]
    public void A_follow_up_to_both_cities_gets_a_timer_in_each_citys_own_slot()
    {
        var instance = Started(Visit("visit-1", followUps: new FollowUp(3, "visit-report-due", [Role.Both], VisitPhase.Reported)));
        instance.Propose("visit-1", new DateOnly(2026, 3, 16)).Applied();
        instance.Confirm("visit-1").Applied();
        instance.Now = new DateTimeOffset(2026, 3, 16, 16, 0, 0, TimeSpan.Zero);

        var held = instance.Held("visit-1").Applied();

        var timers = held.Of<TimerScheduled>().Where(t => t.Purpose == TimerPurpose.FollowUp).OrderBy(t => t.Data!["role"]).ToList();
        Assert.Equal(["mentee", "mentor"], timers.Select(t => t.Data!["role"]));
        Assert.Equal(Zones.Local(2026, 3, 19, 9, 0, 2), timers[0].DueAt); // Riga
        Assert.Equal(Zones.Local(2026, 3, 19, 9, 0, 1), timers[1].DueAt); // Brussels
    }
}
