using System.Text.Json;
using System.Text.Json.Nodes;
using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Engine.Templates;
using Mentoring.Server.Accounts;
using Mentoring.Server.Data;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Programme.Packages;

/// <summary>How an import may act: <see cref="Check"/> plans and writes nothing; <see cref="AllowAdmins"/> honours a
/// package person's <c>admin</c> (the command line and the first start, run by whoever runs the server; not the API).</summary>
public sealed record ImportOptions(bool Check = false, bool AllowAdmins = false);

/// <summary>One line of an import's plan: what (<see cref="Kind"/> <see cref="Key"/>) and what happens to it.</summary>
public sealed record PlannedChange(string Kind, string Key, string Change)
{
    public override string ToString() => $"{Kind} {Key}: {Change}";
}

/// <summary>What an import did (or, checked, would do). <see cref="Errors"/> set: refused, nothing written.</summary>
public sealed record ImportOutcome(string ProgrammeId, bool Created, bool Unchanged, IReadOnlyList<PlannedChange> Changes,
    IReadOnlyList<DefinitionError> Errors)
{
    public bool Refused => Errors.Count > 0;
}

/// <summary>
/// Creates or updates a programme from its package, in one transaction: the programme, its organisations, its members
/// (cities upserted installation-wide), its groups (a new group starts its workflow; an existing one keeps its running
/// instance), the programme workflow's instance and its people (by email; a new person has no password). The package
/// hash makes an unchanged re-import a no-op. The one writer of a programme's set-up tables for a whole package; the
/// command line, the first start and <c>POST /api/programmes</c> all come here.
/// </summary>
public sealed class ProgrammeImporter(WorkflowHost host, DefinitionStore definitions, TemplateCatalog templates, TimeProvider clock,
    ILogger<ProgrammeImporter> logger)
{
    // Its id tells the journal's readers an import started the instance; its name is the system's, which pages show in
    // the reader's language ("automatic").
    private static readonly Actor Importer = new("import", Actor.System.Name, ActorRole.System);

    /// <summary>Reads the package folder (under workflows/, or anywhere: an uploaded package's) and imports it.</summary>
    public async Task<ImportOutcome> ImportFolderAsync(MentoringDb db, string folder, ImportOptions options, CancellationToken cancellationToken,
        Func<ProgrammePackage, CancellationToken, Task>? beforeCommit = null)
    {
        var package = ProgrammePackageReader.TryReadFolder(folder, templates.Exists, out var errors);
        if (package is null) return new ImportOutcome("", false, false, [], errors);
        return await ImportAsync(db, package, options, cancellationToken, beforeCommit);
    }

    /// <summary>Imports a package already read and checked (<see cref="ProgrammePackageReader"/>).</summary>
    /// <param name="beforeCommit">More work of the caller's in the same transaction (the demo's API tokens).</param>
    public async Task<ImportOutcome> ImportAsync(MentoringDb db, ProgrammePackage package, ImportOptions options, CancellationToken cancellationToken,
        Func<ProgrammePackage, CancellationToken, Task>? beforeCommit = null)
    {
        var programme = await db.Programmes.SingleOrDefaultAsync(p => p.Id == package.Id, cancellationToken);
        if (programme?.PackageHash == package.Hash)
            return new ImportOutcome(package.Id, false, true, [], []);

        // The caller's transaction when it has one (the API records its Idempotency-Key with the import), else its own.
        await using var transaction = options.Check || db.Database.CurrentTransaction is not null
            ? null : await db.Database.BeginTransactionAsync(cancellationToken);
        var (recorded, clashes) = await definitions.RecordAsync(db, package.Definitions, clock.GetUtcNow(), options.Check, cancellationToken);
        if (clashes.Count > 0) return new ImportOutcome(package.Id, false, false, [], clashes);
        var staged = options.Check ? [] : recorded;
        try
        {
            var outcome = await WriteAsync(db, package, programme, recorded, options, transaction, cancellationToken, beforeCommit);
            if (outcome.Refused) definitions.Forget(staged);
            return outcome;
        }
        catch
        {
            definitions.Forget(staged);
            throw;
        }
    }

    private async Task<ImportOutcome> WriteAsync(MentoringDb db, ProgrammePackage package, ProgrammeRecord? programme,
        IReadOnlyList<WorkflowDefinition> recorded, ImportOptions options, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction? transaction,
        CancellationToken cancellationToken, Func<ProgrammePackage, CancellationToken, Task>? beforeCommit)
    {
        var plan = new Plan(package.File);
        foreach (var workflow in recorded) plan.Add("workflow", $"{workflow.Id} v{workflow.Version}", "record on this server, for every node");
        var created = programme is null;
        programme = UpsertProgramme(db, package, programme, plan);
        await UpsertOrganisationsAsync(db, package, plan, cancellationToken);
        await UpsertMembersAsync(db, package, plan, cancellationToken);
        await UpsertShapesAsync(db, package, plan, cancellationToken);
        var newGroups = await UpsertGroupsAsync(db, package, plan, cancellationToken);
        await UpsertPeopleAsync(db, package, options, plan, cancellationToken);
        if (await Matching.MatchingSettingsStore.UpsertAsync(db, package, cancellationToken) is { } matching) plan.Add("matching", package.Id, matching);
        await Practices.PracticesFile.UpsertAsync(db, package, plan.Add, clock.GetUtcNow(), cancellationToken);
        await Benchmarks.BenchmarkTemplates.UpsertAsync(db, package, plan.Add, clock.GetUtcNow(), cancellationToken);
        var startProgramme = PlanProgrammeWorkflow(package, programme, plan);
        foreach (var change in await Assessments.AssessmentImport.UpsertQuestionnaireAsync(db, package, clock.GetUtcNow(), cancellationToken))
            plan.Add(change.Kind, change.Key, change.Change);
        if (plan.Errors.Count > 0 || options.Check)
        {
            db.ChangeTracker.Clear();
            return new ImportOutcome(package.Id, created, false, plan.Changes, plan.Errors);
        }

        await db.SaveChangesAsync(cancellationToken);
        if (startProgramme is not null)
            programme.ProgrammeInstanceId = (await host.StartAsync(db, startProgramme, package.Id, null, Importer, cancellationToken)).Id;
        foreach (var (group, workflow) in newGroups) await host.StartAsync(db, workflow, package.Id, group, Importer, cancellationToken);
        programme.PackageHash = package.Hash;
        await db.SaveChangesAsync(cancellationToken);
        if (beforeCommit is not null) await beforeCommit(package, cancellationToken);
        if (transaction is not null) await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Imported the programme {Programme} from {File}: {Changes} change(s)", package.Id, package.File, plan.Changes.Count);
        return new ImportOutcome(package.Id, created, false, plan.Changes, []);
    }

    private ProgrammeRecord UpsertProgramme(MentoringDb db, ProgrammePackage package, ProgrammeRecord? programme, Plan plan)
    {
        var terms = new JsonObject
        {
            ["name"] = Node(package.Name), ["group"] = Node(package.Terms.Group), ["groups"] = Node(package.Terms.Groups),
            ["member"] = Node(package.Terms.Member), ["members"] = Node(package.Terms.Members),
        }.ToJsonString();
        var languages = JsonSerializer.Serialize(package.Languages);
        var settings = package.Settings.StuckAfterDays is { } days ? new JsonObject { ["stuckAfterDays"] = days }.ToJsonString() : "{}";
        if (programme is null)
        {
            programme = new ProgrammeRecord
            {
                Id = package.Id, Name = package.Name.InEnglish, Languages = languages, TimeZone = package.TimeZone, Terms = terms,
                Settings = settings, ProgrammeWorkflow = package.ProgrammeWorkflow?.Id, CreatedAt = clock.GetUtcNow(),
            };
            db.Programmes.Add(programme);
            plan.Add("programme", package.Id, "create");
            return programme;
        }

        var changed = new List<string>();
        Set(programme.Name, package.Name.InEnglish, v => programme.Name = v, "name", changed);
        Set(programme.Languages, languages, v => programme.Languages = v, "languages", changed);
        Set(programme.TimeZone, package.TimeZone, v => programme.TimeZone = v, "time zone", changed);
        Set(programme.Terms, terms, v => programme.Terms = v, "terms", changed);
        Set(programme.Settings, settings, v => programme.Settings = v, "settings", changed);
        if (programme.ProgrammeWorkflow is { } running && package.ProgrammeWorkflow is { } wanted && running != wanted.Id)
            plan.Error("$.programmeWorkflow", $"the programme already runs '{running}'; an import does not move it to '{wanted.Id}'");
        plan.Update("programme", package.Id, changed);
        return programme;
    }

    private static async Task UpsertOrganisationsAsync(MentoringDb db, ProgrammePackage package, Plan plan, CancellationToken cancellationToken)
    {
        var existing = await db.Organisations.Where(o => o.ProgrammeId == package.Id).ToDictionaryAsync(o => o.Id, cancellationToken);
        foreach (var wanted in package.Organisations)
        {
            if (!existing.TryGetValue(wanted.Id, out var organisation))
            {
                db.Organisations.Add(new Organisation { ProgrammeId = package.Id, Id = wanted.Id, Name = wanted.Name, Kind = wanted.Kind, Country = wanted.Country });
                plan.Add("organisation", wanted.Id, "create");
                continue;
            }

            var changed = new List<string>();
            Set(organisation.Name, wanted.Name, v => organisation.Name = v, "name", changed);
            Set(organisation.Kind, wanted.Kind, v => organisation.Kind = v, "kind", changed);
            Set(organisation.Country, wanted.Country, v => organisation.Country = v, "country", changed);
            plan.Update("organisation", wanted.Id, changed);
        }
    }

    private static async Task UpsertMembersAsync(MentoringDb db, ProgrammePackage package, Plan plan, CancellationToken cancellationToken)
    {
        var ids = package.Members.Select(m => m.Id).ToList();
        var cities = await db.Cities.Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, cancellationToken);
        var members = await db.ProgrammeMembers.Where(m => m.ProgrammeId == package.Id).ToDictionaryAsync(m => m.CityId, cancellationToken);
        foreach (var wanted in package.Members)
        {
            if (!cities.TryGetValue(wanted.Id, out var city))
            {
                db.Cities.Add(new City { Id = wanted.Id, Name = wanted.Name, Country = wanted.Country, TimeZone = wanted.TimeZone, Language = wanted.Language });
                plan.Add("city", wanted.Id, "create");
            }
            else
            {
                // A city is shared by the programmes it is in: what this package says of it is what all of them see.
                var changed = new List<string>();
                Set(city.Name, wanted.Name, v => city.Name = v, "name", changed);
                Set(city.Country, wanted.Country, v => city.Country = v, "country", changed);
                Set(city.TimeZone, wanted.TimeZone, v => city.TimeZone = v, "time zone", changed);
                Set(city.Language, wanted.Language, v => city.Language = v, "language", changed);
                plan.Update("city", wanted.Id, changed);
            }

            if (!members.TryGetValue(wanted.Id, out var member))
            {
                db.ProgrammeMembers.Add(new ProgrammeMember { ProgrammeId = package.Id, CityId = wanted.Id, Association = wanted.Association });
                plan.Add("member", wanted.Id, "join the programme");
            }
            else
            {
                var changed = new List<string>();
                Set(member.Association, wanted.Association, v => member.Association = v, "association", changed);
                plan.Update("member", wanted.Id, changed);
            }
        }
    }

    /// <summary>Stores the package's shapes, so a group formed later (API, set-up page) is held to them too. A shape the
    /// package no longer lists stays: groups formed on the server may be of it.</summary>
    private static async Task UpsertShapesAsync(MentoringDb db, ProgrammePackage package, Plan plan, CancellationToken cancellationToken)
    {
        var existing = await db.GroupShapes.Where(s => s.ProgrammeId == package.Id).ToDictionaryAsync(s => s.Id, cancellationToken);
        foreach (var wanted in package.Shapes)
        {
            var roles = GroupShapes.RolesJson(wanted);
            if (!existing.TryGetValue(wanted.Id, out var shape))
            {
                db.GroupShapes.Add(new GroupShape { ProgrammeId = package.Id, Id = wanted.Id, Roles = roles, OneGroupPerMember = wanted.OneGroupPerMember });
                plan.Add("shape", wanted.Id, "create");
                continue;
            }

            var changed = new List<string>();
            Set(shape.Roles, roles, v => shape.Roles = v, "roles", changed);
            Set(shape.OneGroupPerMember, wanted.OneGroupPerMember, v => shape.OneGroupPerMember = v, "one group per member", changed);
            plan.Update("shape", wanted.Id, changed);
        }

        // The reader checked the package's groups among themselves; groups formed on the server since are not in it.
        var numbers = package.Groups.Select(g => g.Number).ToHashSet();
        var others = (await GroupShapes.PlacedAsync(db, package.Id, cancellationToken)).Where(g => !numbers.Contains(g.Number)).ToList();
        for (var i = 0; i < package.Groups.Count; i++)
        {
            var group = package.Groups[i];
            var shape = package.Shapes.Single(s => s.Id == group.Shape);
            foreach (var violation in GroupShapes.Check(shape, group.Title ?? $"{group.Number}", group.Members, others, new Dictionary<string, string>()))
                plan.Error($"$.groups[{i}].members.{violation.Role}", violation.Message);
        }
    }

    private static async Task<List<(Group Group, WorkflowDefinition Workflow)>> UpsertGroupsAsync(MentoringDb db, ProgrammePackage package, Plan plan,
        CancellationToken cancellationToken)
    {
        var groups = await db.Groups.Where(g => g.ProgrammeId == package.Id).ToDictionaryAsync(g => g.Number, cancellationToken);
        var groupIds = groups.Values.Select(g => g.Id).ToList();
        var members = (await db.GroupMembers.Where(m => groupIds.Contains(m.GroupId)).ToListAsync(cancellationToken)).ToLookup(m => m.GroupId);
        var started = new List<(Group, WorkflowDefinition)>();
        for (var i = 0; i < package.Groups.Count; i++)
        {
            var wanted = package.Groups[i];
            var key = $"{wanted.Number}";
            var rows = wanted.Members.SelectMany(r => r.Value.Select(city => (City: city, Role: r.Key))).ToList();
            if (!groups.TryGetValue(wanted.Number, out var group))
            {
                group = new Group
                {
                    ProgrammeId = package.Id, Number = wanted.Number, Shape = wanted.Shape, Title = wanted.Title ?? "", Notes = wanted.Notes,
                    WorkflowId = wanted.Workflow.Id, InstanceId = Guid.CreateVersion7(),
                };
                db.Groups.Add(group);
                foreach (var (city, role) in rows) db.GroupMembers.Add(new GroupMember { GroupId = group.Id, CityId = city, Role = role });
                plan.Add("group", key, $"create ({Describe(rows)}) and start '{wanted.Workflow.Id}' v{wanted.Workflow.Version}");
                started.Add((group, wanted.Workflow));
                continue;
            }

            var path = $"$.groups[{i}]";
            if (group.WorkflowId != wanted.Workflow.Id)
                plan.Error(path + ".workflow", $"group {wanted.Number} runs '{group.WorkflowId}'; an import does not move a running group to another workflow");
            if (group.Shape != wanted.Shape)
                plan.Error(path + ".shape", $"group {wanted.Number} is a '{group.Shape}'; an import does not change the shape of a running group");
            var changed = new List<string>();
            Set(group.Title, wanted.Title ?? "", v => group.Title = v, "title", changed);
            Set(group.Notes, wanted.Notes, v => group.Notes = v, "notes", changed);
            var current = members[group.Id].Select(m => (City: m.CityId, m.Role)).ToHashSet();
            if (!current.SetEquals(rows))
            {
                db.GroupMembers.RemoveRange(members[group.Id]);
                foreach (var (city, role) in rows) db.GroupMembers.Add(new GroupMember { GroupId = group.Id, CityId = city, Role = role });
                changed.Add($"members ({Describe(rows)})");
            }

            plan.Update("group", key, changed);
        }

        return started;
    }

    private static string Describe(IEnumerable<(string City, string Role)> rows) =>
        string.Join(", ", rows.GroupBy(r => r.Role).Select(g => $"{g.Key}: {string.Join(" ", g.Select(r => r.City))}"));

    private async Task UpsertPeopleAsync(MentoringDb db, ProgrammePackage package, ImportOptions options, Plan plan, CancellationToken cancellationToken)
    {
        var emails = package.People.Select(p => p.Email).ToList();
        var people = await db.People.Where(p => p.Email != null && emails.Contains(p.Email.ToLower())).ToListAsync(cancellationToken);
        var byEmail = people.ToDictionary(p => EmailAddress.Normalise(p.Email));
        var ids = people.Select(p => p.Id).ToList();
        var places = await db.ProgrammePeople.Where(p => p.ProgrammeId == package.Id && ids.Contains(p.PersonId)).ToDictionaryAsync(p => p.PersonId, cancellationToken);
        foreach (var wanted in package.People)
        {
            var admin = wanted.Admin && options.AllowAdmins;
            if (!byEmail.TryGetValue(wanted.Email, out var person))
            {
                // No password: a new person signs in through an invitation or a reset link.
                person = new Person
                {
                    Name = wanted.Name, Email = wanted.Email, Language = wanted.Language, TimeZone = wanted.TimeZone, IsAdmin = admin,
                    CurrentProgramme = package.Id, CreatedAt = clock.GetUtcNow(),
                };
                db.People.Add(person);
                plan.Add("person", wanted.Email, $"create as {Place(wanted)}{(admin ? ", administrator" : "")}");
            }
            else if (admin && !person.IsAdmin)
            {
                person.IsAdmin = true;
                plan.Add("person", wanted.Email, "make administrator");
            }

            if (!places.TryGetValue(person.Id, out var place))
            {
                db.ProgrammePeople.Add(new ProgrammePerson
                {
                    ProgrammeId = package.Id, PersonId = person.Id, Role = wanted.Role, CityId = wanted.City, Organisation = wanted.Organisation,
                });
                if (byEmail.ContainsKey(wanted.Email)) plan.Add("person", wanted.Email, $"join the programme as {Place(wanted)}");
                continue;
            }

            // Their name, language and time zone are theirs to change on their pages once they exist; the package
            // decides only their place in this programme.
            var changed = new List<string>();
            Set(place.Role, wanted.Role, v => place.Role = v, "role", changed);
            Set(place.CityId, wanted.City, v => place.CityId = v, "city", changed);
            Set(place.Organisation, wanted.Organisation, v => place.Organisation = v, "organisation", changed);
            plan.Update("person", wanted.Email, changed);
        }
    }

    private static string Place(PackagePerson person) =>
        person.City is { } city ? $"{person.Role} of {city}" : person.Organisation is { } organisation ? $"{person.Role} ({organisation})" : person.Role;

    private static WorkflowDefinition? PlanProgrammeWorkflow(ProgrammePackage package, ProgrammeRecord programme, Plan plan)
    {
        if (package.ProgrammeWorkflow is not { } workflow || programme.ProgrammeInstanceId is not null) return null;
        programme.ProgrammeWorkflow = workflow.Id;
        plan.Add("programme workflow", workflow.Id, $"start v{workflow.Version}");
        return workflow;
    }

    private static JsonNode Node(LocalizedText text) => new JsonObject(text.ByLanguage.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)t.Value)));

    private static void Set<T>(T current, T wanted, Action<T> set, string name, List<string> changed)
    {
        if (EqualityComparer<T>.Default.Equals(current, wanted)) return;
        set(wanted);
        changed.Add(name);
    }

    private sealed class Plan(string file)
    {
        public List<PlannedChange> Changes { get; } = [];
        public List<DefinitionError> Errors { get; } = [];

        public void Add(string kind, string key, string change) => Changes.Add(new PlannedChange(kind, key, change));

        public void Update(string kind, string key, List<string> changed)
        {
            if (changed.Count > 0) Add(kind, key, "update " + string.Join(", ", changed));
        }

        public void Error(string path, string message) => Errors.Add(new DefinitionError(file, path, message));
    }
}
