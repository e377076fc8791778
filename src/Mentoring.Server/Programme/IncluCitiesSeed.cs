using Mentoring.Engine.Runtime;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Tokens;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Programme;

/// <summary>
/// Seeds the real IncluCities programme (CEMR, 2020-2023) into an empty database: its eight cities with their
/// national associations, time zones and languages, the four pairs and themes, the facilitator, and one running
/// workflow per pair plus the programme's own. Demo sign-in tokens are created here and printed once.
/// </summary>
public sealed class IncluCitiesSeed(WorkflowHost host, DefinitionStore definitions, TimeProvider clock, ILogger<IncluCitiesSeed> logger)
{
    public const string ProgrammeId = "inclucities";

    private static readonly (string Id, string Name, string Country, string Association, string TimeZone, string Language)[] Cities =
    [
        City("brussels", "City of Brussels", "BE", "Brulocalis", "Europe/Brussels", "fr"),
        City("saint-jean-de-la-ruelle", "Saint-Jean-de-la-Ruelle", "FR", "AFCCRE", "Europe/Paris", "fr"),
        City("mechelen", "Mechelen", "BE", "VVSG", "Europe/Brussels", "nl"),
        City("capaci", "Capaci", "IT", "AICCRE", "Europe/Rome", "it"),
        City("fuenlabrada", "Fuenlabrada", "ES", "FEMP", "Europe/Madrid", "es"),
        City("livadeia", "Livadeia", "GR", "KEDE", "Europe/Athens", "el"),
        City("schaerbeek", "Schaerbeek", "BE", "Brulocalis", "Europe/Brussels", "fr"),
        City("jelgava", "Jelgava", "LV", "LPS", "Europe/Riga", "lv"),
    ];

    private static readonly (int Number, string Mentor, string Mentee, string Theme, string Practices)[] PairSeeds =
    [
        (1, "brussels", "saint-jean-de-la-ruelle", "Strategic needs assessment and a gender-sensitive response",
            "BAPA BXL newcomer reception offices"),
        (2, "mechelen", "capaci", "Building a vision of a \"city for all\"", "Buddies with Refugees (replicated as \"compa\")"),
        (3, "fuenlabrada", "livadeia", "Mobilising citizens for decent employment and entrepreneurship",
            "MILMA, anti-rumours network, table for coexistence"),
        (4, "schaerbeek", "jelgava", "Formal and informal language learning", "CAMIM, VIA-BAPA"),
    ];

    /// <summary>Seeds when the database holds no programme yet. Returns the demo tokens created, by email.</summary>
    public async Task<IReadOnlyDictionary<string, string>> SeedIfEmptyAsync(MentoringDb db, CancellationToken cancellationToken)
    {
        if (await db.Programmes.AnyAsync(cancellationToken)) return new Dictionary<string, string>();
        var now = clock.GetUtcNow();
        var pairWorkflow = definitions.Catalog.Latest("inclucities-pair")
                           ?? throw new InvalidOperationException("The IncluCities pair workflow (inclucities-pair) is not in workflows/.");
        var programmeWorkflow = definitions.Catalog.Latest("inclucities-programme");

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var programme = new ProgrammeRecord
        {
            Id = ProgrammeId, Name = "IncluCities", ProgrammeWorkflow = programmeWorkflow?.Id, CreatedAt = now,
            Languages = """["en", "el", "fr", "nl", "it", "es", "lv"]""", TimeZone = "Europe/Brussels",
            Terms = """{"group": {"en": "pair"}, "groups": {"en": "pairs"}, "member": {"en": "city"}, "members": {"en": "cities"}}""",
        };
        db.Programmes.Add(programme);
        // Cities are installation-wide: one already there (another programme's) is joined, not added again.
        var known = await db.Cities.Select(c => c.Id).ToListAsync(cancellationToken);
        foreach (var city in Cities)
        {
            if (!known.Contains(city.Id))
                db.Cities.Add(new City { Id = city.Id, Name = city.Name, Country = city.Country, TimeZone = city.TimeZone, Language = city.Language });
            db.ProgrammeMembers.Add(new ProgrammeMember { ProgrammeId = ProgrammeId, CityId = city.Id, Association = OrganisationId(city.Association) });
        }

        db.Organisations.Add(new Organisation { ProgrammeId = ProgrammeId, Id = "migration-work", Name = "Migration Work", Kind = OrganisationKinds.Facilitator });
        db.Organisations.Add(new Organisation { ProgrammeId = ProgrammeId, Id = "cemr", Name = "CEMR", Kind = OrganisationKinds.Coordinator });
        foreach (var association in Cities.GroupBy(c => c.Association))
            db.Organisations.Add(new Organisation
            {
                ProgrammeId = ProgrammeId, Id = OrganisationId(association.Key), Name = association.Key,
                Kind = OrganisationKinds.Association, Country = association.First().Country,
            });

        var people = new List<(Person Person, ProgrammePerson Place)>
        {
            Person("Migration Work (facilitator)", "facilitator@migrationwork.example", PersonRoles.Facilitator, null, "migration-work", "en", "Europe/Brussels", now),
            Person("CEMR (programme coordinator)", "coordination@cemr.example", PersonRoles.Observer, null, "cemr", "en", "Europe/Brussels", now, admin: true),
        };
        people.AddRange(Cities.Select(c => Person($"{c.Name} coordinator", $"{c.Id}@inclucities.example", PersonRoles.Coordinator,
            c.Id, OrganisationId(c.Association), c.Language, c.TimeZone, now)));
        people.AddRange(Cities.Select(c => c.Association).Distinct().Select(a => Person($"{a} (national association)",
            $"{a.ToLowerInvariant()}@associations.example", PersonRoles.Observer, null, OrganisationId(a), "en", "Europe/Brussels", now)));
        db.People.AddRange(people.Select(p => p.Person));
        db.ProgrammePeople.AddRange(people.Select(p => p.Place));

        var tokens = new Dictionary<string, string>();
        foreach (var (person, _) in people)
        {
            var token = ApiTokenAuthentication.NewToken();
            db.ApiTokens.Add(new ApiToken { PersonId = person.Id, Name = "demo", Hash = ApiTokenAuthentication.Hash(token), CreatedAt = now });
            tokens[person.Email!] = token;
        }

        var pairs = PairSeeds.Select(p => new Group
        {
            ProgrammeId = ProgrammeId, Number = p.Number, Shape = "pair", Title = p.Theme, Notes = p.Practices,
            WorkflowId = pairWorkflow.Id, InstanceId = Guid.CreateVersion7(),
        }).ToList();
        db.Groups.AddRange(pairs);
        foreach (var (pair, seed) in pairs.Zip(PairSeeds))
        {
            db.GroupMembers.Add(new GroupMember { GroupId = pair.Id, CityId = seed.Mentor, Role = "mentor" });
            db.GroupMembers.Add(new GroupMember { GroupId = pair.Id, CityId = seed.Mentee, Role = "mentee" });
        }

        await db.SaveChangesAsync(cancellationToken);

        var seeder = new Actor("seed", "Set-up", ActorRole.System);
        if (programmeWorkflow is not null)
        {
            var instance = await host.StartAsync(db, programmeWorkflow, ProgrammeId, null, seeder, cancellationToken);
            programme.ProgrammeInstanceId = instance.Id;
        }

        foreach (var pair in pairs) await host.StartAsync(db, pairWorkflow, ProgrammeId, pair, seeder, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Seeded the IncluCities programme: {Cities} cities, {Pairs} pairs", Cities.Length, pairs.Count);
        return tokens;
    }

    private static (string Id, string Name, string Country, string Association, string TimeZone, string Language) City(string id,
        string name, string country, string association, string zone, string language) => (id, name, country, association, zone, language);

    /// <summary>An organisation's id as the packages spell it: "Migration Work" is "migration-work".</summary>
    private static string OrganisationId(string name) => name.Trim().ToLowerInvariant().Replace(' ', '-');

    private static (Person, ProgrammePerson) Person(string name, string email, string role, string? city, string? organisation,
        string language, string zone, DateTimeOffset now, bool admin = false)
    {
        var person = new Person
        {
            Name = name, Email = email, Language = language, TimeZone = zone, IsAdmin = admin, CurrentProgramme = ProgrammeId, CreatedAt = now,
        };
        return (person, new ProgrammePerson
        {
            ProgrammeId = ProgrammeId, PersonId = person.Id, Role = role, CityId = city, Organisation = organisation,
        });
    }
}
