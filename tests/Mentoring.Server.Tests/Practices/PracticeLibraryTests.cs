using System.Net;
using System.Net.Http.Json;
using Mentoring.Server.Data;
using Mentoring.Server.Practices;
using Mentoring.Server.Programme;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Tests.Web;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;
using WebClient = Mentoring.Server.Tests.Web.WebClient;

namespace Mentoring.Server.Tests.Practices;

/// <summary>
/// The good-practice library on both databases: the demo's practices found by words, theme and city (the same answers on
/// SQLite's FTS5 and PostgreSQL's full-text search), the propose / publish / send back workflow, sharing across
/// programmes, files, and bad input: scripts, empty titles, query syntax, other cities' and programmes' practices.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class PracticeLibraryTests(DatabaseFixture database)
{
    private const string Programme = "inclucities";
    private const string Library = "/api/programmes/inclucities/practices";
    private const string Network = "other-network";
    private const string NetworkFacilitator = "facilitator@other-network.example";
    private const string Larissa = "larissa@other-network.example";

    private static object Practice(string title = "Language cafés in the library", string summary = "Weekly conversation tables where newcomers practise Latvian.",
        string city = "Jelgava") => new
    {
        title, city, country = "LV", language = "en", summary, achieves = "Confidence in speaking.", runBy = "The city library.",
        resources = "Volunteers and a room.", results = "Forty regulars.", contact = "library@jelgava.example",
        languages = new[] { "lv", "en" }, links = new[] { "https://example.org/cafes" }, themes = new[] { "language learning" },
        keyFactors = new[] { "informal settings for speaking practice" },
    };

    private static async Task<PracticeList> SearchAsync(HttpClient client, string query, string programme = Programme)
    {
        var response = await client.GetAsync($"/api/programmes/{programme}/practices?{query}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{query}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<PracticeList>(Api.Json))!;
    }

    private static async Task<PracticeView> ReadAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<PracticeView>(Api.Json))!;
    }

    private static List<string> Titles(PracticeList list) => list.Practices.Select(p => p.Title).ToList();

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_demo_practices_are_found_by_words_theme_and_city_the_same_on_both_databases(DatabaseProvider provider)
    {
        await using var app = await MentoringApp.StartAsync(database, provider);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));

        var all = await SearchAsync(jelgava, "");
        Assert.Equal(8, all.Practices.Count);
        Assert.Contains("language learning", all.Themes);
        Assert.Equal(["Capaci", "City of Brussels", "Fuenlabrada", "Mechelen", "Schaerbeek"], all.Cities);

        // Stemmed on both: "refugees" finds "refugee"; the title weighs most, so Buddies comes first.
        var refugees = await SearchAsync(jelgava, "q=refugees");
        Assert.Equal("Buddies with Refugees: local volunteers paired with newcomers", Titles(refugees)[0]);
        Assert.Equal(["Buddies with Refugees: local volunteers paired with newcomers"], Titles(refugees));
        Assert.Equal(["CAMIM: learning French by taking part", "VIA-BAPA: reception and French courses for newcomers"],
            Titles(await SearchAsync(jelgava, "theme=language%20learning")).Order());
        Assert.Equal(["MILMA: migrants into work through training and social enterprise", "The anti-rumours network", "The table for coexistence"],
            Titles(await SearchAsync(jelgava, "city=Fuenlabrada")).Order());
        // Every word must match, within the filters.
        Assert.Equal(["The anti-rumours network"], Titles(await SearchAsync(jelgava, "q=rumours%20agents&city=Fuenlabrada")));
        Assert.Empty((await SearchAsync(jelgava, "q=rumours&city=Mechelen")).Practices);
        Assert.Equal(["VIA-BAPA: reception and French courses for newcomers"], Titles(await SearchAsync(jelgava, "q=childcare")));

        // The page shows the same, reachable from the navigation.
        var page = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        Assert.Equal(HttpStatusCode.OK, (await page.GetAsync("/practices?q=childcare")).StatusCode);
        Assert.Contains("<li><a href=\"/practices\">", page.LastPage);
        Assert.Contains("VIA-BAPA", page.LastPage);
        Assert.DoesNotContain("CAMIM", page.LastPage);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_page_of_a_word_search_is_the_same_however_few_best_matches_are_ranked_first(DatabaseProvider provider)
    {
        // SQLite joins only the best matches by bm25 (PracticeSearch.Candidates, a few hundred) and ranks over every match
        // when the page might lie beyond them; no candidates at all is that full search. Every page, for every number of
        // candidates, must be the same slice of it. PostgreSQL has no candidates: its pages are checked the same way.
        await using var app = await MentoringApp.StartAsync(database, provider);
        await using var db = app.Db();
        foreach (var (words, theme) in new[] { ("municipality", (string?)null), ("newcomers", null), ("newcomers", "reception of newcomers") })
        {
            var whole = (await PracticeSearch.SearchAsync(db, Programme, new PracticeQuery(words, theme, null, 0, 200), CancellationToken.None,
                candidates: 0)).Ids;
            Assert.True(whole.Count >= (theme is null ? 5 : 2), $"{words}: {whole.Count} matches");
            Assert.Equal(whole, (await PracticeSearch.SearchAsync(db, Programme, new PracticeQuery(words, theme, null), CancellationToken.None)).Ids);
            for (var candidates = 1; candidates <= whole.Count + 1; candidates++)
                for (var skip = 0; skip <= whole.Count; skip++)
                    for (var take = 1; take <= 3; take++)
                    {
                        var page = await PracticeSearch.SearchAsync(db, Programme, new PracticeQuery(words, theme, null, skip, take),
                            CancellationToken.None, candidates);
                        Assert.True(whole.Skip(skip).Take(take).SequenceEqual(page.Ids), $"{words} {theme}: {candidates} candidates, skip {skip}, take {take}");
                    }
        }
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Search_syntax_is_read_as_words_and_never_breaks_the_query(DatabaseProvider provider)
    {
        await using var app = await MentoringApp.StartAsync(database, provider);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        foreach (var query in new[] { "\"childcare", "childcare*", "childcare)", "((childcare", "NEAR(childcare", "childcare OR", "-childcare",
                     "childcare AND", "title:childcare", "childcare'", "childcare\\", "^childcare", "childcare NOT" })
        {
            var found = await SearchAsync(jelgava, "q=" + Uri.EscapeDataString(query));
            // "near" and "title" are words to find too, and no practice has them beside childcare; "or", "and" and "not" are
            // stop words, dropped by both databases.
            var expected = query.Contains("NEAR") || query.Contains("title") ? [] : new[] { "VIA-BAPA: reception and French courses for newcomers" };
            Assert.True(expected.SequenceEqual(Titles(found)), $"{query}: {string.Join(", ", Titles(found))}");
        }

        foreach (var query in new[] { "*", "\"", "(", ")", "NEAR", "\" OR \"", "AND", "-", ":", "''", "((((", "\u00e9\u0301" })
            Assert.Equal(HttpStatusCode.OK, (await jelgava.GetAsync($"{Library}?q={Uri.EscapeDataString(query)}")).StatusCode);
        var page = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        Assert.Equal(HttpStatusCode.OK, (await page.GetAsync("/practices?q=%22NEAR(%2A")).StatusCode);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_coordinator_proposes_the_facilitator_publishes_and_a_coordinator_may_not(DatabaseProvider provider)
    {
        await using var app = await MentoringApp.StartAsync(database, provider);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var capaci = await app.ClientForAsync(People.Coordinator("capaci"));
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var observer = await app.ClientForAsync(People.Observer("LPS"));

        var proposed = await ReadAsync(await jelgava.CommandAsync(Library, Practice()));
        Assert.Equal(PracticeStatus.Proposed, proposed.Status);
        Assert.DoesNotContain("Language cafés in the library", Titles(await SearchAsync(jelgava, "q=cafés")));
        // Another city's coordinator does not see the proposal, nor edit or publish it.
        Assert.Equal(HttpStatusCode.NotFound, (await capaci.GetAsync($"{Library}/{proposed.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await capaci.PutAsJsonAsync($"{Library}/{proposed.Id}", Practice("Mine now"), Api.Json)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await capaci.CommandAsync($"{Library}/{proposed.Id}/publish", new { shared = true })).StatusCode);
        // Its own city's coordinator publishing: 403; the queue is the facilitator's.
        Assert.Equal(HttpStatusCode.Forbidden, (await jelgava.CommandAsync($"{Library}/{proposed.Id}/publish", new { shared = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await jelgava.GetAsync($"{Library}/queue")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await observer.CommandAsync(Library, Practice())).StatusCode);
        Assert.Contains((await facilitator.GetFromJsonAsync<List<PracticeSummary>>($"{Library}/queue", Api.Json))!, p => p.Id == proposed.Id);

        // Sent back with a reason (none: 400), edited by its city, proposed again, published.
        Assert.Equal(HttpStatusCode.BadRequest, (await facilitator.CommandAsync($"{Library}/{proposed.Id}/send-back", new { reason = " " })).StatusCode);
        var sentBack = await ReadAsync(await facilitator.CommandAsync($"{Library}/{proposed.Id}/send-back", new { reason = "Add the results." }));
        Assert.Equal((PracticeStatus.SentBack, "Add the results."), (sentBack.Status, sentBack.SendBackReason));
        var edited = await ReadAsync(await jelgava.PutAsJsonAsync($"{Library}/{proposed.Id}", Practice(summary: "Weekly conversation tables, now with results."), Api.Json));
        Assert.Equal(PracticeStatus.Proposed, edited.Status);
        var published = await ReadAsync(await facilitator.CommandAsync($"{Library}/{proposed.Id}/publish", new { shared = false }));
        Assert.Equal(PracticeStatus.Published, published.Status);
        Assert.Equal(["Language cafés in the library"], Titles(await SearchAsync(capaci, "q=conversation%20tables%20results")));
        // Published, it is the facilitator's to edit now.
        Assert.Equal(HttpStatusCode.Conflict, (await jelgava.PutAsJsonAsync($"{Library}/{proposed.Id}", Practice("Changed"), Api.Json)).StatusCode);

        // The facilitator's queue page and the library's links.
        var page = await WebClient.SignedInAsync(app, People.Coordinator("capaci"));
        Assert.Contains("/forbidden", (await page.GetAsync("/practices/queue")).Headers.Location!.OriginalString);
        var facilitatorPage = await WebClient.SignedInAsync(app, People.Facilitator);
        Assert.Equal(HttpStatusCode.OK, (await facilitatorPage.GetAsync("/practices/queue")).StatusCode);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task An_empty_title_is_400_and_nothing_is_written(DatabaseProvider provider)
    {
        await using var app = await MentoringApp.StartAsync(database, provider);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var response = await jelgava.CommandAsync(Library, Practice(title: "  "));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.ProblemAsync()).GetProperty("errors").TryGetProperty("title", out _));
        var badLink = await jelgava.CommandAsync(Library, new { title = "Links", city = "Jelgava", country = "LV", links = new[] { "javascript:alert(1)" } });
        Assert.Equal(HttpStatusCode.BadRequest, badLink.StatusCode);
        await using var db = app.Db();
        Assert.Equal(8, await db.Set<Practice>().CountAsync());

        var page = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        await page.GetAsync("/practices/new");
        var posted = await page.PostAsync("/practices/new", new Dictionary<string, string>
        {
            ["key"] = page.Hidden("key"), ["Title"] = "", ["City"] = "Jelgava", ["Country"] = "LV", ["Language"] = "en",
        });
        Assert.Equal(HttpStatusCode.BadRequest, posted.StatusCode);
        Assert.Contains("Give the practice a title.", page.LastPage);
        Assert.Equal(8, await db.Set<Practice>().CountAsync());
    }

    [Fact]
    public async Task A_french_readers_empty_title_refusal_on_the_page_reads_in_french()
    {
        await using var app = await MentoringApp.StartAsync(database, DatabaseProvider.Sqlite);
        var page = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        await page.GetAsync("/practices/new");
        await page.PostAsync("/language", new Dictionary<string, string> { ["culture"] = "fr", ["returnUrl"] = "/practices/new" });
        await page.GetAsync("/practices/new");
        var posted = await page.PostAsync("/practices/new", new Dictionary<string, string>
        {
            ["key"] = page.Hidden("key"), ["Title"] = "", ["City"] = "Jelgava", ["Country"] = "LV", ["Language"] = "en",
        });
        Assert.Equal(HttpStatusCode.BadRequest, posted.StatusCode);
        var shown = System.Net.WebUtility.HtmlDecode(page.LastPage);
        Assert.Contains("Donnez un titre à la pratique.", shown);
        Assert.DoesNotContain("Give the practice a title.", shown);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_script_in_a_practice_is_shown_as_text(DatabaseProvider provider)
    {
        await using var app = await MentoringApp.StartAsync(database, provider);
        var page = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        await page.GetAsync("/practices/new");
        var posted = await page.PostAsync("/practices/new", new Dictionary<string, string>
        {
            ["key"] = page.Hidden("key"), ["Title"] = "<script>alert('title')</script>", ["City"] = "Jelgava", ["Country"] = "lv",
            ["Language"] = "en", ["Summary"] = "<img src=x onerror=alert(1)>", ["Themes"] = "<b>bold</b>",
        });
        Assert.True(posted.StatusCode == HttpStatusCode.Redirect, WebClient.Alert(page.LastPage));
        var location = posted.Headers.Location!.ToString();
        await page.GetAsync(location);
        Assert.Contains("&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;", page.LastPage);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", page.LastPage);
        Assert.DoesNotContain("<script>alert", page.LastPage);
        Assert.DoesNotContain("<img src=x", page.LastPage);
        Assert.DoesNotContain("<b>bold</b>", page.LastPage);

        // Published by the facilitator from its page, it is text in the library too.
        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);
        await facilitator.GetAsync(location);
        var publish = await facilitator.PostAsync(location + "?handler=Publish", new Dictionary<string, string> { ["key"] = facilitator.Hidden("key"), ["shared"] = "true" });
        Assert.Equal(HttpStatusCode.Redirect, publish.StatusCode);
        await facilitator.GetAsync("/practices?q=alert");
        Assert.Contains("&lt;script&gt;", facilitator.LastPage);
        Assert.DoesNotContain("<script>alert", facilitator.LastPage);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Another_programmes_practice_is_404_until_its_facilitator_shares_it_and_ours_shows_it(DatabaseProvider provider)
    {
        await using var app = await MentoringApp.StartAsync(database, provider);
        await AddNetworkAsync(app);
        var network = await app.ClientForAsync(NetworkFacilitator);
        var larissa = await app.ClientForAsync(Larissa);
        var inclucities = await app.ClientForAsync(People.Facilitator);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));

        var theirs = await ReadAsync(await larissa.CommandAsync($"/api/programmes/{Network}/practices",
            Practice("Tenancy desk for newcomers", "One desk for tenancy questions.", "Larissa")));
        // Unpublished, of another programme: not there, whatever the route.
        Assert.Equal(HttpStatusCode.NotFound, (await inclucities.GetAsync($"{Library}/{theirs.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await inclucities.GetAsync($"/api/programmes/{Network}/practices/{theirs.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await inclucities.GetAsync($"/api/programmes/{Network}/practices")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await inclucities.CommandAsync($"/api/programmes/{Network}/practices/{theirs.Id}/publish", new { shared = true })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await inclucities.CommandAsync($"{Library}/{theirs.Id}/show")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await jelgava.CommandAsync($"/api/programmes/{Network}/practices", Practice())).StatusCode);
        var page = await WebClient.SignedInAsync(app, People.Facilitator);
        Assert.Equal(HttpStatusCode.NotFound, (await page.GetAsync($"/practices/{theirs.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await page.GetAsync($"/practices/{theirs.Id}/edit")).StatusCode);
        // The network's coordinator publishing: 403.
        Assert.Equal(HttpStatusCode.Forbidden, (await larissa.CommandAsync($"/api/programmes/{Network}/practices/{theirs.Id}/publish", new { shared = true })).StatusCode);

        // Published but not shared: still not ours to show.
        await ReadAsync(await network.CommandAsync($"/api/programmes/{Network}/practices/{theirs.Id}/publish", new { shared = false }));
        Assert.Equal(HttpStatusCode.NotFound, (await inclucities.CommandAsync($"{Library}/{theirs.Id}/show")).StatusCode);
        // Shared: our facilitator decides; a coordinator may not.
        await ReadAsync(await network.CommandAsync($"/api/programmes/{Network}/practices/{theirs.Id}/publish", new { shared = true }));
        Assert.Empty((await SearchAsync(jelgava, "q=tenancy")).Practices);
        Assert.Equal(HttpStatusCode.Forbidden, (await jelgava.CommandAsync($"{Library}/{theirs.Id}/show")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await inclucities.CommandAsync($"{Library}/{theirs.Id}/show")).StatusCode);
        Assert.Equal(["Tenancy desk for newcomers"], Titles(await SearchAsync(jelgava, "q=tenancy")));
        Assert.Equal(HttpStatusCode.OK, (await jelgava.GetAsync($"{Library}/{theirs.Id}")).StatusCode);
        // Shown here, it is still theirs to edit and publish.
        Assert.Equal(HttpStatusCode.Forbidden, (await inclucities.PutAsJsonAsync($"{Library}/{theirs.Id}", Practice("Ours now"), Api.Json)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await inclucities.CommandAsync($"{Library}/{theirs.Id}/send-back", new { reason = "no" })).StatusCode);
        // Our demo practices are shared, but the network shows none of them until its facilitator says so.
        Assert.Equal(["Tenancy desk for newcomers"], Titles(await SearchAsync(network, "", Network)));
        // Sent back by its owner, it leaves our library too.
        await ReadAsync(await network.CommandAsync($"/api/programmes/{Network}/practices/{theirs.Id}/send-back", new { reason = "Out of date." }));
        Assert.Empty((await SearchAsync(jelgava, "q=tenancy")).Practices);
        Assert.Equal(HttpStatusCode.NotFound, (await jelgava.GetAsync($"{Library}/{theirs.Id}")).StatusCode);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_filters_and_the_pages_without_words_count_shown_practices_and_drop_sent_back_ones(DatabaseProvider provider)
    {
        await using var app = await MentoringApp.StartAsync(database, provider);
        await AddNetworkAsync(app);
        var network = await app.ClientForAsync(NetworkFacilitator);
        var larissa = await app.ClientForAsync(Larissa);
        var inclucities = await app.ClientForAsync(People.Facilitator);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var theirs = await ReadAsync(await larissa.CommandAsync($"/api/programmes/{Network}/practices",
            Practice("Baths open to newcomers", "Free entry to the public baths.", "Larissa")));
        await ReadAsync(await network.CommandAsync($"/api/programmes/{Network}/practices/{theirs.Id}/publish", new { shared = true }));
        // Shared but not shown here: neither its city nor a theme only it has.
        var before = await SearchAsync(jelgava, "");
        Assert.DoesNotContain("Larissa", before.Cities);
        var ours = await ReadAsync(await jelgava.CommandAsync(Library, Practice("A proposal only", city: "Jelgava")));
        Assert.DoesNotContain("Jelgava", (await SearchAsync(jelgava, "")).Cities);

        Assert.Equal(HttpStatusCode.OK, (await inclucities.CommandAsync($"{Library}/{theirs.Id}/show")).StatusCode);
        var shown = await SearchAsync(jelgava, "");
        Assert.Contains("Larissa", shown.Cities);
        Assert.Equal(shown.Cities.Order(StringComparer.Ordinal), shown.Cities);
        Assert.Contains("language learning", shown.Themes);
        // Without words, the library is in title order, the shown practice among ours, the same page after page.
        var titles = Titles(shown);
        Assert.Equal(9, titles.Count);
        Assert.Contains("Baths open to newcomers", titles);
        var paged = new List<string>();
        for (var skip = 0; skip < 10; skip += 2) paged.AddRange(Titles(await SearchAsync(jelgava, $"skip={skip}&take=2")));
        Assert.Equal(titles, paged);
        Assert.Equal(["Baths open to newcomers"], Titles(await SearchAsync(jelgava, "city=Larissa")));
        Assert.Equal(titles.Where(t => t is "Baths open to newcomers" or "CAMIM: learning French by taking part"
            or "VIA-BAPA: reception and French courses for newcomers"), Titles(await SearchAsync(jelgava, "theme=language%20learning")));

        // Published here, a city joins the filter; sent back, it leaves it.
        await ReadAsync(await inclucities.CommandAsync($"{Library}/{ours.Id}/publish", new { shared = false }));
        Assert.Contains("Jelgava", (await SearchAsync(jelgava, "")).Cities);
        await ReadAsync(await network.CommandAsync($"/api/programmes/{Network}/practices/{theirs.Id}/send-back", new { reason = "Out of date." }));
        await ReadAsync(await inclucities.CommandAsync($"{Library}/{ours.Id}/send-back", new { reason = "Needs results." }));
        var after = await SearchAsync(jelgava, "");
        Assert.DoesNotContain("Larissa", after.Cities);
        Assert.DoesNotContain("Jelgava", after.Cities);
        Assert.Equal(before.Cities, after.Cities);
        Assert.Equal(before.Themes, after.Themes);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_practice_file_is_read_by_whoever_reads_the_practice(DatabaseProvider provider)
    {
        await using var app = await MentoringApp.StartAsync(database, provider);
        await AddNetworkAsync(app);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var capaci = await app.ClientForAsync(People.Coordinator("capaci"));
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var network = await app.ClientForAsync(NetworkFacilitator);
        var practice = await ReadAsync(await jelgava.CommandAsync(Library, Practice()));

        var upload = await capaci.CompleteWithFileAsync($"{Library}/{practice.Id}/files", null, fileName: "cafes.pdf");
        Assert.Equal(HttpStatusCode.NotFound, upload.StatusCode);
        var notPdf = await jelgava.CompleteWithFileAsync($"{Library}/{practice.Id}/files", null, fileName: "cafes.pdf", file: "<html>"u8.ToArray());
        Assert.Equal(HttpStatusCode.BadRequest, notPdf.StatusCode);
        upload = await jelgava.CompleteWithFileAsync($"{Library}/{practice.Id}/files", null, fileName: "cafes.pdf");
        var file = (await upload.Content.ReadFromJsonAsync<PracticeFileView>(Api.Json))!;
        Assert.Equal("cafes.pdf", (await ReadAsync(await jelgava.GetAsync($"{Library}/{practice.Id}"))).Files.Single().FileName);

        Assert.Equal(HttpStatusCode.Forbidden, (await capaci.GetAsync($"/files/{file.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await facilitator.GetAsync($"/files/{file.Id}")).StatusCode);
        await ReadAsync(await facilitator.CommandAsync($"{Library}/{practice.Id}/publish", new { shared = true }));
        Assert.Equal(HttpStatusCode.OK, (await capaci.GetAsync($"/files/{file.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await network.GetAsync($"/files/{file.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await network.CommandAsync($"/api/programmes/{Network}/practices/{practice.Id}/show")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await network.GetAsync($"/files/{file.Id}")).StatusCode);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Importing_the_package_again_changes_no_practice(DatabaseProvider provider)
    {
        await using var app = await MentoringApp.StartAsync(database, provider);
        await using var db = app.Db();
        var before = await db.Set<Practice>().AsNoTracking().OrderBy(p => p.SourceKey).Select(p => new { p.SourceKey, p.Version, p.Status }).ToListAsync();
        Assert.Equal(8, before.Count);
        Assert.All(before, p => Assert.Equal((1, PracticeStatus.Published), (p.Version, p.Status)));
        var folder = Path.Combine(Mentoring.Server.Workflows.ContentPath.Resolve("workflows"), "inclucities");
        // Forced past the unchanged-package shortcut: the practices themselves are compared.
        await db.Programmes.Where(p => p.Id == Programme).ExecuteUpdateAsync(s => s.SetProperty(p => p.PackageHash, "changed"));
        var outcome = await app.Service<Mentoring.Server.Programme.Packages.ProgrammeImporter>()
            .ImportFolderAsync(db, folder, new Mentoring.Server.Programme.Packages.ImportOptions(), CancellationToken.None);
        Assert.False(outcome.Refused, string.Join("; ", outcome.Errors));
        Assert.DoesNotContain(outcome.Changes, c => c.Kind == "practice");
        var after = await db.Set<Practice>().AsNoTracking().OrderBy(p => p.SourceKey).Select(p => new { p.SourceKey, p.Version, p.Status }).ToListAsync();
        Assert.Equal(before, after);
    }

    [Fact]
    public void A_bad_practices_file_is_refused_naming_the_file_and_the_json_path()
    {
        var practices = PracticesFile.Read("workflows/x/practices.json", """
            { "practices": [
                { "id": "a", "title": "", "city": "Jelgava", "country": "lv", "links": ["ftp://x"], "colour": "red" },
                { "id": "a", "title": "Twice", "city": "Jelgava", "country": "LV", "themes": "not a list" } ] }
            """, out var errors);
        Assert.Null(practices);
        var seen = errors.Select(e => $"{e.File} {e.Path}").ToList();
        Assert.Contains("workflows/x/practices.json $.practices[0].title", seen);
        Assert.Contains("workflows/x/practices.json $.practices[0].country", seen);
        Assert.Contains("workflows/x/practices.json $.practices[0].links", seen);
        Assert.Contains("workflows/x/practices.json $.practices[0].colour", seen);
        Assert.Contains("workflows/x/practices.json $.practices[1].id", seen);
        Assert.Contains("workflows/x/practices.json $.practices[1].themes", seen);
        Assert.Null(PracticesFile.Read("f", "{ \"practices\": [ { ", out errors));
        Assert.StartsWith("line ", Assert.Single(errors).Path);
    }

    [Fact]
    public void The_shipped_practices_file_reads_without_errors()
    {
        var file = Path.Combine(Mentoring.Server.Workflows.ContentPath.Resolve("workflows"), "inclucities", PracticesFile.FileName);
        var practices = PracticesFile.Read(file, File.ReadAllText(file), out var errors);
        Assert.Empty(errors);
        Assert.Equal(["anti-rumours-network", "bapa-bxl", "buddies-with-refugees", "camim", "compa", "milma", "table-for-coexistence", "via-bapa"],
            practices!.Select(p => p.Id).Order());
    }

    [Fact]
    public async Task The_SQLite_build_the_app_uses_has_FTS5()
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT sqlite_compileoption_used('ENABLE_FTS5')";
        Assert.Equal(1L, await command.ExecuteScalarAsync());
    }

    /// <summary>A second programme with a facilitator and a coordinator (Larissa) of its own.</summary>
    private static async Task AddNetworkAsync(MentoringApp app)
    {
        await using var db = app.Db();
        var now = app.Clock.GetUtcNow();
        db.Programmes.Add(new ProgrammeRecord { Id = Network, Name = "Other network", CreatedAt = now, TimeZone = "Europe/Athens" });
        db.Cities.Add(new City { Id = "larissa", Name = "Larissa", Country = "GR", TimeZone = "Europe/Athens", Language = "el" });
        db.ProgrammeMembers.Add(new ProgrammeMember { ProgrammeId = Network, CityId = "larissa" });
        var facilitator = new Person { Name = "Network facilitator", Email = NetworkFacilitator, CurrentProgramme = Network, CreatedAt = now };
        var larissa = new Person { Name = "Larissa coordinator", Email = Larissa, Language = "el", CurrentProgramme = Network, CreatedAt = now };
        db.People.AddRange(facilitator, larissa);
        db.ProgrammePeople.AddRange(
            new ProgrammePerson { ProgrammeId = Network, PersonId = facilitator.Id, Role = PersonRoles.Facilitator },
            new ProgrammePerson { ProgrammeId = Network, PersonId = larissa.Id, Role = PersonRoles.Coordinator, CityId = "larissa" });
        await db.SaveChangesAsync();
    }
}
