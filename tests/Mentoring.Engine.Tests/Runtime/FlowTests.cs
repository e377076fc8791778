using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Engine.Tests.Support;
using NSubstitute;
using static Mentoring.Engine.Tests.Support.Build;

namespace Mentoring.Engine.Tests.Runtime;

/// <summary>Choices and conditions, parallel branches, timers, programme events and email steps.</summary>
public class FlowTests
{
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    /// <summary>A one-stage workflow, started.</summary>
    private static Instance Started(IWorkflowServices services, params StepDefinition[] steps) => StartedStages(services, steps);

    private static Instance Started(params StepDefinition[] steps) => StartedStages(new PairServices(), steps);

    private static Instance StartedStages(IWorkflowServices services, params StepDefinition[][] stages)
    {
        var instance = new Instance(Workflow(stages), services, Monday);
        instance.Start().Applied();
        return instance;
    }

    private static readonly StepDefinition[] DecideThenBranch =
    [
        Choice("decide-extra-workshop", "extraWorkshop"),
        If("extra-workshop-if-wanted", "extraWorkshop", equals: "yes",
            then: [Task("hold-extra-workshop", Role.Mentor)],
            otherwise: [Task("explain-why-not", Role.Mentee)]),
        Task("after", Role.Mentee),
    ];

    [Theory]
    [InlineData(null)]
    [InlineData("maybe")]
    public void Completing_a_choice_needs_one_of_its_options(string? choice)
    {
        var instance = Started(DecideThenBranch);

        var rejection = instance.Complete("decide-extra-workshop", choice: choice).Rejected(RejectionKind.Invalid);

        Assert.Equal(["Choose one of: yes, no."], rejection.FieldErrors!["choice"]);
    }

    [Theory]
    [InlineData("yes", "hold-extra-workshop")]
    [InlineData("no", "explain-why-not")]
    public void A_choice_sets_the_variable_and_the_condition_takes_then_or_else(string choice, string opened)
    {
        var instance = Started(DecideThenBranch);

        var result = instance.Complete("decide-extra-workshop", choice: choice).Applied();

        Assert.Equal(choice, instance.State.Variables["extraWorkshop"]);
        Assert.Equal([opened], result.Opened());
        instance.Complete(opened).Applied();
        Assert.Equal(["after"], instance.OpenSteps);
    }

    [Fact]
    public void A_condition_not_met_without_an_else_is_passed_over()
    {
        var instance = Started(Choice("decide", "extraWorkshop"),
            If("if-wanted", "extraWorkshop", equals: "yes", then: [Task("hold-extra-workshop", Role.Mentor)]),
            Task("after"));

        var result = instance.Complete("decide", choice: "no").Applied();

        Assert.Equal(["after"], result.Opened());
        Assert.Equal(false, Assert.Single(result.Journal, j => j.Type == "condition").Data["met"]);
    }

    [Fact]
    public void Variables_given_at_the_start_feed_conditions()
    {
        var instance = new Instance(Workflow(Steps(If("if-greek", "network", equals: "greek", then: [Task("greek-task")], otherwise: [Task("other-task")]))),
            new PairServices(), Monday);

        var result = instance.Start(new Dictionary<string, string> { ["network"] = "greek" }).Applied();

        Assert.Equal(["greek-task"], result.Opened());
    }

    [Fact]
    public void Parallel_branches_start_together_and_join_only_when_every_branch_has_ended()
    {
        var instance = Started(
            Parallel("drafting", [Task("key-factors", Role.Mentor)], [Task("local-factors", Role.Mentee), Task("guiding-questions", Role.Mentee)]),
            Task("finalise", Role.Both));
        Assert.Equal(["key-factors", "local-factors"], instance.OpenSteps.Order());

        Assert.Empty(instance.Complete("key-factors").Applied().Opened());
        Assert.Equal(["guiding-questions"], instance.Complete("local-factors").Applied().Opened());
        Assert.DoesNotContain("finalise", instance.OpenSteps);

        Assert.Equal(["finalise"], instance.Complete("guiding-questions").Applied().Opened());
        Assert.Empty(instance.State.Joins);
    }

    [Fact]
    public void A_timer_step_schedules_a_resume_timer_and_its_elapsing_continues()
    {
        var instance = Started(Task("hold-workshop"), Timer("local-consultation", TimeSpan.FromDays(14)), Task("record-results"));

        var started = instance.Complete("hold-workshop").Applied();

        var dueAt = Monday.AddDays(14);
        Assert.Equal(new TimerScheduled("local-consultation", 1, TimerPurpose.Resume, dueAt, null), Assert.Single(started.Of<TimerScheduled>()));
        var opened = Assert.Single(started.Of<WorkItemOpened>());
        Assert.Equal((WorkItemKind.Timer, dueAt), (opened.Kind, opened.DueAt));

        instance.AdvanceDays(14);
        var elapsed = instance.Run(new TimerElapsed("local-consultation", 1)).Applied();

        Assert.Equal(["local-consultation"], elapsed.Closed(WorkItemOutcome.Completed));
        Assert.Equal(["record-results"], elapsed.Opened());
        Assert.Equal(Actor.System, Assert.Single(elapsed.Of<WorkItemClosed>()).By);
    }

    [Fact]
    public void A_timer_that_fires_twice_moves_the_workflow_once()
    {
        var instance = Started(Timer("cool-off", TimeSpan.FromHours(36)), Task("next"));
        instance.AdvanceDays(2);
        instance.Run(new TimerElapsed("cool-off", 1)).Applied();

        instance.Run(new TimerElapsed("cool-off", 1)).Rejected(RejectionKind.NotOpen);
        Assert.Equal(1, instance.State.Activations["next"]);
    }

    [Fact]
    public void Waiting_for_an_event_the_programme_raised_already_goes_on_at_once()
    {
        var services = new PairServices();
        services.Raise("mentoring-training-held");

        var instance = Started(services, Wait("wait-training", "mentoring-training-held"), Task("local-network"));

        Assert.Equal(["local-network"], instance.OpenSteps);
        Assert.DoesNotContain(instance.History.OfType<WorkItemOpened>(), o => o.StepId == "wait-training");
        Assert.Equal(true, Assert.Single(instance.Journal, j => j.Type == "event-received").Data["already"]);
    }

    [Fact]
    public void Waiting_for_an_event_not_raised_yet_waits_until_it_is_delivered()
    {
        var services = Substitute.For<IWorkflowServices>();
        services.HasEventOccurred("mentoring-training-held").Returns(false);
        var instance = Started(services, Wait("wait-training", "mentoring-training-held"), Task("local-network"));

        var waiting = Assert.Single(instance.History.OfType<WorkItemOpened>());
        Assert.Equal(("wait-training", WorkItemKind.Event, "mentoring-training-held", null), (waiting.StepId, waiting.Kind, waiting.WaitsFor, waiting.Assignee));
        instance.Run(new DeliverEvent("training-academy-held")).Rejected(RejectionKind.NotOpen);

        var delivered = instance.Run(new DeliverEvent("mentoring-training-held")).Applied();

        Assert.Equal(["wait-training"], delivered.Closed(WorkItemOutcome.Completed));
        Assert.Equal(["local-network"], delivered.Opened());
    }

    [Fact]
    public void One_event_releases_every_branch_waiting_for_it()
    {
        var instance = Started(Parallel("p", [Wait("wait-a", "academy-held")], [Wait("wait-b", "academy-held")]), Task("after"));

        var result = instance.Run(new DeliverEvent("academy-held")).Applied();

        Assert.Equal(["wait-a", "wait-b"], result.Closed(WorkItemOutcome.Completed).Order());
        Assert.Equal(["after"], result.Opened());
    }

    [Fact]
    public void A_signal_raises_a_programme_event_and_goes_on()
    {
        var instance = new Instance(Workflow(Steps(Task("hold-training", Role.Facilitator), Signal("training-held", "mentoring-training-held"), Task("next", Role.Facilitator))),
            new PairServices(), Monday);
        instance.Start().Applied();

        var result = instance.Complete("hold-training").Applied();

        Assert.Equal(new ProgrammeEventRaised("mentoring-training-held"), Assert.Single(result.Of<ProgrammeEventRaised>()));
        Assert.Equal(["next"], result.Opened());
    }

    [Fact]
    public void An_email_step_queues_the_email_to_the_resolved_recipients_with_the_stage()
    {
        var instance = StartedStages(new PairServices(), Steps(Task("first")), Steps(Email("benchmark-started-mail", "stage-started", Role.Both, Role.Facilitator), Task("collect")));

        var result = instance.Complete("first").Applied();

        var email = Assert.Single(result.Of<EmailRequested>());
        Assert.Equal(("stage-started", "benchmark-started-mail"), (email.Template, email.StepId));
        Assert.Equal([Role.Both, Role.Facilitator], email.To);
        Assert.Equal(["Sophie Lambert", "Ilze Kalniņa", "Migration Work"], email.Recipients!.Select(r => r.Name));
        Assert.Equal("2", email.Data["stage.number"]);
        Assert.Equal("Stage 2", email.Data["stage.name"]);
        Assert.Equal(["collect"], result.Opened());
    }
}
