using Mentoring.Engine.Definitions;
using Mentoring.Engine.Templates;
using Mentoring.Server.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Workflows;

/// <summary>
/// The definitions this node runs: every file in the definitions folder, plus every version the database has a
/// snapshot of (so an instance pinned to a version whose file is gone still runs).
/// </summary>
public sealed class DefinitionStore
{
    private volatile DefinitionCatalog _catalog;

    public DefinitionStore(IOptions<WorkflowOptions> options, TemplateCatalog templates) =>
        _catalog = DefinitionCatalog.LoadFolder(ContentPath.Resolve(options.Value.DefinitionsPath), templates.Exists);

    public DefinitionCatalog Catalog => _catalog;

    public WorkflowDefinition Get(string id, int version) => _catalog.Get(id, version);

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

        var fromDatabase = snapshots.Where(s => _catalog.Find(s.Id, s.Version) is null)
            .Select(s => DefinitionParser.Parse($"database snapshot {s.Id} v{s.Version}", s.Source, templateExists: null));
        _catalog = new DefinitionCatalog(_catalog.All.Concat(fromDatabase));
    }
}
