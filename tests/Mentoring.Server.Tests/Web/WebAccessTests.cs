using System.Net;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Web;

[Collection(DatabaseCollection.Name)]
public sealed class WebAccessTests(DatabaseFixture database)
{
    private static readonly string[] Pages = ["/", "/pairs", "/dashboard", "/setup", "/me/tokens", "/me/tasks"];
    private static readonly string[] ApiGets = ["/api/pairs", "/api/tokens", "/api/instances", "/api/programme", "/dashboard/export.csv", "/api/me/tasks"];

    [Fact]
    public async Task Anonymous_callers_get_401_from_the_API_and_the_sign_in_page_from_pages()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var anonymous = WebClient.For(app);
        var pair = await PairIdAsync(app, "jelgava");

        foreach (var path in ApiGets.Where(p => p.StartsWith("/api")))
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path)).StatusCode);
        foreach (var path in Pages.Append($"/pairs/{pair}").Append("/dashboard/export.csv"))
        {
            var response = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/signin", response.Headers.Location!.OriginalString.Replace("http://localhost", ""));
        }

        await anonymous.GetAsync("/signin");
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/signin")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/openapi/v1.json")).StatusCode);
    }

    [Fact]
    public async Task A_coordinator_of_Capaci_cannot_see_or_touch_Jelgavas_pair()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var jelgavaPair = await PairIdAsync(app, "jelgava");
        var item = await OpenTaskAsync(app, jelgavaPair, "mentee-needs-self-assessment");
        var capaci = await WebClient.SignedInAsync(app, People.Coordinator("capaci"));

        var view = await capaci.GetAsync($"/pairs/{jelgavaPair}");
        Assert.Equal(HttpStatusCode.Redirect, view.StatusCode);
        Assert.Contains("/forbidden", view.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Forbidden, (await capaci.GetAsync("/forbidden")).StatusCode);

        var post = await capaci.PostAsync($"/pairs/{jelgavaPair}?handler=Complete",
            new Dictionary<string, string> { ["itemId"] = item.ToString(), ["key"] = "k1", ["note"] = "not mine" });
        Assert.Contains("/forbidden", post.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Forbidden, (await capaci.Http.GetAsync($"/api/pairs/{jelgavaPair}")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await capaci.GetAsync("/dashboard")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await capaci.GetAsync("/setup")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await capaci.Http.GetAsync("/api/instances")).StatusCode);
        await AssertStillOpenAsync(app, item);

        var own = await capaci.GetAsync("/");
        Assert.Equal($"/pairs/{await PairIdAsync(app, "capaci")}", own.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task An_observer_reads_their_associations_pairs_but_cannot_write()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var livadeia = await PairIdAsync(app, "livadeia");
        var item = await OpenTaskAsync(app, livadeia, "mentee-needs-self-assessment");
        var kede = await WebClient.SignedInAsync(app, People.Observer("KEDE"));

        Assert.Equal(HttpStatusCode.OK, (await kede.GetAsync($"/pairs/{livadeia}")).StatusCode);
        Assert.DoesNotContain("handler=Complete", kede.LastPage);
        Assert.Equal(HttpStatusCode.OK, (await kede.GetAsync("/pairs")).StatusCode);
        Assert.Contains("Livadeia", kede.LastPage);
        Assert.DoesNotContain("Jelgava", kede.LastPage);

        var post = await kede.PostAsync($"/pairs/{livadeia}?handler=Complete",
            new Dictionary<string, string> { ["itemId"] = item.ToString(), ["key"] = "k1", ["note"] = "observer" });
        Assert.Contains("/forbidden", post.Headers.Location!.OriginalString);
        Assert.Contains("/forbidden", (await kede.GetAsync($"/pairs/{await PairIdAsync(app, "jelgava")}")).Headers.Location!.OriginalString);
        Assert.Contains("/forbidden", (await kede.GetAsync("/dashboard/export.csv")).Headers.Location!.OriginalString);
        await AssertStillOpenAsync(app, item);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_facilitator_sees_every_page_the_export_and_the_API_with_the_cookie(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);

        foreach (var path in new[] { "/pairs", "/dashboard", "/setup", "/me/tokens", $"/pairs/{await PairIdAsync(app, "jelgava")}" })
            Assert.Equal(HttpStatusCode.OK, (await facilitator.GetAsync(path)).StatusCode);
        await facilitator.GetAsync("/dashboard");
        Assert.Contains("<svg", facilitator.LastPage);
        Assert.Contains("<title id=\"chart-title\">", facilitator.LastPage);

        var csv = await facilitator.GetAsync("/dashboard/export.csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var lines = facilitator.LastPage.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        Assert.StartsWith("4,\"Schaerbeek\",\"Jelgava\"", lines[4]);

        Assert.Equal(HttpStatusCode.OK, (await facilitator.Http.GetAsync("/api/pairs")).StatusCode);
    }

    [Fact]
    public async Task Every_response_carries_the_security_headers()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var client = WebClient.For(app);
        foreach (var path in new[] { "/signin", "/site.css", "/api/pairs", "/dashboard" })
        {
            var response = await client.GetAsync(path);
            Assert.Equal(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
                response.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.True(response.Headers.Contains("Referrer-Policy"));
        }
    }

    internal static async Task<Guid> PairIdAsync(MentoringApp app, string menteeCity)
    {
        await using var db = app.Db();
        return await db.Groups.Where(p => db.GroupMembers.Any(m => m.GroupId == p.Id && m.Role == "mentee" && m.CityId == menteeCity)).Select(p => p.Id).SingleAsync();
    }

    internal static async Task<Guid> OpenTaskAsync(MentoringApp app, Guid pairId, string stepId)
    {
        await using var db = app.Db();
        var instance = await db.Groups.Where(p => p.Id == pairId).Select(p => p.InstanceId).SingleAsync();
        return await db.WorkItems.Where(w => w.InstanceId == instance && w.StepId == stepId && w.Status == WorkItemStatus.Open)
            .Select(w => w.Id).SingleAsync();
    }

    internal static async Task AssertStillOpenAsync(MentoringApp app, Guid itemId)
    {
        await using var db = app.Db();
        Assert.Equal(WorkItemStatus.Open, await db.WorkItems.Where(w => w.Id == itemId).Select(w => w.Status).SingleAsync());
    }
}
