using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Data;
using Mentoring.Server.Inputs;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Versions;

/// <summary>Move a programme's running instances of <see cref="Workflow"/> from one definition version to another.
/// <see cref="Mapping"/> renames steps (<c>{ "fromStep": "toStep" }</c>, otherwise by id); <see cref="Drop"/> names the
/// old steps the new version has no place for. A dry run unless <see cref="DryRun"/> is false.</summary>
public sealed record MigrationRequest(
    [property: Text(Limits.Line)] string? Workflow,
    int? FromVersion,
    int? ToVersion,
    Dictionary<string, string>? Mapping,
    [property: Text(Limits.Line, MaxItems = MigrationLimits.Steps)] List<string>? Drop,
    bool? DryRun);

public static class MigrationLimits
{
    /// <summary>A definition has a few dozen steps; more mapping entries than this is not a mapping.</summary>
    public const int Steps = 500;
}

public sealed record StepMoveView(string From, string To, string Kind, int Activation, DateTimeOffset? DueBefore, DateTimeOffset? DueAfter,
    bool TimersRecomputed);

public sealed record MigrationRefusalView(string? Step, string Reason);

/// <summary>One instance: <c>result</c> is would-move (dry run), moved, skipped, refused or conflict.</summary>
public sealed record InstanceMigrationView(Guid InstanceId, string Result, string? Reason, int? StageNumber, IReadOnlyList<StepMoveView> Moves,
    IReadOnlyList<string> Dropped, IReadOnlyList<string> Opens, IReadOnlyList<string> PassedOver, IReadOnlyList<MigrationRefusalView> Refusals);

public sealed record MigrationReport(string Programme, string Workflow, int FromVersion, int ToVersion, bool DryRun,
    IReadOnlyList<InstanceMigrationView> Instances);

public enum MigrationOutcomeKind { Done, NotFound, Invalid, Refused }

/// <summary>What a migration request came to; <see cref="Report"/> also for a refusal, naming the instances and steps.</summary>
public sealed record MigrationOutcome(MigrationOutcomeKind Kind, MigrationReport? Report = null, string? Message = null,
    IReadOnlyDictionary<string, string[]>? Errors = null);

/// <summary>The caller, as far as a migration cares: the programme they act in, and whether they may act in any.</summary>
public sealed record MigrationCaller(Actor Actor, string? ProgrammeId, bool IsAdmin);

/// <summary>
/// Moves a programme's instances to a new definition version (issue 10 §7): the whole request is planned first, and
/// refused (nothing written) when the mapping does not fit or any instance cannot move; then each instance moves in its
/// own transaction through <see cref="WorkflowHost.MigrateAsync"/>. Transport-free: the API and the command line map
/// the outcome to their own answers.
/// </summary>
public sealed class InstanceMigrations(IDbContextFactory<MentoringDb> dbs, DefinitionStore definitions, WorkflowHost host)
{
    public async Task<MigrationOutcome> RunAsync(MigrationCaller caller, string programmeId, MigrationRequest request,
        CancellationToken cancellationToken)
    {
        await using (var db = await dbs.CreateDbContextAsync(cancellationToken))
        {
            // Another programme's id answers as an unknown one: a facilitator learns nothing of programmes not theirs.
            if ((!caller.IsAdmin && caller.ProgrammeId != programmeId)
                || !await db.Programmes.AnyAsync(p => p.Id == programmeId, cancellationToken))
                return new MigrationOutcome(MigrationOutcomeKind.NotFound, Message: $"No programme '{programmeId}'.");
        }

        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Workflow)) errors["workflow"] = ["Name the workflow whose instances move."];
        if (request.FromVersion is null) errors["fromVersion"] = ["Give the version the instances are on."];
        if (request.ToVersion is null) errors["toVersion"] = ["Give the version they move to."];
        if (request.FromVersion is { } a && a == request.ToVersion) errors["toVersion"] = ["The instances are on that version already."];
        if (request.Mapping is { Count: > MigrationLimits.Steps }) errors["mapping"] = [$"A mapping can have at most {MigrationLimits.Steps} entries."];
        var mappingText = new List<InputError>();
        foreach (var (source, target) in request.Mapping ?? [])
        {
            Input.CheckText(mappingText, "mapping", "Mapping", source, new TextAttribute(Limits.Line));
            Input.CheckText(mappingText, "mapping", "Mapping", target, new TextAttribute(Limits.Line));
        }

        foreach (var (field, messages) in Input.Problem(mappingText)) errors[field] = messages;
        if (errors.Count > 0) return Invalid(errors);

        var workflow = request.Workflow!.Trim();
        var versions = definitions.Catalog.All.Where(d => d.Id == workflow).ToDictionary(d => d.Version);
        if (versions.Count == 0) return new MigrationOutcome(MigrationOutcomeKind.NotFound, Message: $"No workflow '{workflow}'.");
        if (!versions.TryGetValue(request.FromVersion!.Value, out var from))
            errors["fromVersion"] = [$"'{workflow}' has no version {request.FromVersion} (it has {Listed(versions.Keys)})."];
        if (!versions.TryGetValue(request.ToVersion!.Value, out var to))
            errors["toVersion"] = [$"'{workflow}' has no version {request.ToVersion} (it has {Listed(versions.Keys)})."];
        if (errors.Count > 0) return Invalid(errors);

        var mapping = new StepMapping(request.Mapping?.ToDictionary(m => m.Key.Trim(), m => m.Value.Trim()) ?? [],
            request.Drop?.Select(d => d.Trim()).Distinct().ToList() ?? []);
        var mappingErrors = mapping.Check(from!, to!);
        if (mappingErrors.Count > 0) return Invalid(new Dictionary<string, string[]>(mappingErrors));

        List<Guid> ids;
        await using (var db = await dbs.CreateDbContextAsync(cancellationToken))
            ids = await db.Instances.AsNoTracking()
                .Where(i => i.ProgrammeId == programmeId && i.DefinitionId == workflow
                            && (i.DefinitionVersion == from!.Version || i.DefinitionVersion == to!.Version))
                .OrderBy(i => i.CreatedAt).Select(i => i.Id).ToListAsync(cancellationToken);

        // Planned all first: a request that cannot move every instance moves none, so nothing is left half-migrated.
        var planned = new List<InstanceMigrationOutcome>();
        foreach (var id in ids)
            planned.Add(await host.MigrateAsync(id, from!.Version, to!, mapping, caller.Actor, dryRun: true, cancellationToken));
        var dryRun = request.DryRun ?? true;
        if (planned.Any(p => p.Result == MigrationResult.Refused))
            return new MigrationOutcome(MigrationOutcomeKind.Refused, Report(programmeId, workflow, from!, to!, dryRun, planned),
                "Some instances cannot move with this mapping: " + string.Join("; ", planned.Where(p => p.Result == MigrationResult.Refused)
                    .Select(p => $"{p.InstanceId}: {string.Join(" ", p.Plan!.Refusals.Select(r => r.Reason))}")));
        if (dryRun) return new MigrationOutcome(MigrationOutcomeKind.Done, Report(programmeId, workflow, from!, to!, true, planned));

        var applied = new List<InstanceMigrationOutcome>();
        foreach (var id in ids)
            applied.Add(await host.MigrateAsync(id, from!.Version, to!, mapping, caller.Actor, dryRun: false, cancellationToken));
        return new MigrationOutcome(MigrationOutcomeKind.Done, Report(programmeId, workflow, from!, to!, false, applied));
    }

    private static MigrationOutcome Invalid(Dictionary<string, string[]> errors) =>
        new(MigrationOutcomeKind.Invalid, Message: "The migration request is not valid.", Errors: errors);

    private static string Listed(IEnumerable<int> versions) => string.Join(", ", versions.Order().Select(v => $"v{v}"));

    private static MigrationReport Report(string programmeId, string workflow, WorkflowDefinition from, WorkflowDefinition to, bool dryRun,
        IEnumerable<InstanceMigrationOutcome> outcomes) =>
        new(programmeId, workflow, from.Version, to.Version, dryRun, outcomes.Select(View).ToList());

    private static InstanceMigrationView View(InstanceMigrationOutcome outcome)
    {
        var plan = outcome.Plan;
        return new InstanceMigrationView(outcome.InstanceId, EffectWriter.Kebab(outcome.Result), outcome.Reason ?? plan?.Skipped,
            plan?.Progress?.StageNumber,
            plan?.Moves.Select(m => new StepMoveView(m.FromStep, m.ToStep, EffectWriter.Kebab(m.Kind), m.Activation, m.DueBefore, m.DueAfter,
                m.TimersRecomputed)).ToList() ?? [],
            plan?.Dropped ?? [], plan?.Opened ?? [], plan?.PassedOver ?? [],
            plan?.Refusals.Select(r => new MigrationRefusalView(r.StepId, r.Reason)).ToList() ?? []);
    }
}
