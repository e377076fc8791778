using System.Net;
using System.Net.Http.Json;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Web;

/// <summary>
/// Everything is scoped to a programme. Beside the seeded IncluCities runs a second network whose one group is a
/// thematic cluster: Larissa as its core city and Livadeia (also IncluCities' mentee in pair 3) as an observer city, with
/// a facilitator of its own.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class ProgrammeScopeTests(DatabaseFixture database) : IDisposable
{
    private const string Network = "cluster-network";
    private const string NetworkFacilitator = "facilitator@cluster-network.example";
    private const string Larissa = "larissa@cluster-network.example";

    private const string ClusterWorkflow = """
        {
          "id": "test-cluster",
          "version": 1,
          "name": "Thematic cluster",
          "kind": "group",
          "roles": [
            { "id": "core", "name": "core city" },
            { "id": "observer", "name": "observer city", "acts": false }
          ],
          "stages": [
            { "id": "work", "number": 1, "name": "Work", "steps": [
              { "type": "task", "id": "cluster-plan", "title": "Write the cluster's plan", "assignee": "both" } ] }
          ]
        }
        """;

    private readonly string _workflows = CopyOfWorkflows();

    public void Dispose() => Directory.Delete(_workflows, recursive: true);

    private async Task<(MentoringApp App, Guid Cluster)> StartAsync(DatabaseProvider provider)
    {
        File.WriteAllText(Path.Combine(_workflows, "test-cluster.v1.json"), ClusterWorkflow);
        var app = await MentoringApp.StartAsync(database, provider, new Dictionary<string, string?> { ["Workflows:DefinitionsPath"] = _workflows });
        await using var db = app.Db();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var now = app.Clock.GetUtcNow();
        db.Programmes.Add(new ProgrammeRecord { Id = Network, Name = "Cluster network", CreatedAt = now, TimeZone = "Europe/Athens" });
        db.Cities.Add(new City { Id = "larissa", Name = "Larissa", Country = "GR", TimeZone = "Europe/Athens", Language = "el" });
        db.ProgrammeMembers.AddRange(
            new ProgrammeMember { ProgrammeId = Network, CityId = "larissa" },
            new ProgrammeMember { ProgrammeId = Network, CityId = "livadeia" });
        var facilitator = new Person { Name = "Network facilitator", Email = NetworkFacilitator, CurrentProgramme = Network, CreatedAt = now };
        var larissa = new Person { Name = "Larissa coordinator", Email = Larissa, Language = "el", CurrentProgramme = Network, CreatedAt = now };
        db.People.AddRange(facilitator, larissa);
        var livadeia = await db.People.SingleAsync(p => p.Email == People.Coordinator("livadeia"));
        db.ProgrammePeople.AddRange(
            new ProgrammePerson { ProgrammeId = Network, PersonId = facilitator.Id, Role = PersonRoles.Facilitator },
            new ProgrammePerson { ProgrammeId = Network, PersonId = larissa.Id, Role = PersonRoles.Coordinator, CityId = "larissa" },
            new ProgrammePerson { ProgrammeId = Network, PersonId = livadeia.Id, Role = PersonRoles.Coordinator, CityId = "livadeia" });
        var cluster = new Group
        {
            ProgrammeId = Network, Number = 1, Shape = "cluster", Title = "Housing for newcomers", WorkflowId = "test-cluster",
            InstanceId = Guid.CreateVersion7(),
        };
        db.Groups.Add(cluster);
        db.GroupMembers.AddRange(
            new GroupMember { GroupId = cluster.Id, CityId = "larissa", Role = "core" },
            new GroupMember { GroupId = cluster.Id, CityId = "livadeia", Role = "observer" });
        await db.SaveChangesAsync();
        await app.Service<WorkflowHost>().StartAsync(db, app.Service<DefinitionStore>().Catalog.Latest("test-cluster")!, Network, cluster,
            Actor.System, CancellationToken.None);
        await transaction.CommitAsync();
        return (app, cluster.Id);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_facilitator_of_one_programme_sees_nothing_of_another(DatabaseProvider provider)
    {
        var (app, cluster) = await StartAsync(provider);
        await using var _ = app;
        var inclucities = await app.ClientForAsync(People.Facilitator);
        var network = await app.ClientForAsync(NetworkFacilitator);
        var item = await WebAccessTests.OpenTaskAsync(app, cluster, "cluster-plan");

        Assert.Equal([1, 2, 3, 4], (await inclucities.PairsAsync()).Select(p => p.Number));
        Assert.Equal(HttpStatusCode.NotFound, (await inclucities.GetAsync($"/api/pairs/{cluster}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await inclucities.GetAsync($"/api/pairs/{cluster}/history")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await inclucities.CompleteAsync(cluster, item, new { note = "not ours" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await inclucities.CommandAsync($"/api/tasks/{item}/nudge")).StatusCode);
        Assert.DoesNotContain("Housing for newcomers", await inclucities.GetStringAsync("/dashboard/export.csv"));
        var instances = await inclucities.GetFromJsonAsync<List<Instances.InstanceSummary>>("/api/instances", Api.Json);
        Assert.DoesNotContain(instances!, i => i.GroupId == cluster);

        var cluster1 = Assert.Single(await network.PairsAsync());
        Assert.Equal((cluster, "Housing for newcomers"), (cluster1.Id, cluster1.Theme));
        Assert.Equal(["larissa", "livadeia"], cluster1.Members.Select(m => m.Id).Order());
        Assert.Contains("Housing for newcomers", await network.GetStringAsync("/dashboard/export.csv"));
        Assert.DoesNotContain("Jelgava", await network.GetStringAsync("/dashboard/export.csv"));
        var pair4 = await WebAccessTests.PairIdAsync(app, "jelgava");
        Assert.Equal(HttpStatusCode.NotFound, (await network.GetAsync($"/api/pairs/{pair4}")).StatusCode);

        // The pages, signed in with the cookie, say the same.
        var page = await WebClient.SignedInAsync(app, People.Facilitator);
        Assert.Equal(HttpStatusCode.NotFound, (await page.GetAsync($"/pairs/{cluster}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await page.GetAsync("/dashboard")).StatusCode);
        Assert.DoesNotContain("Housing for newcomers", page.LastPage);
        await page.GetAsync("/pairs");
        Assert.DoesNotContain("Housing for newcomers", page.LastPage);
        var networkPage = await WebClient.SignedInAsync(app, NetworkFacilitator);
        Assert.Equal(HttpStatusCode.NotFound, (await networkPage.GetAsync($"/pairs/{pair4}")).StatusCode);
        await networkPage.GetAsync("/dashboard");
        Assert.DoesNotContain("Jelgava", networkPage.LastPage);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_coordinator_of_a_city_in_two_programmes_has_its_city_rights_in_each(DatabaseProvider provider)
    {
        var (app, cluster) = await StartAsync(provider);
        await using var _ = app;
        var livadeia = await app.ClientForAsync(People.Coordinator("livadeia"));

        var me = (await livadeia.GetFromJsonAsync<MeView>("/api/me", Api.Json))!;
        Assert.Equal(("inclucities", "coordinator", "livadeia"), (me.Programme, me.Role, me.CityId));
        Assert.Equal(["cluster-network", "inclucities"], me.Programmes.Select(p => p.Id).Order());
        Assert.Equal([3], (await livadeia.PairsAsync()).Select(p => p.Number));
        Assert.Equal(HttpStatusCode.NotFound, (await livadeia.GetAsync($"/api/pairs/{cluster}")).StatusCode);

        var switched = await livadeia.PostAsync("/programme/switch", new FormUrlEncodedContent(new Dictionary<string, string> { ["programme"] = Network }));
        Assert.True(switched.IsSuccessStatusCode, $"{switched.StatusCode}"); // redirected to the start page, which the client follows
        Assert.Equal(Network, (await livadeia.GetFromJsonAsync<MeView>("/api/me", Api.Json))!.Programme);
        Assert.Equal([cluster], (await livadeia.PairsAsync()).Select(p => p.Id));
        Assert.Equal(HttpStatusCode.NotFound, (await livadeia.GetAsync($"/api/pairs/{await WebAccessTests.PairIdAsync(app, "livadeia")}")).StatusCode);

        var refused = await livadeia.PostAsync("/programme/switch", new FormUrlEncodedContent(new Dictionary<string, string> { ["programme"] = "elsewhere" }));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("elsewhere", (await refused.ProblemAsync()).GetProperty("detail").GetString());

        // The web session follows the switch too: the header offers it, and the pages show the other programme.
        var page = await WebClient.SignedInAsync(app, People.Coordinator("livadeia"));
        await page.GetAsync("/pairs");
        Assert.Contains("Cluster network", page.LastPage);
        Assert.Contains("Housing for newcomers", page.LastPage);
        await page.PostAsync("/programme/switch", new Dictionary<string, string> { ["programme"] = "inclucities", ["returnUrl"] = "/" });
        await page.GetAsync("/pairs");
        Assert.DoesNotContain("Housing for newcomers", page.LastPage);
        Assert.Contains("Livadeia", page.LastPage);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task An_observer_member_of_a_cluster_reads_but_may_not_act(DatabaseProvider provider)
    {
        var (app, cluster) = await StartAsync(provider);
        await using var _ = app;
        var livadeia = await app.ClientForAsync(People.Coordinator("livadeia"));
        await livadeia.PostAsync("/programme/switch", new FormUrlEncodedContent(new Dictionary<string, string> { ["programme"] = Network }));
        var item = await WebAccessTests.OpenTaskAsync(app, cluster, "cluster-plan");

        Assert.Equal("cluster-plan", Assert.Single((await livadeia.PairAsync(cluster)).OpenItems).StepId);
        var refused = await livadeia.CompleteAsync(cluster, item, new { note = "We observe." });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        await WebAccessTests.AssertStillOpenAsync(app, item);

        // The page offers the observer no form the engine would refuse; the acting member has it.
        var form = $"name=\"itemId\" value=\"{item}\"";
        var livadeiaPage = await WebClient.SignedInAsync(app, People.Coordinator("livadeia"));
        Assert.DoesNotContain(form, await (await livadeiaPage.GetAsync($"/pairs/{cluster}")).Content.ReadAsStringAsync());
        var larissaPage = await WebClient.SignedInAsync(app, Larissa);
        Assert.Contains(form, await (await larissaPage.GetAsync($"/pairs/{cluster}")).Content.ReadAsStringAsync());
        var larissa = await app.ClientForAsync(Larissa);
        Assert.Equal(HttpStatusCode.OK, (await larissa.CompleteAsync(cluster, item, new { note = "Our plan." })).StatusCode);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Person_removed_from_a_programme_kept_its_pages(DatabaseProvider provider)
    {
        var (app, cluster) = await StartAsync(provider);
        await using var _ = app;
        var larissa = await WebClient.SignedInAsync(app, Larissa);
        Assert.Equal(HttpStatusCode.OK, (await larissa.GetAsync($"/pairs/{cluster}")).StatusCode);

        await using (var db = app.Db())
        {
            var person = await db.People.SingleAsync(p => p.Email == Larissa);
            await db.ProgrammePeople.Where(p => p.PersonId == person.Id && p.ProgrammeId == Network).ExecuteDeleteAsync();
        }

        // The same cookie, the next request: no longer in the network, so its group is not there for them.
        Assert.Equal(HttpStatusCode.NotFound, (await larissa.GetAsync($"/pairs/{cluster}")).StatusCode);
        await larissa.GetAsync("/pairs");
        Assert.DoesNotContain("Housing for newcomers", larissa.LastPage);
        var me = (await larissa.Http.GetFromJsonAsync<MeView>("/api/me", Api.Json))!;
        Assert.Null(me.Programme);
        Assert.Null(me.Role);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_programme_switch_posted_from_another_site_is_refused(DatabaseProvider provider)
    {
        var (app, _) = await StartAsync(provider);
        await using var __ = app;
        var livadeia = await WebClient.SignedInAsync(app, People.Coordinator("livadeia"));
        string? Current()
        {
            using var db = app.Db();
            return db.People.Where(p => p.Email == People.Coordinator("livadeia")).Select(p => p.CurrentProgramme).Single();
        }
        var before = Current();
        await livadeia.GetAsync("/pairs");
        Assert.Contains("action=\"/programme/switch\"", livadeia.LastPage);

        // Another site's form: the browser sends the sign-in cookie (SameSite=Lax lets a top-level POST through in
        // some browsers' grace period) but cannot read the page's antiforgery token.
        var request = new HttpRequestMessage(HttpMethod.Post, "/programme/switch")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["programme"] = Network, ["returnUrl"] = "/" }),
        };
        request.Headers.Add("Origin", "https://attacker.example");
        var forged = await livadeia.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(before, Current());
        Assert.NotEqual(Network, before);
        var own = await livadeia.PostAsync("/programme/switch", new Dictionary<string, string> { ["programme"] = Network, ["returnUrl"] = "/" });
        Assert.Equal(HttpStatusCode.Redirect, own.StatusCode);
        Assert.Equal(Network, Current());
    }
}
