using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Engine.Tests.Support;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using static Mentoring.Engine.Tests.Support.Build;

namespace Mentoring.Engine.Tests.Runtime;

/// <summary>Suspend, resume, cancel; a step that throws faults the instance and a retry goes on from exactly there.</summary>
public class LifecycleTests
{
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
    private const string NobodyToEmail = "Nobody can be emailed as the mentee city's coordinator: add a person with an email address for that role, then retry.";

    private static IWorkflowServices WorkingServices()
    {
        var services = Substitute.For<IWorkflowServices>();
        services.TimeZoneOf(Arg.Any<Role>()).Returns(Zones.Riga);
        services.Calendar.Returns(new WorkingCalendar(WorkingHours.Default));
        services.ResolveRecipients(Arg.Any<IReadOnlyList<Role>>())
            .Returns([new Recipient("ilze", "Ilze Kalniņa", "ilze@jelgava.example", "lv", "Europe/Riga", Role.Mentee)]);
        return services;
    }

    private static IWorkflowServices BrokenServices()
    {
        var services = WorkingServices();
        services.ResolveRecipients(Arg.Any<IReadOnlyList<Role>>()).Throws(new InvalidOperationException(NobodyToEmail));
        return services;
    }

    private static Instance Started(IWorkflowServices services, params StepDefinition[] steps)
    {
        var instance = new Instance(Workflow(steps), services, Monday);
        instance.Start().Applied();
        return instance;
    }

    [Fact]
    public void Suspending_blocks_every_command_and_resuming_restores_them()
    {
        var instance = Started(new PairServices(), Task("first"), Timer("cool-off", TimeSpan.FromDays(1)), Wait("wait", "academy-held"));
        instance.Run(new SuspendInstance(Actors.Facilitator, "The city council elections")).Applied();

        Assert.Equal(InstanceStatus.Suspended, instance.Status);
        instance.Complete("first").Rejected(RejectionKind.Conflict);
        instance.Run(new SuspendInstance(Actors.Facilitator, "again")).Rejected(RejectionKind.Conflict);

        var resumed = instance.Run(new ResumeInstance(Actors.Facilitator)).Applied();

        Assert.Equal(InstanceStatus.Running, resumed.Progress.Status);
        instance.Complete("first").Applied();
        Assert.True(instance.IsOpen("cool-off"));
    }

    [Fact]
    public void A_timer_or_an_event_reaching_a_suspended_instance_is_refused_and_waits_for_the_resume()
    {
        var instance = Started(new PairServices(), Parallel("p", [Timer("cool-off", TimeSpan.FromDays(1))], [Wait("wait", "academy-held")]), Task("after"));
        instance.Run(new SuspendInstance(Actors.Facilitator, null)).Applied();
        instance.AdvanceDays(2);

        instance.Run(new TimerElapsed("cool-off", 1)).Rejected(RejectionKind.Conflict);
        instance.Run(new DeliverEvent("academy-held")).Rejected(RejectionKind.Conflict);

        instance.Run(new ResumeInstance(Actors.Facilitator)).Applied();
        instance.Run(new TimerElapsed("cool-off", 1)).Applied();
        instance.Run(new DeliverEvent("academy-held")).Applied();
        Assert.Equal(["after"], instance.OpenSteps);
    }

    [Fact]
    public void Only_a_suspended_instance_can_be_resumed()
    {
        Started(new PairServices(), Task("first")).Run(new ResumeInstance(Actors.Facilitator)).Rejected(RejectionKind.Conflict);
    }

    [Fact]
    public void Cancelling_closes_every_open_item_and_cancels_its_timers()
    {
        var instance = Started(new PairServices(),
            Parallel("p", [Task("needs", Role.Mentee, DaysAfterStart(21), reminders: new ReminderRules([7], false, null))],
                [Timer("cool-off", TimeSpan.FromDays(14))], [Visit("visit-1")]));

        var result = instance.Run(new CancelInstance(Actors.Facilitator, "The pair withdrew")).Applied();

        Assert.Equal(["cool-off", "needs", "visit-1"], result.Closed(WorkItemOutcome.Cancelled).Order());
        Assert.Equal(["cool-off", "needs", "visit-1"], result.Of<TimersCancelled>().Select(t => t.StepId).Order());
        Assert.All(result.Of<WorkItemClosed>(), c => Assert.Equal(Actors.Facilitator, c.By));
        Assert.Equal(InstanceStatus.Cancelled, result.Progress.Status);
        Assert.Empty(instance.State.Active);
        Assert.Equal("The pair withdrew", Assert.Single(result.Journal, j => j.Type == "cancelled").Data["reason"]);
    }

    [Fact]
    public void Nothing_moves_once_the_instance_is_cancelled()
    {
        var instance = Started(new PairServices(), Task("first"), Timer("cool-off", TimeSpan.FromDays(1)));
        instance.Run(new CancelInstance(Actors.Facilitator, null)).Applied();

        instance.Run(new CompleteTask(Actors.Mentee, "first", 1, "Done")).Rejected(RejectionKind.Conflict);
        instance.Run(new CancelInstance(Actors.Facilitator, null)).Rejected(RejectionKind.Conflict);
        instance.Run(new ResumeInstance(Actors.Facilitator)).Rejected(RejectionKind.Conflict);
        instance.Run(new RetryFaulted(Actors.Facilitator)).Rejected(RejectionKind.Conflict);
        instance.Start().Rejected(RejectionKind.Conflict);
    }

    [Fact]
    public void An_email_step_whose_recipients_cannot_be_resolved_faults_the_instance_keeping_the_pending_steps()
    {
        var instance = Started(BrokenServices(), Task("first"), Email("announce-mail", "stage-started", Role.Mentee), Task("after"));
        instance.AdvanceDays(1);

        var result = instance.Complete("first").Applied();

        Assert.Equal(InstanceStatus.Faulted, result.Progress.Status);
        var fault = result.State.Fault!;
        Assert.Equal(("announce-mail", NobodyToEmail, instance.Now), (fault.StepId, fault.Error, fault.At));
        Assert.Equal(["announce-mail"], fault.Pending);
        Assert.Empty(result.Of<EmailRequested>());
        Assert.Empty(result.Opened());
        var faulted = Assert.Single(result.Journal, j => j.Type == "faulted");
        Assert.Equal(("announce-mail", "InvalidOperationException"), (faulted.StepId, faulted.Data["type"]));
    }

    [Fact]
    public void A_faulted_instance_refuses_commands_until_retried()
    {
        var instance = Started(BrokenServices(), Parallel("p", [Email("announce-mail")], [Wait("wait", "academy-held")]), Task("after"));

        instance.Run(new DeliverEvent("academy-held")).Rejected(RejectionKind.Conflict);
        instance.Run(new ResumeInstance(Actors.Facilitator)).Rejected(RejectionKind.Conflict);
        Assert.Equal(InstanceStatus.Faulted, instance.Status);
    }

    [Fact]
    public void A_retry_with_working_services_goes_on_from_the_faulted_step()
    {
        var instance = Started(BrokenServices(), Task("first"), Email("announce-mail", "stage-started", Role.Mentee), Task("after"));
        instance.Complete("first").Applied();
        instance.Services = WorkingServices();

        var result = instance.Run(new RetryFaulted(Actors.Facilitator)).Applied();

        Assert.Equal(InstanceStatus.Running, result.Progress.Status);
        Assert.Null(result.State.Fault);
        var email = Assert.Single(instance.History.OfType<EmailRequested>());
        Assert.Equal(("announce-mail", "Ilze Kalniņa"), (email.StepId, Assert.Single(email.Recipients!).Name));
        Assert.Equal(["after"], result.Opened());
        Assert.Equal(NobodyToEmail, Assert.Single(result.Journal, j => j.Type == "retried").Data["error"]);
        Assert.Equal(1, instance.State.Activations["first"]);
    }

    [Fact]
    public void A_retry_that_fails_again_stays_faulted_with_the_same_pending_steps()
    {
        var instance = Started(BrokenServices(), Parallel("p", [Email("announce-mail")], [Task("b")]));

        var result = instance.Run(new RetryFaulted(Actors.Facilitator)).Applied();

        Assert.Equal(InstanceStatus.Faulted, result.Progress.Status);
        Assert.Equal(["announce-mail", "b"], result.State.Fault!.Pending);
        Assert.Empty(instance.History.OfType<WorkItemOpened>());
    }

    [Fact]
    public void A_retry_starts_the_parallel_branch_that_had_not_started_when_the_fault_happened()
    {
        var instance = Started(BrokenServices(), Parallel("kick-off", [Email("announce-mail")], [Task("b")]), Task("c"));
        Assert.Equal(["announce-mail", "b"], instance.State.Fault!.Pending);
        Assert.Empty(instance.OpenSteps);
        instance.Services = WorkingServices();

        var retried = instance.Run(new RetryFaulted(Actors.Facilitator)).Applied();

        Assert.Equal(["b"], retried.Opened());
        Assert.Single(retried.Of<EmailRequested>());
        Assert.Equal(["c"], instance.Complete("b").Applied().Opened());
    }

    [Fact]
    public void A_retry_leaves_branches_already_open_as_they_were()
    {
        var instance = Started(BrokenServices(), Parallel("kick-off", [Task("a")], [Email("announce-mail")], [Task("b")]), Task("c"));
        Assert.Equal(["a"], instance.OpenSteps);
        instance.Services = WorkingServices();

        var retried = instance.Run(new RetryFaulted(Actors.Facilitator)).Applied();

        Assert.Equal(["b"], retried.Opened());
        Assert.Equal(1, instance.Activation("a"));
        instance.Complete("a").Applied();
        Assert.Equal(["c"], instance.Complete("b").Applied().Opened());
    }

    [Fact]
    public void Only_a_faulted_instance_can_be_retried()
    {
        Started(new PairServices(), Task("first")).Run(new RetryFaulted(Actors.Facilitator)).Rejected(RejectionKind.Conflict);
    }

    [Fact]
    public void A_faulted_instance_suspended_and_resumed_is_still_faulted()
    {
        var instance = Started(BrokenServices(), Task("first"), Email("announce-mail"));
        instance.Complete("first").Applied();

        instance.Run(new SuspendInstance(Actors.Facilitator, null)).Applied();
        instance.Run(new ResumeInstance(Actors.Facilitator)).Applied();

        Assert.Equal(InstanceStatus.Faulted, instance.Status);
        Assert.Equal("announce-mail", instance.State.Fault!.StepId);
    }

    [Fact]
    public void A_faulted_instance_can_be_cancelled()
    {
        var instance = Started(BrokenServices(), Parallel("p", [Task("a")], [Email("announce-mail")]));

        var result = instance.Run(new CancelInstance(Actors.Facilitator, "Restarting the pair")).Applied();

        Assert.Equal(InstanceStatus.Cancelled, result.Progress.Status);
        Assert.Equal(["a"], result.Closed(WorkItemOutcome.Cancelled));
    }

    [Fact]
    public void Starting_again_an_instance_that_faulted_on_its_first_step_is_a_conflict()
    {
        var instance = Started(BrokenServices(), Email("welcome-mail"), Task("first"));
        Assert.Equal(InstanceStatus.Faulted, instance.Status);

        instance.Start().Rejected(RejectionKind.Conflict);
    }
}
