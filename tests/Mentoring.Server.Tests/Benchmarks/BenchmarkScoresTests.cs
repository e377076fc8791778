using System.Net;
using System.Net.Http.Json;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Mentoring.Server.Benchmarks;
using Mentoring.Server.Benchmarks.Scores;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Tests.Web;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;
using WebClient = Mentoring.Server.Tests.Web.WebClient;

namespace Mentoring.Server.Tests.Benchmarks;

/// <summary>
/// The mentee's self-scores on its benchmark's key factors (baseline and review), the change chart on the pair page, and
/// the printable and Word exports. Pair 4 is Schaerbeek (mentor) and Jelgava (mentee); pair 2's Capaci is another
/// pair's coordinator. The benchmark is written straight into its tables, as the benchmark feature would have made it.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class BenchmarkScoresTests(DatabaseFixture database)
{
    private sealed record Seeded(Guid Pair, Guid Learning, Guid Volunteers, Guid Library);

    private static async Task<Seeded> BenchmarkAsync(MentoringApp app)
    {
        var pair = await WebAccessTests.PairIdAsync(app, "jelgava");
        await using var db = app.Db();
        var programme = await db.Groups.Where(g => g.Id == pair).Select(g => g.ProgrammeId).SingleAsync();
        var benchmark = new BenchmarkRecord
        {
            ProgrammeId = programme, GroupId = pair, Title = "Formal and informal language learning for newcomers", Status = BenchmarkRecord.Agreed,
            AgreedAt = app.Clock.GetUtcNow(), AgreedBy = "Migration Work facilitator", Version = 3, CreatedAt = app.Clock.GetUtcNow(),
            UpdatedAt = app.Clock.GetUtcNow(),
        };
        var learning = new BenchmarkFactorRecord
        {
            BenchmarkId = benchmark.Id, Position = 1, Title = "Courses at every level, day and evening",
            WhyAndHow = "Newcomers work or care for children: courses must fit their hours.\nMap the offer first.",
            GuidingQuestions = """["Who offers courses today?","Where are the waiting lists?"]""",
            Examples = $$"""[{"text":"CAMIM's language café","practiceId":"{{Guid.NewGuid()}}","url":null},{"text":"VIA-BAPA's intake","practiceId":null,"url":"https://example.org/via"}]""",
            CreatedAt = app.Clock.GetUtcNow(),
        };
        var volunteers = new BenchmarkFactorRecord
        {
            BenchmarkId = benchmark.Id, Position = 2, Title = "Volunteers who practise conversation", WhyAndHow = "Practice outside class.",
            CreatedAt = app.Clock.GetUtcNow(),
        };
        var library = new BenchmarkFactorRecord
        {
            BenchmarkId = benchmark.Id, Position = 3, Title = "The city library as a meeting place", WhyAndHow = "Jelgava's own idea.", Local = true,
            CreatedAt = app.Clock.GetUtcNow(),
        };
        db.Benchmarks.Add(benchmark);
        db.BenchmarkFactors.AddRange(learning, volunteers, library);
        await db.SaveChangesAsync();
        return new Seeded(pair, learning.Id, volunteers.Id, library.Id);
    }

    private static Task<HttpResponseMessage> PutAsync(HttpClient client, Guid pair, string moment, object body, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/pairs/{pair}/benchmark/scores/{moment}") { Content = JsonContent.Create(body, options: Api.Json) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return client.SendAsync(request);
    }

    private static async Task<ScoreSheet> SheetAsync(HttpClient client, Guid pair, string moment) =>
        (await client.GetFromJsonAsync<ScoreSheet>($"/api/pairs/{pair}/benchmark/scores/{moment}", Api.Json))!;

    private static object Sheet(params (Guid Factor, int? Score, string? Comment)[] scores) =>
        new { scores = scores.Select(s => new { factor = s.Factor, score = s.Score, comment = s.Comment }).ToArray() };

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_mentee_scores_the_baseline_and_the_review_and_everyone_who_follows_the_pair_reads_the_change(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var s = await BenchmarkAsync(app);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));

        var key = Guid.NewGuid().ToString();
        var baseline = Sheet((s.Learning, 1, "Only one evening course.\nLong waiting list."), (s.Volunteers, 2, null), (s.Library, 0, ""));
        var saved = await PutAsync(jelgava, s.Pair, "baseline", baseline, key);
        Assert.True(saved.StatusCode == HttpStatusCode.OK, await saved.Content.ReadAsStringAsync());
        var sheet = (await saved.Content.ReadFromJsonAsync<ScoreSheet>(Api.Json))!;
        Assert.True(sheet.MayEnter);
        Assert.Equal([1, 2, 0], sheet.Factors.Select(f => f.Score));
        Assert.Equal("Jelgava coordinator", sheet.Factors[0].EnteredBy);
        // A retry with the same key is the first answer, and changes nothing.
        var again = await PutAsync(jelgava, s.Pair, "baseline", baseline, key);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());

        app.Clock.Advance(TimeSpan.FromDays(400));
        var review = await PutAsync(jelgava, s.Pair, "review", Sheet((s.Learning, 3, "Day and evening courses now."), (s.Volunteers, 2, null)));
        Assert.True(review.StatusCode == HttpStatusCode.OK, await review.Content.ReadAsStringAsync());

        await using (var db = app.Db())
        {
            var rows = await db.Set<BenchmarkScore>().Where(r => r.GroupId == s.Pair).OrderBy(r => r.Moment).ThenBy(r => r.Score).ToListAsync();
            Assert.Equal(5, rows.Count);
            Assert.Equal("Only one evening course.\nLong waiting list.", rows.Single(r => r.Moment == "baseline" && r.FactorId == s.Learning).Comment);
            Assert.Null(rows.Single(r => r.FactorId == s.Library).Comment);
            Assert.Equal(DefaultStart.AddDays(400), rows.Single(r => r.Moment == "review" && r.FactorId == s.Learning).EnteredAt);
            Assert.Equal(DefaultStart, rows.Single(r => r.Moment == "baseline" && r.FactorId == s.Learning).EnteredAt);
        }

        // The mentor city, the facilitator and Jelgava's national association read both moments.
        foreach (var reader in new[] { People.Coordinator("schaerbeek"), People.Facilitator, People.Observer("LPS") })
        {
            var client = await app.ClientForAsync(reader);
            var read = await SheetAsync(client, s.Pair, "review");
            Assert.False(read.MayEnter);
            Assert.Equal([3, 2, null], read.Factors.Select(f => f.Score));
        }

        // The pair page: the chart (titled, described) and the same figures as a table, with the change per factor.
        var page = await WebClient.SignedInAsync(app, People.Coordinator("schaerbeek"));
        await page.GetAsync($"/pairs/{s.Pair}");
        var section = page.LastPage[page.LastPage.IndexOf("id=\"benchmark-scores\"", StringComparison.Ordinal)..];
        Assert.Contains("<svg", section);
        Assert.Contains("<title id=\"scores-chart-title\">Self-scores on the key factors</title>", section);
        Assert.Contains("<desc id=\"scores-chart-desc\">", section);
        var table = WebUtility.HtmlDecode(section[section.IndexOf("id=\"benchmark-scores-table\"", StringComparison.Ordinal)..section.IndexOf("</table>", StringComparison.Ordinal)]);
        Assert.Contains("<td>1</td>", table);
        Assert.Contains("<td>+2</td>", table);
        Assert.Contains("<td>no change</td>", table);
        Assert.Contains("not scored", table);
        Assert.Contains("Read the baseline scores", section);
        Assert.DoesNotContain("Enter the baseline scores", section);
        Assert.Contains($"/pairs/{s.Pair}/benchmark/print", section);
        Assert.Contains($"/pairs/{s.Pair}/benchmark.docx", section);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_score_out_of_range_or_a_factor_not_in_the_benchmark_is_a_400_naming_it_and_nothing_is_written(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var s = await BenchmarkAsync(app);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var stranger = Guid.NewGuid();

        var refused = await PutAsync(jelgava, s.Pair, "baseline",
            Sheet((s.Learning, 5, null), (stranger, 2, null), (s.Volunteers, null, "No score."), (s.Learning, -1, null), (s.Library, 2, "a\u0000b")));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = (await refused.ProblemAsync()).GetProperty("errors");
        Assert.Contains("5", errors.GetProperty("scores[0].score")[0].GetString());
        Assert.Contains(stranger.ToString(), errors.GetProperty("scores[1].factor")[0].GetString());
        Assert.Equal(ScoreRules.ScoreMissing, errors.GetProperty("scores[2].score")[0].GetString());
        Assert.Contains("twice", errors.GetProperty("scores[3].factor")[0].GetString());
        Assert.True(errors.TryGetProperty("scores[4].comment", out _));
        Assert.Equal(HttpStatusCode.BadRequest, (await PutAsync(jelgava, s.Pair, "baseline", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PutAsync(jelgava, s.Pair, "midterm", Sheet((s.Learning, 2, null)))).StatusCode);

        // Without an Idempotency-Key: 400, and nothing is written either.
        var keyless = await jelgava.PutAsJsonAsync($"/api/pairs/{s.Pair}/benchmark/scores/baseline", Sheet((s.Learning, 2, null)), Api.Json);
        Assert.Equal(HttpStatusCode.BadRequest, keyless.StatusCode);
        await using var db = app.Db();
        Assert.Equal(0, await db.Set<BenchmarkScore>().CountAsync());
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_review_needs_the_baseline_the_baseline_stays_once_reviewed_and_a_stale_benchmark_is_a_409(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var s = await BenchmarkAsync(app);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));

        var early = await PutAsync(jelgava, s.Pair, "review", Sheet((s.Learning, 3, null)));
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Contains("Courses at every level", (await early.ProblemAsync()).GetProperty("detail").GetString());

        Assert.Equal(HttpStatusCode.OK, (await PutAsync(jelgava, s.Pair, "baseline", Sheet((s.Learning, 1, null), (s.Volunteers, 2, null)))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(jelgava, s.Pair, "review", Sheet((s.Learning, 3, null)))).StatusCode);
        // The reviewed factor's baseline is kept; the other's may still change, and the local one may still be scored.
        Assert.Equal(HttpStatusCode.Conflict, (await PutAsync(jelgava, s.Pair, "baseline", Sheet((s.Learning, 2, null), (s.Volunteers, 2, null)))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await PutAsync(jelgava, s.Pair, "baseline", Sheet((s.Volunteers, 2, null)))).StatusCode);
        Assert.Equal(HttpStatusCode.OK,
            (await PutAsync(jelgava, s.Pair, "baseline", Sheet((s.Learning, 1, null), (s.Volunteers, 1, "Lower than we thought."), (s.Library, 0, null)))).StatusCode);

        var stale = await PutAsync(jelgava, s.Pair, "baseline", new { benchmarkVersion = 2, scores = new[] { new { factor = s.Learning, score = 1 } } });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("version 2, now 3", (await stale.ProblemAsync()).GetProperty("detail").GetString());
        await using var db = app.Db();
        Assert.Equal(1, await db.Set<BenchmarkScore>().Where(r => r.FactorId == s.Volunteers && r.Moment == "baseline").Select(r => r.Score).SingleAsync());
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Only_the_mentee_side_enters_scores_and_another_pairs_coordinator_reaches_no_page_or_endpoint(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var s = await BenchmarkAsync(app);
        foreach (var other in new[] { People.Coordinator("schaerbeek"), People.Facilitator, People.Observer("LPS") })
            Assert.Equal(HttpStatusCode.Forbidden, (await PutAsync(await app.ClientForAsync(other), s.Pair, "baseline", Sheet((s.Learning, 4, null)))).StatusCode);

        var capaci = await app.ClientForAsync(People.Coordinator("capaci"));
        Assert.Equal(HttpStatusCode.Forbidden, (await capaci.GetAsync($"/api/pairs/{s.Pair}/benchmark/scores/baseline")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PutAsync(capaci, s.Pair, "baseline", Sheet((s.Learning, 4, null)))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await capaci.GetAsync($"/pairs/{s.Pair}/benchmark.docx")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await capaci.GetAsync($"/api/pairs/{Guid.NewGuid()}/benchmark/scores/baseline")).StatusCode);

        var capaciPage = await WebClient.SignedInAsync(app, People.Coordinator("capaci"));
        foreach (var path in new[] { $"/pairs/{s.Pair}/benchmark/scores/baseline", $"/pairs/{s.Pair}/benchmark/scores/review", $"/pairs/{s.Pair}/benchmark/print" })
            Assert.Contains("/forbidden", (await capaciPage.GetAsync(path)).Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Forbidden, (await capaciPage.GetAsync($"/pairs/{s.Pair}/benchmark.docx")).StatusCode);
        var capaciPair = await WebAccessTests.PairIdAsync(app, "capaci");
        await capaciPage.GetAsync($"/pairs/{capaciPair}");
        var posted = await capaciPage.PostAsync($"/pairs/{s.Pair}/benchmark/scores/baseline",
            new Dictionary<string, string> { ["key"] = "k1", [$"score-{s.Learning}"] = "4" });
        Assert.Contains("/forbidden", posted.Headers.Location!.OriginalString);
        // A pair without a benchmark has none to score, print or download.
        Assert.Equal(HttpStatusCode.NotFound, (await capaci.GetAsync($"/api/pairs/{capaciPair}/benchmark/scores/baseline")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await capaciPage.GetAsync($"/pairs/{capaciPair}/benchmark/print")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await PutAsync(capaci, capaciPair, "baseline", Sheet())).StatusCode);
        await using var db = app.Db();
        Assert.Equal(0, await db.Set<BenchmarkScore>().CountAsync());
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_mentee_enters_the_scores_on_its_page_and_a_double_submit_is_one_change(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var s = await BenchmarkAsync(app);
        var jelgava = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        await jelgava.GetAsync($"/pairs/{s.Pair}");
        Assert.Contains($"href=\"/pairs/{s.Pair}/benchmark/scores/baseline\">Enter the baseline scores", jelgava.LastPage);
        Assert.Equal(HttpStatusCode.OK, (await jelgava.GetAsync($"/pairs/{s.Pair}/benchmark/scores/baseline")).StatusCode);
        Assert.Contains($"id=\"score-{s.Learning}\"", jelgava.LastPage);
        Assert.Contains("4 – fully in place", jelgava.LastPage);

        // A comment without a score is refused (400) with the field named, and what was typed is kept.
        var form = new Dictionary<string, string>
        {
            ["key"] = jelgava.Hidden("key"), ["version"] = "3", [$"score-{s.Learning}"] = "1", [$"comment-{s.Learning}"] = "One evening course.",
            [$"score-{s.Volunteers}"] = "", [$"comment-{s.Volunteers}"] = "We have a few.", [$"score-{s.Library}"] = "", [$"comment-{s.Library}"] = "",
        };
        var refused = await jelgava.PostAsync($"/pairs/{s.Pair}/benchmark/scores/baseline", form);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains($"id=\"score-error-{s.Volunteers}\">Give a score from 0 to 4.", jelgava.LastPage);
        Assert.Contains("We have a few.</textarea>", jelgava.LastPage);

        form["key"] = jelgava.Hidden("key");
        form[$"score-{s.Volunteers}"] = "2";
        var saved = await jelgava.PostAsync($"/pairs/{s.Pair}/benchmark/scores/baseline", form);
        Assert.True(saved.StatusCode == HttpStatusCode.Redirect, $"{saved.StatusCode}: {WebClient.Alert(jelgava.LastPage)}");
        Assert.Equal($"/pairs/{s.Pair}#benchmark-scores", saved.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await jelgava.PostAsync($"/pairs/{s.Pair}/benchmark/scores/baseline", form)).StatusCode);
        await using var db = app.Db();
        Assert.Equal([1, 2], await db.Set<BenchmarkScore>().Where(r => r.Moment == "baseline").OrderBy(r => r.Score).Select(r => r.Score).ToListAsync());

        // The mentor city reads them as a table, without a form.
        var schaerbeek = await WebClient.SignedInAsync(app, People.Coordinator("schaerbeek"));
        await schaerbeek.GetAsync($"/pairs/{s.Pair}/benchmark/scores/baseline");
        Assert.DoesNotContain($"name=\"score-{s.Learning}\"", schaerbeek.LastPage);
        Assert.Contains("1 – first steps taken", schaerbeek.LastPage);
        Assert.Contains("One evening course.", schaerbeek.LastPage);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_Word_export_opens_with_OpenXml_and_speaks_the_readers_language(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var s = await BenchmarkAsync(app);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(jelgava, s.Pair, "baseline", Sheet((s.Learning, 1, "Une seule soirée."), (s.Volunteers, 2, null)))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(jelgava, s.Pair, "review", Sheet((s.Learning, 3, null)))).StatusCode);

        var reader = await WebClient.SignedInAsync(app, People.Facilitator);
        await reader.GetAsync("/pairs");
        await reader.PostAsync("/language", new Dictionary<string, string> { ["culture"] = "fr", ["returnUrl"] = "/pairs" });
        var response = await reader.Http.GetAsync($"/pairs/{s.Pair}/benchmark.docx");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.openxmlformats-officedocument.wordprocessingml.document", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("benchmark-binôme-4.docx", response.Content.Headers.ContentDisposition!.FileNameStar);

        using var stream = new MemoryStream(await response.Content.ReadAsByteArrayAsync());
        using var document = WordprocessingDocument.Open(stream, false);
        Assert.Equal("Formal and informal language learning for newcomers", document.PackageProperties.Title);
        var body = document.MainDocumentPart!.Document!.Body!;
        string Style(Paragraph p) => p.ParagraphProperties?.ParagraphStyleId?.Val?.Value ?? "";
        var paragraphs = body.Elements<Paragraph>().Select(p => (Style: Style(p), Text: p.InnerText)).ToList();
        Assert.Equal(("Title", "Formal and informal language learning for newcomers"), paragraphs[0]);
        Assert.Equal(["Facteurs clés", "Facteurs locaux supplémentaires", "Auto-évaluation sur les facteurs clés"],
            paragraphs.Where(p => p.Style == "Heading1").Select(p => p.Text));
        Assert.Equal(["Courses at every level, day and evening", "Volunteers who practise conversation", "The city library as a meeting place"],
            paragraphs.Where(p => p.Style == "Heading2").Select(p => p.Text));
        Assert.Contains(("Heading3", "Pourquoi et comment"), paragraphs);
        Assert.Contains(("Heading3", "Questions directrices"), paragraphs);
        Assert.Contains(("Heading3", "Exemples de la ville mentor"), paragraphs);
        Assert.Contains(("", "Map the offer first."), paragraphs);
        Assert.Contains(paragraphs, p => p.Text.StartsWith("Validé le ", StringComparison.Ordinal) && p.Text.EndsWith("par Migration Work facilitator.", StringComparison.Ordinal));
        Assert.Equal(["Who offers courses today?", "Where are the waiting lists?", "CAMIM's language café – bonne pratique de la bibliothèque", "VIA-BAPA's intake – https://example.org/via"],
            paragraphs.Where(p => p.Style == "ListParagraph").Select(p => p.Text));
        Assert.Contains(document.MainDocumentPart.HyperlinkRelationships, h => h.Uri.AbsoluteUri == "https://example.org/via");
        Assert.Equal("fr", document.MainDocumentPart.StyleDefinitionsPart!.Styles!.DocDefaults!.Descendants<Languages>().Single().Val!.Value);

        var rows = body.Elements<Table>().Single().Elements<TableRow>().Select(r => r.Elements<TableCell>().Select(c => c.InnerText).ToList()).ToList();
        Assert.Equal(["Facteur clé", "Évaluation initiale", "Bilan", "Évolution"], rows[0]);
        Assert.Equal(["Courses at every level, day and evening", "1Une seule soirée.", "3", "+2"], rows[1]);
        Assert.Equal(["Volunteers who practise conversation", "2", "non noté", "–"], rows[2]);
        Assert.Equal(["The city library as a meeting place (facteur local supplémentaire)", "non noté", "non noté", "–"], rows[3]);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_printable_page_has_the_benchmark_its_factors_and_scores_and_print_styles(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var s = await BenchmarkAsync(app);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(jelgava, s.Pair, "baseline", Sheet((s.Learning, 1, "<b>bold</b>")))).StatusCode);

        var lps = await WebClient.SignedInAsync(app, People.Observer("LPS"));
        Assert.Equal(HttpStatusCode.OK, (await lps.GetAsync($"/pairs/{s.Pair}/benchmark/print")).StatusCode);
        var page = lps.LastPage;
        Assert.Contains("<title>Formal and informal language learning for newcomers - Pair 4: Schaerbeek – Jelgava", WebUtility.HtmlDecode(page));
        Assert.Contains("<link rel=\"stylesheet\" href=\"/benchmark-print.css\">", page);
        Assert.Contains("<h1>Formal and informal language learning for newcomers</h1>", page);
        Assert.Contains("<h2>Key factors</h2>", page);
        Assert.Contains("<h2>Additional local factors</h2>", page);
        Assert.Contains("<h4>Guiding questions</h4>", page);
        Assert.Contains("<li>Where are the waiting lists?</li>", page);
        Assert.Contains("href=\"https://example.org/via\"", page);
        Assert.Contains("&lt;b&gt;bold&lt;/b&gt;", page);
        Assert.DoesNotContain("<b>bold</b>", page);

        var css = await lps.Http.GetAsync("/benchmark-print.css");
        Assert.Equal("text/css", css.Content.Headers.ContentType!.MediaType);
        Assert.Contains("@media print", await css.Content.ReadAsStringAsync());
    }
}
