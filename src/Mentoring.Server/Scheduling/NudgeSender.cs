using System.Text.Json;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Scheduling;

/// <summary>How many due nudge timers a batch took, and how many emails they became.</summary>
public sealed record NudgeBatch(int Claimed, int Sent);

/// <summary>
/// Turns due nudge timers (reminder, due-today, overdue, follow-up) into outbox rows. Nudges do not change instance
/// state, so they skip the workflow host: one transaction per batch claims the timers, reads their work items, asks
/// the engine's <see cref="NudgeRules"/> what each comes to, writes that through the <see cref="EffectWriter"/> and
/// deletes the timers. A message's id is derived from its timer and recipient, so no retry or second node can mail
/// it twice.
/// </summary>
public sealed class NudgeSender(
    IDbContextFactory<MentoringDb> dbs,
    DefinitionStore definitions,
    OutboxWriter outbox,
    TimeProvider clock,
    IOptions<SchedulingOptions> options,
    ILogger<NudgeSender> logger)
{
    public async Task<NudgeBatch> SendBatchAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var hours = options.Value.WorkingHours();
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var phases = System.Diagnostics.Stopwatch.StartNew();
        var claimed = await ClaimAsync(db, now, options.Value.BatchSize, cancellationToken);
        if (claimed.Count == 0) return new NudgeBatch(0, 0);
        var claimTime = phases.ElapsedMilliseconds;

        // Everything the batch needs, read once for all its timers rather than once per timer.
        var instanceIds = claimed.Select(t => t.InstanceId).Distinct().ToList();
        var instances = await db.Instances.AsNoTracking().Where(i => instanceIds.Contains(i.Id)).ToListAsync(cancellationToken);
        var contexts = await InstanceContext.LoadManyAsync(db, instances, hours, cancellationToken,
            i => definitions.Catalog.Find(i.DefinitionId, i.DefinitionVersion));
        var byId = instances.ToDictionary(i => i.Id);
        // Inside the claim's transaction, so a step completed meanwhile reads as closed. Reported visits are read too:
        // their follow-ups still go.
        var items = (await db.WorkItems.AsNoTracking()
                .Where(w => instanceIds.Contains(w.InstanceId)
                            && (w.Status == WorkItemStatus.Open || (w.Kind == EffectWriter.StudyVisitItem && w.Status == WorkItemStatus.Completed)))
                .Select(w => new { w.Id, w.InstanceId, w.StepId, w.Activation, w.Title, w.DueAt, w.VisitDate, w.VisitHost, w.Status, w.VisitPhase })
                .ToListAsync(cancellationToken))
            .ToDictionary(w => (w.InstanceId, w.StepId, w.Activation));

        // Within a city's team, a task's nudges go to whoever answers for it now: its assignee, their deputy while
        // they are away, the lead while it is unclaimed.
        var answers = await Teams.TeamBook.WhoAnswersAsync(db,
            items.Values.Where(w => w.Status == WorkItemStatus.Open).Select(w => w.Id).ToList(), now, cancellationToken);
        var loadTime = phases.ElapsedMilliseconds;
        var sent = 0;
        var rows = new NudgeRows();
        foreach (var timer in claimed)
        {
            if (!items.TryGetValue((timer.InstanceId, timer.StepId, timer.Activation), out var row)) continue;
            var instance = byId[timer.InstanceId];
            var item = new NudgedItem(row.Title, row.Status == WorkItemStatus.Open, row.DueAt,
                row.VisitPhase is { } phase && Enum.TryParse<VisitPhase>(phase, ignoreCase: true, out var parsed) ? parsed : null,
                row.VisitDate, row.VisitHost);
            var due = new DueNudge(timer.Id.ToString("N"), timer.StepId, timer.Activation, Purpose(timer.Purpose), timer.DueAt,
                timer.Data is null ? new Dictionary<string, string>() : JsonSerializer.Deserialize<Dictionary<string, string>>(timer.Data, WorkflowHost.Json)!);
            INudgeAudience audience = answers.TryGetValue(row.Id, out var answering) && answering.Count > 0
                ? new Teams.TeamAudience(contexts[instance.Id], answering)
                : contexts[instance.Id];
            var outcome = NudgeRules.Decide(due, item, definitions.Get(instance.DefinitionId, instance.DefinitionVersion), audience, now);
            EffectWriter.WriteNudge(db, rows, instance, contexts[instance.Id], row.Id, outcome, outbox, now);
            sent += outcome.Emails;
        }

        var writeTime = phases.ElapsedMilliseconds;
        var ids = claimed.Select(t => t.Id).ToList();
        var deleted = await db.Timers.Where(t => ids.Contains(t.Id)).ExecuteDeleteAsync(cancellationToken);
        if (deleted != claimed.Count)
        {
            // Only possible if something bypassed the claim; leave the batch to the next sweep rather than guess.
            logger.LogWarning("Claimed {Claimed} nudge timers but could delete only {Deleted}; rolling the batch back", claimed.Count, deleted);
            return new NudgeBatch(claimed.Count, 0);
        }

        var deleteTime = phases.ElapsedMilliseconds;
        await EffectWriter.InsertAsync(db, rows, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        var saveTime = phases.ElapsedMilliseconds;
        await transaction.CommitAsync(cancellationToken);
        Hosting.Telemetry.NudgesWritten(sent, claimed.Select(t => t.DueAt), now);
        logger.LogDebug("Nudge batch of {Count}: claim {Claim} ms, load {Load} ms, build {Write} ms, delete {Delete} ms, insert {Save} ms, commit {Commit} ms",
            claimed.Count, claimTime, loadTime - claimTime, writeTime - loadTime, deleteTime - writeTime, saveTime - deleteTime,
            phases.ElapsedMilliseconds - saveTime);
        return new NudgeBatch(claimed.Count, sent);
    }

    /// <summary>Due nudge timers of running instances, locked for this transaction. On PostgreSQL rows another
    /// claim holds are skipped, not waited for; SQLite's write transaction admits one claimer at a time.</summary>
    private static async Task<List<TimerRecord>> ClaimAsync(MentoringDb db, DateTimeOffset now, int batchSize,
        CancellationToken cancellationToken)
    {
        if (db.IsSqlite)
        {
            // Take the write lock first, so the rows read are the rows this transaction deletes.
            await db.Database.ExecuteSqlRawAsync("DELETE FROM timers WHERE 0", cancellationToken);
            return await db.Timers.AsNoTracking()
                .Where(t => t.Purpose != EffectWriter.ResumePurpose && t.DueAt <= now)
                .Join(Plans.WorkingCalendars.NotPaused(db.Instances.Where(i => i.Status == EffectWriter.Running), db), t => t.InstanceId, i => i.Id, (t, _) => t)
                .OrderBy(t => t.DueAt).Take(batchSize)
                .ToListAsync(cancellationToken);
        }

        return await db.Timers.FromSql($"""
                SELECT t.* FROM timers t JOIN workflow_instances i ON i.id = t.instance_id
                WHERE t.purpose <> {EffectWriter.ResumePurpose} AND t.due_at <= {now} AND i.status = 'running'
                  AND NOT EXISTS (SELECT 1 FROM programme_pauses p WHERE p.programme_id = i.programme_id AND p.resumed_at IS NULL)
                ORDER BY t.due_at LIMIT {batchSize}
                FOR UPDATE OF t SKIP LOCKED
                """).AsNoTracking().ToListAsync(cancellationToken);
    }

    private static TimerPurpose Purpose(string stored) => Enum.Parse<TimerPurpose>(stored.Replace("-", ""), ignoreCase: true);
}
