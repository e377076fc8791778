using Hangfire;
using Mentoring.Engine.Runtime;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Scheduling;

// Hangfire jobs are thin adapters: the work is in the services they call, which tests drive directly. Each is a
// recurring job whose next run catches up on whatever a failed one left, so a failure is not retried (Hangfire's
// default is ten retries, which would pile runs up behind one another) and the failed run is deleted.
// DisableConcurrentExecution takes a lock in Hangfire's storage, so it holds across nodes on PostgreSQL: a run
// triggered early (a commit made work due) waits for the one in progress instead of running beside it.

/// <summary>Fires due workflow timers, sends due nudges and delivers programme events.</summary>
public sealed class SweepDueWorkJob(DueWorkProcessor processor)
{
    public const string Id = "sweep-due-work";

    [DisableConcurrentExecution(JobLocks.TimeoutSeconds)]
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    public Task RunAsync(CancellationToken cancellationToken) => processor.SweepAsync(cancellationToken);
}

/// <summary>Sends the email that is due in the outbox. The dispatcher's leases make even overlapping runs safe; the
/// lock saves a second run from finding nothing to claim.</summary>
public sealed class DispatchOutboxJob(Email.OutboxDispatcher dispatcher)
{
    public const string Id = "dispatch-outbox";

    [DisableConcurrentExecution(JobLocks.TimeoutSeconds)]
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    public Task RunAsync(CancellationToken cancellationToken) => dispatcher.DispatchDueAsync(cancellationToken);
}

/// <summary>
/// Writes the facilitators' weekly digest once its time has come this week. The digest is one row per facilitator per
/// ISO week, so any number of runs in a week write it once: Hangfire's run for missed occurrences (one, however
/// many weeks were missed), the run every node triggers when it starts (Hangfire.InMemory forgets its schedule on a
/// restart), a second node. Before this week's time it writes nothing: last week's digest is stale by then.
/// </summary>
public sealed class FacilitatorDigestJob(FacilitatorDigest digest, TimeProvider clock, IOptions<SchedulingOptions> options)
{
    public const string Id = "facilitator-digest";

    /// <summary>Hangfire fires the digest by its own clock; one a little early (a node's clock behind) still counts.</summary>
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(1);

    [DisableConcurrentExecution(JobLocks.TimeoutSeconds)]
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (now + Tolerance < DueThisWeek(now, options.Value)) return;
        await digest.WriteAsync(cancellationToken);
    }

    /// <summary>When this week's digest is due: its day and time in the digest's time zone, in the ISO week (Monday
    /// first) that holds <paramref name="now"/> there.</summary>
    public static DateTimeOffset DueThisWeek(DateTimeOffset now, SchedulingOptions options)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(options.DigestTimeZone);
        var today = NudgeSchedule.LocalDate(now, zone);
        var monday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        return NudgeSchedule.AtLocal(monday.AddDays(((int)options.DigestDay + 6) % 7), options.DigestTime, zone);
    }
}

/// <summary>
/// The daily clean-up: everything that is deleted because it is old (the Retention section's settings and
/// <c>Email:KeepSentFor</c>). One method, so that another kind of old data is
/// one more line here.
/// </summary>
public sealed class CleanUpJob(Retention.RetentionCleanup retention)
{
    public const string Id = "clean-up";

    [DisableConcurrentExecution(JobLocks.TimeoutSeconds)]
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Delete)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await retention.RunAsync(cancellationToken);
    }
}

internal static class JobLocks
{
    /// <summary>How long a run waits for the one in progress before giving up (the next run catches up): longer than
    /// any sweep of a large backlog takes.</summary>
    public const int TimeoutSeconds = 600;
}
