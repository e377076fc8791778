using Quartz;

namespace Mentoring.Server.Scheduling;

// Quartz jobs are thin adapters: the work is in the services they call, which tests drive directly.
// DisallowConcurrentExecution holds cluster-wide with the clustered job store, so each runs on one node at a time.
// The work runs on the default task scheduler, not Quartz's: the sweep fans out into parallel batches whose
// continuations must not queue behind Quartz's own bounded scheduler (they stalled there).

/// <summary>Fires due workflow timers, sends due nudges and delivers programme events.</summary>
[DisallowConcurrentExecution]
public sealed class SweepDueWorkJob(DueWorkProcessor processor) : IJob
{
    public static readonly JobKey Key = new("sweep-due-work", "mentoring");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await Task.Run(() => processor.SweepAsync(cancellationToken), cancellationToken);
}

/// <summary>Writes the facilitators' weekly digest.</summary>
[DisallowConcurrentExecution]
public sealed class FacilitatorDigestJob(FacilitatorDigest digest) : IJob
{
    public static readonly JobKey Key = new("facilitator-digest", "mentoring");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await Task.Run(() => digest.WriteAsync(cancellationToken), cancellationToken);
}

/// <summary>Sends the email that is due in the outbox. One node at a time; the dispatcher's leases make even
/// overlapping runs safe.</summary>
[DisallowConcurrentExecution]
public sealed class DispatchOutboxJob(Email.OutboxDispatcher dispatcher) : IJob
{
    public static readonly JobKey Key = new("dispatch-outbox", "mentoring");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await Task.Run(() => dispatcher.DispatchDueAsync(cancellationToken), cancellationToken);
}

/// <summary>Deletes personal data past its retention time (Retention section, <c>Email:KeepSentFor</c>).</summary>
[DisallowConcurrentExecution]
public sealed class CleanUpSentMailJob(Retention.RetentionCleanup retention) : IJob
{
    public static readonly JobKey Key = new("clean-up-sent-mail", "mentoring");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await Task.Run(() => retention.RunAsync(cancellationToken), cancellationToken);
}
