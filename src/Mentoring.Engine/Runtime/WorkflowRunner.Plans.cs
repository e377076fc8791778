using System.Globalization;
using Mentoring.Engine.Definitions;

namespace Mentoring.Engine.Runtime;

// The facilitator's plan tools (PlanCommands.cs): moving due dates, pauses, and what happened before it was entered.
public sealed partial class WorkflowRunner
{
    internal sealed partial class Execution
    {
        /// <summary>Set by a late record: the day it really happened. <see cref="SettleLate"/> acts on it.</summary>
        private DateOnly? _happenedOn;

        private sealed record DatedStep(string StepId, string Title, ActiveStep Active, DateTimeOffset Due, TimeZoneInfo Zone);

        private Rejection? ShiftDueDates(ShiftDueDates command)
        {
            if (FacilitatorOnly(command.By, "move due dates") is { } forbidden) return forbidden;
            var errors = new Dictionary<string, string[]>();
            if (command.Days == 0) errors["days"] = ["Move the dates by at least one day."];
            if (string.IsNullOrWhiteSpace(command.Reason)) errors["reason"] = ["Say why the plan moves: the history keeps it."];
            if (errors.Count > 0) return new Rejection(RejectionKind.Invalid, "The plan cannot be moved.", errors);

            var moves = Dated().Where(m => command.StepId is null || m.StepId == command.StepId).ToList();
            if (command.StepId is not null && moves.Count == 0)
                return new Rejection(RejectionKind.NotOpen, $"'{command.StepId}' is not open with a due date.");
            // Moving forward is always allowed, even when a date stays in the past (an overdue task given more time).
            if (command.Days < 0
                && moves.Select(m => (m, Due: PlanShift.ByDays(m.Due, command.Days, m.Zone))).FirstOrDefault(x => x.Due < now) is
                    { m: { } late } past)
                return new Rejection(RejectionKind.Invalid, "The plan cannot be moved into the past.", new Dictionary<string, string[]>
                {
                    ["days"] = [$"'{late.Title}' would be due on {NudgeSchedule.LocalDate(past.Due, late.Zone):yyyy-MM-dd}, a day gone by."],
                });

            Move(moves, command.Days);
            Record("plan-shifted", command.StepId, command.By, new()
            {
                ["days"] = command.Days, ["reason"] = command.Reason.Trim(), ["steps"] = moves.Select(m => m.StepId).ToList(),
            });
            return null;
        }

        private Rejection? NotePause(NotePause command)
        {
            if (FacilitatorOnly(command.By, "pause the programme") is { } forbidden) return forbidden;
            Record("programme-paused", null, command.By, new() { ["reason"] = command.Reason });
            return null;
        }

        private Rejection? ResumeAfterPause(ResumeAfterPause command)
        {
            if (FacilitatorOnly(command.By, "resume the programme") is { } forbidden) return forbidden;
            if (command.Days < 0)
                return new Rejection(RejectionKind.Invalid, "A pause cannot move dates back.",
                    new Dictionary<string, string[]> { ["days"] = ["Give the length of the pause in days, or 0."] });
            var moves = Dated();
            if (command.Days != 0)
            {
                Move(moves, command.Days);
                // Follow-ups of visits held before or during the pause are pending timers too: they wait as long.
                foreach (var (stepId, visit) in State.Visits.Where(v => v.Value.Phase is VisitPhase.Held or VisitPhase.Reported))
                    Effects.Add(new TimersShifted(stepId, visit.Activation, command.Days));
            }

            Record("programme-resumed", null, command.By, new()
            {
                ["days"] = command.Days, ["reason"] = command.Reason, ["steps"] = command.Days == 0 ? new List<string>() : moves.Select(m => m.StepId).ToList(),
            });
            return null;
        }

        private Rejection? RecordVisitHeldLate(RecordVisitHeldLate command)
        {
            if (Open<StudyVisitStep>(command.StepId, command.Activation, out var step) is { } notOpen) return notOpen;
            if (FacilitatorOnly(command.By, "record a visit after the fact") is { } forbidden) return forbidden;
            var visit = State.Visits[step.Id];
            if (visit.Phase is VisitPhase.Held or VisitPhase.Reported)
                return new Rejection(RejectionKind.Conflict, $"The visit is {Describe(visit.Phase)} already.");
            var zone = services.TimeZoneOf(step.Proposer);
            var errors = new Dictionary<string, string[]>();
            if (command.Date > LocalToday(zone))
                errors["date"] = ["That day is still to come: propose the visit instead. A late record is for a visit already held."];
            if (string.IsNullOrWhiteSpace(command.HostCity)) errors["hostCity"] = ["Name the host city."];
            var participants = command.Participants.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p.Trim()).ToList();
            if (participants.Count == 0) errors["participants"] = ["List who took part."];
            if (errors.Count > 0) return new Rejection(RejectionKind.Invalid, "The visit cannot be recorded.", errors);

            // The visit took place: the prompts to propose a date for it have nothing left to ask.
            if (visit.Phase == VisitPhase.Proposing && step.Planning is not null) Effects.Add(new TimersCancelled(step.Id, visit.Activation));
            visit.Phase = VisitPhase.Held;
            visit.Date = command.Date;
            visit.HostCity = command.HostCity.Trim();
            visit.ProposedBy ??= command.By.Name;
            visit.Participants = participants;
            var active = State.Active[step.Id];
            active.DueAt = EndOfDay(command.Date, zone);
            Effects.Add(new WorkItemUpdated(step.Id, visit.Activation, active.DueAt, Snapshot(visit)));
            Record("visit-held", step.Id, command.By, new()
            {
                ["participants"] = participants, ["date"] = command.Date.ToString("O"), ["hostCity"] = visit.HostCity,
                ["recordedLate"] = true,
            });
            _happenedOn = command.Date;
            RefreshVisitDueDates(step.Id);
            ScheduleFollowUps(step, visit);
            return null;
        }

        private Rejection? CompleteTaskLate(CompleteTaskLate command)
        {
            if (Open<TaskStep>(command.StepId, command.Activation, out var step) is { } notOpen) return notOpen;
            if (FacilitatorOnly(command.By, "record a task after the fact") is { } forbidden) return forbidden;
            if (command.Date > LocalToday(services.TimeZoneOf(step.Assignee)))
                return new Rejection(RejectionKind.Invalid, "The task cannot be recorded.", new Dictionary<string, string[]>
                {
                    ["date"] = ["That day is still to come. A late record is for what was done on a day gone by."],
                });
            var rejection = CompleteTask(new CompleteTask(command.By, command.StepId, command.Activation, command.Note, command.Link,
                command.FileId, command.Choice));
            if (rejection is null) _happenedOn = command.Date;
            return rejection;
        }

        /// <summary>After a late record: what happened is marked "recorded late" with its real date, a programme event it
        /// raised carries that date, and no nudge stays planned for a time gone by (an overdue escalation whose turn
        /// passed gives way to the next one still to come, if any).</summary>
        private void SettleLate()
        {
            if (_happenedOn is not { } date) return;
            var day = date.ToString("O", CultureInfo.InvariantCulture);
            for (var i = 0; i < Journal.Count; i++)
            {
                if (Journal[i].Type is not ("task-completed" or "event-raised")) continue;
                Journal[i] = Journal[i] with
                {
                    Data = new Dictionary<string, object?>(Journal[i].Data) { ["date"] = day, ["recordedLate"] = true },
                };
            }

            var occurredAt = NudgeSchedule.AtLocal(date, new TimeOnly(12, 0), services.TimeZoneOf(Role.Facilitator));
            var settled = new List<Effect>();
            foreach (var effect in Effects)
            {
                switch (effect)
                {
                    case ProgrammeEventRaised raised:
                        settled.Add(raised with { OccurredAt = occurredAt });
                        break;
                    case WorkItemClosed { Result: { } result } closed when closed.Outcome == WorkItemOutcome.Completed:
                        settled.Add(closed with { Result = new Dictionary<string, object?>(result) { ["date"] = day, ["recordedLate"] = true } });
                        break;
                    case TimerScheduled timer when timer.Purpose != TimerPurpose.Resume && PlannedFor(timer) <= now:
                        if (NextEscalation(timer) is { } next) settled.Add(next);
                        break;
                    default:
                        settled.Add(effect);
                        break;
                }
            }

            Effects.Clear();
            Effects.AddRange(settled);
        }

        /// <summary>When the nudge was due by its rule: a follow-up for a visit long past is planned "now" by
        /// <see cref="NudgeSchedule.FollowUpAt"/>, but its day has gone by.</summary>
        private DateTimeOffset PlannedFor(TimerScheduled timer)
        {
            if (timer.Purpose != TimerPurpose.FollowUp || definition.Locate(timer.StepId).Step is not StudyVisitStep step
                || State.Visits.GetValueOrDefault(step.Id)?.Date is not { } visitDate
                || timer.Data?.GetValueOrDefault("followUp") is not { } index
                || !int.TryParse(index, CultureInfo.InvariantCulture, out var i) || i >= step.FollowUps.Count)
                return timer.DueAt;
            // Each coordinator's follow-up is planned in their own zone and calendar (the role in its data).
            var role = RoleOf(timer) ?? step.FollowUps[i].To[0];
            return NudgeSchedule.FollowUpAt(visitDate, step.FollowUps[i].DaysAfter, services.TimeZoneOf(role), services.Calendar, role,
                DateTimeOffset.MinValue);
        }

        private TimerScheduled? NextEscalation(TimerScheduled timer)
        {
            if (timer.Purpose != TimerPurpose.Overdue || definition.Locate(timer.StepId).Step is not TaskStep { Reminders.Overdue: { } rule }
                || State.Active.GetValueOrDefault(timer.StepId)?.DueAt is not { } due)
                return null;
            var role = RoleOf(timer) ?? Role.Both;
            var zone = services.TimeZoneOf(role);
            // After the one it replaces: a facilitator's copy chain starts at CopyFacilitatorFrom, never below it.
            var first = timer.Data?.GetValueOrDefault("count") is { } sent && int.TryParse(sent, CultureInfo.InvariantCulture, out var n) ? n + 1 : 2;
            for (var count = first; count <= rule.Max; count++)
            {
                var at = NudgeSchedule.OverdueAt(due, count, rule, zone, services.Calendar, role);
                if (at <= now) continue;
                var data = new Dictionary<string, string>(timer.Data ?? new Dictionary<string, string>())
                {
                    ["count"] = count.ToString(CultureInfo.InvariantCulture),
                };
                return timer with { DueAt = at, Data = data };
            }

            return null;
        }

        private static Role? RoleOf(TimerScheduled timer) =>
            timer.Data?.GetValueOrDefault("role") is { Length: > 0 } name ? Role.Of(name) : null;

        /// <summary>Open tasks and waits with a due date, each with the zone its date is reckoned in.</summary>
        private List<DatedStep> Dated() =>
            State.Active.Where(a => a.Value.DueAt is not null && a.Value.Kind is WorkItemKind.Task or WorkItemKind.Timer)
                .Select(a =>
                {
                    var step = definition.Locate(a.Key).Step;
                    var zone = services.TimeZoneOf(step is TaskStep task ? task.Assignee : Role.Both);
                    return new DatedStep(a.Key, step.Title, a.Value, a.Value.DueAt!.Value, zone);
                })
                .ToList();

        private void Move(IEnumerable<DatedStep> moves, int days)
        {
            foreach (var move in moves)
            {
                move.Active.DueAt = PlanShift.ByDays(move.Due, days, move.Zone);
                Effects.Add(new WorkItemUpdated(move.StepId, move.Active.Activation, move.Active.DueAt, null));
                Effects.Add(new TimersShifted(move.StepId, move.Active.Activation, days));
            }
        }

        private static Rejection? FacilitatorOnly(Actor by, string what) =>
            by.Role == ActorRole.Facilitator || by.Role == ActorRole.System ? null
                : new Rejection(RejectionKind.Forbidden, $"Only the facilitator can {what}.");
    }
}
