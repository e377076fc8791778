using System.Security.Claims;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Instances;

/// <summary>An operator's control of a workflow instance.</summary>
public enum InstanceOperation { Suspend, Resume, Cancel, Retry }

public enum OperationFailure { Forbidden, KeyMissing, NotFound, KeyReused, Conflict }

/// <summary>What an operation came to: the instance's new state (also for a replayed key), or why not.</summary>
public sealed record OperationResult(CommandResponse? Response, bool Replayed = false, OperationFailure? Failure = null, string? Detail = null)
{
    public bool Succeeded => Failure is null;
}

/// <summary>
/// The one path by which an operator suspends, resumes, cancels or retries an instance, for the API
/// (<c>/api/instances/{id}/…</c>) and the incident forms of the dashboard and the group page alike: only a facilitator or
/// an admin, only an instance of their current programme, once per Idempotency-Key. The key's fingerprint names the
/// operation and the instance, not the URL, so the same key sent through the API and a page is the same request.
/// </summary>
public static class InstanceOperations
{
    public static bool MayOperate(ClaimsPrincipal user) => user.IsInRole(PersonRoles.Facilitator) || user.IsInRole(PersonRoles.Admin);

    /// <param name="key">The caller's Idempotency-Key as sent (header or hidden form field).</param>
    public static async Task<OperationResult> RunAsync(WorkflowHost host, IDbContextFactory<MentoringDb> dbs, Guid instanceId,
        InstanceOperation operation, string? reason, ClaimsPrincipal user, string? key, CancellationToken ct)
    {
        // A city coordinator (or an observer) never operates an instance, whatever page or endpoint they reach.
        if (!MayOperate(user)) return new OperationResult(null, Failure: OperationFailure.Forbidden);
        reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        var idempotencyKey = Idempotency.For(key, user.Identity?.Name, $"{operation} {instanceId}", new OperatorRequest(reason));
        if (idempotencyKey is null) return new OperationResult(null, Failure: OperationFailure.KeyMissing);
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            // Another programme's instance is not there for this operator.
            var programmeId = user.ProgrammeId();
            if (!await db.Instances.AnyAsync(i => i.Id == instanceId && i.ProgrammeId == programmeId, ct))
                return new OperationResult(null, Failure: OperationFailure.NotFound);
        }

        var by = new Actor(user.PersonId().ToString(), user.Identity?.Name ?? "operator", ActorRole.Facilitator);
        WorkflowCommand command = operation switch
        {
            InstanceOperation.Suspend => new SuspendInstance(by, reason),
            InstanceOperation.Resume => new ResumeInstance(by),
            InstanceOperation.Cancel => new CancelInstance(by, reason),
            _ => new RetryFaulted(by),
        };
        var outcome = await host.ExecuteAsync(instanceId, command, idempotencyKey, ct);
        return outcome.Kind switch
        {
            OutcomeKind.Applied => new OperationResult(outcome.Response),
            OutcomeKind.Replayed => new OperationResult(outcome.Response, Replayed: true),
            OutcomeKind.NotFound => new OperationResult(null, Failure: OperationFailure.NotFound),
            OutcomeKind.KeyReused => new OperationResult(null, Failure: OperationFailure.KeyReused, Detail: outcome.Rejection?.Message),
            _ => new OperationResult(null, Failure: OperationFailure.Conflict, Detail: outcome.Rejection?.Message),
        };
    }
}
