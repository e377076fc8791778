using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Engine.Tests.Support;
using static Mentoring.Engine.Tests.Support.Build;

namespace Mentoring.Engine.Tests.Runtime;

public class TaskTests
{
    /// <summary>Monday 2 March 2026, 09:00 in Brussels, 10:00 in Riga.</summary>
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    private static Instance Started(params StepDefinition[][] stages) => StartedAt(Monday, stages);

    private static Instance StartedAt(DateTimeOffset now, params StepDefinition[][] stages)
    {
        var instance = new Instance(Workflow(stages), new PairServices(), now);
        instance.Start().Applied();
        return instance;
    }

    [Fact]
    public void Start_enters_the_first_stage_and_opens_its_task_due_at_the_end_of_the_local_day_in_Riga()
    {
        var instance = new Instance(Workflow(Steps(Task("needs-self-assessment", Role.Mentee, DaysAfterStart(7)))), new PairServices(), Monday);

        var result = instance.Start().Applied();

        Assert.Equal(0, Assert.Single(result.Of<StageEntered>()).Index);
        var opened = Assert.Single(result.Of<WorkItemOpened>());
        Assert.Equal(("needs-self-assessment", 1, WorkItemKind.Task, Role.Mentee, "stage-1"),
            (opened.StepId, opened.Activation, opened.Kind, opened.Assignee, opened.StageId));
        Assert.Equal(Zones.EndOfDay(2026, 3, 9, offsetHours: 2), opened.DueAt);
        Assert.Equal(TimeSpan.FromHours(2), opened.DueAt!.Value.Offset);
        Assert.Equal(new Progress(InstanceStatus.Running, 1, "stage-1", "Stage 1", opened.DueAt), result.Progress);
        Assert.Equal(["started", "stage-started", "task-opened"], result.Journal.Select(j => j.Type));
    }

    [Fact]
    public void A_mentor_task_is_due_at_the_end_of_the_day_in_Brussels()
    {
        var instance = StartedAt(Monday, Steps(Task("strengths", Role.Mentor, DaysAfterStart(7))));

        Assert.Equal(Zones.EndOfDay(2026, 3, 9, offsetHours: 1), instance.State.Active["strengths"].DueAt);
    }

    [Fact]
    public void The_due_date_counts_from_the_day_the_stage_started_in_the_assignees_zone()
    {
        // 22:30 UTC on Monday is already Tuesday 00:30 in Riga.
        var instance = StartedAt(new DateTimeOffset(2026, 3, 2, 22, 30, 0, TimeSpan.Zero),
            Steps(Task("needs", Role.Mentee, DaysAfterStart(7))));

        Assert.Equal(Zones.EndOfDay(2026, 3, 10, offsetHours: 2), instance.State.Active["needs"].DueAt);
    }

    [Fact]
    public void A_due_date_after_the_spring_change_ends_at_local_midnight_in_summer_time()
    {
        // Riga moves to UTC+3 on Sunday 29 March 2026.
        var instance = StartedAt(new DateTimeOffset(2026, 3, 23, 8, 0, 0, TimeSpan.Zero), Steps(Task("needs", Role.Mentee, DaysAfterStart(7))));

        Assert.Equal(Zones.EndOfDay(2026, 3, 30, offsetHours: 3), instance.State.Active["needs"].DueAt);
    }

    [Fact]
    public void A_task_without_a_due_rule_has_no_due_date_and_no_reminders()
    {
        var instance = new Instance(Workflow(Steps(Task("whenever", reminders: new ReminderRules([7], true, null)))), new PairServices(), Monday);

        var result = instance.Start().Applied();

        Assert.Null(Assert.Single(result.Of<WorkItemOpened>()).DueAt);
        Assert.Empty(result.Of<TimerScheduled>());
    }

    [Fact]
    public void Opening_a_task_schedules_its_reminders_at_nine_in_the_assignees_zone()
    {
        var reminders = new ReminderRules([7, 2], OnDueDate: true, new OverdueRule(EveryDays: 3, Max: 4, CopyFacilitatorFrom: 2));
        var instance = new Instance(Workflow(Steps(Task("needs", Role.Mentee, DaysAfterStart(21), reminders: reminders))), new PairServices(), Monday);

        var timers = instance.Start().Applied().Of<TimerScheduled>().ToList();

        // Due Monday 23 March (Riga, UTC+2): the two-day reminder would fall on Saturday, so it goes on Friday.
        Assert.Equal(
        [
            (TimerPurpose.Reminder, Zones.Local(2026, 3, 16, 9, 0, 2)),
            (TimerPurpose.Reminder, Zones.Local(2026, 3, 20, 9, 0, 2)),
            (TimerPurpose.DueToday, Zones.Local(2026, 3, 23, 9, 0, 2)),
            (TimerPurpose.Overdue, Zones.Local(2026, 3, 24, 9, 0, 2)),
        ], timers.Select(t => (t.Purpose, t.DueAt)));
        Assert.All(timers, t => Assert.Equal(("needs", 1, "mentee"), (t.StepId, t.Activation, t.Data!["role"])));
    }

    [Fact]
    public void Completing_a_task_needs_the_note_link_and_file_it_requires()
    {
        var instance = Started(Steps(Task("good-practices", Role.Mentor, requires: [Requirement.Note, Requirement.Link, Requirement.File])));

        var rejection = instance.Complete("good-practices", note: " ", link: null, fileId: "").Rejected(RejectionKind.Invalid);

        Assert.Equal(["file", "link", "note"], rejection.FieldErrors!.Keys.Order());
        Assert.True(instance.IsOpen("good-practices"));
    }

    [Fact]
    public void A_choice_sent_to_a_task_that_offers_none_is_refused_not_stored()
    {
        var instance = Started(Steps(Task("strengths", Role.Mentor)));

        var rejection = instance.Complete("strengths", choice: "yes").Rejected(RejectionKind.Invalid);

        Assert.Equal("This task takes no choice; leave it out.", Assert.Single(rejection.FieldErrors!["choice"]));
        Assert.True(instance.IsOpen("strengths"));
    }

    [Fact]
    public void A_task_that_requires_only_a_note_completes_with_a_note()
    {
        var instance = Started(Steps(Task("strengths", Role.Mentor, requires: [Requirement.Note])));

        instance.Complete("strengths", note: "Our reception offices", link: null, fileId: null).Applied();

        Assert.Equal(InstanceStatus.Completed, instance.Status);
    }

    [Theory]
    [InlineData("ftp://files.example.org/plan.pdf")]
    [InlineData("javascript:alert(1)")]
    [InlineData("www.schaerbeek.be")]
    public void A_link_must_be_a_web_address(string link)
    {
        var instance = Started(Steps(Task("good-practices", Role.Mentor, requires: [Requirement.Link])));

        var rejection = instance.Complete("good-practices", link: link).Rejected(RejectionKind.Invalid);

        Assert.Equal("link", Assert.Single(rejection.FieldErrors!.Keys));
    }

    [Fact]
    public void Completing_a_task_closes_it_with_its_result_and_opens_the_next()
    {
        var instance = Started(Steps(Task("first", Role.Mentee, DaysAfterStart(7)), Task("second", Role.Mentor)));

        var result = instance.Complete("first", note: "Needs listed", link: "https://jelgava.lv/needs", fileId: "file-7").Applied();

        var closed = Assert.Single(result.Of<WorkItemClosed>());
        Assert.Equal(("first", 1, WorkItemOutcome.Completed, Actors.Mentee), (closed.StepId, closed.Activation, closed.Outcome, closed.By));
        Assert.Equal("Needs listed", closed.Result!["note"]);
        Assert.Equal("https://jelgava.lv/needs", closed.Result["link"]);
        Assert.Equal("file-7", closed.Result["fileId"]);
        Assert.Equal(new TimersCancelled("first", 1), Assert.Single(result.Of<TimersCancelled>()));
        Assert.Equal(["second"], result.Opened());
    }

    [Theory]
    [InlineData("mentee")]
    [InlineData("mentor")]
    [InlineData("facilitator")]
    public void The_other_side_may_not_complete_a_task(string assigneeId)
    {
        var assignee = Role.Of(assigneeId);
        var instance = Started(Steps(Task("task", assignee)));
        var other = assignee == Role.Mentee ? Actors.Mentor : Actors.Mentee;

        instance.Complete("task", by: other).Rejected(RejectionKind.Forbidden);

        Assert.True(instance.IsOpen("task"));
    }

    [Theory]
    [InlineData("mentee")]
    [InlineData("mentor")]
    [InlineData("both")]
    public void The_facilitator_may_complete_a_task_for_anyone(string assigneeId)
    {
        var assignee = Role.Of(assigneeId);
        var instance = Started(Steps(Task("task", assignee)));

        instance.Complete("task", by: Actors.Facilitator).Applied();

        Assert.Equal(InstanceStatus.Completed, instance.Status);
    }

    [Theory]
    [InlineData("mentor")]
    [InlineData("mentee")]
    public void Either_coordinator_may_complete_a_task_for_both(string sideId)
    {
        var side = new ActorRole(sideId);
        var instance = Started(Steps(Task("finalise-benchmark", Role.Both)));

        instance.Complete("finalise-benchmark", by: side == ActorRole.Mentor ? Actors.Mentor : Actors.Mentee).Applied();
    }

    [Fact]
    public void Completing_a_task_twice_is_not_open()
    {
        var instance = Started(Steps(Task("first"), Task("second")));
        var activation = instance.Activation("first");
        instance.Complete("first").Applied();

        instance.Run(new CompleteTask(Actors.Mentee, "first", activation, "Again")).Rejected(RejectionKind.NotOpen);
    }

    [Fact]
    public void A_command_for_another_activation_is_not_open()
    {
        var instance = Started(Steps(Task("first")));

        instance.Run(new CompleteTask(Actors.Mentee, "first", Activation: 2, "Done")).Rejected(RejectionKind.NotOpen);
    }

    [Fact]
    public void A_step_that_does_not_exist_or_is_not_a_task_is_not_open()
    {
        var instance = Started(Steps(Task("first"), Approval("approve")));

        instance.Run(new CompleteTask(Actors.Mentee, "nothing", 1, "Done")).Rejected(RejectionKind.NotOpen);
        instance.Run(new Approve(Actors.Facilitator, "first", 1)).Rejected(RejectionKind.NotOpen);
    }

    [Fact]
    public void Completing_the_last_step_of_the_last_stage_completes_the_instance()
    {
        var instance = Started(Steps(Task("first")), Steps(Task("last", Role.Mentor)));
        instance.Complete("first").Applied();

        var result = instance.Complete("last").Applied();

        Assert.Equal(InstanceStatus.Completed, result.State.Status);
        Assert.Equal(new Progress(InstanceStatus.Completed, 2, "stage-2", "Stage 2", null), result.Progress);
        Assert.Equal(["task-completed", "stage-completed", "completed"], result.Journal.Select(j => j.Type));
        Assert.Empty(result.State.Active);
    }

    [Fact]
    public void Nothing_moves_once_the_instance_is_completed()
    {
        var instance = Started(Steps(Task("only")));
        var activation = instance.Activation("only");
        instance.Complete("only").Applied();

        instance.Run(new CompleteTask(Actors.Mentee, "only", activation, "Again")).Rejected(RejectionKind.Conflict);
        instance.Run(new SuspendInstance(Actors.Facilitator, "pause")).Rejected(RejectionKind.Conflict);
        instance.Run(new CancelInstance(Actors.Facilitator, "stop")).Rejected(RejectionKind.Conflict);
    }

    [Fact]
    public void Starting_twice_is_a_conflict()
    {
        var instance = Started(Steps(Task("first")));

        instance.Start().Rejected(RejectionKind.Conflict);
    }

    [Fact]
    public void Progress_shows_the_earliest_due_date_of_the_open_tasks()
    {
        var instance = new Instance(Workflow(Steps(Parallel("both-sides",
            [Task("needs", Role.Mentee, DaysAfterStart(21))],
            [Task("strengths", Role.Mentor, DaysAfterStart(14))]))), new PairServices(), Monday);

        var result = instance.Start().Applied();

        Assert.Equal(Zones.EndOfDay(2026, 3, 16, offsetHours: 1), result.Progress.NextDueAt);
    }
}
