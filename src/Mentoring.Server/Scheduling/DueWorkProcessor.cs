using Mentoring.Engine.Runtime;
using Mentoring.Server.Data;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Scheduling;

/// <summary>What one sweep did.</summary>
public sealed record SweepResult(int Resumed, int Nudges, int Events)
{
    public int Total => Resumed + Nudges + Events;
}

/// <summary>
/// Moves instances on when time passes or the programme raises an event: fires due <c>resume</c> timers, sends due
/// nudges and delivers programme events to the pairs waiting for them. Every timer is consumed in the transaction
/// that acts on it, so it never fires twice, on one node or several; and nothing here runs at start-up, so a
/// node with a hundred thousand pending timers is ready at once.
/// </summary>
public sealed class DueWorkProcessor(
    IDbContextFactory<MentoringDb> dbs,
    WorkflowHost host,
    NudgeSender nudges,
    TimeProvider clock,
    IOptions<SchedulingOptions> options,
    ILogger<DueWorkProcessor> logger)
{
    private static readonly string ResumePurpose = EffectWriter.Kebab(TimerPurpose.Resume);

    /// <summary>Everything due now: resume timers, nudges (in parallel batches), then programme events.</summary>
    public async Task<SweepResult> SweepAsync(CancellationToken cancellationToken)
    {
        logger.LogDebug("Sweeping due work");
        using var activity = Hosting.Telemetry.Source.StartActivity("scheduling.sweep");
        var resumed = await FireResumeTimersAsync(cancellationToken);
        var sent = await SendNudgesAsync(cancellationToken);
        var delivered = await DeliverProgrammeEventsAsync(cancellationToken);
        var result = new SweepResult(resumed, sent, delivered);
        activity?.SetTag("mentoring.resumed", resumed).SetTag("mentoring.nudges", sent).SetTag("mentoring.events", delivered);
        logger.LogDebug("Swept due work: {Result}", result);
        return result;
    }

    /// <summary>Fires due resume timers; returns how many moved an instance on. Each goes through the workflow host,
    /// whose transaction deletes the timer with the instance's change (and fails if another node got there first).</summary>
    public async Task<int> FireResumeTimersAsync(CancellationToken cancellationToken)
    {
        var fired = 0;
        var passed = new HashSet<Guid>();
        while (true)
        {
            var now = clock.GetUtcNow();
            await using var db = await dbs.CreateDbContextAsync(cancellationToken);
            var due = await db.Timers.AsNoTracking()
                .Where(t => t.Purpose == ResumePurpose && t.DueAt <= now && !passed.Contains(t.Id))
                .Join(Plans.WorkingCalendars.NotPaused(db.Instances.Where(i => i.Status == EffectWriter.Running), db), t => t.InstanceId, i => i.Id, (t, _) => t)
                .OrderBy(t => t.DueAt).Take(options.Value.BatchSize)
                .ToListAsync(cancellationToken);
            if (due.Count == 0) return fired;
            foreach (var timer in due)
            {
                CommandOutcome outcome;
                try
                {
                    outcome = await host.ExecuteAsync(timer.InstanceId, new TimerElapsed(timer.StepId, timer.Activation), null,
                        cancellationToken, firedTimer: timer.Id);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One broken instance must not hold up every other timer; it is tried again at the next sweep.
                    logger.LogError(e, "Firing timer {Timer} of {Instance} failed", timer.Id, timer.InstanceId);
                    passed.Add(timer.Id);
                    continue;
                }

                if (outcome.Kind == OutcomeKind.Applied) fired++;
                else if (outcome.Kind == OutcomeKind.Rejected)
                    await db.Timers.Where(t => t.Id == timer.Id).ExecuteDeleteAsync(cancellationToken); // its step has gone
                else passed.Add(timer.Id); // lost to another node: do not spin on it
            }

            if (due.Count < options.Value.BatchSize) return fired;
        }
    }

    /// <summary>Sends every due nudge. On PostgreSQL several workers claim batches side by side (SKIP LOCKED keeps
    /// them apart, on this node and the others); SQLite has one writer, so one loop.</summary>
    public async Task<int> SendNudgesAsync(CancellationToken cancellationToken)
    {
        await using var probe = await dbs.CreateDbContextAsync(cancellationToken);
        var workers = probe.IsSqlite ? 1 : Math.Max(1, options.Value.NudgeWorkers);
        var counts = await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            var sent = 0;
            while (await nudges.SendBatchAsync(cancellationToken) is var batch && batch.Claimed > 0) sent += batch.Sent;
            return sent;
        }));
        var total = counts.Sum();
        if (total > 0) logger.LogInformation("Sent {Count} nudge(s)", total);
        return total;
    }

    /// <summary>Delivers raised programme events to every instance still waiting for one. Reading the waits rather
    /// than fanning out at raise time means a pair that starts waiting just after the event still gets it.</summary>
    public async Task<int> DeliverProgrammeEventsAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var pending = await (
                from item in db.WorkItems
                where item.Status == WorkItemStatus.Open && item.WaitsFor != null
                join instance in db.Instances on item.InstanceId equals instance.Id
                where instance.Status == EffectWriter.Running
                join raised in db.ProgrammeEvents on new { instance.ProgrammeId, Name = item.WaitsFor! }
                    equals new { raised.ProgrammeId, raised.Name }
                select new { item.InstanceId, Event = raised.Name })
            .Distinct().ToListAsync(cancellationToken);
        var delivered = 0;
        foreach (var wait in pending)
        {
            var outcome = await host.ExecuteAsync(wait.InstanceId, new DeliverEvent(wait.Event), null, cancellationToken);
            if (outcome.Kind == OutcomeKind.Applied) delivered++;
        }

        if (delivered > 0) logger.LogInformation("Delivered {Count} programme event(s)", delivered);
        return delivered;
    }
}
