using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Engine.Tests.Support;
using static Mentoring.Engine.Tests.Support.Build;

namespace Mentoring.Engine.Tests.Runtime;

/// <summary>Stage gates: approve and go on, or send the stage back to run again.</summary>
public class ApprovalTests
{
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    /// <summary>Stage 1: a draft, the kick-off email, the visit, then a summary beside the gate. Stage 2: one task.</summary>
    private static Instance AtTheGate()
    {
        var definition = Workflow(
            Steps(
                Task("draft-action-plan", Role.Mentee, DaysAfterStart(30)),
                Email("kick-off-mail", "stage-started", Role.Both),
                Visit("visit-1", followUps: new FollowUp(3, "visit-report-due", [Role.Both])),
                Parallel("finish", [Task("summary", Role.Mentee)], [Approval("approve-draft")])),
            Steps(Task("revise-action-plan", Role.Mentee)));
        var instance = new Instance(definition, new PairServices(), Monday);
        instance.Start().Applied();
        instance.AdvanceDays(3);
        instance.Complete("draft-action-plan").Applied();
        instance.RunVisit("visit-1");
        instance.AdvanceDays(2);
        return instance;
    }

    [Fact]
    public void An_approval_opens_for_the_facilitator_and_tells_them()
    {
        var instance = AtTheGate();

        var opened = instance.History.OfType<WorkItemOpened>().Single(o => o.StepId == "approve-draft");
        var email = instance.History.OfType<EmailRequested>().Single(e => e.Template == "gate-awaiting-approval");

        Assert.Equal((WorkItemKind.Approval, Role.Facilitator), (opened.Kind, opened.Assignee));
        Assert.Equal([Role.Facilitator], email.To);
        Assert.Equal("Approve draft", email.Data["approval.title"]);
    }

    [Fact]
    public void A_coordinator_may_not_approve_or_send_back_a_facilitator_gate()
    {
        var instance = AtTheGate();

        instance.Approve("approve-draft", by: Actors.Mentor).Rejected(RejectionKind.Forbidden);
        instance.SendBack("approve-draft", "Not good enough", by: Actors.Mentee).Rejected(RejectionKind.Forbidden);
    }

    [Fact]
    public void Approving_goes_on_once_the_other_branch_ends()
    {
        var instance = AtTheGate();

        var approved = instance.Approve("approve-draft").Applied();
        Assert.Equal(["approve-draft"], approved.Closed(WorkItemOutcome.Completed));
        Assert.Empty(approved.Of<StageEntered>());

        var result = instance.Complete("summary").Applied();

        Assert.Equal(1, Assert.Single(result.Of<StageEntered>()).Index);
        Assert.Equal(["revise-action-plan"], result.Opened());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Sending_back_needs_a_reason(string reason)
    {
        var instance = AtTheGate();

        var rejection = instance.SendBack("approve-draft", reason).Rejected(RejectionKind.Invalid);

        Assert.Equal(["reason"], rejection.FieldErrors!.Keys);
        Assert.True(instance.IsOpen("approve-draft"));
    }

    [Fact]
    public void Send_back_closes_the_other_open_items_and_tells_both_coordinators_why()
    {
        var instance = AtTheGate();

        var result = instance.SendBack("approve-draft", "  The budget is missing. ").Applied();

        Assert.Equal(["approve-draft"], result.Closed(WorkItemOutcome.SentBack));
        Assert.Equal(["summary"], result.Closed(WorkItemOutcome.Cancelled));
        Assert.Contains(new TimersCancelled("summary", 1), result.Effects);
        var email = Assert.Single(result.Of<EmailRequested>());
        Assert.Equal(("stage-sent-back", Role.Both), (email.Template, Assert.Single(email.To)));
        Assert.Equal(("The budget is missing.", "Migration Work", "1"), (email.Data["reason"], email.Data["sentBackBy"], email.Data["stage.number"]));
        Assert.Equal(0, Assert.Single(result.Of<StageEntered>()).Index);
        Assert.Contains(result.Journal, j => j.Type == "stage-restarted");
    }

    [Fact]
    public void Send_back_reopens_the_stage_tasks_but_keeps_the_reported_visit_and_the_sent_email()
    {
        var instance = AtTheGate();

        var result = instance.SendBack("approve-draft", "The budget is missing.").Applied();

        Assert.Equal(["draft-action-plan"], result.Opened());
        Assert.Equal(2, instance.Activation("draft-action-plan"));
        // Sent back on Saturday 21 March: the 30 days count again from the restart.
        Assert.Equal(Zones.EndOfDay(2026, 4, 20, offsetHours: 3), instance.State.Active["draft-action-plan"].DueAt);

        var reopened = instance.Complete("draft-action-plan").Applied();

        Assert.Equal(["summary", "approve-draft"], reopened.Opened());
        Assert.Equal(["kick-off-mail", "visit-1"], reopened.Journal.Where(j => j.Type == "kept").Select(j => j.StepId));
        Assert.DoesNotContain(reopened.Of<EmailRequested>(), e => e.Template == "stage-started");
        Assert.Equal(VisitPhase.Reported, instance.State.Visits["visit-1"].Phase);
        Assert.Equal(1, instance.State.Activations["visit-1"]);
        Assert.Equal(2, instance.Activation("approve-draft"));
    }

    [Fact]
    public void After_a_send_back_the_old_activation_is_not_open()
    {
        var instance = AtTheGate();
        instance.SendBack("approve-draft", "Again, please.").Applied();

        instance.Run(new Approve(Actors.Facilitator, "approve-draft", 1)).Rejected(RejectionKind.NotOpen);
        instance.Run(new CompleteTask(Actors.Mentee, "draft-action-plan", 1, "Done")).Rejected(RejectionKind.NotOpen);
    }

    [Fact]
    public void A_visit_still_under_way_when_the_stage_is_sent_back_starts_over()
    {
        var definition = Workflow(Steps(Parallel("p", [Visit("visit-2", Role.Mentor, Role.Mentee)], [Approval("gate")])));
        var instance = new Instance(definition, new PairServices(), Monday);
        instance.Start().Applied();
        instance.Propose("visit-2", new DateOnly(2026, 4, 1)).Applied();

        var result = instance.SendBack("gate", "Choose another date with the mentee.").Applied();

        Assert.Equal(["visit-2"], result.Closed(WorkItemOutcome.Cancelled));
        Assert.Contains(new TimersCancelled("visit-2", 1), result.Effects);
        Assert.Equal((2, VisitPhase.Proposing), (instance.Activation("visit-2"), instance.State.Visits["visit-2"].Phase));
        Assert.Null(instance.State.Visits["visit-2"].Date);
    }

    [Fact]
    public void Kept_steps_are_forgotten_when_the_next_stage_starts()
    {
        var definition = Workflow(
            Steps(Email("kick-off-mail"), Approval("gate")),
            Steps(Task("next")));
        var instance = new Instance(definition, new PairServices(), Monday);
        instance.Start().Applied();
        instance.SendBack("gate", "Not yet.").Applied();

        instance.Approve("gate").Applied();

        Assert.Empty(instance.State.Keep);
        Assert.Equal(1, instance.History.OfType<EmailRequested>().Count(e => e.StepId == "kick-off-mail"));
    }
}
