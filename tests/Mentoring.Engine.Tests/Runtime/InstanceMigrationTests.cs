using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Engine.Tests.Support;
using static Mentoring.Engine.Tests.Support.Build;

namespace Mentoring.Engine.Tests.Runtime;

/// <summary>Moving a running instance to a new version of its definition (elsa-core 6620, 6837: instances that could not
/// move without finished steps running again).</summary>
public class InstanceMigrationTests
{
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    private static WorkflowDefinition V1(params StepDefinition[][] stages) => Workflow(stages);

    private static WorkflowDefinition V2(params StepDefinition[][] stages)
    {
        var v1 = Workflow(stages);
        return new WorkflowDefinition(v1.Id, 2, v1.Name, v1.Kind, null, v1.Stages);
    }

    private static WorkflowDefinition V2Stages(params StageDefinition[] stages) => new("test-pair", 2, "Test pair", WorkflowKind.Pair, null, stages);

    private static Instance Started(WorkflowDefinition definition)
    {
        var instance = new Instance(definition, new PairServices(), Monday);
        instance.Start().Applied();
        return instance;
    }

    private static StepMapping Map(params (string From, string To)[] renames) =>
        new(renames.ToDictionary(r => r.From, r => r.To), []);

    private static StepMapping Drop(params string[] steps) => new(new Dictionary<string, string>(), steps);

    private static MigrationPlan Moved(MigrationPlan plan)
    {
        Assert.False(plan.Refused, string.Join("; ", plan.Refusals.Select(r => r.Reason)));
        Assert.Null(plan.Skipped);
        return plan;
    }

    [Fact]
    public void An_open_task_moves_by_id_keeping_its_activation_and_the_runner_goes_on_on_the_new_version()
    {
        var instance = Started(V1(Steps(Task("a"), Task("b")), Steps(Task("c"))));
        instance.Complete("a").Applied();
        var activation = instance.Activation("b");

        var plan = Moved(instance.Migrate(V2(Steps(Task("a"), Task("b")), Steps(Task("c"), Task("d")))));

        var move = Assert.Single(plan.Moves);
        Assert.Equal(("b", "b", activation), (move.FromStep, move.ToStep, move.Activation));
        Assert.Empty(plan.Opened);
        Assert.DoesNotContain(plan.Effects, e => e is WorkItemOpened or TimersCancelled or TimerScheduled or StepRenamed);
        var journal = Assert.Single(plan.Journal);
        Assert.Equal("migrated", journal.Type);
        Assert.Equal(2, journal.Data["toVersion"]);
        Assert.Equal(activation, instance.Activation("b"));
        Assert.Equal(["c"], instance.Complete("b").Applied().Opened());
        Assert.Equal(["d"], instance.Complete("c").Applied().Opened());
    }

    [Fact]
    public void A_renamed_step_moves_through_the_mapping_with_its_rows()
    {
        var instance = Started(V1(Steps(Task("a"), Task("b"))));
        instance.Complete("a").Applied();

        var plan = Moved(instance.Migrate(V2(Steps(Task("a"), Task("b-renamed"))), Map(("b", "b-renamed"))));

        Assert.Contains(new StepRenamed("b", "b-renamed"), plan.Effects);
        Assert.Equal(("b", "b-renamed"), (plan.Moves[0].FromStep, plan.Moves[0].ToStep));
        Assert.Equal(1, instance.Activation("b-renamed"));
        Assert.False(instance.IsOpen("b"));
        Assert.Equal(InstanceStatus.Completed, instance.Complete("b-renamed").Applied().Progress.Status);
    }

    [Fact]
    public void A_removed_open_task_is_refused_unless_the_mapping_drops_it()
    {
        var instance = Started(V1(Steps(Task("a"), Task("b"))));
        var v2 = V2(Steps(Task("b")));

        var plan = instance.Migrate(v2);

        var refusal = Assert.Single(plan.Refusals);
        Assert.Equal("a", refusal.StepId);
        Assert.Contains("drop it explicitly", refusal.Reason);
        Assert.Empty(plan.Effects);
        Assert.True(instance.IsOpen("a"));
        Assert.Equal(1, instance.Definition.Version);
    }

    [Fact]
    public void A_removed_open_task_dropped_explicitly_is_closed_and_the_step_after_it_opens()
    {
        var instance = Started(V1(Steps(Task("a"), Task("b"))));

        var plan = Moved(instance.Migrate(V2(Steps(Task("b"))), Drop("a")));

        Assert.Equal(["a"], plan.Dropped);
        var closed = Assert.Single(plan.Effects.OfType<WorkItemClosed>());
        Assert.Equal(("a", WorkItemOutcome.Cancelled), (closed.StepId, closed.Outcome));
        Assert.Contains(new TimersCancelled("a", 1), plan.Effects);
        // "b" was next after the dropped "a".
        Assert.Equal(["b"], plan.Opened);
        Assert.Equal(["b"], instance.OpenSteps);
    }

    [Fact]
    public void A_new_step_where_a_dropped_one_was_opens()
    {
        var instance = Started(V1(Steps(Task("a"), Task("old"), Task("c"))));
        instance.Complete("a").Applied();

        var plan = Moved(instance.Migrate(V2(Steps(Task("a"), Task("replacement"), Task("c"))), Drop("old")));

        Assert.Equal(["replacement"], plan.Opened);
    }

    [Fact]
    public void A_new_step_before_the_open_one_is_not_run_and_one_after_it_runs_in_turn()
    {
        var instance = Started(V1(Steps(Task("a"), Task("b"))));
        instance.Complete("a").Applied();

        var plan = Moved(instance.Migrate(V2(Steps(Task("before"), Task("a"), Task("b"), Task("after")))));

        Assert.Empty(plan.Opened);
        Assert.Equal(["after"], instance.Complete("b").Applied().Opened());
        Assert.DoesNotContain(instance.History.OfType<WorkItemOpened>(), o => o.StepId == "before");
    }

    [Fact]
    public void A_finished_step_the_new_version_places_after_the_open_one_is_passed_over_not_run_again()
    {
        var instance = Started(V1(Steps(Task("a"), Task("b"), Task("c"))));
        instance.Complete("a").Applied();

        var plan = Moved(instance.Migrate(V2(Steps(Task("b"), Task("a"), Task("c")))));

        Assert.Equal(["a"], plan.PassedOver);
        var result = instance.Complete("b").Applied();
        Assert.Equal(["c"], result.Opened());
        Assert.Contains(result.Journal, j => j.Type == "passed" && j.StepId == "a");
        Assert.Single(instance.History.OfType<WorkItemOpened>(), o => o.StepId == "a");
    }

    [Fact]
    public void A_finished_step_moved_to_a_later_stage_is_passed_over_there()
    {
        var instance = Started(V1(Steps(Task("a")), Steps(Task("b")), Steps(Task("c"))));
        instance.Complete("a").Applied();

        Moved(instance.Migrate(V2(Steps(Task("x")), Steps(Task("b")), Steps(Task("a"), Task("c")))));

        var result = instance.Complete("b").Applied();
        Assert.Equal(["c"], result.Opened());
        Assert.Single(instance.History.OfType<WorkItemOpened>(), o => o.StepId == "a");
    }

    [Fact]
    public void A_branch_added_to_a_parallel_under_way_opens_and_the_join_waits_for_it()
    {
        var instance = Started(V1(Steps(Parallel("together", [Task("p1")], [Task("p2")]), Task("after"))));
        instance.Complete("p1").Applied();

        var plan = Moved(instance.Migrate(V2(Steps(Parallel("together", [Task("p1")], [Task("p2")], [Task("p3")]), Task("after")))));

        Assert.Equal(["p3"], plan.Opened);
        Assert.Equal([0], instance.State.Joins["together"]);
        Assert.Empty(instance.Complete("p2").Applied().Opened());
        Assert.Equal(["after"], instance.Complete("p3").Applied().Opened());
    }

    [Fact]
    public void A_branch_removed_from_a_parallel_with_its_open_task_dropped_lets_the_join_go_on()
    {
        var instance = Started(V1(Steps(Parallel("together", [Task("p1")], [Task("p2")], [Task("p3")]), Task("after"))));
        instance.Complete("p1").Applied();

        var plan = Moved(instance.Migrate(V2(Steps(Parallel("together", [Task("p1")], [Task("p2")]), Task("after"))), Drop("p3")));

        Assert.Empty(plan.Opened);
        Assert.Equal(["after"], instance.Complete("p2").Applied().Opened());
    }

    [Fact]
    public void A_stage_added_before_the_current_one_is_not_run_and_one_added_after_it_is()
    {
        var instance = Started(V1(Steps(Task("a")), Steps(Task("b"))));
        instance.Complete("a").Applied();
        var v2 = V2Stages(Stage("stage-0", 1, Task("new-early")), Stage("stage-1", 2, Task("a")), Stage("stage-2", 3, Task("b")),
            Stage("stage-3", 4, Task("new-late")));

        var plan = Moved(instance.Migrate(v2));

        Assert.Equal(2, instance.State.StageIndex);
        Assert.Equal(3, plan.Progress!.StageNumber);
        Assert.Equal(["new-late"], instance.Complete("b").Applied().Opened());
        Assert.DoesNotContain(instance.History.OfType<WorkItemOpened>(), o => o.StepId == "new-early");
    }

    [Fact]
    public void A_removed_current_stage_with_its_open_task_dropped_goes_on_to_the_next_stage()
    {
        var instance = Started(V1(Steps(Task("a")), Steps(Task("b")), Steps(Task("c"))));
        instance.Complete("a").Applied();
        var v2 = V2Stages(Stage("stage-1", 1, Task("a")), Stage("stage-3", 2, Task("c")));

        var plan = Moved(instance.Migrate(v2, Drop("b")));

        Assert.Equal(["c"], plan.Opened);
        Assert.Equal(1, instance.State.StageIndex);
        Assert.Contains(plan.Journal, j => j.Type == "stage-started");
    }

    [Fact]
    public void A_task_whose_due_rule_changed_gets_its_due_date_and_reminders_recomputed_from_the_day_it_opened()
    {
        var reminders = new ReminderRules([3], OnDueDate: true, Overdue: null);
        var instance = Started(V1(Steps(Task("a", due: DaysAfterStart(7), reminders: reminders))));
        instance.AdvanceDays(2);

        var plan = Moved(instance.Migrate(V2(Steps(Task("a", due: DaysAfterStart(21), reminders: reminders)))));

        var move = Assert.Single(plan.Moves);
        Assert.True(move.TimersRecomputed);
        Assert.Equal(Zones.EndOfDay(2026, 3, 9, offsetHours: 2), move.DueBefore);
        Assert.Equal(Zones.EndOfDay(2026, 3, 23, offsetHours: 2), move.DueAfter);
        Assert.Contains(new TimersCancelled("a", 1), plan.Effects);
        var timers = plan.Effects.OfType<TimerScheduled>().ToList();
        Assert.Equal([TimerPurpose.Reminder, TimerPurpose.DueToday], timers.Select(t => t.Purpose));
        Assert.All(timers, t => Assert.True(t.DueAt > instance.Now));
        Assert.Equal(move.DueAfter, Assert.Single(plan.Effects.OfType<WorkItemRestated>()).DueAt);
        Assert.Equal(move.DueAfter, instance.State.Active["a"].DueAt);
    }

    [Fact]
    public void A_task_whose_rules_did_not_change_keeps_its_timers()
    {
        var reminders = new ReminderRules([3], OnDueDate: true, Overdue: null);
        var instance = Started(V1(Steps(Task("a", due: DaysAfterStart(7), reminders: reminders))));

        var plan = Moved(instance.Migrate(V2(Steps(Task("a", due: DaysAfterStart(7), reminders: new ReminderRules([3], true, null))))));

        Assert.False(plan.Moves[0].TimersRecomputed);
        Assert.DoesNotContain(plan.Effects, e => e is TimersCancelled or TimerScheduled);
    }

    [Fact]
    public void A_timer_step_whose_delay_changed_is_due_by_the_new_delay_from_when_it_started()
    {
        var instance = Started(V1(Steps(Timer("wait", TimeSpan.FromDays(10)), Task("after"))));

        var plan = Moved(instance.Migrate(V2(Steps(Timer("wait", TimeSpan.FromDays(3)), Task("after")))));

        Assert.Equal(new TimerScheduled("wait", 1, TimerPurpose.Resume, Monday.AddDays(3)), Assert.Single(plan.Effects.OfType<TimerScheduled>()));
    }

    [Fact]
    public void An_open_visit_keeps_its_proposal_under_a_new_id()
    {
        var instance = Started(V1(Steps(Visit("visit"), Task("after"))));
        instance.Propose("visit", new DateOnly(2026, 4, 1)).Applied();

        Moved(instance.Migrate(V2(Steps(Visit("study-visit"), Task("after"))), Map(("visit", "study-visit"))));

        Assert.Equal(VisitPhase.Proposed, instance.State.Visits["study-visit"].Phase);
        instance.Confirm("study-visit").Applied();
    }

    [Fact]
    public void A_mapping_to_a_step_of_another_kind_or_to_nothing_is_named_in_its_check()
    {
        var v1 = V1(Steps(Task("a"), Approval("gate")));
        var v2 = V2(Steps(Task("a"), Approval("gate-2"), Task("t")));

        var errors = new StepMapping(new Dictionary<string, string> { ["gate"] = "t", ["nope"] = "a" }, ["a"]).Check(v1, v2);

        Assert.Contains("approval step", errors["mapping.gate"][0]);
        Assert.Contains("v1 has no step 'nope'", errors["mapping.nope"][0]);
        Assert.Contains("still a step of v2", errors["drop"][0]);
    }

    [Fact]
    public void An_open_task_whose_id_is_another_kind_of_step_in_the_new_version_is_refused()
    {
        var instance = Started(V1(Steps(Task("a"), Task("b"))));

        var plan = instance.Migrate(V2(Steps(Approval("a"), Task("b"))));

        Assert.Contains("approval step", Assert.Single(plan.Refusals).Reason);
    }

    [Fact]
    public void A_completed_instance_is_skipped()
    {
        var instance = Started(V1(Steps(Task("a"))));
        instance.Complete("a").Applied();

        var plan = instance.Migrate(V2(Steps(Task("a"), Task("b"))));

        Assert.NotNull(plan.Skipped);
        Assert.Empty(plan.Effects);
        Assert.Equal(1, instance.Definition.Version);
    }

    [Fact]
    public void A_suspended_instance_moves_when_nothing_opens_and_is_refused_when_something_would()
    {
        var instance = Started(V1(Steps(Task("a"), Task("b"))));
        instance.Run(new SuspendInstance(Actors.Facilitator, "pause")).Applied();

        Assert.NotEmpty(instance.Migrate(V2(Steps(Task("b"))), Drop("a")).Refusals);
        Moved(instance.Migrate(V2(Steps(Task("a"), Task("b")))));
        Assert.Equal(InstanceStatus.Suspended, instance.Status);
    }
}
