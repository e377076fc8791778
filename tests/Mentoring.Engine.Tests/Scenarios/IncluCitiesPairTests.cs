using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Engine.Tests.Support;

namespace Mentoring.Engine.Tests.Scenarios;

/// <summary>
/// Pair 4 of IncluCities (Schaerbeek mentors Jelgava) through all seven steps of workflows/inclucities/inclucities-pair.v1.json,
/// in simulated time: people do what is open, a couple of days apart; the programme raises its events when the pair
/// waits for them; visits happen on their dates and the consultation timer runs its two weeks.
/// </summary>
public class IncluCitiesPairTests
{
    /// <summary>Monday 12 January 2026, 09:00 in Brussels.</summary>
    private static readonly DateTimeOffset KickOff = new(2026, 1, 12, 8, 0, 0, TimeSpan.Zero);

    private static readonly Lazy<Run> Completed = new(() =>
    {
        var run = Begin();
        run.People.WorkUntil(() => false);
        return run;
    });

    private static Run Begin()
    {
        var file = Path.Combine(Repository.Workflows, "inclucities", "inclucities-pair.v1.json");
        var definition = DefinitionParser.Parse(file, File.ReadAllText(file));
        var programme = new PairServices();
        var pair = new Instance(definition, programme, KickOff);
        pair.Start().Applied();
        return new Run(pair, new People(pair, programme, decisions: new() { ["extraWorkshop"] = "yes" }));
    }

    private sealed record Run(Instance Pair, People People);

    [Fact]
    public void The_pair_goes_through_the_seven_stages_in_order_and_completes()
    {
        var (pair, _) = Completed.Value;

        Assert.Equal([1, 2, 3, 4, 5, 6, 7], pair.History.OfType<StageEntered>().Select(s => s.Stage.Number));
        Assert.Equal(InstanceStatus.Completed, pair.Status);
        Assert.Empty(pair.State.Active);
        Assert.Equal("completed", pair.Journal[^1].Type);
    }

    [Fact]
    public void Every_task_visit_and_approval_is_completed_once()
    {
        var (pair, _) = Completed.Value;
        var humanSteps = pair.Definition.Steps.Values.Select(l => l.Step)
            .Where(s => s is TaskStep or StudyVisitStep or ApprovalStep).Select(s => s.Id);

        var completed = pair.History.OfType<WorkItemClosed>().Where(c => c.Outcome == WorkItemOutcome.Completed).Select(c => c.StepId);

        Assert.Equal(humanSteps.Order(), completed.Where(humanSteps.Contains).Order());
        Assert.DoesNotContain(pair.History.OfType<WorkItemClosed>(), c => c.Outcome != WorkItemOutcome.Completed);
    }

    [Fact]
    public void Every_task_and_approval_is_completed_by_its_own_side()
    {
        var (pair, _) = Completed.Value;

        foreach (var closed in pair.History.OfType<WorkItemClosed>())
        {
            switch (pair.Definition.Locate(closed.StepId).Step)
            {
                case TaskStep task:
                    Assert.True(closed.By.CanActFor(task.Assignee, pair.Definition) && closed.By.Role != ActorRole.Facilitator,
                        $"{task.Id} ({task.Assignee}) was completed by {closed.By.Role}");
                    break;
                case ApprovalStep:
                    Assert.Equal(ActorRole.Facilitator, closed.By.Role);
                    break;
            }
        }
    }

    [Fact]
    public void Each_visit_is_proposed_by_its_proposer_and_confirmed_by_its_confirmer()
    {
        var (pair, _) = Completed.Value;

        foreach (var visit in pair.Definition.StepsOf<StudyVisitStep>())
        {
            var proposed = Assert.Single(pair.Journal, j => j.Type == "visit-proposed" && j.StepId == visit.Id);
            var confirmed = Assert.Single(pair.Journal, j => j.Type == "visit-confirmed" && j.StepId == visit.Id);
            Assert.Equal(Actors.For(visit.Proposer), proposed.By);
            Assert.Equal(Actors.For(visit.Confirmer), confirmed.By);
        }

        Assert.Equal(
            [("visit-1", Role.Mentee), ("visit-2", Role.Mentor), ("visit-3", Role.Mentee)],
            pair.Definition.StepsOf<StudyVisitStep>().Select(v => (v.Id, v.Proposer)));
    }

    [Fact]
    public void Each_visit_is_held_on_its_date_and_gets_its_two_follow_ups()
    {
        var (pair, _) = Completed.Value;

        foreach (var visit in pair.State.Visits)
        {
            var held = Assert.Single(pair.Journal, j => j.Type == "visit-held" && j.StepId == visit.Key);
            Assert.Equal(visit.Value.Date, NudgeSchedule.LocalDate(held.At, Zones.Riga));
            Assert.Equal(VisitPhase.Reported, visit.Value.Phase);
        }

        // Per visit: the report reminder to each city in its own slot, the action-plan update to the mentee.
        Assert.Equal(9, pair.History.OfType<TimerScheduled>().Count(t => t.Purpose == TimerPurpose.FollowUp));
    }

    [Fact]
    public void The_programme_events_release_the_waiting_pair()
    {
        var (pair, people) = Completed.Value;

        Assert.Equal(["mentoring-training-held", "training-academy-held"], people.EventsRaised);
        var released = pair.History.OfType<WorkItemClosed>().Where(c => pair.Definition.Locate(c.StepId).Step is WaitForEventStep).ToList();
        Assert.Equal(["wait-mentoring-training", "wait-training-academy"], released.Select(c => c.StepId));
        Assert.All(released, c => Assert.Equal(Actor.System, c.By));
    }

    [Fact]
    public void The_local_consultation_timer_runs_its_two_weeks()
    {
        var (pair, _) = Completed.Value;

        var started = Assert.Single(pair.Journal, j => j.Type == "timer-started" && j.StepId == "local-consultation");
        var elapsed = Assert.Single(pair.Journal, j => j.Type == "timer-elapsed" && j.StepId == "local-consultation");

        Assert.Equal(started.At.AddDays(14), elapsed.At);
        Assert.Contains(pair.History.OfType<TimerScheduled>(), t => t is { StepId: "local-consultation", Purpose: TimerPurpose.Resume });
    }

    [Fact]
    public void The_choice_for_an_extra_workshop_opens_it()
    {
        var (pair, people) = Completed.Value;

        Assert.Equal("yes", pair.State.Variables["extraWorkshop"]);
        Assert.Contains("hold-extra-workshop", people.Done);
    }

    [Fact]
    public void Every_task_with_a_due_rule_had_its_due_date_by_the_time_it_was_done()
    {
        var (pair, people) = Completed.Value;

        var withRule = pair.Definition.StepsOf<TaskStep>().Where(t => t.Due is not null).Select(t => t.Id).ToList();

        Assert.All(withRule, id => Assert.NotNull(people.DueWhenDone[id]));
        Assert.Equal(Zones.EndOfDay(2026, 2, 2, 2), people.DueWhenDone["mentee-needs-self-assessment"]);
    }

    [Fact]
    public void The_start_of_stages_2_4_5_and_7_is_announced_to_both_cities_and_the_facilitator()
    {
        var (pair, _) = Completed.Value;

        var announcements = pair.History.OfType<EmailRequested>().Where(e => e.Template == "stage-started").ToList();

        Assert.Equal(["2", "4", "5", "7"], announcements.Select(e => e.Data["stage.number"]));
        Assert.All(announcements, e => Assert.Equal(["sophie", "ilze", "migration-work"], e.Recipients!.Select(r => r.PersonId)));
    }

    [Fact]
    public void Sending_back_the_draft_action_plan_reopens_its_tasks_but_keeps_the_first_visit()
    {
        var (pair, people) = Begin();
        people.WorkUntil(() => pair.IsOpen("approve-draft-action-plan"));
        var visitDate = pair.State.Visits["visit-1"].Date!.Value;

        var sentBack = pair.SendBack("approve-draft-action-plan", "The budget and the indicators are missing.").Applied();

        Assert.Equal(4, Assert.Single(sentBack.Of<StageEntered>()).Stage.Number);
        Assert.Equal(["prepare-visit-1"], sentBack.Opened());
        people.WorkUntil(() => pair.IsOpen("approve-draft-action-plan"));

        Assert.Equal(["action-planning-started-mail", "visit-1"],
            pair.Journal.Where(j => j.Type == "kept").Select(j => j.StepId));
        Assert.Equal(1, pair.History.OfType<EmailRequested>().Count(e => e.StepId == "action-planning-started-mail"));
        Assert.Equal(1, pair.State.Activations["visit-1"]);
        Assert.Equal(2, pair.State.Activations["draft-action-plan"]);
        Assert.Equal(NudgeSchedule.AtLocal(visitDate.AddDays(31), TimeOnly.MinValue, Zones.Riga).AddTicks(-1),
            people.DueWhenDone["draft-action-plan"]);

        people.WorkUntil(() => false);
        Assert.Equal([1, 2, 3, 4, 4, 5, 6, 7], pair.History.OfType<StageEntered>().Select(s => s.Stage.Number));
        Assert.Equal(InstanceStatus.Completed, pair.Status);
    }

    /// <summary>The coordinators, the facilitator and the programme: each does what is open for them, one thing at a time.</summary>
    private sealed class People(Instance pair, PairServices programme, Dictionary<string, string> decisions)
    {
        private readonly List<string> _order = [.. pair.Definition.Steps.Keys];

        public List<string> Done { get; } = [];
        public List<string> EventsRaised { get; } = [];
        public Dictionary<string, DateTimeOffset?> DueWhenDone { get; } = [];

        /// <summary>Works until the instance ends or <paramref name="stop"/> holds.</summary>
        public void WorkUntil(Func<bool> stop)
        {
            for (var actions = 0; pair.Status == InstanceStatus.Running && !stop(); actions++)
            {
                Assert.True(actions < 300, "The pair is stuck; open: " + string.Join(", ", pair.OpenSteps));
                if (DoOneThing()) pair.AdvanceDays(2);
                else WaitForTheNextDate();
            }
        }

        private bool DoOneThing()
        {
            var state = pair.State;
            foreach (var (stepId, active) in state.Active.OrderBy(a => _order.IndexOf(a.Key)))
            {
                var command = pair.Definition.Locate(stepId).Step switch
                {
                    TaskStep task => Complete(task, active),
                    StudyVisitStep visit => Advance(visit, active, state.Visits[visit.Id]),
                    ApprovalStep approval => new Approve(Actors.Facilitator, approval.Id, active.Activation, "Approved."),
                    WaitForEventStep wait => ProgrammeRaises(wait.Event),
                    TimerStep timer when pair.Now >= active.DueAt => new TimerElapsed(timer.Id, active.Activation),
                    _ => null,
                };
                if (command is null) continue;
                pair.Run(command).Applied();
                if (command is CompleteTask or ReportVisit or Approve) Done.Add(stepId);
                return true;
            }

            return false;
        }

        /// <summary>The task's own side (the mentor city for shared ones) with exactly what the task requires.</summary>
        private CompleteTask Complete(TaskStep task, ActiveStep active)
        {
            DueWhenDone[task.Id] = active.DueAt;
            var by = task.Assignee == Role.Both ? Actors.Mentor : Actors.For(task.Assignee);
            return new CompleteTask(by, task.Id, active.Activation,
                Note: task.Requires.Contains(Requirement.Note) ? $"{task.Title}: done." : null,
                Link: task.Requires.Contains(Requirement.Link) ? $"https://jelgava.lv/inclucities/{task.Id}" : null,
                FileId: task.Requires.Contains(Requirement.File) ? $"file-{task.Id}" : null,
                Choice: task.Choice is { } choice ? decisions[choice.Variable] : null);
        }

        /// <summary>Proposed three weeks ahead in the host city, confirmed, held on the day, reported.</summary>
        private WorkflowCommand? Advance(StudyVisitStep visit, ActiveStep active, VisitRecord record) => record.Phase switch
        {
            VisitPhase.Proposing => new ProposeVisit(Actors.For(visit.Proposer), visit.Id, active.Activation,
                DateOnly.FromDateTime(pair.Now.UtcDateTime).AddDays(21), visit.Proposer == Role.Mentee ? "Schaerbeek" : "Jelgava"),
            VisitPhase.Proposed => new ConfirmVisit(Actors.For(visit.Confirmer), visit.Id, active.Activation),
            VisitPhase.Confirmed when NudgeSchedule.LocalDate(pair.Now, Zones.Riga) >= record.Date =>
                new RecordVisitHeld(Actors.Mentee, visit.Id, active.Activation, ["Ilze Kalniņa", "Sophie Lambert", "Jelgava language school"]),
            VisitPhase.Held => new ReportVisit(Actors.Mentor, visit.Id, active.Activation, $"Report of '{visit.Title}'.", null),
            _ => null,
        };

        private DeliverEvent ProgrammeRaises(string eventName)
        {
            programme.Raise(eventName);
            EventsRaised.Add(eventName);
            return new DeliverEvent(eventName);
        }

        /// <summary>Nobody has anything to do: time passes until a visit's day or a timer's end.</summary>
        private void WaitForTheNextDate()
        {
            var state = pair.State;
            var visitDays = state.Visits.Values.Where(v => v.Phase == VisitPhase.Confirmed)
                .Select(v => new DateTimeOffset(v.Date!.Value.ToDateTime(new TimeOnly(8, 0)), TimeSpan.Zero));
            var timers = state.Active.Values.Where(a => a.Kind == WorkItemKind.Timer).Select(a => a.DueAt!.Value);
            var next = visitDays.Concat(timers).Where(at => at > pair.Now).DefaultIfEmpty().Min();
            Assert.True(next != default, "Nothing to do and nothing to wait for; open: " + string.Join(", ", pair.OpenSteps));
            pair.Now = next;
        }
    }
}
