using Mentoring.Engine.Definitions;
using Mentoring.Engine.Templates;
using Mentoring.Server.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Workflows;

/// <summary>
/// The definitions this node runs: every file in the definitions folder, plus every version the database has a
/// snapshot of (so an instance pinned to a version whose file is gone still runs, and a package uploaded to another
/// node runs here too). The one writer of <c>workflow_definitions</c>.
/// </summary>
public sealed class DefinitionStore
{
    private readonly IDbContextFactory<MentoringDb> _dbs;
    private readonly Lock _swap = new();
    private volatile DefinitionCatalog _catalog;

    public DefinitionStore(IOptions<WorkflowOptions> options, TemplateCatalog templates, IDbContextFactory<MentoringDb> dbs)
    {
        _dbs = dbs;
        _catalog = DefinitionCatalog.LoadFolder(ContentPath.Resolve(options.Value.DefinitionsPath), templates.Exists);
    }

    public DefinitionCatalog Catalog => _catalog;

    /// <summary>A version this node has, or else one the database has (a package imported on another node since this
    /// one started), loaded now.</summary>
    public WorkflowDefinition? Find(string id, int version)
    {
        if (_catalog.Find(id, version) is { } known) return known;
        using var db = _dbs.CreateDbContext();
        var snapshot = db.Definitions.AsNoTracking().SingleOrDefault(s => s.Id == id && s.Version == version);
        if (snapshot is null) return null;
        Include([FromSnapshot(snapshot)]);
        return _catalog.Find(id, version);
    }

    public WorkflowDefinition Get(string id, int version) =>
        Find(id, version) ?? throw new KeyNotFoundException($"No workflow definition '{id}' version {version} is loaded.");

    /// <summary>Loads every version the database has and this node does not: what other nodes imported since.</summary>
    public async Task RefreshAsync(MentoringDb db, CancellationToken cancellationToken)
    {
        var stored = await db.Definitions.AsNoTracking().Select(s => new { s.Id, s.Version }).ToListAsync(cancellationToken);
        var missing = stored.Where(s => _catalog.Find(s.Id, s.Version) is null).ToList();
        if (missing.Count == 0) return;
        var ids = missing.Select(m => m.Id).Distinct().ToList();
        var snapshots = await db.Definitions.AsNoTracking().Where(s => ids.Contains(s.Id)).ToListAsync(cancellationToken);
        Include(snapshots.Where(s => missing.Any(m => m.Id == s.Id && m.Version == s.Version)).Select(FromSnapshot));
    }

    /// <summary>
    /// Records a package's definitions that nobody recorded yet, in the caller's transaction, and lets this node run
    /// them at once (the import starts its groups before it commits). A version recorded with other content is
    /// refused: an id and version mean one workflow on every node. Returns the errors, or the versions added (with
    /// <paramref name="check"/>: that would be), which <see cref="Forget"/> takes back should the transaction not commit.
    /// </summary>
    public async Task<(IReadOnlyList<WorkflowDefinition> Added, IReadOnlyList<DefinitionError> Errors)> RecordAsync(MentoringDb db,
        IEnumerable<WorkflowDefinition> definitions, DateTimeOffset now, bool check, CancellationToken cancellationToken)
    {
        await RefreshAsync(db, cancellationToken);
        // The database decides what is recorded: this node may hold a version whose import did not commit.
        var stored = (await db.Definitions.AsNoTracking().Select(s => new { s.Id, s.Version, s.ContentHash }).ToListAsync(cancellationToken))
            .ToDictionary(s => (s.Id, s.Version), s => s.ContentHash);
        var errors = new List<DefinitionError>();
        var added = new List<WorkflowDefinition>();
        foreach (var definition in definitions)
        {
            var known = stored.TryGetValue((definition.Id, definition.Version), out var hash) ? hash : _catalog.Find(definition.Id, definition.Version)?.ContentHash;
            if (known == definition.ContentHash && stored.ContainsKey((definition.Id, definition.Version))) continue;
            if (known is not null && known != definition.ContentHash)
            {
                errors.Add(new DefinitionError(definition.SourceFile, "$.version",
                    $"'{definition.Id}' version {definition.Version} exists on this server with other content; give the changed workflow a " +
                    "higher version (or a new id) instead"));
                continue;
            }

            added.Add(definition);
        }

        if (errors.Count > 0) return ([], errors);
        if (check || added.Count == 0) return (added, []);
        foreach (var definition in added)
            db.Definitions.Add(new DefinitionSnapshot
            {
                Id = definition.Id, Version = definition.Version, Name = definition.Name, ContentHash = definition.ContentHash,
                Source = definition.Source, LoadedAt = now,
            });
        Include(added);
        return (added, []);
    }

    /// <summary>Takes back what <see cref="RecordAsync"/> let this node run, when its transaction did not commit.</summary>
    public void Forget(IReadOnlyList<WorkflowDefinition> added)
    {
        if (added.Count == 0) return;
        lock (_swap)
            _catalog = new DefinitionCatalog(_catalog.All.Where(d => !added.Any(a => a.Id == d.Id && a.Version == d.Version)));
    }

    private void Include(IEnumerable<WorkflowDefinition> definitions)
    {
        lock (_swap)
        {
            var fresh = definitions.Where(d => _catalog.Find(d.Id, d.Version) is null).ToList();
            if (fresh.Count > 0) _catalog = new DefinitionCatalog(_catalog.All.Concat(fresh));
        }
    }

    private static WorkflowDefinition FromSnapshot(DefinitionSnapshot s) =>
        DefinitionParser.Parse($"database snapshot {s.Id} v{s.Version}", s.Source, templateExists: null);

    /// <summary>The programme's own workflow instance and the definition it runs on (nulls when it has none), which
    /// decides who besides the facilitator works on it (<see cref="Auth.CurrentUser.SeesProgrammeWork"/>).</summary>
    public async Task<(WorkflowInstance? Instance, WorkflowDefinition? Definition)> ProgrammeWorkflowAsync(MentoringDb db,
        string? programmeId, CancellationToken ct)
    {
        var instance = await (from programme in db.Programmes
                where programme.Id == programmeId
                join i in db.Instances on programme.ProgrammeInstanceId equals i.Id
                select i)
            .AsNoTracking().SingleOrDefaultAsync(ct);
        return (instance, instance is null ? null : _catalog.Find(instance.DefinitionId, instance.DefinitionVersion));
    }

    /// <summary>Records each loaded version in the database, refusing a version whose content changed since it was
    /// first seen, and loads versions known only to the database.</summary>
    public async Task SyncAsync(MentoringDb db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var snapshots = await db.Definitions.AsNoTracking().ToListAsync(cancellationToken);
        var errors = new List<DefinitionError>();
        foreach (var definition in _catalog.All)
        {
            var snapshot = snapshots.FirstOrDefault(s => s.Id == definition.Id && s.Version == definition.Version);
            if (snapshot is null)
            {
                db.Definitions.Add(new DefinitionSnapshot
                {
                    Id = definition.Id, Version = definition.Version, Name = definition.Name,
                    ContentHash = definition.ContentHash, Source = definition.Source, LoadedAt = now,
                });
            }
            else if (snapshot.ContentHash != definition.ContentHash
                     && LocalizedText.EnglishOnly(snapshot.Source) == LocalizedText.EnglishOnly(definition.Source))
            {
                // Only translations were added or changed: the workflow does and says the same in English, so the
                // instances running on it may read the new texts.
                await db.Definitions.Where(s => s.Id == definition.Id && s.Version == definition.Version && s.ContentHash == snapshot.ContentHash)
                    .ExecuteUpdateAsync(set => set.SetProperty(s => s.ContentHash, definition.ContentHash).SetProperty(s => s.Source, definition.Source),
                        cancellationToken);
            }
            else if (snapshot.ContentHash != definition.ContentHash)
            {
                errors.Add(new DefinitionError(definition.SourceFile, "$.version",
                    $"'{definition.Id}' version {definition.Version} was changed after instances may have started on it; " +
                    $"copy the file and raise its version instead (first loaded {snapshot.LoadedAt:yyyy-MM-dd HH:mm} UTC)"));
            }
        }

        if (errors.Count > 0) throw new DefinitionException(errors);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another node recorded the same versions at the same moment; its snapshot is the same file.
            db.ChangeTracker.Clear();
        }

        Include(snapshots.Where(s => _catalog.Find(s.Id, s.Version) is null).Select(FromSnapshot));
    }
}
