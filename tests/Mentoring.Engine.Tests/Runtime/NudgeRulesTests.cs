using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Engine.Tests.Support;
using static Mentoring.Engine.Tests.Support.Build;
using static Mentoring.Engine.Tests.Support.Zones;

namespace Mentoring.Engine.Tests.Runtime;

/// <summary>What a due nudge timer sends to whom, and what it plans next: state and now in, effects out.</summary>
public class NudgeRulesTests
{
    private static readonly ReminderRules Usual = new([7, 2], OnDueDate: true, new OverdueRule(EveryDays: 3, Max: 4, CopyFacilitatorFrom: 2));

    private static readonly WorkflowDefinition Definition = Workflow(Steps(
        Task("needs", Role.Mentee, reminders: Usual),
        Task("plan", Role.Both, reminders: Usual with { Overdue = new OverdueRule(3, 4, 2, CopyFacilitatorByEmail: true) }),
        Visit("visit-1", followUps:
        [
            new FollowUp(3, "visit-report-due", [Role.Both], UnlessVisitIs: VisitPhase.Reported),
            new FollowUp(14, "action-plan-update", [Role.Mentee]),
        ])));

    private static DueNudge Timer(string stepId, TimerPurpose purpose, DateTimeOffset dueAt, params (string Key, string Value)[] data) =>
        new("t1", stepId, 1, purpose, dueAt, data.ToDictionary(d => d.Key, d => d.Value));

    private static NudgedItem OpenTask(DateTimeOffset dueAt) => new("Needs assessment", true, dueAt, null, null, null);

    [Fact]
    public void A_reminder_goes_to_each_coordinator_with_the_days_left_and_a_history_line()
    {
        var due = EndOfDay(2026, 3, 19, 2);
        var outcome = NudgeRules.Decide(Timer("plan", TimerPurpose.Reminder, Local(2026, 3, 17, 9, 0, 2), ("role", "both"), ("daysBefore", "2")),
            OpenTask(due), Definition, new PairServices(), Local(2026, 3, 17, 9, 0, 2));

        var emails = outcome.Effects.Cast<NudgeEmailRequested>().ToList();
        Assert.Equal(["sophie", "ilze"], emails.Select(e => e.Recipient.PersonId));
        Assert.All(emails, e => Assert.Equal("task-reminder", e.Template));
        Assert.All(emails, e => Assert.Equal("2", e.Data["task.daysLeft"]));
        Assert.Equal("nudge-t1-ilze", emails[1].MessageKey);
        Assert.Equal("reminder-sent", outcome.Journal!.Type);
        Assert.Equal(new List<string> { "Sophie Lambert", "Ilze Kalniņa" }, outcome.Journal.Data["to"]);
    }

    [Fact]
    public void A_reminder_fired_after_the_due_date_sends_nothing()
    {
        var due = EndOfDay(2026, 3, 19, 2);
        var outcome = NudgeRules.Decide(Timer("needs", TimerPurpose.Reminder, Local(2026, 3, 17, 9, 0, 2), ("role", "mentee")),
            OpenTask(due), Definition, new PairServices(), Local(2026, 3, 20, 9, 0, 2));

        Assert.Same(NudgeOutcome.Nothing, outcome);
    }

    [Fact]
    public void A_closed_task_gets_no_nudge()
    {
        var due = EndOfDay(2026, 3, 19, 2);
        var outcome = NudgeRules.Decide(Timer("needs", TimerPurpose.DueToday, Local(2026, 3, 19, 9, 0, 2), ("role", "mentee")),
            OpenTask(due) with { IsOpen = false }, Definition, new PairServices(), Local(2026, 3, 19, 9, 0, 2));

        Assert.Empty(outcome.Effects);
        Assert.Null(outcome.Journal);
    }

    [Fact]
    public void An_escalation_fired_late_is_sent_once_as_the_latest_one_due_and_plans_the_next()
    {
        // Due Friday 20 March; the first escalation (Monday 23) fires only on Friday 27, after Thursday 26's was due too.
        var due = EndOfDay(2026, 3, 20, 2);
        var outcome = NudgeRules.Decide(Timer("needs", TimerPurpose.Overdue, Local(2026, 3, 23, 9, 0, 2), ("role", "mentee"), ("count", "1")),
            OpenTask(due), Definition, new PairServices(), Local(2026, 3, 27, 10, 0, 2));

        var email = Assert.Single(outcome.Effects.OfType<NudgeEmailRequested>());
        Assert.Equal(("ilze", "task-overdue", "7", "Jelgava", "false"),
            (email.Recipient.PersonId, email.Template, email.Data["task.daysOverdue"], email.Data["task.assignee"], email.Data["isCopy"]));
        var next = Assert.Single(outcome.Effects.OfType<TimerScheduled>());
        Assert.Equal((TimerPurpose.Overdue, Local(2026, 3, 30, 9, 0, 3), "3"), (next.Purpose, next.DueAt, next.Data!["count"]));
        Assert.Equal((2, 1), ((int)outcome.Journal!.Data["count"]!, (int)outcome.Journal.Data["missed"]!));
    }

    [Fact]
    public void The_last_escalation_plans_no_other()
    {
        var due = EndOfDay(2026, 3, 20, 2);
        var outcome = NudgeRules.Decide(Timer("needs", TimerPurpose.Overdue, Local(2026, 4, 2, 9, 0, 3), ("role", "mentee"), ("count", "4")),
            OpenTask(due), Definition, new PairServices(), Local(2026, 4, 2, 9, 0, 3));

        Assert.Single(outcome.Effects.OfType<NudgeEmailRequested>());
        Assert.Empty(outcome.Effects.OfType<TimerScheduled>());
        Assert.Null(outcome.Journal!.Data["next"]);
    }

    [Fact]
    public void The_facilitators_copy_is_keyed_apart_from_the_coordinators_and_names_both_cities()
    {
        var due = EndOfDay(2026, 3, 20, 2);
        var outcome = NudgeRules.Decide(
            Timer("plan", TimerPurpose.Overdue, Local(2026, 3, 26, 9, 0, 1), ("role", "facilitator"), ("count", "2"), ("copy", "true")),
            OpenTask(due), Definition, new PairServices(), Local(2026, 3, 26, 9, 0, 1));

        var email = Assert.Single(outcome.Effects.OfType<NudgeEmailRequested>());
        Assert.Equal(("nudge-t1-migration-work-copy", "true", "Schaerbeek / Jelgava"),
            (email.MessageKey, email.Data["isCopy"], email.Data["task.assignee"]));
    }

    [Fact]
    public void A_nudge_on_a_day_off_in_the_recipients_city_waits_for_their_next_working_morning()
    {
        var services = new PairServices
        {
            DaysOff = new DaysOffCalendar(WorkingHours.Default, [], [], [new DayOff(new DateOnly(2026, 3, 18), null)]),
        };
        var outcome = NudgeRules.Decide(Timer("needs", TimerPurpose.Reminder, Local(2026, 3, 18, 9, 0, 2), ("role", "mentee")),
            OpenTask(EndOfDay(2026, 3, 20, 2)), Definition, services, Local(2026, 3, 18, 9, 0, 2));

        var later = Assert.Single(outcome.Effects);
        Assert.Equal(new TimerScheduled("needs", 1, TimerPurpose.Reminder, Local(2026, 3, 19, 9, 0, 2), ((TimerScheduled)later).Data), later);
        Assert.Null(outcome.Journal);
    }

    [Fact]
    public void A_prompt_to_propose_a_visit_date_is_moot_once_a_date_is_proposed()
    {
        var due = EndOfDay(2026, 3, 20, 2);
        var outcome = NudgeRules.Decide(
            Timer("visit-1", TimerPurpose.Reminder, Local(2026, 3, 18, 9, 0, 2), ("role", "mentee"), ("planning", "true"),
                ("title", "Propose a date"), ("due", due.ToString("O"))),
            new NudgedItem("Visit 1", true, null, VisitPhase.Proposed, new DateOnly(2026, 4, 1), "jelgava"),
            Definition, new PairServices(), Local(2026, 3, 18, 9, 0, 2));

        Assert.Same(NudgeOutcome.Nothing, outcome);
    }

    [Fact]
    public void A_reported_visit_still_gets_its_follow_up_but_not_the_report_reminder()
    {
        var reported = new NudgedItem("Visit 1", false, null, VisitPhase.Reported, new DateOnly(2026, 4, 1), "jelgava");
        var now = Local(2026, 4, 15, 9, 0, 3);

        var reminder = NudgeRules.Decide(Timer("visit-1", TimerPurpose.FollowUp, now, ("followUp", "0"), ("role", "mentor")),
            reported, Definition, new PairServices(), now);
        var update = NudgeRules.Decide(Timer("visit-1", TimerPurpose.FollowUp, now, ("followUp", "1"), ("role", "mentee")),
            reported, Definition, new PairServices(), now);

        Assert.Same(NudgeOutcome.Nothing, reminder);
        var email = Assert.Single(update.Effects.OfType<NudgeEmailRequested>());
        Assert.Equal(("action-plan-update", "ilze", "Jelgava", "2026-04-01"),
            (email.Template, email.Recipient.PersonId, email.Data["visit.host"], email.Data["visit.date"]));
        Assert.Equal("follow-up-sent", update.Journal!.Type);
    }
}

/// <summary>The week a facilitator digest covers and where each open item shows in it.</summary>
public class DigestRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero); // a Wednesday

    [Fact]
    public void The_digest_week_runs_from_monday_to_sunday_midnight_local_and_is_named_by_its_iso_week()
    {
        var week = DigestRules.WeekOf(Now, Brussels);

        Assert.Equal(new DigestWeek(new DateOnly(2026, 11, 30), new DateOnly(2026, 12, 6), Local(2026, 12, 7, 0, 0, 1), "2026-W49"), week);
    }

    [Fact]
    public void Items_show_as_overdue_due_this_week_upcoming_visit_or_awaiting_approval()
    {
        var week = DigestRules.WeekOf(Now, Brussels);
        DigestSection? Of(WorkItemKind kind, DateTimeOffset? due = null, DateOnly? visit = null) =>
            DigestRules.SectionOf(kind, due, visit, Now, week);

        Assert.Equal(DigestSection.Overdue, Of(WorkItemKind.Task, Now.AddDays(-1)));
        Assert.Equal(DigestSection.DueThisWeek, Of(WorkItemKind.Task, Now.AddDays(2)));
        Assert.Null(Of(WorkItemKind.Task, Now.AddDays(6)));
        Assert.Null(Of(WorkItemKind.Task));
        Assert.Equal(DigestSection.UpcomingVisit, Of(WorkItemKind.StudyVisit, visit: new DateOnly(2027, 1, 1)));
        Assert.Null(Of(WorkItemKind.StudyVisit, visit: new DateOnly(2027, 3, 1)));
        Assert.Null(Of(WorkItemKind.StudyVisit, visit: new DateOnly(2026, 12, 1)));
        Assert.Equal(DigestSection.AwaitingApproval, Of(WorkItemKind.Approval));
    }
}
