using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Engine.Tests.Support;
using static Mentoring.Engine.Tests.Support.Build;

namespace Mentoring.Engine.Tests.Runtime;

/// <summary>A study visit goes proposed -> confirmed -> held -> reported; tasks may hang their due dates on it.</summary>
public class StudyVisitTests
{
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Wednesday 15 April 2026: Riga and Brussels are on summer time (UTC+3, UTC+2).</summary>
    private static readonly DateOnly VisitDate = new(2026, 4, 15);

    private static readonly ReminderRules Reminders = new([7, 2], OnDueDate: true, new OverdueRule(2, 3, 2));

    /// <summary>Stage 4 of the IncluCities pair, in small: the visit and its preparation side by side, then the draft.</summary>
    private static Instance Started()
    {
        var definition = Workflow(Steps(
            Parallel("visit-1-and-preparation",
                [Visit("visit-1", proposer: Role.Mentee, confirmer: Role.Mentor,
                    new FollowUp(3, "visit-report-due", [Role.Both]), new FollowUp(14, "action-plan-update", [Role.Mentee]))],
                [Task("prepare-visit-1", Role.Both, DaysAfterVisit("visit-1", -7), reminders: Reminders)]),
            Task("draft-action-plan", Role.Mentee, DaysAfterVisit("visit-1", 30))));
        var instance = new Instance(definition, new PairServices(), Monday);
        instance.Start().Applied();
        return instance;
    }

    private static Instance Confirmed()
    {
        var instance = Started();
        instance.Propose("visit-1", VisitDate).Applied();
        instance.Confirm("visit-1").Applied();
        return instance;
    }

    /// <summary>Confirmed, and the day of the visit has come: 10:00 in Riga.</summary>
    private static Instance OnTheDay()
    {
        var instance = Confirmed();
        instance.Now = new DateTimeOffset(2026, 4, 15, 7, 0, 0, TimeSpan.Zero);
        return instance;
    }

    private static Instance HeldVisit()
    {
        var instance = OnTheDay();
        instance.Held("visit-1").Applied();
        return instance;
    }

    [Fact]
    public void A_visit_opens_waiting_for_a_proposal_from_its_proposer()
    {
        var instance = Started();

        var opened = Assert.Single(instance.History.OfType<WorkItemOpened>(), o => o.StepId == "visit-1");

        Assert.Equal((WorkItemKind.StudyVisit, Role.Mentee, null), (opened.Kind, opened.Assignee, opened.DueAt));
        Assert.Equal(VisitPhase.Proposing, instance.State.Visits["visit-1"].Phase);
        Assert.Null(instance.State.Active["prepare-visit-1"].DueAt);
    }

    [Fact]
    public void Proposing_a_visit_records_it_and_asks_the_confirmer()
    {
        var instance = Started();

        var result = instance.Propose("visit-1", VisitDate, hostCity: " Schaerbeek ").Applied();

        var visit = Assert.Single(result.Of<WorkItemUpdated>()).Visit!;
        Assert.Equal((VisitPhase.Proposed, VisitDate, "Schaerbeek", "Ilze Kalniņa"), (visit.Phase, visit.Date, visit.HostCity, visit.ProposedBy));
        var email = Assert.Single(result.Of<EmailRequested>());
        Assert.Equal(("visit-proposed", Role.Mentor), (email.Template, Assert.Single(email.To)));
        Assert.Equal(("2026-04-15", "Schaerbeek", "Ilze Kalniņa"), (email.Data["visit.date"], email.Data["visit.host"], email.Data["proposer.name"]));
    }

    [Fact]
    public void The_confirming_side_may_not_propose()
    {
        Started().Propose("visit-1", VisitDate, by: Actors.Mentor).Rejected(RejectionKind.Forbidden);
    }

    [Fact]
    public void The_facilitator_may_propose_for_the_pair()
    {
        Started().Propose("visit-1", VisitDate, by: Actors.Facilitator).Applied();
    }

    [Fact]
    public void A_proposal_in_the_past_or_without_a_host_city_is_invalid()
    {
        var instance = Started();

        var past = instance.Propose("visit-1", new DateOnly(2026, 3, 1)).Rejected(RejectionKind.Invalid);
        var noHost = instance.Propose("visit-1", VisitDate, hostCity: "  ").Rejected(RejectionKind.Invalid);

        Assert.Equal(["date"], past.FieldErrors!.Keys);
        Assert.Equal(["hostCity"], noHost.FieldErrors!.Keys);
        Assert.Equal(VisitPhase.Proposing, instance.State.Visits["visit-1"].Phase);
    }

    [Fact]
    public void A_proposal_for_a_day_already_over_in_the_proposers_city_is_invalid()
    {
        var instance = Started();
        // 22:30 UTC on 2 March is 00:30 on 3 March in Jelgava: the 2nd is yesterday there.
        instance.Now = new DateTimeOffset(2026, 3, 2, 22, 30, 0, TimeSpan.Zero);

        instance.Propose("visit-1", new DateOnly(2026, 3, 2)).Rejected(RejectionKind.Invalid);
    }

    [Fact]
    public void The_proposer_may_propose_again_until_the_visit_is_confirmed()
    {
        var instance = Started();
        instance.Propose("visit-1", VisitDate).Applied();

        instance.Propose("visit-1", VisitDate.AddDays(7), hostCity: "Jelgava").Applied();
        instance.Confirm("visit-1").Applied();

        instance.Propose("visit-1", VisitDate).Rejected(RejectionKind.Conflict);
        Assert.Equal((VisitDate.AddDays(7), "Jelgava"), (instance.State.Visits["visit-1"].Date, instance.State.Visits["visit-1"].HostCity));
    }

    [Fact]
    public void Only_a_proposed_visit_can_be_confirmed_and_only_by_the_confirmer()
    {
        var instance = Started();
        instance.Confirm("visit-1").Rejected(RejectionKind.Conflict);
        instance.Propose("visit-1", VisitDate).Applied();

        instance.Confirm("visit-1", by: Actors.Mentee).Rejected(RejectionKind.Forbidden);
        var confirmed = instance.Confirm("visit-1", by: Actors.Mentor).Applied();

        var visit = confirmed.Of<WorkItemUpdated>().First(u => u.StepId == "visit-1");
        Assert.Equal(VisitPhase.Confirmed, visit.Visit!.Phase);
        Assert.Equal(Zones.EndOfDay(2026, 4, 15, offsetHours: 3), visit.DueAt);
    }

    [Fact]
    public void Confirming_gives_the_tasks_that_hang_on_the_visit_their_due_date_and_reminders()
    {
        var instance = Started();
        instance.Propose("visit-1", VisitDate).Applied();

        var result = instance.Confirm("visit-1").Applied();

        // Due a week before the visit, at the end of the day in Riga (a task for both is reckoned in the mentee's zone).
        var update = Assert.Single(result.Of<WorkItemUpdated>(), u => u.StepId == "prepare-visit-1");
        Assert.Equal((1, Zones.EndOfDay(2026, 4, 8, offsetHours: 3), null), (update.Activation, update.DueAt, update.Visit));
        Assert.Equal(update.DueAt, instance.State.Active["prepare-visit-1"].DueAt);
        Assert.Contains(new TimersCancelled("prepare-visit-1", 1), result.Effects);
        var reminders = result.Of<TimerScheduled>().Where(t => t.StepId == "prepare-visit-1").ToList();
        Assert.Equal(8, reminders.Count);
        Assert.Contains(reminders, t => t.Purpose == TimerPurpose.DueToday && t.DueAt == Zones.Local(2026, 4, 8, 9, 0, 3) && t.Data!["role"] == "mentee");
        Assert.Contains(reminders, t => t.Purpose == TimerPurpose.DueToday && t.DueAt == Zones.Local(2026, 4, 8, 9, 0, 2) && t.Data!["role"] == "mentor");
    }

    [Fact]
    public void A_visit_cannot_be_recorded_as_held_before_its_date()
    {
        var instance = Confirmed();
        instance.Now = new DateTimeOffset(2026, 4, 14, 20, 0, 0, TimeSpan.Zero); // 23:00 on the 14th in Riga

        var rejection = instance.Held("visit-1").Rejected(RejectionKind.Invalid);

        Assert.Equal(["date"], rejection.FieldErrors!.Keys);
    }

    [Fact]
    public void A_visit_can_be_recorded_as_held_once_the_day_has_begun_in_the_proposers_city()
    {
        var instance = Confirmed();
        instance.Now = new DateTimeOffset(2026, 4, 14, 21, 30, 0, TimeSpan.Zero); // 00:30 on the 15th in Riga

        instance.Held("visit-1").Applied();
    }

    [Fact]
    public void A_visit_held_needs_its_participants()
    {
        var rejection = OnTheDay().Held("visit-1", participants: [" ", ""]).Rejected(RejectionKind.Invalid);

        Assert.Equal(["participants"], rejection.FieldErrors!.Keys);
    }

    [Fact]
    public void Only_a_confirmed_visit_can_be_recorded_as_held()
    {
        var instance = Started();
        instance.Propose("visit-1", VisitDate).Applied();
        instance.Now = new DateTimeOffset(2026, 4, 16, 8, 0, 0, TimeSpan.Zero);

        instance.Held("visit-1").Rejected(RejectionKind.Conflict);
    }

    [Fact]
    public void Recording_a_visit_held_schedules_its_follow_ups_on_each_recipients_working_morning()
    {
        var result = OnTheDay().Held("visit-1", by: Actors.Mentor, " Ilze Kalniņa ", "Sophie Lambert").Applied();

        Assert.Equal(["Ilze Kalniņa", "Sophie Lambert"], result.State.Visits["visit-1"].Participants);
        // Three days after is Saturday 18 April: the report reminder to both waits for Monday morning, 09:00 in
        // Brussels for the mentor and 09:00 in Riga for the mentee; the action-plan update goes to the mentee only.
        Assert.Equal(
        [
            ("0", "mentor", Zones.Local(2026, 4, 20, 9, 0, 2)),
            ("0", "mentee", Zones.Local(2026, 4, 20, 9, 0, 3)),
            ("1", "mentee", Zones.Local(2026, 4, 29, 9, 0, 3)),
        ], result.Of<TimerScheduled>().Select(t => (t.Data!["followUp"], t.Data["role"], t.DueAt)));
        Assert.All(result.Of<TimerScheduled>(), t => Assert.Equal(("visit-1", 1, TimerPurpose.FollowUp), (t.StepId, t.Activation, t.Purpose)));
    }

    [Fact]
    public void A_visit_is_reported_only_once_held()
    {
        var instance = Confirmed();

        instance.Report("visit-1").Rejected(RejectionKind.Conflict);
    }

    [Theory]
    [InlineData(null, null, "note")]
    [InlineData("  ", "", "note")]
    [InlineData(null, "file:///c:/report.docx", "link")]
    public void A_report_needs_a_note_or_a_web_link(string? note, string? link, string field)
    {
        var rejection = HeldVisit().Report("visit-1", note: note, link: link).Rejected(RejectionKind.Invalid);

        Assert.Contains(field, rejection.FieldErrors!.Keys);
    }

    [Fact]
    public void Reporting_ends_the_visit_but_keeps_its_follow_ups()
    {
        var instance = HeldVisit();

        var result = instance.Report("visit-1", by: Actors.Mentor, note: null, link: "https://schaerbeek.be/visit-report").Applied();

        var closed = Assert.Single(result.Of<WorkItemClosed>());
        Assert.Equal(("visit-1", WorkItemOutcome.Completed, Actors.Mentor), (closed.StepId, closed.Outcome, closed.By));
        Assert.Equal("https://schaerbeek.be/visit-report", closed.Result!["link"]);
        Assert.Empty(result.Of<TimersCancelled>());
        Assert.Equal(VisitPhase.Reported, result.State.Visits["visit-1"].Phase);
        instance.Run(new RecordVisitHeld(Actors.Mentee, "visit-1", 1, ["Ilze Kalniņa"])).Rejected(RejectionKind.NotOpen);
    }

    [Fact]
    public void A_task_that_opens_after_the_visit_has_a_date_is_due_relative_to_it_at_once()
    {
        var instance = HeldVisit();
        instance.Report("visit-1").Applied();

        var result = instance.Complete("prepare-visit-1").Applied();

        var draft = Assert.Single(result.Of<WorkItemOpened>());
        Assert.Equal(("draft-action-plan", Zones.EndOfDay(2026, 5, 15, offsetHours: 3)), (draft.StepId, draft.DueAt));
    }
}
