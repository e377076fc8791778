using System.Net;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Packages;

/// <summary>The third shipped package, EUROCITIES' CONNECTION (thematic clusters of core and observer cities), imported
/// with the other two into one database: a cluster runs, and an observer city reads it but never acts for it.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class ConnectionPackageTests(DatabaseFixture database)
{
    private static string Shipped(string id) => Path.Combine(ContentPath.Resolve("workflows"), id);

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task All_three_shipped_packages_import_and_an_observer_city_reads_its_cluster_but_cannot_act(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        foreach (var package in new[] { "cities-network-for-integration", "connection" })
        {
            var (exit, output, error) = await ProgrammeImportTests.RunAsync(app, "programme", "import", Shipped(package));
            Assert.True(exit == 0, error + output);
        }

        await using (var db = app.Db())
        {
            Assert.Equal(["cities-network-for-integration", "connection", "inclucities"], await db.Programmes.Select(p => p.Id).OrderBy(id => id).ToListAsync());
            Assert.Equal(3, await db.Groups.CountAsync(g => g.ProgrammeId == "connection" && g.Shape == "cluster"));
            var cluster = (await db.GroupShapes.SingleAsync(s => s.ProgrammeId == "connection")).ToPackageShape();
            Assert.True(cluster.OneGroupPerMember);
            Assert.Equal([("core", 2, (int?)4), ("observer", 0, 3)], cluster.Roles.Select(r => (r.Role, r.Min, r.Max)));
        }

        var ghent = await app.ClientForAsync("ghent@connection.example");
        var leuven = await app.ClientForAsync("leuven@connection.example");
        var housing = Assert.Single(await ghent.PairsAsync());
        Assert.Equal("Housing and reception of newcomers", housing.Theme);
        Assert.Equal(housing.Id, Assert.Single(await leuven.PairsAsync()).Id);

        // The observer reads the cluster and its open work, and is refused when it tries to do it.
        var plan = await leuven.OpenItemAsync(housing.Id, "agree-work-plan");
        Assert.Equal(HttpStatusCode.Forbidden, (await leuven.CompleteAsync(housing.Id, plan.Id, new { note = "Our plan" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ghent.CompleteAsync(housing.Id, plan.Id, new { note = "Three meetings, hosted by Ghent and Lyon." })).StatusCode);
        var facilitator = await app.ClientForAsync("connection@eurocities.example");
        var gate = await facilitator.OpenItemAsync(housing.Id, "approve-work-plan");
        Assert.Equal(HttpStatusCode.Forbidden,
            (await leuven.CommandAsync($"/api/pairs/{housing.Id}/approvals/{gate.Id}/approve", new { comment = "Fine" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK,
            (await facilitator.CommandAsync($"/api/pairs/{housing.Id}/approvals/{gate.Id}/approve", new { comment = "Approved." })).StatusCode);
        var practice = await leuven.OpenItemAsync(housing.Id, "share-practice");
        Assert.Equal(HttpStatusCode.Forbidden, (await leuven.CompleteAsync(housing.Id, practice.Id, new { note = "Ours" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ghent.CompleteAsync(housing.Id, practice.Id, new { note = "Housing First Ghent" })).StatusCode);

        // Another cluster is not theirs to read.
        var employment = Assert.Single(await (await app.ClientForAsync("bologna@connection.example")).PairsAsync());
        Assert.Contains((await leuven.GetAsync($"/api/pairs/{employment.Id}")).StatusCode, new[] { HttpStatusCode.Forbidden, HttpStatusCode.NotFound });
    }
}
