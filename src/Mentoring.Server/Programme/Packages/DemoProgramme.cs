using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Tokens;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Programme.Packages;

/// <summary>
/// The demo on the first start of an empty database: the IncluCities package (<c>workflows/inclucities</c>) imported
/// as any package is, plus a personal API token for each of its people, created in the same transaction and printed
/// once by the caller.
/// </summary>
public sealed class DemoProgramme(ProgrammeImporter importer, IOptions<WorkflowOptions> workflows, TimeProvider clock)
{
    public const string ProgrammeId = "inclucities";

    /// <summary>Imports the demo when the database holds no programme yet. Returns the demo tokens created, by email.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ImportIfEmptyAsync(MentoringDb db, CancellationToken cancellationToken)
    {
        if (await db.Programmes.AnyAsync(cancellationToken)) return new Dictionary<string, string>();
        var folder = Path.Combine(ContentPath.Resolve(workflows.Value.DefinitionsPath), ProgrammeId);
        var tokens = new Dictionary<string, string>();
        var outcome = await importer.ImportFolderAsync(db, folder, new ImportOptions(AllowAdmins: true), cancellationToken,
            beforeCommit: async (package, ct) =>
            {
                var emails = package.People.Select(p => p.Email).ToList();
                var people = await db.People.Where(p => p.Email != null && emails.Contains(p.Email)).ToDictionaryAsync(p => p.Email!, ct);
                foreach (var email in emails)
                {
                    var token = ApiTokenAuthentication.NewToken();
                    db.ApiTokens.Add(new ApiToken { PersonId = people[email].Id, Name = "demo", Hash = ApiTokenAuthentication.Hash(token), CreatedAt = clock.GetUtcNow() });
                    tokens[email] = token;
                }

                await db.SaveChangesAsync(ct);
                await Assessments.AssessmentImport.SeedDemoAsync(db, package, ct);
            });
        if (outcome.Refused) throw new Engine.Definitions.DefinitionException(outcome.Errors);
        return tokens;
    }
}
