using System.Net;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Tests.Web;
using Microsoft.EntityFrameworkCore;
using WebClient = Mentoring.Server.Tests.Web.WebClient;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Matching;

/// <summary>The facilitator's matching page: the heat map as a table of numbers, the proposal's reasons in the reader's
/// language, constraints set in the matrix and kept when solving again, publishing; nobody else reaches it.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class MatchingPageTests(DatabaseFixture database)
{
    private const string Path = "/setup/programmes/inclucities/matching";

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_facilitator_reads_the_proposal_locks_a_pairing_and_publishes_from_the_page(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var page = await WebClient.SignedInAsync(app, People.Facilitator);

        Assert.Equal(HttpStatusCode.OK, (await page.GetAsync(Path)).StatusCode);
        Assert.Contains("<table class=\"matrix\">", page.LastPage);
        Assert.Contains("Scores: mentors in rows, mentees in columns", page.LastPage);
        Assert.Contains("mentors Saint-Jean-de-la-Ruelle on", page.LastPage);
        Assert.Contains("four pairs in 2020", page.LastPage);
        Assert.Contains("4 groups already run", page.LastPage);

        var saved = await page.PostAsync($"{Path}?handler=Constraints", new Dictionary<string, string>
        {
            ["pair.brussels.capaci"] = "lock", ["capacity.brussels"] = "1", ["every"] = "all",
        });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        await page.GetAsync(Path);
        Assert.Contains("You locked this pairing.", page.LastPage);
        Assert.Contains("Your locks and forbids cost", page.LastPage);
        Assert.Matches("<option value=\"lock\" selected=\"selected\">", page.LastPage);

        var impossible = await page.PostAsync($"{Path}?handler=Constraints", new Dictionary<string, string>
        {
            ["capacity.brussels"] = "0", ["capacity.mechelen"] = "0", ["every"] = "all",
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, impossible.StatusCode);
        Assert.Contains("capacities are too small", WebClient.Alert(page.LastPage));

        var refused = await page.PostAsync($"{Path}?handler=Publish", new Dictionary<string, string> { ["key"] = "publish-1", ["fingerprint"] = page.Hidden("fingerprint") });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("is already in pair", WebClient.Alert(page.LastPage));

        await page.PostAsync($"{Path}?handler=Clear", new Dictionary<string, string>());
        await page.GetAsync(Path);
        var published = await page.PostAsync($"{Path}?handler=Publish", new Dictionary<string, string> { ["key"] = "publish-2", ["fingerprint"] = page.Hidden("fingerprint") });
        Assert.Equal(HttpStatusCode.Redirect, published.StatusCode);
        await page.GetAsync(Path);
        Assert.Contains("nothing new to publish", page.LastPage);
        await using var db = app.Db();
        Assert.Equal(4, await db.Groups.CountAsync(g => g.ProgrammeId == "inclucities"));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_publish_refused_for_a_city_already_in_a_pair_reads_in_the_readers_language(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var page = await WebClient.SignedInAsync(app, People.Facilitator);
        await page.GetAsync(Path);
        await page.PostAsync("/language", new Dictionary<string, string> { ["culture"] = "fr", ["returnUrl"] = Path });
        await page.PostAsync($"{Path}?handler=Constraints", new Dictionary<string, string>
        {
            ["pair.brussels.capaci"] = "lock", ["capacity.brussels"] = "1", ["every"] = "all",
        });
        await page.GetAsync(Path);

        var refused = await page.PostAsync($"{Path}?handler=Publish", new Dictionary<string, string> { ["key"] = "publish-fr", ["fingerprint"] = page.Hidden("fingerprint") });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var alert = WebClient.Alert(page.LastPage);
        Assert.Contains("Non publié :", alert);
        Assert.Contains("fait déjà partie de", alert);
        Assert.DoesNotContain("is already in", alert);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_page_gives_the_reasons_in_the_readers_language(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var page = await WebClient.SignedInAsync(app, People.Facilitator);
        await page.GetAsync(Path);
        await page.PostAsync("/language", new Dictionary<string, string> { ["culture"] = "fr", ["returnUrl"] = Path });

        await page.GetAsync(Path);

        Assert.Contains("Comment les appariements sont notés", page.LastPage);
        Assert.Contains("accompagne Saint-Jean-de-la-Ruelle", page.LastPage);
        Assert.Contains("en 2020", page.LastPage);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Only_the_programmes_facilitator_reaches_the_matching_page(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        await ProgrammesApiTests.CreateNetworkAsync(app);

        var coordinator = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        var read = await coordinator.GetAsync(Path);
        Assert.True(read.Headers.Location?.OriginalString.Contains("/forbidden") == true, $"{read.StatusCode}");
        await coordinator.GetAsync("/pairs");
        var publish = await coordinator.PostAsync($"{Path}?handler=Publish", new Dictionary<string, string> { ["key"] = "k" });
        Assert.True(publish.Headers.Location?.OriginalString.Contains("/forbidden") == true, $"{publish.StatusCode}");

        var other = await WebClient.SignedInAsync(app, ProgrammesApiTests.NetworkFacilitator);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(Path)).StatusCode);
        await other.GetAsync("/setup/programmes");
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync($"{Path}?handler=Constraints", new Dictionary<string, string> { ["pair.brussels.capaci"] = "forbid" })).StatusCode);
        await using var db = app.Db();
        Assert.Equal(0, await db.MatchingConstraints.CountAsync());
    }
}
