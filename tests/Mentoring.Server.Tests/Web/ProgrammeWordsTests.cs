using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Engine.Templates;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Hosting;
using Mentoring.Server.Tests.Email;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Web;

/// <summary>
/// Pages, emails and the sender speak each programme's own words. Both shipped packages are imported into one database:
/// a Greek member municipality (the Cities Network for Integration calls a group "member"/"μέλος") reads its network's
/// words and name in English and in Greek and never "pair"; an IncluCities pair reads as before, in French too.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed partial class ProgrammeWordsTests(DatabaseFixture database)
{
    private const string Greek = "cities-network-for-integration";
    private const string Athens = "athens@citiesnetwork.example";
    private const string Secretariat = "secretariat@citiesnetwork.example";
    private const string GreekName = "Δίκτυο Πόλεων για την Ένταξη";

    private static async Task<MentoringApp> StartWithBothAsync(DatabaseFixture database, DatabaseProvider provider)
    {
        var app = await StartAsync(database, provider);
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var (oldOut, oldError) = (Console.Out, Console.Error);
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            Assert.True(await ServerCommands.RunAsync(app.Services, ["programme", "import", Path.Combine(ContentPath.Resolve("workflows"), Greek)]) == 0,
                stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }

        return app;
    }

    /// <summary>What a reader sees: the page without its tags (so no /pairs/ address counts) and decoded.</summary>
    private static string Visible(string page) => WebUtility.HtmlDecode(Tags().Replace(page, " "));

    private static string Decoded(WebClient client) => WebUtility.HtmlDecode(client.LastPage);

    /// <summary>No word for a pair, and no IncluCities, outside the links (whose /pairs/ addresses stay).</summary>
    private static void SaysNoPair(string words) =>
        Assert.DoesNotMatch(new Regex(@"\bpairs?\b|ζε[υύ]γ|IncluCities", RegexOptions.IgnoreCase), Links().Replace(words, " "));

    private static async Task<Guid> GroupOfAsync(MentoringApp app, string cityId, string programmeId)
    {
        await using var db = app.Db();
        return await db.Groups.Where(g => g.ProgrammeId == programmeId && db.GroupMembers.Any(m => m.GroupId == g.Id && m.CityId == cityId))
            .Select(g => g.Id).SingleAsync();
    }

    private static async Task<WebClient> InLanguageAsync(WebClient client, string language, string returnUrl)
    {
        await client.GetAsync(returnUrl);
        await client.PostAsync("/language", new Dictionary<string, string> { ["culture"] = language, ["returnUrl"] = returnUrl });
        await client.GetAsync(returnUrl);
        return client;
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Greek_member_page_called_the_group_a_pair(DatabaseProvider provider)
    {
        await using var app = await StartWithBothAsync(database, provider);
        var member = await GroupOfAsync(app, "athens", Greek);
        var athens = await WebClient.SignedInAsync(app, Athens);

        await InLanguageAsync(athens, "en", $"/pairs/{member}");
        var english = Visible(athens.LastPage);
        Assert.Contains("<h1>Member 1: Athens</h1>", Decoded(athens));
        Assert.Contains("Member municipality: Athens", english);
        Assert.Contains("<title>Member 1 - Cities Network for Integration</title>", Decoded(athens));
        Assert.Contains(">Members</a>", Decoded(athens));
        SaysNoPair(english);

        await InLanguageAsync(athens, "el", $"/pairs/{member}");
        var greek = Visible(athens.LastPage);
        Assert.Contains("<h1>Μέλος 1: Athens</h1>", Decoded(athens));
        Assert.Contains("Δήμος-μέλος: Athens", greek);
        Assert.Contains($"<title>Μέλος 1 - {GreekName}</title>", Decoded(athens));
        Assert.Contains($"<a href=\"/\">{GreekName}</a>", Decoded(athens));
        SaysNoPair(greek);

        await athens.GetAsync("/pairs");
        Assert.Contains("<th scope=\"col\">Μέλος</th>", Decoded(athens));
        Assert.Contains("<th scope=\"col\">Δήμος-μέλος</th>", Decoded(athens));
        SaysNoPair(Visible(athens.LastPage));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Greek_dashboard_counted_pairs_and_named_them_by_mentee(DatabaseProvider provider)
    {
        await using var app = await StartWithBothAsync(database, provider);
        var secretariat = await WebClient.SignedInAsync(app, Secretariat);

        foreach (var (language, members, member) in new[] { ("en", "Members", "Member"), ("el", "Μέλη", "Μέλος") })
        {
            await InLanguageAsync(secretariat, language, "/dashboard");
            var page = Visible(secretariat.LastPage);
            Assert.Contains($"{members}: 25", page);
            Assert.Contains($"<th scope=\"col\">{member}</th>", Decoded(secretariat));
            Assert.Contains("1. Athens", page);
            SaysNoPair(page);
            await secretariat.GetAsync("/programme");
            SaysNoPair(Visible(secretariat.LastPage));
            await secretariat.GetAsync("/dashboard/plan");
            Assert.Contains($"{member} 25: Serres", Visible(secretariat.LastPage));
            SaysNoPair(Visible(secretariat.LastPage));
        }
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Greek_export_had_mentor_and_mentee_columns(DatabaseProvider provider)
    {
        await using var app = await StartWithBothAsync(database, provider);
        var secretariat = await WebClient.SignedInAsync(app, Secretariat);

        await secretariat.GetAsync("/dashboard/export.csv");
        var lines = secretariat.LastPage.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("group,member,theme,step,steps,stage,status,next_due,overdue_items", lines[0]);
        Assert.Equal(26, lines.Length);
        Assert.StartsWith("1,\"Athens\",", lines[1]);
    }

    /// <summary>Queues a task reminder to the coordinators holding <paramref name="role"/> in a group, as a workflow's
    /// nudge does (OutboxWriter with the instance's context), and renders what would be sent.</summary>
    private static async Task<(OutboxMessage Row, RenderedEmail Email)> ReminderAsync(MentoringApp app, Guid groupId, string role,
        string recipientEmail, string language)
    {
        await using var db = app.Db();
        await db.People.Where(p => p.Email == recipientEmail).ExecuteUpdateAsync(s => s.SetProperty(p => p.Language, language));
        var group = await db.Groups.AsNoTracking().SingleAsync(g => g.Id == groupId);
        var instance = await db.Instances.SingleAsync(i => i.Id == group.InstanceId);
        var definitions = app.Service<DefinitionStore>().Catalog;
        var context = await InstanceContext.LoadAsync(db, instance, WorkingHours.Default, CancellationToken.None,
            definitions.Find(instance.DefinitionId, instance.DefinitionVersion));
        app.Service<OutboxWriter>().Add(db, context, instance, new EmailRequested("task-reminder", [Role.Of(role)], null,
            new Dictionary<string, string> { ["task.title"] = "Sign the memorandum", ["task.due"] = "2026-03-02", ["task.daysLeft"] = "7" }),
            app.Clock.GetUtcNow());
        var row = db.ChangeTracker.Entries<OutboxMessage>().Select(e => e.Entity).Single(m => m.RecipientEmail == recipientEmail);
        await db.SaveChangesAsync();
        return (row, app.Expected(row));
    }

    private static string SenderOf(MentoringApp app, OutboxMessage row, RenderedEmail email) =>
        EmailTransports.ToMimeMessage(row, email, app.Service<IOptions<EmailOptions>>().Value, app.Clock.GetUtcNow()).From.Mailboxes.Single().Name ?? "";

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Greek_member_emails_spoke_of_a_pair_and_were_signed_IncluCities(DatabaseProvider provider)
    {
        await using var app = await StartWithBothAsync(database, provider);
        var member = await GroupOfAsync(app, "athens", Greek);

        var (greekRow, greek) = await ReminderAsync(app, member, "member", Athens, "el");
        Assert.StartsWith("Athens: ", greek.Subject);
        Assert.Contains("Μέλος: Athens (μέλος 1)", greek.Text);
        Assert.Contains(GreekName, greek.Text);
        Assert.Contains(GreekName, greek.Html);
        Assert.Equal(GreekName, SenderOf(app, greekRow, greek));
        foreach (var part in new[] { greek.Subject, greek.Text, Visible(greek.Html) }) SaysNoPair(part);

        var (englishRow, english) = await ReminderAsync(app, member, "member", Athens, "en");
        Assert.Contains("Member: Athens (member 1)", english.Text);
        Assert.Contains("Cities Network for Integration", english.Text);
        Assert.Equal("Cities Network for Integration", SenderOf(app, englishRow, english));
        var model = (JsonObject)JsonNode.Parse(englishRow.Model)!;
        Assert.Equal("Athens", model["group"]!["members"]!["member"]!.GetValue<string>());
        Assert.Equal("Athens", model["group"]!["name"]!.GetValue<string>());
        foreach (var part in new[] { english.Subject, english.Text, Visible(english.Html) }) SaysNoPair(part);

        // The facilitator's manual nudge builds its model apart from a workflow's: the same words.
        var secretariat = await app.ClientForAsync(Secretariat);
        var task = await secretariat.OpenItemAsync(member, "sign-memorandum");
        List<Guid> before;
        await using (var db = app.Db()) before = await db.Outbox.Select(m => m.Id).ToListAsync();
        (await secretariat.CommandAsync($"/api/tasks/{task.Id}/nudge")).EnsureSuccessStatusCode();
        await using (var db = app.Db())
        {
            var nudge = await db.Outbox.AsNoTracking().SingleAsync(m => !before.Contains(m.Id));
            var email = app.Expected(nudge);
            Assert.Contains("Member: Athens (member 1)", email.Text);
            Assert.Equal("Cities Network for Integration", SenderOf(app, nudge, email));
            SaysNoPair(email.Text);
        }
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task An_IncluCities_pair_still_reads_as_a_pair_in_French_beside_the_Greek_network(DatabaseProvider provider)
    {
        await using var app = await StartWithBothAsync(database, provider);
        var pair = await GroupOfAsync(app, "saint-jean-de-la-ruelle", "inclucities");
        var mentor = People.Coordinator("brussels");

        var brussels = await InLanguageAsync(await WebClient.SignedInAsync(app, mentor), "fr", $"/pairs/{pair}");
        Assert.Contains("<h1>Binôme 1: City of Brussels – Saint-Jean-de-la-Ruelle</h1>", Decoded(brussels));
        var page = Visible(brussels.LastPage);
        Assert.Contains("Ville mentor: City of Brussels", page);
        Assert.Contains("Ville mentorée: Saint-Jean-de-la-Ruelle", page);
        Assert.Contains("Binôme 1 - IncluCities", page);

        var (row, email) = await ReminderAsync(app, pair, "mentee", People.Coordinator("saint-jean-de-la-ruelle"), "fr");
        Assert.StartsWith("City of Brussels – Saint-Jean-de-la-Ruelle :", email.Subject.Replace('\u00a0', ' '));
        Assert.Contains("Binôme : City of Brussels – Saint-Jean-de-la-Ruelle (binôme 1)", email.Text.Replace('\u00a0', ' '));
        Assert.Equal("IncluCities", SenderOf(app, row, email));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Email_FromName_still_names_the_sender_when_it_is_set(DatabaseProvider provider)
    {
        await using var app = await StartWithBothAsync(database, provider);
        var (row, email) = await ReminderAsync(app, await GroupOfAsync(app, "athens", Greek), "member", Athens, "el");
        var options = new EmailOptions { FromName = "Mentoring at CEMR", FromAddress = "nudges@mentoring.example" };

        Assert.Equal("Mentoring at CEMR", EmailTransports.ToMimeMessage(row, email, options, app.Clock.GetUtcNow()).From.Mailboxes.Single().Name ?? "");
    }

    [Fact]
    public async Task A_reminder_queued_before_the_upgrade_with_pair_fields_still_renders()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var model = (JsonObject)JsonNode.Parse("""
            {"recipient": {"name": "Ilze"}, "programme": {"name": "IncluCities"}, "link": "https://mentoring.test/tasks/1",
             "pair": {"number": 4, "mentor": "Schaerbeek", "mentee": "Jelgava", "theme": "Language learning"},
             "group": {"word": "pāris", "label": "Pāris"}, "task": {"title": "Draft the action plan", "due": "15 May 2026", "daysLeft": 7}}
            """)!;

        OutboxWriter.Upgrade(model, Mentoring.Server.Programme.ProgrammeTerms.None);
        var email = app.Service<TemplateCatalog>().Render("task-reminder", "lv", model);

        Assert.StartsWith("Schaerbeek – Jelgava: ", email.Subject);
        Assert.Contains("Pāris: Schaerbeek – Jelgava (4. pāris)", email.Text);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_message_queued_before_the_upgrade_reads_its_programmes_group_word_not_pair(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var row = Assert.Single(await app.QueueReminderAsync("jelgava"));
        const string before = """
            {"recipient": {"name": "Ilze"}, "programme": {"name": "IncluCities"}, "link": "https://mentoring.test/tasks/1",
             "pair": {"number": 4, "mentor": "Schaerbeek", "mentee": "Jelgava", "theme": "Language learning"},
             "task": {"title": "Rédiger le plan d'action", "due": "15 mai 2026", "daysLeft": 7}}
            """;
        await using (var db = app.Db())
            await db.Outbox.Where(m => m.Id == row.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.Model, before).SetProperty(m => m.Language, "fr"));

        Assert.Equal(1, await app.Service<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None));

        var eml = EmlFile.Parse(await File.ReadAllTextAsync(Assert.Single(Directory.GetFiles(app.Setting("Email:PickupDirectory"), "*.eml"))));
        var text = eml.Bodies["text/plain"];
        Assert.Contains("Schaerbeek – Jelgava (binôme 4)", text);
        Assert.DoesNotContain("pair", text, StringComparison.OrdinalIgnoreCase);
    }

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex Links();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();
}
