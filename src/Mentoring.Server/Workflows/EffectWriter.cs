using System.Text.Json;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Mentoring.Server.Workflows;

/// <summary>Writes a run's effects and journal as rows of the caller's transaction.</summary>
internal static class EffectWriter
{
    public static async Task WriteAsync(MentoringDb db, WorkflowInstance instance, InstanceContext context, RunResult result,
        OutboxWriter outbox, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var effect in result.Effects)
        {
            switch (effect)
            {
                case WorkItemOpened opened:
                    db.WorkItems.Add(new WorkItem
                    {
                        InstanceId = instance.Id, StepId = opened.StepId, Activation = opened.Activation,
                        Kind = Kebab(opened.Kind), Title = opened.Title, Description = opened.Description,
                        Assignee = opened.Assignee?.ToString().ToLowerInvariant(), WaitsFor = opened.WaitsFor,
                        StageId = opened.StageId, Status = WorkItemStatus.Open, OpenedAt = now, DueAt = opened.DueAt,
                        VisitPhase = opened.Kind == WorkItemKind.StudyVisit ? Kebab(VisitPhase.Proposing) : null,
                    });
                    break;
                case WorkItemUpdated updated:
                {
                    var item = await FindAsync(db, instance.Id, updated.StepId, updated.Activation, cancellationToken);
                    item.DueAt = updated.DueAt;
                    if (updated.Visit is { } visit)
                    {
                        item.VisitPhase = Kebab(visit.Phase);
                        item.VisitDate = visit.Date;
                        item.VisitHost = visit.HostCity;
                        item.VisitParticipants = visit.Participants.Count > 0 ? string.Join("\n", visit.Participants) : null;
                    }

                    break;
                }
                case WorkItemClosed closed:
                {
                    var item = await FindAsync(db, instance.Id, closed.StepId, closed.Activation, cancellationToken);
                    item.Status = closed.Outcome switch
                    {
                        WorkItemOutcome.Completed => WorkItemStatus.Completed,
                        WorkItemOutcome.SentBack => WorkItemStatus.SentBack,
                        _ => WorkItemStatus.Cancelled,
                    };
                    item.ClosedAt = now;
                    item.ClosedById = closed.By.Id;
                    item.ClosedByName = closed.By.Name;
                    item.Result = closed.Result is null ? null : JsonSerializer.Serialize(closed.Result, WorkflowHost.Json);
                    break;
                }
                case TimerScheduled timer:
                    db.Timers.Add(TimerRow(instance.Id, timer));
                    break;
                case TimersCancelled cancelled:
                    foreach (var added in db.Timers.Local.Where(t => t.InstanceId == instance.Id && t.StepId == cancelled.StepId
                                                                     && t.Activation == cancelled.Activation).ToList())
                        db.Timers.Remove(added);
                    await db.Timers.Where(t => t.InstanceId == instance.Id && t.StepId == cancelled.StepId
                                               && t.Activation == cancelled.Activation)
                        .ExecuteDeleteAsync(cancellationToken);
                    break;
                case TimersShifted shifted:
                    foreach (var timer in await db.Timers.Where(t => t.InstanceId == instance.Id && t.StepId == shifted.StepId
                                                                     && t.Activation == shifted.Activation).ToListAsync(cancellationToken))
                        timer.DueAt = Plans.WorkingCalendars.Shifted(timer, shifted.Days, context);
                    break;
                case EmailRequested email:
                {
                    var item = email.StepId is null ? null
                        : db.WorkItems.Local.Where(w => w.InstanceId == instance.Id && w.StepId == email.StepId)
                            .MaxBy(w => w.Activation);
                    outbox.Add(db, context, instance, email, now, item?.Id);
                    break;
                }
                case StepRenamed renamed:
                    // Moved to a version where the step has another id: its rows, open and ended, go by the new one.
                    await db.WorkItems.Where(w => w.InstanceId == instance.Id && w.StepId == renamed.FromStepId)
                        .ExecuteUpdateAsync(set => set.SetProperty(w => w.StepId, renamed.ToStepId), cancellationToken);
                    await db.Timers.Where(t => t.InstanceId == instance.Id && t.StepId == renamed.FromStepId)
                        .ExecuteUpdateAsync(set => set.SetProperty(t => t.StepId, renamed.ToStepId), cancellationToken);
                    break;
                case WorkItemRestated restated:
                {
                    var assignee = restated.Assignee?.ToString().ToLowerInvariant();
                    await db.WorkItems.Where(w => w.InstanceId == instance.Id && w.StepId == restated.StepId && w.Activation == restated.Activation)
                        .ExecuteUpdateAsync(set => set.SetProperty(w => w.Title, restated.Title).SetProperty(w => w.Description, restated.Description)
                            .SetProperty(w => w.Assignee, assignee).SetProperty(w => w.StageId, restated.StageId)
                            .SetProperty(w => w.DueAt, restated.DueAt), cancellationToken);
                    break;
                }
                case ProgrammeEventRaised raised:
                    await RaiseAsync(db, instance, raised.EventName, raised.OccurredAt ?? now, cancellationToken);
                    break;
            }
        }

        foreach (var line in result.Journal) db.Journal.Add(JournalRow(instance.Id, line));
    }

    /// <summary>The one writer of programme_events: a signal step's effect, or the workflow host raising one for a feature
    /// (<see cref="WorkflowHost.RaiseProgrammeEventAsync"/>). Raised once per programme and name: false when it was raised
    /// before (in the database or earlier in this unit of work), and nothing is written.</summary>
    public static async Task<bool> RaiseAsync(MentoringDb db, WorkflowInstance source, string eventName, DateTimeOffset occurredAt,
        CancellationToken cancellationToken)
    {
        if (db.ProgrammeEvents.Local.Any(e => e.ProgrammeId == source.ProgrammeId && e.Name == eventName)
            || await db.ProgrammeEvents.AnyAsync(e => e.ProgrammeId == source.ProgrammeId && e.Name == eventName, cancellationToken))
            return false;
        db.ProgrammeEvents.Add(new ProgrammeEvent
        {
            ProgrammeId = source.ProgrammeId, Name = eventName, OccurredAt = occurredAt, SourceInstanceId = source.Id,
        });
        return true;
    }

    /// <summary>Writes what one due nudge timer came to (<see cref="NudgeRules"/>): its next timer at once, its emails
    /// and history line into <paramref name="rows"/>, inserted with the rest of the batch by <see cref="InsertAsync"/>.</summary>
    public static void WriteNudge(MentoringDb db, NudgeRows rows, WorkflowInstance instance, InstanceContext context, Guid workItemId,
        NudgeOutcome outcome, OutboxWriter outbox, DateTimeOffset now)
    {
        foreach (var effect in outcome.Effects)
        {
            switch (effect)
            {
                case NudgeEmailRequested email:
                    var model = outbox.Model(context, email.Recipient, email.Data, workItemId);
                    rows.Outbox.Add(outbox.Keyed(email.MessageKey, instance.Id, email.Template, email.Recipient, model, now));
                    break;
                case TimerScheduled timer:
                    db.Timers.Add(TimerRow(instance.Id, timer));
                    break;
                default:
                    throw new InvalidOperationException($"A nudge does not write {effect.GetType().Name}.");
            }
        }

        if (outcome.Journal is { } line) rows.Journal.Add(JournalRow(instance.Id, line));
    }

    /// <summary>A nudge batch's outbox rows and journal lines. On PostgreSQL one binary COPY each, in the batch's
    /// transaction: row-by-row inserts were four fifths of a batch's time.</summary>
    public static async Task InsertAsync(MentoringDb db, NudgeRows rows, CancellationToken cancellationToken)
    {
        // The outbox rows go in through Email/, the one writer of outbox_messages.
        await OutboxCopy.InsertAsync(db, rows.Outbox, cancellationToken);
        if (db.Database.GetDbConnection() is not NpgsqlConnection connection)
        {
            db.Journal.AddRange(rows.Journal);
            return;
        }

        await using var copy = await connection.BeginBinaryImportAsync("""
            COPY journal_entries (instance_id, at, type, step_id, actor_id, actor_name, data) FROM STDIN (FORMAT BINARY)
            """, cancellationToken);
        foreach (var j in rows.Journal)
        {
            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(j.InstanceId, NpgsqlDbType.Uuid, cancellationToken);
            await copy.WriteAsync(j.At.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
            await copy.WriteAsync(j.Type, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteNullableAsync(j.StepId, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(j.ActorId, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(j.ActorName, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(j.Data, NpgsqlDbType.Text, cancellationToken);
        }

        await copy.CompleteAsync(cancellationToken);
    }

    private static TimerRecord TimerRow(Guid instanceId, TimerScheduled timer) => new()
    {
        InstanceId = instanceId, StepId = timer.StepId, Activation = timer.Activation, Purpose = Kebab(timer.Purpose),
        DueAt = timer.DueAt, Data = timer.Data is null ? null : JsonSerializer.Serialize(timer.Data, WorkflowHost.Json),
    };

    /// <summary>A history line another feature records in the caller's context (a city team's hand-over of a task):
    /// this folder stays the one writer of journal_entries. The caller saves.</summary>
    public static void AddJournal(MentoringDb db, Guid instanceId, JournalRecord line) => db.Journal.Add(JournalRow(instanceId, line));

    internal static JournalEntry JournalRow(Guid instanceId, JournalRecord line) => new()
    {
        InstanceId = instanceId, At = line.At, Type = line.Type, StepId = line.StepId, ActorId = line.By.Id,
        ActorName = line.By.Name, Data = JsonSerializer.Serialize(line.Data, WorkflowHost.Json),
    };

    private static async Task<WorkItem> FindAsync(MentoringDb db, Guid instanceId, string stepId, int activation,
        CancellationToken cancellationToken) =>
        db.WorkItems.Local.FirstOrDefault(w => w.InstanceId == instanceId && w.StepId == stepId && w.Activation == activation)
        ?? await db.WorkItems.SingleAsync(w => w.InstanceId == instanceId && w.StepId == stepId && w.Activation == activation,
            cancellationToken);

    public static string Kebab<T>(T value) where T : struct, Enum => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());

    /// <summary>The enum values as stored, for queries (a query compares with a parameter, not a bare string).</summary>
    public static readonly string Running = Kebab(InstanceStatus.Running);
    public static readonly string ResumePurpose = Kebab(TimerPurpose.Resume);
    public static readonly string TaskItem = Kebab(WorkItemKind.Task);
    public static readonly string StudyVisitItem = Kebab(WorkItemKind.StudyVisit);
    public static readonly string ApprovalItem = Kebab(WorkItemKind.Approval);
}

/// <summary>The rows a nudge batch writes, inserted together at its end.</summary>
internal sealed class NudgeRows
{
    public List<OutboxMessage> Outbox { get; } = [];
    public List<JournalEntry> Journal { get; } = [];
}
