using System.Text.Json;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Microsoft.EntityFrameworkCore;

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
                    db.Timers.Add(new TimerRecord
                    {
                        InstanceId = instance.Id, StepId = timer.StepId, Activation = timer.Activation,
                        Purpose = Kebab(timer.Purpose), DueAt = timer.DueAt,
                        Data = timer.Data is null ? null : JsonSerializer.Serialize(timer.Data, WorkflowHost.Json),
                    });
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
                case ProgrammeEventRaised raised:
                    if (!await db.ProgrammeEvents.AnyAsync(e => e.ProgrammeId == instance.ProgrammeId && e.Name == raised.EventName,
                            cancellationToken))
                        db.ProgrammeEvents.Add(new ProgrammeEvent
                        {
                            ProgrammeId = instance.ProgrammeId, Name = raised.EventName, OccurredAt = raised.OccurredAt ?? now,
                            SourceInstanceId = instance.Id,
                        });
                    break;
            }
        }

        foreach (var line in result.Journal)
        {
            db.Journal.Add(new JournalEntry
            {
                InstanceId = instance.Id, At = line.At, Type = line.Type, StepId = line.StepId, ActorId = line.By.Id,
                ActorName = line.By.Name, Data = JsonSerializer.Serialize(line.Data, WorkflowHost.Json),
            });
        }
    }

    private static async Task<WorkItem> FindAsync(MentoringDb db, Guid instanceId, string stepId, int activation,
        CancellationToken cancellationToken) =>
        db.WorkItems.Local.FirstOrDefault(w => w.InstanceId == instanceId && w.StepId == stepId && w.Activation == activation)
        ?? await db.WorkItems.SingleAsync(w => w.InstanceId == instanceId && w.StepId == stepId && w.Activation == activation,
            cancellationToken);

    public static string Kebab<T>(T value) where T : struct, Enum => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString());
}
