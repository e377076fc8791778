using System.Text.Json;
using System.Text.Json.Serialization;
using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Programme;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Workflows;

public enum OutcomeKind { Applied, Replayed, Rejected, NotFound, KeyReused, Conflict }

/// <summary>What a command did, and what to answer: the same body for the first request and any retry of it.
/// <see cref="Refusal"/> is why the caller's own check refused it (<see cref="Prepared"/>).</summary>
public sealed record CommandOutcome(OutcomeKind Kind, CommandResponse? Response = null, Rejection? Rejection = null, object? Refusal = null);

/// <summary>The command a caller's check built from the rows it read, for the instance it names; or why it refused.</summary>
public sealed record Prepared(Guid InstanceId, WorkflowCommand? Command, object? Refusal = null)
{
    public static Prepared Refuse(object refusal) => new(Guid.Empty, null, refusal);
}

public sealed record CommandResponse(Guid InstanceId, string Status, int CurrentStep, string Stage, DateTimeOffset? NextDueAt,
    IReadOnlyList<string> Happened);

/// <summary>What a programme-wide change did (<see cref="WorkflowHost.ExecuteBatchAsync{T}"/>).</summary>
public sealed record BatchOutcome<T>(OutcomeKind Kind, T? Response = default, Rejection? Rejection = null)
{
    public static BatchOutcome<T> Done(T response) => new(OutcomeKind.Applied, response);
    public static BatchOutcome<T> Refused(RejectionKind kind, string message, IReadOnlyDictionary<string, string[]>? errors = null) =>
        new(OutcomeKind.Rejected, Rejection: new Rejection(kind, message, errors));
    public static BatchOutcome<T> Missing(string message) =>
        new(OutcomeKind.NotFound, Rejection: new Rejection(RejectionKind.NotOpen, message));
}

/// <summary>An <c>Idempotency-Key</c> and a fingerprint of the request it came with.</summary>
public sealed record IdempotencyKey(string Key, string Fingerprint);

/// <summary>
/// Runs commands against stored instances. Each resume is exactly one database transaction: the instance row
/// (checked for concurrent change), its work items, journal lines, timers, outbox rows and idempotency record.
/// A resume that loses a race is run again from fresh state; the engine is pure, so that is safe.
/// </summary>
public sealed partial class WorkflowHost(
    IDbContextFactory<MentoringDb> dbs,
    DefinitionStore definitions,
    OutboxWriter outbox,
    TimeProvider clock,
    IOptions<WorkflowOptions> options,
    IOptions<Scheduling.SchedulingOptions> scheduling,
    Scheduling.DueWorkSignal dueWork,
    ILogger<WorkflowHost> logger)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>
    /// The instance state as stored on its row, which every resume rewrites whole (issue 14 counts its WAL): what the
    /// runner needs and nothing it can do without. A property at its default (0, null, the first enum value) and an
    /// empty collection of <see cref="InstanceState"/> or <see cref="VisitRecord"/> are left out; reading gives them
    /// back, as each has that value when absent. The names and formats are <see cref="Json"/>'s, so a state written
    /// before (every property spelt out) reads the same: no stored state has to be rewritten.
    /// </summary>
    public static readonly JsonSerializerOptions StateJson = new(Json)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver { Modifiers = { SkipEmptyCollections } },
    };

    private static void SkipEmptyCollections(System.Text.Json.Serialization.Metadata.JsonTypeInfo type)
    {
        // Only where an absent collection reads back as an empty one (an initialised property, not a constructor's).
        if (type.Type != typeof(InstanceState) && type.Type != typeof(VisitRecord)) return;
        foreach (var property in type.Properties)
            if (typeof(System.Collections.ICollection).IsAssignableFrom(property.PropertyType))
                property.ShouldSerialize = static (_, value) => value is not System.Collections.ICollection { Count: 0 };
    }

    private static readonly WorkflowRunner Runner = new();

    /// <summary>Applies <paramref name="command"/> to an instance in its own transaction.</summary>
    /// <param name="firedTimer">A timer row this resume consumes; deleted in the same transaction.</param>
    /// <param name="alsoWrite">Rows that stand or fall with the command (a file uploaded with a task completion):
    /// added to the resume's context only when the command is applied, so a refused one leaves none behind.</param>
    public Task<CommandOutcome> ExecuteAsync(Guid instanceId, WorkflowCommand command, IdempotencyKey? key,
        CancellationToken cancellationToken, Guid? firedTimer = null, Action<MentoringDb>? alsoWrite = null) =>
        ExecuteAsync((_, _) => Task.FromResult(new Prepared(instanceId, command)), key, cancellationToken, alsoWrite, firedTimer);

    /// <summary>A person's command, checked and applied with one context in one transaction: <paramref name="prepare"/>
    /// reads what the command needs (who may act, the work item) and builds it, or refuses it, and nothing is written.
    /// Re-run with the whole resume when it loses a race. A refused retry of a request that took effect gets its first
    /// answer, as an engine refusal does.</summary>
    public async Task<CommandOutcome> ExecuteAsync(Func<MentoringDb, CancellationToken, Task<Prepared>> prepare, IdempotencyKey? key,
        CancellationToken cancellationToken, Action<MentoringDb>? alsoWrite = null, Guid? firedTimer = null)
    {
        using var activity = Hosting.Telemetry.StartResume();
        // The instance and the command are known only once the caller's check has read its rows.
        WorkflowCommand? built = null;
        async Task<Prepared> Traced(MentoringDb db, CancellationToken ct)
        {
            var prepared = await prepare(db, ct);
            if ((built = prepared.Command) is not null) Hosting.Telemetry.Resuming(activity, prepared.InstanceId, built);
            return prepared;
        }

        try
        {
            var outcome = await ResumeAsync(Traced, key, cancellationToken, alsoWrite, firedTimer);
            Hosting.Telemetry.Resumed(activity, built, outcome.Kind);
            return outcome;
        }
        catch (Exception e)
        {
            Hosting.Telemetry.Failed(activity, e);
            throw;
        }
    }

    private async Task<CommandOutcome> ResumeAsync(Func<MentoringDb, CancellationToken, Task<Prepared>> prepare, IdempotencyKey? key,
        CancellationToken cancellationToken, Action<MentoringDb>? alsoWrite, Guid? firedTimer)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await dbs.CreateDbContextAsync(cancellationToken);
            // The host never goes on in a transaction after a failed save, so EF's savepoints would only cost round trips.
            db.Database.AutoSavepointsEnabled = false;
            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                var prepared = await prepare(db, cancellationToken);
                // Only a replay overrides the caller's refusal: a key used before for something else is no reason to
                // answer a request that may not be made at all with anything but its refusal.
                if (prepared.Refusal is { } refusal)
                    return key is not null
                           && await Idempotency.FindAsync<CommandResponse>(db, key, cancellationToken) is { Kind: IdempotentKind.Replayed } earlier
                        ? Answer(earlier)! : new CommandOutcome(OutcomeKind.Rejected, Refusal: refusal);
                var instanceId = prepared.InstanceId;
                var instance = await db.Instances.SingleOrDefaultAsync(i => i.Id == instanceId, cancellationToken);
                if (instance is null) return new CommandOutcome(OutcomeKind.NotFound);

                var outcome = await ApplyAsync(db, instance, prepared.Command!, firedTimer, cancellationToken);
                if (outcome.Kind != OutcomeKind.Applied)
                {
                    // A retry of a request that already took effect is usually refused by the engine (the task is done):
                    // the first result is what the caller must get. Looked up only here, off the happy path.
                    return key is not null && Answer(await Idempotency.FindAsync<CommandResponse>(db, key, cancellationToken)) is { } first
                        ? first : outcome;
                }

                alsoWrite?.Invoke(db);
                // Written in the same transaction; a key used before fails the commit on its primary key, and the
                // first request's result is answered below.
                if (key is not null) Idempotency.Record(db, key, outcome.Response, clock.GetUtcNow());

                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                dueWork.Wake();
                return outcome;
            }
            catch (Exception e) when (IsConflict(e) && attempt < options.Value.MaxConcurrencyRetries)
            {
                if (key is not null && Answer(await Idempotency.AfterFailureAsync<CommandResponse>(db, key, e, cancellationToken)) is { } first)
                    return first;
                logger.LogDebug("A resume lost a race (attempt {Attempt}); running it again", attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * attempt)), cancellationToken);
            }
            catch (Exception e) when (IsConflict(e))
            {
                if (key is not null && Answer(await Idempotency.AfterFailureAsync<CommandResponse>(db, key, e, cancellationToken)) is { } first)
                    return first;
                return new CommandOutcome(OutcomeKind.Conflict, Rejection: new Rejection(RejectionKind.Conflict,
                    "The pair was changed by someone else at the same moment; try again."));
            }
            catch (Exception e) when (key is not null && e is DbUpdateException or System.Data.Common.DbException)
            {
                // The same key committed first (a retry, or the same request twice at once): answer with its result.
                if (Answer(await Idempotency.AfterFailureAsync<CommandResponse>(db, key, e, cancellationToken)) is { } first) return first;
                throw;
            }
        }
    }

    /// <summary>
    /// A change to many instances (every pair of a programme) and to the caller's own rows, in one transaction with one
    /// Idempotency-Key: <paramref name="body"/> reads what it needs through the batch, applies commands to instances and
    /// adds its rows; when it refuses, or one instance refuses, nothing is written. Re-run from fresh state when it
    /// loses a race, as a single resume is. The key goes through <see cref="Idempotency"/>, as a single resume's does.
    /// </summary>
    public async Task<BatchOutcome<T>> ExecuteBatchAsync<T>(IdempotencyKey key,
        Func<InstanceBatch, CancellationToken, Task<BatchOutcome<T>>> body, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await dbs.CreateDbContextAsync(cancellationToken);
            db.Database.AutoSavepointsEnabled = false;
            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                if (BatchAnswer(await Idempotency.FindAsync<T>(db, key, cancellationToken)) is { } first) return first;
                var outcome = await body(new InstanceBatch(this, db), cancellationToken);
                if (outcome.Kind != OutcomeKind.Applied) return outcome;
                Idempotency.Record(db, key, outcome.Response, clock.GetUtcNow());
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                dueWork.Wake();
                return outcome;
            }
            catch (Exception e) when (IsConflict(e) && attempt < options.Value.MaxConcurrencyRetries)
            {
                if (BatchAnswer(await Idempotency.AfterFailureAsync<T>(db, key, e, cancellationToken)) is { } first) return first;
                logger.LogDebug("A programme-wide change lost a race (attempt {Attempt}); running it again", attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * attempt)), cancellationToken);
            }
            catch (Exception e) when (IsConflict(e))
            {
                if (BatchAnswer(await Idempotency.AfterFailureAsync<T>(db, key, e, cancellationToken)) is { } first) return first;
                return new BatchOutcome<T>(OutcomeKind.Conflict, Rejection: new Rejection(RejectionKind.Conflict,
                    "The programme was changed by someone else at the same moment; try again."));
            }
            catch (Exception e) when (e is DbUpdateException or System.Data.Common.DbException)
            {
                // The same key committed first: answer with its result. Otherwise a unique index refused a second copy of
                // a row another request wrote at the same moment (two pauses at once): nothing was written.
                if (BatchAnswer(await Idempotency.AfterFailureAsync<T>(db, key, e, cancellationToken)) is { } first) return first;
                logger.LogWarning(e, "A programme-wide change was refused by the database");
                return new BatchOutcome<T>(OutcomeKind.Conflict, Rejection: new Rejection(RejectionKind.Conflict,
                    "The same change was made by someone else at the same moment; reload to see it."));
            }
        }
    }

    /// <summary>The instances and rows of one <see cref="ExecuteBatchAsync{T}"/>, in its transaction.</summary>
    public sealed class InstanceBatch
    {
        private readonly WorkflowHost _host;

        internal InstanceBatch(WorkflowHost host, MentoringDb db) => (_host, Db) = (host, db);

        public MentoringDb Db { get; }

        /// <summary>Runs <paramref name="command"/> on a tracked instance of <see cref="Db"/>; a rejection writes nothing.</summary>
        public Task<CommandOutcome> ApplyAsync(WorkflowInstance instance, WorkflowCommand command, CancellationToken cancellationToken) =>
            _host.ApplyAsync(Db, instance, command, null, cancellationToken);
    }

    /// <summary>A key's earlier answer as a batch outcome; null when the key is new.</summary>
    private static BatchOutcome<T>? BatchAnswer<T>(Idempotent<T>? seen) => seen?.Kind switch
    {
        IdempotentKind.Replayed => new BatchOutcome<T>(OutcomeKind.Replayed, seen.Response),
        IdempotentKind.KeyReused => new BatchOutcome<T>(OutcomeKind.KeyReused, Rejection: new Rejection(RejectionKind.Invalid,
            "This Idempotency-Key was used for a different request; use a new key for a new request.")),
        IdempotentKind.InFlight => new BatchOutcome<T>(OutcomeKind.Conflict,
            Rejection: new Rejection(RejectionKind.Conflict, Idempotency.InFlightMessage)),
        _ => null,
    };

    /// <summary>A key's earlier answer as this host's outcome; null when the key is new.</summary>
    private static CommandOutcome? Answer(Idempotent<CommandResponse>? seen) => seen?.Kind switch
    {
        IdempotentKind.Replayed => new CommandOutcome(OutcomeKind.Replayed, seen.Response),
        IdempotentKind.KeyReused => new CommandOutcome(OutcomeKind.KeyReused, Rejection: new Rejection(RejectionKind.Invalid,
            "This Idempotency-Key was used for a different request; use a new key for a new request.")),
        IdempotentKind.InFlight => new CommandOutcome(OutcomeKind.Conflict,
            Rejection: new Rejection(RejectionKind.Conflict, Idempotency.InFlightMessage)),
        _ => null,
    };

    /// <summary>Creates an instance and runs it to its first waits, in the caller's transaction.</summary>
    public async Task<WorkflowInstance> StartAsync(MentoringDb db, WorkflowDefinition definition, string programmeId, Group? group,
        Actor by, CancellationToken cancellationToken, Guid? instanceId = null)
    {
        var now = clock.GetUtcNow();
        db.Database.AutoSavepointsEnabled = false;
        var first = definition.Stages[0];
        var instance = new WorkflowInstance
        {
            Id = instanceId ?? group?.InstanceId ?? Guid.CreateVersion7(),
            DefinitionId = definition.Id, DefinitionVersion = definition.Version, ProgrammeId = programmeId, GroupId = group?.Id,
            Status = "running", StageNumber = first.Number, StageId = first.Id, StageName = first.Name, State = "{}",
            Version = 0, CreatedAt = now, UpdatedAt = now,
        };
        // Inserted once, with the state of its first run, in the same batch as that run's rows (EF orders the instance
        // before the rows that refer to it): saved first and then updated, a start wrote the row twice and made a round
        // trip more.
        db.Instances.Add(instance);
        var outcome = await ApplyAsync(db, instance, new StartInstance(by), null, cancellationToken);
        if (outcome.Kind != OutcomeKind.Applied)
            throw new InvalidOperationException($"'{definition.Id}' could not start: {outcome.Rejection?.Message}");
        await db.SaveChangesAsync(cancellationToken);
        return instance;
    }

    private async Task<CommandOutcome> ApplyAsync(MentoringDb db, WorkflowInstance instance, WorkflowCommand command,
        Guid? firedTimer, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var definition = definitions.Get(instance.DefinitionId, instance.DefinitionVersion);
        var context = await InstanceContext.LoadAsync(db, instance, scheduling.Value.WorkingHours(), cancellationToken, definition);
        var state = instance.State == "{}" ? null : JsonSerializer.Deserialize<InstanceState>(instance.State, StateJson);
        var result = Runner.Run(definition, state, command, context, now);
        if (!result.Applied) return new CommandOutcome(OutcomeKind.Rejected, Rejection: result.Rejection);

        if (firedTimer is { } timerId
            && await db.Timers.Where(t => t.Id == timerId).ExecuteDeleteAsync(cancellationToken) == 0)
            throw new DbUpdateConcurrencyException("The timer was fired by another node.");

        await WriteAsync(db, instance, context, result, now, cancellationToken);

        if (result.State.Fault is { } faulted && command is not RetryFaulted)
            logger.LogError("Workflow {Instance} ({Definition}) faulted at step {Step}: {Error}",
                instance.Id, instance.DefinitionId, faulted.StepId, faulted.Error);
        return new CommandOutcome(OutcomeKind.Applied, new CommandResponse(instance.Id, instance.Status, instance.StageNumber,
            instance.StageName, instance.NextDueAt, result.Journal.Select(j => j.Type).ToList()));
    }

    /// <summary>A run's effects, journal and new state, as rows of the caller's transaction; the instance's version
    /// is raised, so a concurrent change of the same instance fails one of the two.</summary>
    private async Task WriteAsync(MentoringDb db, WorkflowInstance instance, InstanceContext context, RunResult result,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        await EffectWriter.WriteAsync(db, instance, context, result, outbox, now, cancellationToken);
        instance.State = JsonSerializer.Serialize(result.State, StateJson);
        instance.Status = Status(result.Progress.Status);
        instance.StageNumber = result.Progress.StageNumber;
        instance.StageId = result.Progress.StageId;
        instance.StageName = result.Progress.StageName;
        instance.NextDueAt = result.Progress.NextDueAt;
        instance.Fault = result.State.Fault is { } fault ? $"{fault.StepId}: {fault.Error}" : null;
        instance.Version++;
        instance.UpdatedAt = now;
    }

    public static string Status(InstanceStatus status) => status.ToString().ToLowerInvariant();

    private static bool IsConflict(Exception e) => e switch
    {
        DbUpdateConcurrencyException => true,
        Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 5 or 6 } => true, // SQLITE_BUSY, SQLITE_LOCKED
        Npgsql.PostgresException { SqlState: "40001" or "40P01" } => true, // serialization failure, deadlock
        DbUpdateException { InnerException: { } inner } => IsConflict(inner),
        InvalidOperationException { InnerException: { } inner } => IsConflict(inner),
        _ => false,
    };
}
