using System.Net;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests;

[Collection(DatabaseCollection.Name)]
public sealed class ProgrammeSeedTests(DatabaseFixture database)
{
    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task First_start_seeds_the_IncluCities_programme(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider, fresh: true);
        var facilitator = await app.ClientForAsync(People.Facilitator);

        var pairs = await facilitator.PairsAsync();

        Assert.Equal(
            ["1 City of Brussels -> Saint-Jean-de-la-Ruelle", "2 Mechelen -> Capaci", "3 Fuenlabrada -> Livadeia", "4 Schaerbeek -> Jelgava"],
            pairs.Select(p => $"{p.Number} {p.Mentor.Name} -> {p.Mentee.Name}"));
        Assert.All(pairs, p => Assert.Equal((1, "running"), (p.CurrentStep, p.Status)));
        Assert.All(pairs, p => Assert.NotNull(p.NextDueAt));
        await using var db = app.Db();
        Assert.Equal("Europe/Riga", (await db.Cities.SingleAsync(c => c.Id == "jelgava")).TimeZone);
        Assert.Equal("kede", (await db.ProgrammeMembers.SingleAsync(c => c.CityId == "livadeia")).Association);
        Assert.Equal("KEDE", (await db.Organisations.SingleAsync(o => o.Id == "kede")).Name);
        Assert.Equal(5, await db.Instances.CountAsync()); // four pairs and the programme
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_restart_on_a_seeded_database_seeds_nothing_again(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider, fresh: true);
        await using var again = app.StartAnotherNode();

        await using var db = again.Db();
        Assert.Equal(4, await db.Groups.CountAsync());
        Assert.Equal(1, await db.Programmes.CountAsync());
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Two_nodes_starting_at_once_on_an_empty_database_migrate_and_seed_once(DatabaseProvider provider)
    {
        var nodes = await StartNodesAtOnceAsync(database, provider, 2);
        try
        {
            await using var db = nodes[1].Db();
            Assert.Equal(1, await db.Programmes.CountAsync());
            Assert.Equal(4, await db.Groups.CountAsync());
            Assert.Equal(5, await db.Instances.CountAsync());
            Assert.Equal(9, await db.Definitions.CountAsync()); // every file under workflows/, CONNECTION's two, inclucities-programme v2 and inclucities-pair v2 included
        }
        finally
        {
            foreach (var node in nodes) await node.DisposeAsync();
        }
    }

    [Fact]
    public async Task Seeding_can_be_turned_off_for_production()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite,
            new Dictionary<string, string?> { ["Database:SeedDemoProgramme"] = "false" });

        await using var db = app.Db();
        Assert.Equal(0, await db.Programmes.CountAsync());
        Assert.Equal(9, await db.Definitions.CountAsync()); // the definitions are still snapshotted
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Ready_once_started(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var response = await app.CreateClient().GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
