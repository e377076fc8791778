using System.Text.Json;
using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Workflows;

public enum MigrationResult { WouldMove, Moved, Skipped, Refused, NotFound, Conflict }

/// <summary>What moving one instance did, or would do in a dry run; <see cref="Plan"/> says what moves, is dropped
/// and opens, or why it is refused.</summary>
public sealed record InstanceMigrationOutcome(Guid InstanceId, MigrationResult Result, MigrationPlan? Plan = null, string? Reason = null);

// Moving an instance to a new definition version writes the instance and its rows, so it lives with the resume.
public sealed partial class WorkflowHost
{
    private static readonly InstanceMigration Migration = new();

    /// <summary>Moves one instance from <paramref name="fromVersion"/> to <paramref name="to"/> in its own transaction,
    /// checked for concurrent change as a resume is and run again from fresh state when it loses a race. Idempotent:
    /// an instance already on the new version is skipped, so a retry or a second node does nothing twice. A dry run
    /// plans the same way and writes nothing.</summary>
    public async Task<InstanceMigrationOutcome> MigrateAsync(Guid instanceId, int fromVersion, WorkflowDefinition to,
        StepMapping mapping, Actor by, bool dryRun, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await dbs.CreateDbContextAsync(cancellationToken);
            db.Database.AutoSavepointsEnabled = false;
            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                var instance = await db.Instances.SingleOrDefaultAsync(i => i.Id == instanceId, cancellationToken);
                if (instance is null || instance.DefinitionId != to.Id)
                    return new InstanceMigrationOutcome(instanceId, MigrationResult.NotFound, Reason: $"No instance of '{to.Id}' has this id.");
                if (instance.DefinitionVersion == to.Version)
                    return new InstanceMigrationOutcome(instanceId, MigrationResult.Skipped, Reason: $"already on v{to.Version}");
                if (instance.DefinitionVersion != fromVersion)
                    return new InstanceMigrationOutcome(instanceId, MigrationResult.Skipped,
                        Reason: $"on v{instance.DefinitionVersion}, not v{fromVersion}");
                if (instance.State == "{}")
                    return new InstanceMigrationOutcome(instanceId, MigrationResult.Skipped, Reason: "not started");

                var now = clock.GetUtcNow();
                var from = definitions.Get(instance.DefinitionId, instance.DefinitionVersion);
                var context = await InstanceContext.LoadAsync(db, instance, scheduling.Value.WorkingHours(), cancellationToken);
                var state = JsonSerializer.Deserialize<InstanceState>(instance.State, StateJson)!;
                var plan = Migration.Plan(from, to, state, mapping, context, now, by);
                if (plan.Refused) return new InstanceMigrationOutcome(instanceId, MigrationResult.Refused, plan);
                if (plan.Skipped is { } why) return new InstanceMigrationOutcome(instanceId, MigrationResult.Skipped, plan, why);
                if (dryRun) return new InstanceMigrationOutcome(instanceId, MigrationResult.WouldMove, plan);

                await WriteAsync(db, instance, context, new RunResult(null, plan.State, plan.Effects, plan.Journal, plan.Progress!), now,
                    cancellationToken);
                instance.DefinitionVersion = to.Version;
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                dueWork.Wake();
                return new InstanceMigrationOutcome(instanceId, MigrationResult.Moved, plan);
            }
            // Another node moved the instance first: its rows (the steps that opened) refuse a second copy before the
            // version check is reached. Run again from fresh state, which finds the instance moved and skips it.
            catch (Exception e) when (LostRace(e) && attempt < options.Value.MaxConcurrencyRetries)
            {
                logger.LogDebug("Moving instance {Instance} lost a race (attempt {Attempt}); running it again", instanceId, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * attempt)), cancellationToken);
            }
            catch (Exception e) when (LostRace(e))
            {
                return new InstanceMigrationOutcome(instanceId, MigrationResult.Conflict,
                    Reason: "The instance was changed by someone else at the same moment; run the migration again.");
            }
        }
    }

    private static bool LostRace(Exception e) => IsConflict(e)
        || e is DbUpdateException { InnerException: Npgsql.PostgresException { SqlState: "23505" } or Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19 } };
}
