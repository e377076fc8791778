using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Engine.Tests.Support;

namespace Mentoring.Engine.Tests.Runtime;

/// <summary>An approval with several approvers: the mentor city, then the facilitator, each in turn.</summary>
public class ApprovalLevelTests
{
    private const string File = "workflows/test.v1.json";
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    private static string Definition(string approval, int version = 1) =>
        $$"""
        { "id": "test-pair", "version": {{version}}, "name": "Test pair", "kind": "pair",
          "stages": [
            { "id": "stage-1", "number": 1, "name": "Stage 1", "steps": [
              { "type": "task", "id": "final-plan", "title": "Final plan", "assignee": "mentee" },
              {{approval}} ] },
            { "id": "stage-2", "number": 2, "name": "Stage 2", "steps": [
              { "type": "task", "id": "share", "title": "Share", "assignee": "mentee" } ] } ] }
        """;

    private const string TwoLevels =
        """{ "type": "approval", "id": "approve-plan", "title": "Approve plan", "approvers": ["mentor", "facilitator"] }""";

    private static Instance AtTheGate(string approval = TwoLevels)
    {
        var instance = new Instance(DefinitionParser.Parse(File, Definition(approval)), new PairServices(), Monday);
        instance.Start().Applied();
        instance.Complete("final-plan").Applied();
        return instance;
    }

    [Fact]
    public void Approvers_are_read_in_order_and_one_approver_still_reads_as_one_level()
    {
        var levels = Assert.IsType<ApprovalStep>(DefinitionParser.Parse(File, Definition(TwoLevels)).Steps["approve-plan"].Step);
        var one = Assert.IsType<ApprovalStep>(DefinitionParser.Parse(File, Definition(
            """{ "type": "approval", "id": "approve-plan", "title": "Approve plan", "approver": "facilitator" }""")).Steps["approve-plan"].Step);

        Assert.Equal([Role.Mentor, Role.Facilitator], levels.Approvers);
        Assert.Equal(Role.Mentor, levels.Approver);
        Assert.Equal([Role.Facilitator], one.Approvers);
    }

    [Theory]
    [InlineData("""["mentor", "auditor"]""", "$.stages[0].steps[1].approvers[1]", "unknown role 'auditor'")]
    [InlineData("""[]""", "$.stages[0].steps[1].approvers", "")]
    [InlineData("""["mentor", "mentor"]""", "$.stages[0].steps[1].approvers[1]", "named twice")]
    public void A_wrong_list_of_approvers_is_refused_naming_the_place(string approvers, string path, string message)
    {
        DefinitionParser.TryParse(File, Definition(
            $$"""{ "type": "approval", "id": "approve-plan", "title": "Approve plan", "approvers": {{approvers}} }"""), null, out var errors);

        var error = Assert.Single(errors);
        Assert.Equal((File, path), (error.File, error.Path));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Approver_and_approvers_together_are_refused()
    {
        DefinitionParser.TryParse(File, Definition(
            """{ "type": "approval", "id": "approve-plan", "title": "Approve plan", "approver": "mentor", "approvers": ["facilitator"] }"""),
            null, out var errors);

        Assert.Equal("$.stages[0].steps[1].approvers", Assert.Single(errors).Path);
    }

    [Fact]
    public void Each_level_approves_in_turn_with_its_own_work_item_and_email_and_only_the_last_completes_the_gate()
    {
        var instance = AtTheGate();
        var opened = instance.History.OfType<WorkItemOpened>().Single(o => o.StepId == "approve-plan");
        Assert.Equal(Role.Mentor, opened.Assignee);
        Assert.Equal([Role.Mentor], instance.History.OfType<EmailRequested>().Single(e => e.Template == "gate-awaiting-approval").To);

        // Only the level waiting may decide: the mentee and the facilitator wait for the mentor city.
        instance.Approve("approve-plan", by: Actors.Mentee).Rejected(RejectionKind.Forbidden);
        instance.Approve("approve-plan", by: Actors.Facilitator).Rejected(RejectionKind.Forbidden);

        var first = instance.Approve("approve-plan", by: Actors.Mentor).Applied();
        Assert.Equal(["approve-plan"], first.Closed(WorkItemOutcome.Completed));
        Assert.Empty(first.Of<StageEntered>());
        var second = Assert.Single(first.Of<WorkItemOpened>());
        Assert.Equal((2, Role.Facilitator), (second.Activation, second.Assignee));
        Assert.Equal([Role.Facilitator], Assert.Single(first.Of<EmailRequested>()).To);
        var approved = first.Journal.Single(j => j.Type == "approved");
        Assert.Equal((1, 2, "mentor"), (approved.Data["level"], approved.Data["levels"], approved.Data["approver"]));

        // The first level is decided: its work item no longer takes a decision, and the mentor may not act for level 2.
        instance.Run(new Approve(Actors.Mentor, "approve-plan", 1)).Rejected(RejectionKind.NotOpen);
        instance.Approve("approve-plan", by: Actors.Mentor).Rejected(RejectionKind.Forbidden);

        var last = instance.Approve("approve-plan", by: Actors.Facilitator).Applied();
        Assert.Equal(1, Assert.Single(last.Of<StageEntered>()).Index);
        Assert.Equal(2, last.Journal.Single(j => j.Type == "approved").Data["level"]);
    }

    [Fact]
    public void A_send_back_at_the_second_level_restarts_the_stage_saying_which_level_and_why_and_starts_again_at_the_first()
    {
        var instance = AtTheGate();
        instance.Approve("approve-plan", by: Actors.Mentor).Applied();

        instance.SendBack("approve-plan", " ", by: Actors.Facilitator).Rejected(RejectionKind.Invalid);
        instance.SendBack("approve-plan", "No budget", by: Actors.Mentor).Rejected(RejectionKind.Forbidden);
        var result = instance.SendBack("approve-plan", "The budget is missing.", by: Actors.Facilitator).Applied();

        var sentBack = result.Journal.Single(j => j.Type == "sent-back");
        Assert.Equal(("The budget is missing.", 2, "facilitator"), (sentBack.Data["reason"], sentBack.Data["level"], sentBack.Data["approver"]));
        Assert.Equal(["approve-plan"], result.Closed(WorkItemOutcome.SentBack));
        Assert.Equal(["final-plan"], result.Opened());

        var redone = instance.Complete("final-plan").Applied();
        Assert.Equal(Role.Mentor, redone.Of<WorkItemOpened>().Single(o => o.StepId == "approve-plan").Assignee);
        Assert.Equal(0, instance.State.Active["approve-plan"].Level);
    }

    [Fact]
    public void A_gate_waiting_at_a_level_moves_to_a_version_with_the_same_levels_so_far_and_is_refused_otherwise()
    {
        var instance = AtTheGate();
        instance.Approve("approve-plan", by: Actors.Mentor).Applied();

        var reordered = DefinitionParser.Parse("workflows/test.v2.json", Definition(
            """{ "type": "approval", "id": "approve-plan", "title": "Approve plan", "approvers": ["facilitator", "mentor"] }""", 2));
        var refusal = Assert.Single(instance.Migrate(reordered).Refusals);
        Assert.Equal("approve-plan", refusal.StepId);
        Assert.Contains("level 2", refusal.Reason);

        var third = DefinitionParser.Parse("workflows/test.v2.json", Definition(
            """{ "type": "approval", "id": "approve-plan", "title": "Approve plan", "approvers": ["mentor", "facilitator", "mentee"] }""", 2));
        var plan = instance.Migrate(third);
        Assert.False(plan.Refused);
        Assert.Equal(Role.Facilitator, plan.Effects.OfType<WorkItemRestated>().Single().Assignee);

        instance.Approve("approve-plan", by: Actors.Facilitator).Applied();
        Assert.Equal(Role.Mentee, instance.History.OfType<WorkItemOpened>().Last().Assignee);
    }
}
