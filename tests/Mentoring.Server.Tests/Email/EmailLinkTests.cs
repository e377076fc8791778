using System.Net;
using System.Text.RegularExpressions;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Scheduling;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Tests.Scheduling;
using Mentoring.Server.Tests.Web;
using Mentoring.Server.Workflows;
using WebClient = Mentoring.Server.Tests.Web.WebClient;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Email;

/// <summary>Every link in every email opens a page that exists for its reader: the "open the task" links were a 404
/// (<c>/pairs/{pair}/items/{item}</c>, <c>/programme/items/{item}</c>), and the programme's own tasks had no page.</summary>
[Collection(DatabaseCollection.Name)]
public sealed partial class EmailLinkTests(DatabaseFixture database)
{
    private const string Site = "https://mentoring.test";

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Every_link_in_every_email_sent_opens_a_page_for_its_reader(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        await SendEveryKindOfEmailAsync(app);

        var mails = new List<(string File, string To, List<string> Links)>();
        while (await app.Service<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None) > 0) { }
        foreach (var file in Directory.GetFiles(app.Setting("Email:PickupDirectory"), "*.eml"))
        {
            var eml = EmlFile.Parse(await File.ReadAllTextAsync(file));
            var to = AddressPattern().Match(eml.Headers["to"]).Value;
            var links = eml.Bodies.Values.SelectMany(body => LinkPattern().Matches(WebUtility.HtmlDecode(body)).Select(m => m.Value))
                .Distinct().ToList();
            Assert.True(links.Count > 0, $"{Path.GetFileName(file)} has no link into the app");
            Assert.DoesNotContain(eml.Bodies.Values, body => body.Contains("localhost:5000"));
            mails.Add((Path.GetFileName(file), to, links));
        }

        var templates = mails.Select(m => Regex.Match(m.File, @"^\d{8}-\d{6}-(.+)-[A-Za-z0-9]+\.eml$").Groups[1].Value).ToHashSet();
        string[] expected =
        [
            "task-reminder", "task-due-today", "task-overdue", "stage-started", "stage-sent-back", "gate-awaiting-approval",
            "visit-proposed", "visit-report-due", "action-plan-update", "facilitator-digest", "invitation", "password-reset",
        ];
        Assert.True(expected.All(templates.Contains), "not sent: " + string.Join(", ", expected.Where(t => !templates.Contains(t))));

        // Single-use account links are opened first and before signing in, as their readers would (setting a password
        // for the others' sign-in must not spend them).
        var failures = new List<string>();
        var readers = new Dictionary<string, WebClient>();
        static bool Anonymous(string link) => link.Contains("?token=") || link.EndsWith("/password/forgot", StringComparison.Ordinal);
        foreach (var (file, to, link) in mails.SelectMany(m => m.Links.Select(link => (m.File, m.To, link))).OrderBy(l => !Anonymous(l.link)))
        {
            var client = Anonymous(link) ? WebClient.For(app)
                : readers.TryGetValue(to, out var signedIn) ? signedIn : readers[to] = await WebClient.SignedInAsync(app, to);
            var (status, path) = await FollowAsync(client, link[Site.Length..]);
            if (status != HttpStatusCode.OK || path.StartsWith("/forbidden") || path.StartsWith("/signin"))
                failures.Add($"{file} to {to}: {link} -> {(int)status} {path}");
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_task_link_opens_only_for_who_may_see_the_task(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        Guid jelgavaTask, programmeTask, pair;
        await using (var db = app.Db())
        {
            pair = await db.GroupMembers.Where(m => m.CityId == "jelgava" && m.Role == "mentee").Select(m => m.GroupId).SingleAsync();
            var instance = await db.Groups.Where(g => g.Id == pair).Select(g => g.InstanceId).SingleAsync();
            jelgavaTask = await db.WorkItems.Where(w => w.InstanceId == instance && w.Status == WorkItemStatus.Open).Select(w => w.Id).FirstAsync();
            var programme = await db.Programmes.Select(p => p.ProgrammeInstanceId).SingleAsync();
            programmeTask = await db.WorkItems.Where(w => w.InstanceId == programme && w.Status == WorkItemStatus.Open).Select(w => w.Id).FirstAsync();
        }

        var jelgava = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        Assert.Equal($"/pairs/{pair}#item-{jelgavaTask}", (await jelgava.GetAsync($"/tasks/{jelgavaTask}")).Headers.Location!.OriginalString);
        Assert.Equal($"/tasks/{jelgavaTask}", (await jelgava.GetAsync($"/pairs/{pair}/items/{jelgavaTask}")).Headers.Location!.OriginalString);

        var capaci = await WebClient.SignedInAsync(app, People.Coordinator("capaci"));
        Assert.Contains("/forbidden", (await capaci.GetAsync($"/tasks/{jelgavaTask}")).Headers.Location!.OriginalString);
        Assert.Contains("/forbidden", (await capaci.GetAsync($"/tasks/{programmeTask}")).Headers.Location!.OriginalString);
        Assert.Contains("/forbidden", (await capaci.GetAsync("/programme")).Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.NotFound, (await capaci.GetAsync($"/tasks/{Guid.NewGuid()}")).StatusCode);
        Assert.Contains("/signin", (await WebClient.For(app).GetAsync($"/tasks/{jelgavaTask}")).Headers.Location!.OriginalString);

        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);
        Assert.Equal($"/programme#item-{programmeTask}", (await facilitator.GetAsync($"/tasks/{programmeTask}")).Headers.Location!.OriginalString);
        Assert.Equal($"/tasks/{programmeTask}", (await facilitator.GetAsync($"/programme/items/{programmeTask}")).Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Links_start_with_PublicBaseUrl_when_it_is_set()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite,
            new Dictionary<string, string?> { ["PublicBaseUrl"] = "http://mentoring.example.org/", ["Email:PublicUrl"] = "http://localhost:5000" });
        var facilitator = await app.ClientForAsync(People.Facilitator);
        Guid item;
        await using (var db = app.Db())
            item = await db.WorkItems.Where(w => w.Kind == "task" && w.Status == WorkItemStatus.Open && w.Assignee == "mentee").Select(w => w.Id).FirstAsync();

        (await facilitator.CommandAsync($"/api/tasks/{item}/nudge")).EnsureSuccessStatusCode();

        await using var read = app.Db();
        var models = await read.Outbox.Select(m => m.Model).ToListAsync();
        Assert.All(models, model => Assert.DoesNotContain("localhost", model));
        Assert.Contains(models, model => model.Contains($"\"link\":\"http://mentoring.example.org/tasks/{item}\""));
    }

    /// <summary>A scenario that sends every template: a pair into its fourth step (stage notices, gates, a study visit
    /// held and not reported, so its follow-ups go), another pair's step sent back, six weeks of nobody acting (reminders, due today, overdue, for
    /// the pairs and the programme), the digest, a manual reminder, an invitation and a password reset.</summary>
    private static async Task SendEveryKindOfEmailAsync(MentoringApp app)
    {
        var driver = await PairDriver.ForAsync(app, "schaerbeek", "jelgava");
        await driver.RunUntilAsync(pair => pair.Visits.Any(v => v.Phase == "held"));

        var other = await PairDriver.ForAsync(app, "brussels", "saint-jean-de-la-ruelle");
        var gate = await other.RunUntilOpenAsync("approve-matching");
        var facilitator = await app.ClientForAsync(People.Facilitator);
        (await facilitator.CommandAsync($"/api/pairs/{other.GroupId}/approvals/{gate.Id}/send-back", new { reason = "Say more about housing." }))
            .EnsureSuccessStatusCode();

        for (var day = 0; day < 45; day++)
        {
            app.Clock.Advance(TimeSpan.FromDays(1));
            await app.SweepAsync();
        }

        await app.Service<FacilitatorDigest>().WriteAsync(CancellationToken.None);
        var open = await facilitator.OpenItemAsync(other.GroupId, "mentee-needs-self-assessment");
        (await facilitator.CommandAsync($"/api/tasks/{open.Id}/nudge")).EnsureSuccessStatusCode();

        Guid invitee;
        await using (var db = app.Db())
            invitee = await db.People.Where(p => p.Email == People.Coordinator("livadeia")).Select(p => p.Id).SingleAsync();
        (await facilitator.CommandAsync($"/api/setup/people/{invitee}/invite")).EnsureSuccessStatusCode();
        var anonymous = WebClient.For(app);
        await anonymous.GetAsync("/password/forgot");
        await anonymous.PostAsync("/password/forgot", new Dictionary<string, string> { ["email"] = People.Coordinator("capaci") });
    }

    /// <summary>GETs the path and follows the app's own redirects, as a browser would.</summary>
    private static async Task<(HttpStatusCode Status, string Path)> FollowAsync(WebClient client, string path)
    {
        for (var hop = 0; hop < 5; hop++)
        {
            var response = await client.GetAsync(path);
            if (response.StatusCode is not (HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.RedirectKeepVerb))
                return (response.StatusCode, path);
            var location = response.Headers.Location!;
            path = location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString.Split('#')[0];
        }

        return (HttpStatusCode.LoopDetected, path);
    }

    [GeneratedRegex(@"https://mentoring\.test[^\s""<>]*")]
    private static partial Regex LinkPattern();

    [GeneratedRegex(@"[^\s<>""]+@[^\s<>""]+")]
    private static partial Regex AddressPattern();
}
