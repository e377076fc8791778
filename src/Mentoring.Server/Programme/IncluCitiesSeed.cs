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

    private static readonly City[] Cities =
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
            Id = ProgrammeId, Name = "IncluCities", PairWorkflow = pairWorkflow.Id, ProgrammeWorkflow = programmeWorkflow?.Id,
            CreatedAt = now,
        };
        db.Programmes.Add(programme);
        foreach (var city in Cities)
            db.Cities.Add(new City
            {
                Id = city.Id, ProgrammeId = ProgrammeId, Name = city.Name, Country = city.Country, Association = city.Association,
                TimeZone = city.TimeZone, Language = city.Language,
            });

        var people = new List<Person>
        {
            Person("Migration Work (facilitator)", "facilitator@migrationwork.example", PersonRoles.Facilitator, null, "Migration Work", "en", "Europe/Brussels", now),
            Person("CEMR (programme coordinator)", "coordination@cemr.example", PersonRoles.Admin, null, "CEMR", "en", "Europe/Brussels", now),
        };
        people.AddRange(Cities.Select(c => Person($"{c.Name} coordinator", $"{c.Id}@inclucities.example", PersonRoles.Coordinator,
            c.Id, c.Association, c.Language, c.TimeZone, now)));
        people.AddRange(Cities.Select(c => c.Association!).Distinct().Select(a => Person($"{a} (national association)",
            $"{a.ToLowerInvariant()}@associations.example", PersonRoles.Observer, null, a, "en", "Europe/Brussels", now)));
        db.People.AddRange(people);

        var tokens = new Dictionary<string, string>();
        foreach (var person in people)
        {
            var token = ApiTokenAuthentication.NewToken();
            db.ApiTokens.Add(new ApiToken { PersonId = person.Id, Name = "demo", Hash = ApiTokenAuthentication.Hash(token), CreatedAt = now });
            tokens[person.Email!] = token;
        }

        var pairs = PairSeeds.Select(p => new Pair
        {
            ProgrammeId = ProgrammeId, Number = p.Number, MentorCityId = p.Mentor, MenteeCityId = p.Mentee, Theme = p.Theme,
            Practices = p.Practices, InstanceId = Guid.CreateVersion7(),
        }).ToList();
        db.Pairs.AddRange(pairs);
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

    private static City City(string id, string name, string country, string association, string zone, string language) => new()
    {
        Id = id, ProgrammeId = ProgrammeId, Name = name, Country = country, Association = association, TimeZone = zone, Language = language,
    };

    private static Person Person(string name, string email, string role, string? city, string? organisation, string language,
        string zone, DateTimeOffset now) => new()
    {
        ProgrammeId = ProgrammeId, Name = name, Email = email, Role = role, CityId = city, Organisation = organisation,
        Language = language, TimeZone = zone, CreatedAt = now,
    };
}
