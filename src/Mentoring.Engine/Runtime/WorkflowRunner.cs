using Mentoring.Engine.Definitions;

namespace Mentoring.Engine.Runtime;

/// <summary>
/// Applies one command to one instance. Pure: it reads the definition, the state and the services, and
/// returns the new state with the effects to write; it performs no I/O, so the host can make the whole
/// resume one transaction and retry it safely on a concurrency conflict.
/// </summary>
public sealed partial class WorkflowRunner
{
    public RunResult Run(WorkflowDefinition definition, InstanceState? state, WorkflowCommand command,
        IWorkflowServices services, DateTimeOffset now)
    {
        var execution = new Execution(definition, state ?? new InstanceState(), services, now);
        var rejection = execution.Apply(command);
        return new RunResult(rejection, execution.State, execution.Effects, execution.Journal, execution.Progress());
    }

    /// <summary>One command's run over one instance. The step kinds (<c>Steps/</c>) enter their steps through it.</summary>
    internal sealed partial class Execution(WorkflowDefinition definition, InstanceState state, IWorkflowServices services,
        DateTimeOffset now)
    {
        private readonly Queue<string> _agenda = new();

        public IWorkflowServices Services => services;
        public DateTimeOffset Now => now;
        public InstanceState State { get; } = state;
        public List<Effect> Effects { get; } = [];
        public List<JournalRecord> Journal { get; } = [];

        public Progress Progress()
        {
            var stage = definition.Stages[Math.Clamp(State.StageIndex, 0, definition.Stages.Count - 1)];
            var nextDue = State.Active.Values.Where(a => a.Kind == WorkItemKind.Task && a.DueAt is not null)
                .Select(a => a.DueAt).Min();
            return new Progress(State.Status, stage.Number, stage.Id, stage.Name, nextDue);
        }

        public Rejection? Apply(WorkflowCommand command)
        {
            var rejection = command switch
            {
                StartInstance start => Start(start),
                SuspendInstance suspend => Suspend(suspend),
                ResumeInstance resume => Resume(resume),
                CancelInstance cancel => Cancel(cancel),
                RetryFaulted retry => Retry(retry),
                _ when State.Status != InstanceStatus.Running =>
                    new Rejection(RejectionKind.Conflict, $"The workflow is {State.Status.ToString().ToLowerInvariant()}; nothing can move until it runs again."),
                CompleteTask complete => CompleteTask(complete),
                ProposeVisit propose => ProposeVisit(propose),
                ConfirmVisit confirm => ConfirmVisit(confirm),
                RecordVisitHeld held => RecordVisitHeld(held),
                ReportVisit report => ReportVisit(report),
                Approve approve => Approve(approve),
                SendBack sendBack => SendBack(sendBack),
                DeliverEvent deliver => DeliverEvent(deliver),
                TimerElapsed timer => TimerElapsed(timer),
                ShiftDueDates shift => ShiftDueDates(shift),
                NotePause pause => NotePause(pause),
                ResumeAfterPause resume => ResumeAfterPause(resume),
                RecordVisitHeldLate late => RecordVisitHeldLate(late),
                CompleteTaskLate late => CompleteTaskLate(late),
                _ => throw new ArgumentOutOfRangeException(nameof(command), command, "Unknown command."),
            };
            if (rejection is null)
            {
                Drain();
                SettleLate();
            }

            return rejection;
        }

        private Rejection? Start(StartInstance start)
        {
            // A first step may fault before anything opens, so "started" is the stage clock, not the activations.
            if (State.StageStartedAt != default || State.Activations.Count > 0)
                return new Rejection(RejectionKind.Conflict, "The workflow has started already.");
            foreach (var (name, value) in start.Variables ?? new Dictionary<string, string>()) State.Variables[name] = value;
            Record("started", null, start.By, new() { ["definition"] = definition.Id, ["version"] = definition.Version });
            EnterStage(0);
            return null;
        }

        private Rejection? CompleteTask(CompleteTask command)
        {
            if (Open<TaskStep>(command.StepId, command.Activation, out var step) is { } notOpen) return notOpen;
            if (!command.By.CanActFor(step.Assignee, definition))
                return Forbidden(step.Title, step.Assignee);

            var errors = new Dictionary<string, string[]>();
            if (step.Requires.Contains(Requirement.Note) && string.IsNullOrWhiteSpace(command.Note))
                errors["note"] = ["This task needs a note."];
            if (step.Requires.Contains(Requirement.Link) && string.IsNullOrWhiteSpace(command.Link))
                errors["link"] = ["This task needs a link."];
            if (!string.IsNullOrWhiteSpace(command.Link) && !IsWebLink(command.Link))
                errors["link"] = ["The link must be an http or https address."];
            if (step.Requires.Contains(Requirement.File) && string.IsNullOrWhiteSpace(command.FileId))
                errors["file"] = ["This task needs a file."];
            if (step.Choice is { } choice && (command.Choice is null || !choice.Options.Contains(command.Choice)))
                errors["choice"] = [$"Choose one of: {string.Join(", ", choice.Options)}."];
            // Stored, a choice the task does not offer would read later as a decision somebody made.
            if (step.Choice is null && command.Choice is not null)
                errors["choice"] = ["This task takes no choice; leave it out."];
            if (errors.Count > 0) return new Rejection(RejectionKind.Invalid, "The task cannot be completed yet.", errors);

            if (step.Choice is { } chosen) State.Variables[chosen.Variable] = command.Choice!;
            var result = new Dictionary<string, object?>
            {
                ["note"] = command.Note, ["link"] = command.Link, ["fileId"] = command.FileId, ["choice"] = command.Choice,
            };
            Close(step.Id, WorkItemOutcome.Completed, command.By, result);
            Record("task-completed", step.Id, command.By, result);
            Continue(step.Id);
            return null;
        }

        private Rejection? ProposeVisit(ProposeVisit command)
        {
            if (Open<StudyVisitStep>(command.StepId, command.Activation, out var step) is { } notOpen) return notOpen;
            if (!command.By.CanActFor(step.Proposer, definition)) return Forbidden(step.Title, step.Proposer);
            var visit = State.Visits[step.Id];
            if (visit.Phase is not (VisitPhase.Proposing or VisitPhase.Proposed))
                return new Rejection(RejectionKind.Conflict, $"The visit is {Describe(visit.Phase)}; it can no longer be proposed again.");
            var errors = new Dictionary<string, string[]>();
            if (command.Date < LocalToday(services.TimeZoneOf(step.Proposer))) errors["date"] = ["The date is in the past."];
            if (string.IsNullOrWhiteSpace(command.HostCity)) errors["hostCity"] = ["Name the host city."];
            if (errors.Count > 0) return new Rejection(RejectionKind.Invalid, "The proposal is incomplete.", errors);

            // A date is proposed: the prompts to propose one have done their work.
            if (visit.Phase == VisitPhase.Proposing && step.Planning is not null) Effects.Add(new TimersCancelled(step.Id, visit.Activation));
            visit.Phase = VisitPhase.Proposed;
            visit.Date = command.Date;
            visit.HostCity = command.HostCity.Trim();
            visit.ProposedBy = command.By.Name;
            Effects.Add(new WorkItemUpdated(step.Id, visit.Activation, State.Active[step.Id].DueAt, Snapshot(visit)));
            Record("visit-proposed", step.Id, command.By, new() { ["date"] = command.Date.ToString("O"), ["hostCity"] = visit.HostCity });
            Email("visit-proposed", [step.Confirmer], step.Id, new()
            {
                ["visit.title"] = step.Title, ["visit.date"] = command.Date.ToString("O"), ["visit.host"] = visit.HostCity,
                ["proposer.name"] = command.By.Name,
            });
            return null;
        }

        private Rejection? ConfirmVisit(ConfirmVisit command)
        {
            if (Open<StudyVisitStep>(command.StepId, command.Activation, out var step) is { } notOpen) return notOpen;
            if (!command.By.CanActFor(step.Confirmer, definition)) return Forbidden(step.Title, step.Confirmer);
            var visit = State.Visits[step.Id];
            if (visit.Phase != VisitPhase.Proposed)
                return new Rejection(RejectionKind.Conflict, $"The visit is {Describe(visit.Phase)}; only a proposed visit can be confirmed.");
            visit.Phase = VisitPhase.Confirmed;
            var active = State.Active[step.Id];
            active.DueAt = EndOfDay(visit.Date!.Value, services.TimeZoneOf(step.Proposer));
            Effects.Add(new WorkItemUpdated(step.Id, visit.Activation, active.DueAt, Snapshot(visit)));
            Record("visit-confirmed", step.Id, command.By, new() { ["date"] = visit.Date.Value.ToString("O"), ["hostCity"] = visit.HostCity });
            RefreshVisitDueDates(step.Id);
            return null;
        }

        private Rejection? RecordVisitHeld(RecordVisitHeld command)
        {
            if (Open<StudyVisitStep>(command.StepId, command.Activation, out var step) is { } notOpen) return notOpen;
            if (!command.By.CanActFor(Role.Both, definition)) return Forbidden(step.Title, Role.Both);
            var visit = State.Visits[step.Id];
            if (visit.Phase != VisitPhase.Confirmed)
                return new Rejection(RejectionKind.Conflict, $"The visit is {Describe(visit.Phase)}; only a confirmed visit can be recorded as held.");
            var errors = new Dictionary<string, string[]>();
            if (visit.Date > LocalToday(services.TimeZoneOf(step.Proposer)))
                errors["date"] = [$"The visit is planned for {visit.Date:yyyy-MM-dd}; record it as held on or after that day."];
            var participants = command.Participants.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p.Trim()).ToList();
            if (participants.Count == 0) errors["participants"] = ["List who took part."];
            if (errors.Count > 0) return new Rejection(RejectionKind.Invalid, "The visit cannot be recorded as held.", errors);

            visit.Phase = VisitPhase.Held;
            visit.Participants = participants;
            Effects.Add(new WorkItemUpdated(step.Id, visit.Activation, State.Active[step.Id].DueAt, Snapshot(visit)));
            Record("visit-held", step.Id, command.By, new() { ["participants"] = participants });
            ScheduleFollowUps(step, visit);
            return null;
        }

        private Rejection? ReportVisit(ReportVisit command)
        {
            if (Open<StudyVisitStep>(command.StepId, command.Activation, out var step) is { } notOpen) return notOpen;
            if (!command.By.CanActFor(Role.Both, definition)) return Forbidden(step.Title, Role.Both);
            var visit = State.Visits[step.Id];
            if (visit.Phase != VisitPhase.Held)
                return new Rejection(RejectionKind.Conflict, $"The visit is {Describe(visit.Phase)}; it can be reported once it is held.");
            var errors = new Dictionary<string, string[]>();
            if (string.IsNullOrWhiteSpace(command.Note) && string.IsNullOrWhiteSpace(command.Link))
                errors["note"] = ["Write the report, or give a link to it."];
            if (!string.IsNullOrWhiteSpace(command.Link) && !IsWebLink(command.Link))
                errors["link"] = ["The link must be an http or https address."];
            if (errors.Count > 0) return new Rejection(RejectionKind.Invalid, "The report is incomplete.", errors);

            visit.Phase = VisitPhase.Reported;
            visit.ReportNote = command.Note;
            visit.ReportLink = command.Link;
            Effects.Add(new WorkItemUpdated(step.Id, visit.Activation, State.Active[step.Id].DueAt, Snapshot(visit)));
            var result = new Dictionary<string, object?>
            {
                ["date"] = visit.Date?.ToString("O"), ["hostCity"] = visit.HostCity, ["participants"] = visit.Participants,
                ["note"] = command.Note, ["link"] = command.Link,
            };
            Close(step.Id, WorkItemOutcome.Completed, command.By, result, cancelTimers: false);
            Record("visit-reported", step.Id, command.By, result);
            Continue(step.Id);
            return null;
        }

        private Rejection? Approve(Approve command)
        {
            if (Open<ApprovalStep>(command.StepId, command.Activation, out var step) is { } notOpen) return notOpen;
            var level = State.Active[step.Id].Level;
            if (!MayDecide(command.By, step, level)) return Forbidden(step.Title, step.Approvers[level]);
            var result = new Dictionary<string, object?> { ["comment"] = command.Comment };
            AddLevel(step, level, result);
            Close(step.Id, WorkItemOutcome.Completed, command.By, result);
            Record("approved", step.Id, command.By, result);
            // A level before the last hands the gate on: the next approver gets a work item of their own.
            if (level + 1 < step.Approvers.Count) ApprovalKind.OpenLevel(this, step, level + 1);
            else Continue(step.Id);
            return null;
        }

        private Rejection? SendBack(SendBack command)
        {
            if (Open<ApprovalStep>(command.StepId, command.Activation, out var step) is { } notOpen) return notOpen;
            var level = State.Active[step.Id].Level;
            if (!MayDecide(command.By, step, level)) return Forbidden(step.Title, step.Approvers[level]);
            if (string.IsNullOrWhiteSpace(command.Reason))
                return new Rejection(RejectionKind.Invalid, "Say why the stage is sent back.",
                    new Dictionary<string, string[]> { ["reason"] = ["A reason is required."] });

            var result = new Dictionary<string, object?> { ["reason"] = command.Reason.Trim() };
            AddLevel(step, level, result);
            Close(step.Id, WorkItemOutcome.SentBack, command.By, result);
            foreach (var other in State.Active.Keys.ToList()) Close(other, WorkItemOutcome.Cancelled, command.By, null);
            State.Joins.Clear();
            Record("sent-back", step.Id, command.By, result);
            Email("stage-sent-back", [Role.Both], step.Id, new()
            {
                ["reason"] = command.Reason.Trim(), ["sentBackBy"] = command.By.Name,
            });
            State.Keep = [.. State.EndedInStage];
            EnterStage(State.StageIndex, restart: true);
            return null;
        }

        /// <summary>Only the waiting level's approver decides. The facilitator, who may act for any role elsewhere,
        /// may not decide a city's level of a gate that has a facilitator level too: one person would approve twice.</summary>
        private bool MayDecide(Actor by, ApprovalStep step, int level) =>
            by.CanActFor(step.Approvers[level], definition)
            && !step.Approvers.Where((role, i) => i != level).Any(role => ActorRole.Of(role) == by.Role);

        /// <summary>A gate with levels says in its result and journal which level decided, and of how many.</summary>
        private static void AddLevel(ApprovalStep step, int level, Dictionary<string, object?> result)
        {
            if (step.Approvers.Count == 1) return;
            result["level"] = level + 1;
            result["levels"] = step.Approvers.Count;
            result["approver"] = step.Approvers[level].Id;
        }

        private Rejection? DeliverEvent(DeliverEvent command)
        {
            var waiting = State.Active.Where(a => a.Value.Kind == WorkItemKind.Event
                    && definition.Locate(a.Key).Step is WaitForEventStep wait && wait.Event == command.EventName)
                .Select(a => a.Key).ToList();
            if (waiting.Count == 0)
                return new Rejection(RejectionKind.NotOpen, $"Nothing waits for '{command.EventName}'.");
            foreach (var stepId in waiting)
            {
                Close(stepId, WorkItemOutcome.Completed, command.By, new Dictionary<string, object?> { ["event"] = command.EventName });
                Record("event-received", stepId, command.By, new() { ["event"] = command.EventName });
                Continue(stepId);
            }

            return null;
        }

        private Rejection? TimerElapsed(TimerElapsed command)
        {
            if (Open<TimerStep>(command.StepId, command.Activation, out var step) is { } notOpen) return notOpen;
            Close(step.Id, WorkItemOutcome.Completed, command.By, null);
            Record("timer-elapsed", step.Id, command.By, []);
            Continue(step.Id);
            return null;
        }

        private Rejection? Suspend(SuspendInstance command)
        {
            if (State.Status is not (InstanceStatus.Running or InstanceStatus.Faulted))
                return new Rejection(RejectionKind.Conflict, $"A {State.Status.ToString().ToLowerInvariant()} workflow cannot be suspended.");
            State.Status = InstanceStatus.Suspended;
            Record("suspended", null, command.By, new() { ["reason"] = command.Reason });
            return null;
        }

        private Rejection? Resume(ResumeInstance command)
        {
            if (State.Status != InstanceStatus.Suspended)
                return new Rejection(RejectionKind.Conflict, "Only a suspended workflow can be resumed.");
            State.Status = State.Fault is null ? InstanceStatus.Running : InstanceStatus.Faulted;
            Record("resumed", null, command.By, []);
            return null;
        }

        private Rejection? Cancel(CancelInstance command)
        {
            if (State.Status is InstanceStatus.Completed or InstanceStatus.Cancelled)
                return new Rejection(RejectionKind.Conflict, $"The workflow is {State.Status.ToString().ToLowerInvariant()} already.");
            // Reported visits keep follow-up timers while the pair runs; a cancelled pair gets no more nudges.
            foreach (var (stepId, visit) in State.Visits.Where(v => !State.Active.ContainsKey(v.Key)))
                Effects.Add(new TimersCancelled(stepId, visit.Activation));
            foreach (var stepId in State.Active.Keys.ToList()) Close(stepId, WorkItemOutcome.Cancelled, command.By, null);
            State.Status = InstanceStatus.Cancelled;
            Record("cancelled", null, command.By, new() { ["reason"] = command.Reason });
            return null;
        }

        private Rejection? Retry(RetryFaulted command)
        {
            if (State.Status != InstanceStatus.Faulted || State.Fault is null)
                return new Rejection(RejectionKind.Conflict, "Only a faulted workflow can be retried.");
            var fault = State.Fault;
            State.Fault = null;
            State.Status = InstanceStatus.Running;
            Record("retried", fault.StepId, command.By, new() { ["error"] = fault.Error });
            foreach (var stepId in fault.Pending) _agenda.Enqueue(stepId);
            return null;
        }

        public void EnterStage(int index, bool restart = false)
        {
            if (index >= definition.Stages.Count)
            {
                State.Status = InstanceStatus.Completed;
                Record("completed", null, Actor.System, []);
                return;
            }

            var stage = definition.Stages[index];
            if (!restart) State.Keep = [];
            State.EndedInStage = [];
            State.StageIndex = index;
            State.StageStartedAt = now;
            Effects.Add(new StageEntered(index, stage));
            Record(restart ? "stage-restarted" : "stage-started", null, Actor.System,
                new() { ["stage"] = stage.Id, ["number"] = stage.Number, ["name"] = stage.Name });
            _agenda.Enqueue(stage.Steps[0].Id);
        }

        /// <summary>Runs queued steps until every branch waits. A step that throws faults the instance and keeps
        /// itself and the rest of the queue for a retry.</summary>
        public void Drain()
        {
            while (State.Status == InstanceStatus.Running && _agenda.TryDequeue(out var stepId))
            {
                var step = definition.Locate(stepId).Step;
                try
                {
                    Enter(step);
                }
                catch (Exception e) when (e is not (OutOfMemoryException or InvalidProgramException))
                {
                    State.Fault = new FaultRecord(step.Id, e.Message, now, [step.Id, .. _agenda]);
                    State.Status = InstanceStatus.Faulted;
                    _agenda.Clear();
                    Record("faulted", step.Id, Actor.System, new() { ["error"] = e.Message, ["type"] = e.GetType().Name });
                }
            }
        }

        private void Enter(StepDefinition step)
        {
            if (State.Passed.Remove(step.Id))
            {
                Record("passed", step.Id, Actor.System, new() { ["reason"] = "finished before the instance moved to this version" });
                Continue(step.Id);
                return;
            }

            if (!step.Kind.RedoneOnSendBack && State.Keep.Remove(step.Id))
            {
                State.EndedInStage.Add(step.Id);
                Record("kept", step.Id, Actor.System, new() { ["reason"] = "ended before the stage was sent back" });
                Continue(step.Id);
                return;
            }

            step.Kind.Enter(this, step);
        }

        /// <summary>How many steps wait in the queue to run.</summary>
        public int Queued => _agenda.Count;

        /// <summary>Queues a step to run once the current one is done.</summary>
        public void Enqueue(string stepId) => _agenda.Enqueue(stepId);

        /// <summary>The step ended: go on with the next in its sequence, or end the sequence's owner.</summary>
        public void Continue(string stepId)
        {
            var location = definition.Locate(stepId);
            if (!location.Step.Kind.RedoneOnSendBack && !State.EndedInStage.Contains(stepId))
                State.EndedInStage.Add(stepId);
            if (location.Index + 1 < location.Sequence.Steps.Count)
            {
                _agenda.Enqueue(location.Sequence.Steps[location.Index + 1].Id);
                return;
            }

            EndSequence(location.Sequence.Owner);
        }

        /// <summary>A sequence ran to its end: its stage is complete, its branch joins, its condition goes on.</summary>
        public void EndSequence(SequenceOwner owner)
        {
            switch (owner)
            {
                case StageOwner stage:
                    Record("stage-completed", null, Actor.System, new() { ["stage"] = definition.Stages[stage.StageIndex].Id });
                    EnterStage(stage.StageIndex + 1);
                    break;
                case BranchOwner branch:
                    var ended = State.Joins.TryGetValue(branch.Parallel.Id, out var list) ? list : State.Joins[branch.Parallel.Id] = [];
                    if (!ended.Contains(branch.Branch)) ended.Add(branch.Branch);
                    if (ended.Count == branch.Parallel.Branches.Count)
                    {
                        State.Joins.Remove(branch.Parallel.Id);
                        Continue(branch.Parallel.Id);
                    }

                    break;
                case ConditionOwner condition:
                    Continue(condition.Condition.Id);
                    break;
            }
        }

        public StageDefinition CurrentStage => definition.Stages[State.StageIndex];

        public int Activate(string stepId, WorkItemKind kind)
        {
            var activation = State.Activations[stepId] = State.Activations.GetValueOrDefault(stepId) + 1;
            State.Active[stepId] = new ActiveStep { Activation = activation, Kind = kind, OpenedAt = now };
            return activation;
        }

        public void Close(string stepId, WorkItemOutcome outcome, Actor by, Dictionary<string, object?>? result,
            bool cancelTimers = true)
        {
            var active = State.Active[stepId];
            State.Active.Remove(stepId);
            Effects.Add(new WorkItemClosed(stepId, active.Activation, outcome, by, result));
            // A study visit keeps its follow-up timers when it is reported: they nudge after the visit.
            if (cancelTimers || outcome != WorkItemOutcome.Completed) Effects.Add(new TimersCancelled(stepId, active.Activation));
        }

        private Rejection? Open<T>(string stepId, int activation, out T step) where T : StepDefinition
        {
            step = null!;
            if (!definition.Steps.TryGetValue(stepId, out var location) || location.Step is not T typed)
                return new Rejection(RejectionKind.NotOpen, $"This workflow has no {typeof(T).Name.Replace("Step", "").ToLowerInvariant()} step '{stepId}'.");
            step = typed;
            if (!State.Active.TryGetValue(stepId, out var active) || active.Activation != activation)
                return new Rejection(RejectionKind.NotOpen, $"'{typed.Title}' is not open.");
            return null;
        }

        private Rejection Forbidden(string title, Role role) => new(RejectionKind.Forbidden,
            $"Only the {RoleName(role)} can do this for '{title}'.");

        /// <summary>Who may act, as the refusal names them: a group role's coordinator, a programme role itself.</summary>
        private string RoleName(Role role) =>
            role == Role.Both ? "group's coordinators"
            : definition.RoleNamed(role) is { Scope: RoleScope.Group } group ? $"{group.Name}'s coordinator"
            : definition.Describe(role);

        private static string Describe(VisitPhase phase) => phase switch
        {
            VisitPhase.Proposing => "not proposed yet",
            _ => phase.ToString().ToLowerInvariant(),
        };

        private static bool IsWebLink(string link) =>
            Uri.TryCreate(link.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

        /// <summary>A task's due date, set when it opens (or when the visit it hangs on gets its date). Never before
        /// the end of that day: a task opened after its stage started (behind an earlier step, a programme event, a
        /// late visit date) is not born overdue with its whole escalation chain due at once.</summary>
        /// <param name="openedAt">When the task opened, if not now: a task moved to another definition version keeps
        /// the day it opened.</param>
        public DateTimeOffset? DueAt(TaskStep task, DateTimeOffset? openedAt = null)
        {
            if (task.Due is null) return null;
            var zone = services.TimeZoneOf(task.Assignee);
            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(openedAt ?? now, zone).DateTime);
            switch (task.Due)
            {
                case DaysAfterStageStart rule:
                    var start = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(State.StageStartedAt, zone).DateTime);
                    return EndOfDay(Later(start.AddDays(rule.Days), today.AddDays(rule.MinimumDaysAfterOpen)), zone);
                case DaysAfterOpen rule:
                    return EndOfDay(today.AddDays(rule.Days), zone);
                case DaysAfterVisit rule when State.Visits.TryGetValue(rule.VisitStepId, out var visit)
                                              && visit.Date is { } date && visit.Phase != VisitPhase.Proposed:
                    return EndOfDay(Later(date.AddDays(rule.Days), today), zone);
                default:
                    return null;
            }
        }

        private static DateOnly Later(DateOnly a, DateOnly b) => a > b ? a : b;

        /// <summary>A study visit with planning rules: the proposer is nudged, as for a task, until a date is proposed.</summary>
        public void SchedulePlanning(StudyVisitStep step, int activation)
        {
            if (step.Planning is not { } planning) return;
            var zone = services.TimeZoneOf(step.Proposer);
            var dueAt = EndOfDay(LocalToday(zone).AddDays(planning.ProposeWithinDays), zone);
            var data = new Dictionary<string, string>
            {
                ["planning"] = "true", ["title"] = planning.Title,
                ["due"] = dueAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            };
            foreach (var (purpose, at, timerData) in NudgeSchedule.ForTask(planning.Reminders, dueAt, step.Proposer, services, now, data,
                         definition.ActingGroupRoles))
                Effects.Add(new TimerScheduled(step.Id, activation, purpose, at, timerData));
        }

        /// <summary>A visit got its date: tasks already open whose due date hangs on it get one now.</summary>
        private void RefreshVisitDueDates(string visitStepId)
        {
            foreach (var (stepId, active) in State.Active)
            {
                if (definition.Locate(stepId).Step is not TaskStep { Due: DaysAfterVisit rule } task || rule.VisitStepId != visitStepId)
                    continue;
                active.DueAt = DueAt(task);
                Effects.Add(new TimersCancelled(stepId, active.Activation));
                Effects.Add(new WorkItemUpdated(stepId, active.Activation, active.DueAt, null));
                ScheduleReminders(task, active.Activation, active.DueAt);
            }
        }

        public void ScheduleReminders(TaskStep task, int activation, DateTimeOffset? dueAt)
        {
            if (task.Reminders is not { } rules || dueAt is null) return;
            foreach (var (purpose, at, data) in NudgeSchedule.ForTask(rules, dueAt.Value, task.Assignee, services, now,
                         bothMeans: definition.ActingGroupRoles))
                Effects.Add(new TimerScheduled(task.Id, activation, purpose, at, data));
        }

        public void ScheduleFollowUps(StudyVisitStep step, VisitRecord visit)
        {
            if (visit.Date is not { } date) return;
            for (var i = 0; i < step.FollowUps.Count; i++)
            {
                // One timer per side, each at that side's own slot: a follow-up to both cities is not sent at
                // 09:00 in one of them and 08:00 in the other.
                var followUp = step.FollowUps[i];
                foreach (var role in followUp.To.SelectMany(definition.Expand).Distinct())
                {
                    var at = NudgeSchedule.FollowUpAt(date, followUp.DaysAfter, services.TimeZoneOf(role), services.Calendar, role, now);
                    Effects.Add(new TimerScheduled(step.Id, visit.Activation, TimerPurpose.FollowUp, at, new Dictionary<string, string>
                    {
                        ["followUp"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture), ["role"] = role.ToString().ToLowerInvariant(),
                    }));
                }
            }
        }

        private DateOnly LocalToday(TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);

        private static DateTimeOffset EndOfDay(DateOnly date, TimeZoneInfo zone) =>
            NudgeSchedule.AtLocal(date.AddDays(1), TimeOnly.MinValue, zone).AddTicks(-1);

        public static VisitRecord Snapshot(VisitRecord visit) => new()
        {
            Activation = visit.Activation, Phase = visit.Phase, Date = visit.Date, HostCity = visit.HostCity,
            ProposedBy = visit.ProposedBy, Participants = [.. visit.Participants], ReportNote = visit.ReportNote,
            ReportLink = visit.ReportLink,
        };

        public Dictionary<string, string> StageData() => new()
        {
            ["stage.number"] = CurrentStage.Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["stage.name"] = CurrentStage.Name,
        };

        public void Email(string template, IReadOnlyList<Role> to, string? stepId, Dictionary<string, string> data)
        {
            foreach (var (key, value) in StageData()) data.TryAdd(key, value);
            Effects.Add(new EmailRequested(template, to, stepId, data));
        }

        public void Record(string type, string? stepId, Actor by, Dictionary<string, object?> data) =>
            Journal.Add(new JournalRecord(now, type, stepId, by, data));
    }
}
