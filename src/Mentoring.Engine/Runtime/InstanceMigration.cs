using Mentoring.Engine.Definitions;

namespace Mentoring.Engine.Runtime;

/// <summary>How the steps of one definition version become the steps of another: by id unless
/// <see cref="Renames"/> says otherwise (<c>{ "fromStep": "toStep" }</c>); <see cref="Drops"/> are the old version's
/// steps the new one has no place for, named so that dropping an open one is a decision, not an accident.</summary>
public sealed record StepMapping(IReadOnlyDictionary<string, string> Renames, IReadOnlyCollection<string> Drops)
{
    public static readonly StepMapping ById = new(new Dictionary<string, string>(), []);

    /// <summary>What is wrong with the mapping itself, whatever instance it is used on, by field (<c>mapping.x</c>,
    /// <c>drop</c>); empty when it fits the two versions.</summary>
    public IReadOnlyDictionary<string, string[]> Check(WorkflowDefinition from, WorkflowDefinition to)
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string field, string message) =>
            (errors.TryGetValue(field, out var list) ? list : errors[field] = []).Add(message);
        foreach (var (source, target) in Renames)
        {
            var field = $"mapping.{source}";
            if (!from.Steps.ContainsKey(source)) Add(field, $"v{from.Version} has no step '{source}'.");
            if (!to.Steps.TryGetValue(target, out var location)) Add(field, $"v{to.Version} has no step '{target}'.");
            else if (from.Steps.TryGetValue(source, out var old) && old.Step.Type != location.Step.Type)
                Add(field, $"'{source}' is a {old.Step.Type} step, '{target}' a {location.Step.Type} step: a step moves only to one of its kind.");
            // A target the old version has too would give two steps' rows one id.
            if (source != target && from.Steps.ContainsKey(target))
                Add(field, $"'{target}' is a step of v{from.Version} too: the two steps' history would share one id.");
            if (Drops.Contains(source)) Add(field, $"'{source}' is both mapped and dropped.");
        }

        foreach (var duplicate in Renames.GroupBy(r => r.Value).Where(g => g.Count() > 1))
            Add($"mapping.{duplicate.Skip(1).First().Key}", $"'{duplicate.Key}' is the target of {string.Join(" and ", duplicate.Select(d => $"'{d.Key}'"))}.");
        foreach (var drop in Drops)
        {
            if (!from.Steps.ContainsKey(drop)) Add("drop", $"v{from.Version} has no step '{drop}'.");
            else if (to.Steps.ContainsKey(drop))
                Add("drop", $"'{drop}' is still a step of v{to.Version}; drop only steps it no longer has.");
        }

        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
    }

    /// <summary>The new version's id for an old step: renamed, the same, or null when it is gone.</summary>
    public string? Target(string fromStepId, WorkflowDefinition to) =>
        Renames.TryGetValue(fromStepId, out var renamed) ? renamed
        : Drops.Contains(fromStepId) ? null
        : to.Steps.ContainsKey(fromStepId) ? fromStepId : null;
}

/// <summary>An open work item that goes on under the new version, with its due date by the new step's rules.</summary>
public sealed record StepMove(string FromStep, string ToStep, WorkItemKind Kind, int Activation, DateTimeOffset? DueBefore,
    DateTimeOffset? DueAfter, bool TimersRecomputed);

/// <summary>Why an instance cannot move as asked; <see cref="StepId"/> names the old version's step concerned.</summary>
public sealed record MigrationRefusal(string? StepId, string Reason);

/// <summary>What moving one instance does: refused (nothing to write), skipped (nothing to move), or the new state
/// with its effects and journal to write in one transaction, like a resume.</summary>
public sealed record MigrationPlan(
    IReadOnlyList<MigrationRefusal> Refusals,
    string? Skipped,
    IReadOnlyList<StepMove> Moves,
    IReadOnlyList<string> Dropped,
    IReadOnlyList<string> Opened,
    IReadOnlyList<string> PassedOver,
    InstanceState State,
    IReadOnlyList<Effect> Effects,
    IReadOnlyList<JournalRecord> Journal,
    Progress? Progress)
{
    public bool Refused => Refusals.Count > 0;
}

/// <summary>
/// Moves one instance from its definition version to another. Pure, as <see cref="WorkflowRunner"/> is: the state and
/// both versions in, the new state with its effects out. What ended stays ended and never runs again; open work items
/// keep their activation, history and timers (their due dates and reminders recomputed by the new step's rules when
/// those differ); a step the new version adds before the instance's position is not run, one at its position (a new
/// branch of a parallel under way, the step after a dropped one) opens; a step the new version places after the
/// position, but that ended already, is passed over when reached. The result is an instance the runner resumes
/// normally on the new version.
/// </summary>
public sealed class InstanceMigration
{
    public MigrationPlan Plan(WorkflowDefinition from, WorkflowDefinition to, InstanceState state, StepMapping mapping,
        IWorkflowServices services, DateTimeOffset now, Actor by)
    {
        if (from.Id != to.Id) throw new ArgumentException($"'{from.Id}' cannot move to another workflow ('{to.Id}').", nameof(to));
        if (state.Status is InstanceStatus.Completed or InstanceStatus.Cancelled)
            return Skip(state, $"{state.Status.ToString().ToLowerInvariant()}: nothing is left to move");
        if (state.Status == InstanceStatus.Faulted)
            return Refuse(state, new MigrationRefusal(state.Fault?.StepId, "The workflow is faulted; retry or cancel it before moving it."));
        var errors = mapping.Check(from, to);
        if (errors.Count > 0)
            return Refuse(state, [.. errors.SelectMany(e => e.Value.Select(m => new MigrationRefusal(null, $"{e.Key}: {m}")))]);

        var planner = new Planner(from, to, state, mapping);
        var refusals = planner.Prepare();
        if (refusals.Count > 0) return Refuse(state, [.. refusals]);

        var run = new WorkflowRunner.Execution(to, planner.NewState, services, now);
        var plan = planner.Apply(run, by);
        return plan.Refused ? Refuse(state, [.. plan.Refusals]) : plan;
    }

    private static MigrationPlan Skip(InstanceState state, string why) => new([], why, [], [], [], [], state, [], [], null);

    private static MigrationPlan Refuse(InstanceState state, params MigrationRefusal[] refusals) =>
        new(refusals, null, [], [], [], [], state, [], [], null);

    /// <summary>One instance's move, in two halves: <see cref="Prepare"/> reads the old position and builds the new
    /// state, <see cref="Apply"/> settles the new version's position with the runner's own step entry.</summary>
    private sealed class Planner(WorkflowDefinition from, WorkflowDefinition to, InstanceState old, StepMapping mapping)
    {
        private readonly Dictionary<string, string> _movedOpen = [];   // old id -> new id
        private readonly List<string> _dropped = [];
        private readonly HashSet<string> _done = [];                    // new ids of steps that ended on the old version
        private readonly HashSet<string> _openPath = [];                // new ids of open steps and the steps that hold them
        private readonly HashSet<string> _touched = [];                 // ... and of ended steps and what holds them
        private readonly List<string> _passed = [];
        private readonly List<MigrationRefusal> _refusals = [];
        private int _stage;
        private bool _enterStage;

        public InstanceState NewState { get; private set; } = new();

        public List<MigrationRefusal> Prepare()
        {
            foreach (var (stepId, _) in old.Active)
            {
                var target = mapping.Target(stepId, to);
                var title = from.Steps.TryGetValue(stepId, out var location) ? location.Step.Title : stepId;
                if (target is not null && location is not null && to.Locate(target).Step.Type != location.Step.Type)
                    _refusals.Add(new MigrationRefusal(stepId, $"'{title}' ({stepId}) is an open {location.Step.Type} step, but " +
                        $"'{target}' is a {to.Locate(target).Step.Type} step in v{to.Version}: map it to a step of its type or drop it."));
                else if (target is not null && location?.Step is ApprovalStep gate && to.Locate(target).Step is ApprovalStep next
                         && !SameLevelsSoFar(gate, next, old.Active[stepId].Level))
                    // The levels decided already and the one waiting must read the same in the new version: otherwise
                    // an approval given would count for someone else, or the gate would wait on the wrong approver.
                    _refusals.Add(new MigrationRefusal(stepId, $"'{title}' ({stepId}) waits at approval level {old.Active[stepId].Level + 1} " +
                        $"({gate.Approvers[old.Active[stepId].Level].Id}), and v{to.Version} orders its approvers " +
                        $"{string.Join(", ", next.Approvers.Select(r => r.Id))}: move it once the gate is decided, or keep the levels up to this one."));
                else if (target is not null) _movedOpen[stepId] = target;
                else if (mapping.Drops.Contains(stepId)) _dropped.Add(stepId);
                else
                    _refusals.Add(new MigrationRefusal(stepId,
                        $"'{title}' ({stepId}) is open, and v{to.Version} has no such step: map it to a step of v{to.Version} or drop it explicitly."));
            }

            if (_refusals.Count > 0) return _refusals;

            foreach (var oldId in DoneOnOldVersion())
                if (mapping.Target(oldId, to) is { } target) _done.Add(target);
            foreach (var target in _movedOpen.Values) AddWithHolders(_openPath, target);
            foreach (var target in _openPath.Concat(_done).ToList()) AddWithHolders(_touched, target);

            var stages = _movedOpen.Values.Select(StageOf).Distinct().ToList();
            if (stages.Count > 1)
                _refusals.Add(new MigrationRefusal(null, "The open steps would be in different stages of v" + to.Version + ": " +
                    string.Join(", ", _movedOpen.Select(m => $"{m.Value} ({to.Stages[StageOf(m.Value)].Id})")) + "."));
            if (_refusals.Count > 0) return _refusals;

            var currentStageId = from.Stages[old.StageIndex].Id;
            if (stages.Count == 1) _stage = stages[0];
            else if (IndexOfStage(currentStageId) is { } same) _stage = same;
            else
            {
                // The stage the instance is in is gone and nothing of it stays open: go on at the place it had, after
                // the last earlier stage the new version still has.
                var before = Enumerable.Range(0, old.StageIndex).Reverse().Select(i => IndexOfStage(from.Stages[i].Id)).FirstOrDefault(i => i is not null);
                _stage = before is { } b ? b + 1 : 0;
                _enterStage = true;
            }

            NewState = Rebuild();
            return _refusals;
        }

        public MigrationPlan Apply(WorkflowRunner.Execution run, Actor by)
        {
            var effects = run.Effects;
            var moves = new List<StepMove>();
            foreach (var (stepId, _) in old.Active.Where(a => _dropped.Contains(a.Key)))
            {
                // Closed under its old id: the row and its timers are the old version's.
                run.State.Active[stepId] = old.Active[stepId];
                run.Close(stepId, WorkItemOutcome.Cancelled, by, new Dictionary<string, object?> { ["reason"] = $"dropped moving to v{to.Version}" });
            }

            foreach (var (oldId, newId) in Renamed()) effects.Add(new StepRenamed(oldId, newId));
            foreach (var (oldId, visit) in old.Visits.Where(v => mapping.Target(v.Key, to) is null && !old.Active.ContainsKey(v.Key)))
                effects.Add(new TimersCancelled(oldId, visit.Activation)); // follow-ups of a visit the new version does not have
            foreach (var (oldId, newId) in _movedOpen) moves.Add(Move(run, oldId, newId));

            var journalStart = run.Journal.Count;
            var stageEnded = _enterStage || Resolve(to.Stages[_stage].Steps, run, startIfUntouched: true);
            if (_refusals.Count > 0) return Refusal(null);
            // A suspended instance runs no step, so one the new version would open now would be lost.
            if (old.Status == InstanceStatus.Suspended && (stageEnded || run.Queued > 0))
                return Refusal($"The workflow is suspended and steps would open on v{to.Version}; resume it before moving it.");
            if (_enterStage) run.EnterStage(_stage);
            else if (stageEnded) run.EndSequence(new StageOwner(_stage));
            run.Drain();

            var opened = effects.OfType<WorkItemOpened>().Select(o => o.StepId).ToList();
            run.Journal.Insert(journalStart, new JournalRecord(run.Now, "migrated", null, by, new Dictionary<string, object?>
            {
                ["definition"] = to.Id, ["fromVersion"] = from.Version, ["toVersion"] = to.Version,
                ["moved"] = moves.Select(m => new Dictionary<string, string> { ["from"] = m.FromStep, ["to"] = m.ToStep }).ToList(),
                ["dropped"] = _dropped.ToList(), ["opened"] = opened, ["passedOver"] = _passed.ToList(),
            }));
            return new MigrationPlan([], null, moves, [.. _dropped], opened, [.. _passed], run.State, effects, run.Journal, run.Progress());
        }

        private MigrationPlan Refusal(string? reason)
        {
            if (reason is not null) _refusals.Add(new MigrationRefusal(null, reason));
            return new MigrationPlan([.. _refusals], null, [], [], [], [], old, [], [], null);
        }

            /// <summary>Settles one sequence of the new version around the instance's position; true when it has ended.
        /// Steps to run are queued on <paramref name="run"/> for its <see cref="WorkflowRunner.Execution.Drain"/>.</summary>
        private bool Resolve(IReadOnlyList<StepDefinition> sequence, WorkflowRunner.Execution run, bool startIfUntouched)
        {
            var open = Enumerable.Range(0, sequence.Count).Where(i => _openPath.Contains(sequence[i].Id)).ToList();
            int at;
            if (open.Count > 1)
            {
                _refusals.Add(new MigrationRefusal(null, $"Open steps would follow one another in v{to.Version}: " +
                    string.Join(", ", open.Select(i => sequence[i].Id)) + "; only one step of a sequence can be open."));
                return false;
            }

            if (open.Count == 1)
            {
                at = open[0];
                // The new version moved them after the open step: they ended already, so they are passed over.
                foreach (var later in sequence.Skip(at + 1).Where(s => _touched.Contains(s.Id)))
                    foreach (var id in SelfAndNested(later).Where(_done.Contains).Where(id => !_passed.Contains(id)))
                    {
                        _passed.Add(id);
                        run.State.Passed.Add(id);
                    }

                if (_movedOpen.ContainsValue(sequence[at].Id) || !Holder(sequence[at], run)) return false;
            }
            else
            {
                at = Enumerable.Range(0, sequence.Count).LastOrDefault(i => _touched.Contains(sequence[i].Id), -1);
                if (at < 0)
                {
                    if (!startIfUntouched || sequence.Count == 0) return true;
                    run.Enqueue(sequence[0].Id);
                    return false;
                }

                if (!_done.Contains(sequence[at].Id) && !Holder(sequence[at], run)) return false;
            }

            if (at + 1 >= sequence.Count) return true;
            run.Enqueue(sequence[at + 1].Id);
            return false;
        }

        /// <summary>A parallel or condition holding the position: true when it has ended.</summary>
        private bool Holder(StepDefinition step, WorkflowRunner.Execution run)
        {
            switch (step)
            {
                case ParallelStep parallel:
                {
                    var ended = new List<int>();
                    for (var b = 0; b < parallel.Branches.Count; b++)
                        if (Resolve(parallel.Branches[b], run, startIfUntouched: true)) ended.Add(b);
                    if (ended.Count == parallel.Branches.Count) return true;
                    run.State.Joins[parallel.Id] = ended;
                    return false;
                }
                case ConditionStep condition:
                    var branch = condition.Then.Any(s => _touched.Contains(s.Id)) ? condition.Then
                        : condition.Else.Any(s => _touched.Contains(s.Id)) ? condition.Else : null;
                    return branch is null || Resolve(branch, run, startIfUntouched: false);
                default:
                    return true;
            }
        }

        private StepMove Move(WorkflowRunner.Execution run, string oldId, string newId)
        {
            var active = run.State.Active[newId];
            var before = old.Active[oldId].DueAt;
            var oldStep = from.Locate(oldId).Step;
            var step = to.Locate(newId).Step;
            var recomputed = false;
            switch (step)
            {
                case TaskStep task:
                    var oldTask = (TaskStep)oldStep;
                    if (oldTask.Due != task.Due || oldTask.Assignee != task.Assignee || !SameReminders(oldTask.Reminders, task.Reminders))
                    {
                        active.DueAt = run.DueAt(task, active.OpenedAt);
                        run.Effects.Add(new TimersCancelled(newId, active.Activation));
                        run.ScheduleReminders(task, active.Activation, active.DueAt);
                        recomputed = true;
                    }

                    break;
                case TimerStep timer when ((TimerStep)oldStep).Delay != timer.Delay:
                    active.DueAt = active.OpenedAt + timer.Delay;
                    run.Effects.Add(new TimersCancelled(newId, active.Activation));
                    run.Effects.Add(new TimerScheduled(newId, active.Activation, TimerPurpose.Resume, active.DueAt.Value));
                    recomputed = true;
                    break;
                case StudyVisitStep visit when run.State.Visits.TryGetValue(newId, out var record):
                    var oldVisit = (StudyVisitStep)oldStep;
                    if (record.Phase == VisitPhase.Proposing && oldVisit.Planning != visit.Planning
                        && !(oldVisit.Planning is { } p && visit.Planning is { } q && p.Title == q.Title
                             && p.ProposeWithinDays == q.ProposeWithinDays && SameReminders(p.Reminders, q.Reminders)))
                    {
                        run.Effects.Add(new TimersCancelled(newId, active.Activation));
                        run.SchedulePlanning(visit, active.Activation);
                        recomputed = true;
                    }
                    else if (record.Phase == VisitPhase.Held && !oldVisit.FollowUps.SequenceEqual(visit.FollowUps, FollowUpComparer.Instance))
                    {
                        run.Effects.Add(new TimersCancelled(newId, active.Activation));
                        run.ScheduleFollowUps(visit, record);
                        recomputed = true;
                    }

                    break;
            }

            var assignee = step switch
            {
                TaskStep t => t.Assignee, StudyVisitStep v => v.Proposer, ApprovalStep a => a.Approvers[active.Level], _ => (Role?)null,
            };
            run.Effects.Add(new WorkItemRestated(newId, active.Activation, step.Title, step.Description, assignee,
                to.Stages[StageOf(newId)].Id, active.DueAt));
            return new StepMove(oldId, newId, active.Kind, active.Activation, before, active.DueAt, recomputed);
        }

        private static bool SameLevelsSoFar(ApprovalStep from, ApprovalStep to, int level) =>
            level < to.Approvers.Count && from.Approvers.Take(level + 1).SequenceEqual(to.Approvers.Take(level + 1));

        private static bool SameReminders(ReminderRules? a, ReminderRules? b) =>
            a is null || b is null ? a is null && b is null
            : a.DaysBefore.SequenceEqual(b.DaysBefore) && a.OnDueDate == b.OnDueDate && a.Overdue == b.Overdue;

        private sealed class FollowUpComparer : IEqualityComparer<FollowUp>
        {
            public static readonly FollowUpComparer Instance = new();
            public bool Equals(FollowUp? x, FollowUp? y) => x is not null && y is not null && x.DaysAfter == y.DaysAfter
                && x.Template == y.Template && x.To.SequenceEqual(y.To) && x.UnlessVisitIs == y.UnlessVisitIs;
            public int GetHashCode(FollowUp obj) => HashCode.Combine(obj.DaysAfter, obj.Template);
        }

        /// <summary>The new state before the position is settled: ids renamed, what the new version lacks left out.</summary>
        private InstanceState Rebuild()
        {
            string? Target(string id) => mapping.Target(id, to);
            var sameStage = !_enterStage && to.Stages[_stage].Id == from.Stages[old.StageIndex].Id;
            var state = new InstanceState
            {
                Status = old.Status, StageIndex = _stage, StageStartedAt = old.StageStartedAt,
                Variables = new Dictionary<string, string>(old.Variables),
                Activations = old.Activations.Where(a => Target(a.Key) is not null).ToDictionary(a => Target(a.Key)!, a => a.Value),
                Visits = old.Visits.Where(v => Target(v.Key) is not null).ToDictionary(v => Target(v.Key)!, v => WorkflowRunner.Execution.Snapshot(v.Value)),
                EndedInStage = sameStage ? [.. old.EndedInStage.Select(Target).OfType<string>()] : [],
                Keep = sameStage ? [.. old.Keep.Select(Target).OfType<string>()] : [],
                Passed = [.. old.Passed.Select(Target).OfType<string>()],
            };
            foreach (var (oldId, newId) in _movedOpen)
            {
                var active = old.Active[oldId];
                state.Active[newId] = new ActiveStep
                {
                    Activation = active.Activation, Kind = active.Kind, OpenedAt = active.OpenedAt, DueAt = active.DueAt, Level = active.Level,
                };
            }

            // Passed over further on: what ended already and the new version places in a later stage.
            foreach (var id in _done.Where(id => StageOf(id) > _stage && !state.Passed.Contains(id)))
            {
                state.Passed.Add(id);
                if (!_passed.Contains(id)) _passed.Add(id);
            }

            return state;
        }

        /// <summary>Old steps with rows (work items or timers) whose id changes.</summary>
        private IEnumerable<(string, string)> Renamed() =>
            old.Activations.Keys.Select(id => (id, mapping.Target(id, to))).Where(p => p.Item2 is not null && p.Item2 != p.id)
                .Select(p => (p.id, p.Item2!));

        /// <summary>Old steps that ended: every step of the stages before, and in the current stage every step before
        /// an open one, in a branch that joined, or ended in the stage (a visit held, an email sent).</summary>
        private HashSet<string> DoneOnOldVersion()
        {
            var done = new HashSet<string>();
            for (var i = 0; i < old.StageIndex && i < from.Stages.Count; i++)
                foreach (var step in from.Stages[i].Steps) done.UnionWith(SelfAndNested(step));
            var onPath = new HashSet<string>();
            foreach (var open in old.Active.Keys)
                for (string? id = open; id is not null; id = HolderOf(from, id)) onPath.Add(id);
            Mark(from.Stages[old.StageIndex].Steps);
            done.UnionWith(old.EndedInStage);
            done.UnionWith(_dropped);
            return done;

            void Mark(IReadOnlyList<StepDefinition> sequence)
            {
                var last = Enumerable.Range(0, sequence.Count).LastOrDefault(i => onPath.Contains(sequence[i].Id), -1);
                for (var i = 0; i < last; i++) done.UnionWith(SelfAndNested(sequence[i]));
                if (last < 0) return;
                switch (sequence[last])
                {
                    case ParallelStep parallel:
                        var joined = old.Joins.GetValueOrDefault(parallel.Id) ?? [];
                        for (var b = 0; b < parallel.Branches.Count; b++)
                            if (joined.Contains(b)) foreach (var step in parallel.Branches[b]) done.UnionWith(SelfAndNested(step));
                            else Mark(parallel.Branches[b]);
                        break;
                    case ConditionStep condition:
                        Mark(condition.Then);
                        Mark(condition.Else);
                        break;
                }
            }
        }

        private void AddWithHolders(HashSet<string> set, string id)
        {
            for (string? at = id; at is not null; at = HolderOf(to, at)) set.Add(at);
        }

        private static string? HolderOf(WorkflowDefinition definition, string stepId) => definition.Locate(stepId).Sequence.Owner switch
        {
            BranchOwner branch => branch.Parallel.Id,
            ConditionOwner condition => condition.Condition.Id,
            _ => null,
        };

        private int StageOf(string newId)
        {
            var id = newId;
            while (HolderOf(to, id) is { } holder) id = holder;
            return ((StageOwner)to.Locate(id).Sequence.Owner).StageIndex;
        }

        private int? IndexOfStage(string stageId)
        {
            for (var i = 0; i < to.Stages.Count; i++) if (to.Stages[i].Id == stageId) return i;
            return null;
        }

        private static IEnumerable<string> SelfAndNested(StepDefinition step) =>
            step switch
            {
                ParallelStep parallel => parallel.Branches.SelectMany(b => b).SelectMany(SelfAndNested).Prepend(step.Id),
                ConditionStep condition => condition.Then.Concat(condition.Else).SelectMany(SelfAndNested).Prepend(step.Id),
                _ => [step.Id],
            };
    }
}
