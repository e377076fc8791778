using Mentoring.Engine.Runtime;
using Mentoring.Server.Data;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Scheduling;

/// <summary>
/// Moves instances on when time passes or the programme raises an event: fires due <c>resume</c> timers and
/// delivers programme events to the pairs waiting for them. Every delivery is a normal resume, so a timer is
/// consumed in the transaction that acts on it and never fires twice, on one node or several.
/// </summary>
public sealed class DueWorkProcessor(
    IDbContextFactory<MentoringDb> dbs,
    WorkflowHost host,
    TimeProvider clock,
    IOptions<SchedulingOptions> options,
    ILogger<DueWorkProcessor> logger)
{
    /// <summary>Fires due resume timers; returns how many moved an instance on.</summary>
    public async Task<int> FireResumeTimersAsync(CancellationToken cancellationToken)
    {
        var fired = 0;
        while (true)
        {
            var now = clock.GetUtcNow();
            await using var db = await dbs.CreateDbContextAsync(cancellationToken);
            var resume = EffectWriter.Kebab(TimerPurpose.Resume);
            var due = await db.Timers.AsNoTracking()
                .Where(t => t.Purpose == resume && t.DueAt <= now)
                .Join(db.Instances.Where(i => i.Status == "running"), t => t.InstanceId, i => i.Id, (t, _) => t)
                .OrderBy(t => t.DueAt).Take(options.Value.BatchSize)
                .ToListAsync(cancellationToken);
            if (due.Count == 0) return fired;
            foreach (var timer in due)
            {
                var outcome = await host.ExecuteAsync(timer.InstanceId, new TimerElapsed(timer.StepId, timer.Activation), null,
                    cancellationToken, firedTimer: timer.Id);
                if (outcome.Kind == OutcomeKind.Applied) fired++;
                else if (outcome.Kind == OutcomeKind.Rejected)
                    await db.Timers.Where(t => t.Id == timer.Id).ExecuteDeleteAsync(cancellationToken); // its step has gone
            }

            if (due.Count < options.Value.BatchSize) return fired;
        }
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
                where instance.Status == "running"
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
