using System.Net;
using System.Net.Http.Json;
using Mentoring.Server.Data;
using Mentoring.Server.Instances;
using Mentoring.Server.Programme.Packages;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Web;

/// <summary>
/// A programme-scope role of the programme workflow (the Greek network's coordination team) does the programme-wide work
/// the definition gives it, on <c>/programme</c> and through the API, beside the facilitator; a municipality's coordinator
/// does not, and the facilitator of another programme does not see it at all.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class ProgrammeRoleTests(DatabaseFixture database)
{
    private const string Greek = "cities-network-for-integration";
    private const string Team = "coordination@citiesnetwork.example";
    private const string Athens = "athens@citiesnetwork.example";

    /// <summary>The seeded IncluCities with the shipped Greek package imported beside it.</summary>
    private async Task<MentoringApp> StartWithGreekNetworkAsync(DatabaseProvider provider)
    {
        var app = await StartAsync(database, provider);
        await using var db = app.Db();
        var outcome = await app.Service<ProgrammeImporter>().ImportFolderAsync(db, Path.Combine(ContentPath.Resolve("workflows"), Greek),
            new ImportOptions(), CancellationToken.None);
        Assert.False(outcome.Refused, string.Join("; ", outcome.Errors));
        return app;
    }

    private static async Task<Guid> OpenProgrammeTaskAsync(MentoringApp app, string stepId)
    {
        await using var db = app.Db();
        var instance = await db.Programmes.Where(p => p.Id == Greek).Select(p => p.ProgrammeInstanceId).SingleAsync();
        return await db.WorkItems.Where(w => w.InstanceId == instance && w.StepId == stepId && w.Status == WorkItemStatus.Open)
            .Select(w => w.Id).SingleAsync();
    }

    private static async Task<string> StatusAsync(MentoringApp app, Guid item)
    {
        await using var db = app.Db();
        return await db.WorkItems.Where(w => w.Id == item).Select(w => w.Status).SingleAsync();
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_coordination_team_completes_a_programme_task_on_the_programme_page(DatabaseProvider provider)
    {
        await using var app = await StartWithGreekNetworkAsync(provider);
        var item = await OpenProgrammeTaskAsync(app, "agree-work-plan");
        // The network's facilitator may act on all of its programme work, the team on what the definition gives it.
        var secretariat = await WebClient.SignedInAsync(app, "secretariat@citiesnetwork.example");
        await secretariat.GetAsync("/programme");
        Assert.Contains($"name=\"itemId\" value=\"{item}\"", secretariat.LastPage);
        var team = await WebClient.SignedInAsync(app, Team);

        Assert.Equal($"/programme#item-{item}", (await team.GetAsync($"/tasks/{item}")).Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await team.GetAsync("/programme")).StatusCode);
        Assert.Contains($"name=\"itemId\" value=\"{item}\"", team.LastPage);
        var done = await team.PostMultipartAsync("/programme?handler=Complete",
            new Dictionary<string, string> { ["itemId"] = item.ToString(), ["key"] = team.Hidden("key"), ["note"] = "Agreed with the members." },
            "work-plan.pdf", Api.Pdf);

        Assert.True(done.StatusCode == HttpStatusCode.Redirect, $"{done.StatusCode}: {WebClient.Alert(team.LastPage)}");
        Assert.Equal(WorkItemStatus.Completed, await StatusAsync(app, item));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_coordination_team_reads_and_completes_the_programme_workflow_through_the_API(DatabaseProvider provider)
    {
        await using var app = await StartWithGreekNetworkAsync(provider);
        var item = await OpenProgrammeTaskAsync(app, "agree-work-plan");
        var team = await app.ClientForAsync(Team);

        var programme = (await team.GetFromJsonAsync<ProgrammeView>("/api/programme", Api.Json))!;
        Assert.Equal(Greek, programme.Id);
        Assert.Equal("agree-work-plan", Assert.Single(programme.OpenItems).StepId);
        var done = await team.CompleteWithFileAsync($"/api/programme/tasks/{item}/complete", "Agreed with the members.");

        Assert.True(done.StatusCode == HttpStatusCode.OK, $"{done.StatusCode}: {await done.Content.ReadAsStringAsync()}");
        Assert.Equal(WorkItemStatus.Completed, await StatusAsync(app, item));
        Assert.Equal("convene-technical-forum",
            Assert.Single((await team.GetFromJsonAsync<ProgrammeView>("/api/programme", Api.Json))!.OpenItems).StepId);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_municipality_coordinator_and_another_programmes_facilitator_may_not_do_the_networks_programme_work(
        DatabaseProvider provider)
    {
        await using var app = await StartWithGreekNetworkAsync(provider);
        var item = await OpenProgrammeTaskAsync(app, "agree-work-plan");

        var athens = await app.ClientForAsync(Athens);
        Assert.Equal(HttpStatusCode.Forbidden, (await athens.GetAsync("/api/programme")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden,
            (await athens.CompleteWithFileAsync($"/api/programme/tasks/{item}/complete", "Not ours.")).StatusCode);
        var athensPage = await WebClient.SignedInAsync(app, Athens);
        Assert.Contains("/forbidden", (await athensPage.GetAsync("/programme")).Headers.Location!.OriginalString);
        Assert.Contains("/forbidden", (await athensPage.GetAsync($"/tasks/{item}")).Headers.Location!.OriginalString);
        await athensPage.GetAsync("/pairs");
        var post = await athensPage.PostMultipartAsync("/programme?handler=Complete",
            new Dictionary<string, string> { ["itemId"] = item.ToString(), ["key"] = "k", ["note"] = "Not ours." }, "plan.pdf", Api.Pdf);
        Assert.Contains("/forbidden", post.Headers.Location!.OriginalString);

        // IncluCities' facilitator works in IncluCities: the Greek network's programme work is not there for them.
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var theirs = (await facilitator.GetFromJsonAsync<ProgrammeView>("/api/programme", Api.Json))!;
        Assert.Equal("inclucities", theirs.Id);
        Assert.DoesNotContain(theirs.OpenItems, i => i.Id == item);
        Assert.Equal(HttpStatusCode.NotFound,
            (await facilitator.CompleteWithFileAsync($"/api/programme/tasks/{item}/complete", "Not ours.")).StatusCode);
        var facilitatorPage = await WebClient.SignedInAsync(app, People.Facilitator);
        Assert.Equal(HttpStatusCode.NotFound, (await facilitatorPage.GetAsync($"/tasks/{item}")).StatusCode);
        await facilitatorPage.GetAsync("/programme");
        Assert.DoesNotContain(item.ToString(), facilitatorPage.LastPage);

        Assert.Equal(WorkItemStatus.Open, await StatusAsync(app, item));
    }
}
