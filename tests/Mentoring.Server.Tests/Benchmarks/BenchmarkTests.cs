using System.Net;
using System.Net.Http.Json;
using Mentoring.Server.Benchmarks;
using Mentoring.Server.Data;
using Mentoring.Server.Practices;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Tests.Web;
using Mentoring.Server.Versions;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;
using WebClient = Mentoring.Server.Tests.Web.WebClient;

namespace Mentoring.Server.Tests.Benchmarks;

/// <summary>
/// A pair's benchmark (issue 11, step 2) on the seeded IncluCities: pair 4 (Schaerbeek mentors Jelgava) works on
/// language learning, whose template workflows/inclucities/benchmarks.json gives two key factors.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class BenchmarkTests(DatabaseFixture database) : IDisposable
{
    private readonly string _workflows = CopyOfWorkflows();

    public void Dispose() => Directory.Delete(_workflows, recursive: true);

    private Task<MentoringApp> StartAsync(DatabaseProvider provider) =>
        MentoringApp.StartAsync(database, provider, new Dictionary<string, string?> { ["Workflows:DefinitionsPath"] = _workflows });

    private static string Path(Guid pair, string rest = "") => $"/api/pairs/{pair}/benchmark{rest}";

    private static async Task<BenchmarkView> ReadAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<BenchmarkView>(Api.Json))!;
    }

    private static Task<HttpResponseMessage> PutAsync(HttpClient client, Guid pair, object body, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, Path(pair)) { Content = JsonContent.Create(body, options: Api.Json) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return client.SendAsync(request);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_pairs_benchmark_starts_from_its_themes_template_with_the_practices_linked(DatabaseProvider provider)
    {
        await using var app = await StartAsync(provider);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var pair = (await jelgava.PairOfAsync("jelgava")).Id;

        var benchmark = await ReadAsync(await jelgava.GetAsync(Path(pair)));

        Assert.Equal("Learning the local language, in class and in daily life", benchmark.Title);
        Assert.Equal((BenchmarkStatus.Draft, 1, "inclucities"), (benchmark.Status, benchmark.Version, benchmark.ProgrammeId));
        Assert.Equal(["Courses that fit adults' lives", "Chances to practise outside the classroom"], benchmark.Factors.Select(f => f.Title));
        Assert.All(benchmark.Factors, f => Assert.False(f.Local));
        await using var db = app.Db();
        var camim = await db.Set<Practice>().Where(p => p.ProgrammeId == "inclucities" && p.SourceKey == "camim").Select(p => p.Id).SingleAsync();
        Assert.Equal(camim, Assert.Single(benchmark.Factors[0].Examples).PracticeId);
        Assert.NotEmpty(benchmark.Factors[0].GuidingQuestions);
        // Opening it again (another reader) reads the same benchmark: one per group, with the same factor ids.
        var again = await ReadAsync(await (await app.ClientForAsync(People.Facilitator)).GetAsync(Path(pair)));
        Assert.Equal(benchmark.Factors.Select(f => f.Id), again.Factors.Select(f => f.Id));
        Assert.Equal(1, await db.Benchmarks.CountAsync(b => b.GroupId == pair));
        Assert.Equal(benchmark.Factors.Select(f => f.Id), (await BenchmarkQueries.ForGroupAsync(db, pair, CancellationToken.None))!.Factors.Select(f => f.Id));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Both_cities_edit_with_a_version_and_a_history_and_an_edit_after_agreement_makes_it_a_draft_again(DatabaseProvider provider)
    {
        await using var app = await StartAsync(provider);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var schaerbeek = await app.ClientForAsync(People.Coordinator("schaerbeek"));
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var pair = (await jelgava.PairOfAsync("jelgava")).Id;
        var start = await ReadAsync(await jelgava.GetAsync(Path(pair)));

        // The mentee adds a local factor; the mentor's add is a key factor.
        var local = await ReadAsync(await jelgava.CommandAsync(Path(pair, "/factors"), new
        {
            version = 1, title = "Latvian courses for Ukrainian families", whyAndHow = "Most newcomers since 2022 are Ukrainian.",
            guidingQuestions = new[] { "How many families wait for a place?" },
            examples = new[] { new { text = "Riga's evening classes", url = "https://example.org/riga" } },
        }));
        Assert.Equal(2, local.Version);
        var added = local.Factors[^1];
        Assert.True(added.Local);
        Assert.Equal(3, added.Position);
        var mentorAdded = await ReadAsync(await schaerbeek.CommandAsync(Path(pair, "/factors"), new { version = 2, title = "Trained volunteer tutors" }));
        Assert.False(mentorAdded.Factors[^1].Local);

        // A stale version is refused, and nothing is written.
        var stale = await PutAsync(schaerbeek, pair, new { version = 1, title = "An older title" });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("version 3", (await stale.ProblemAsync()).GetProperty("detail").GetString());

        var edited = await ReadAsync(await PutAsync(schaerbeek, pair, new
        {
            version = 3, title = "Latvian for every newcomer",
            factors = new[] { new { id = start.Factors[0].Id, whyAndHow = "Courses after work and at weekends." } },
        }));
        Assert.Equal(("Latvian for every newcomer", 4), (edited.Title, edited.Version));
        Assert.Equal(start.Factors[0].Id, edited.Factors[0].Id);
        Assert.Equal(start.Factors[0].Title, edited.Factors[0].Title);
        Assert.Equal("Courses after work and at weekends.", edited.Factors[0].WhyAndHow);

        // Only the facilitator agrees; a coordinator's agree is 403.
        Assert.Equal(HttpStatusCode.Forbidden, (await jelgava.CommandAsync(Path(pair, "/agree"), new { version = 4 })).StatusCode);
        var agreed = await ReadAsync(await facilitator.CommandAsync(Path(pair, "/agree"), new { version = 4 }));
        Assert.Equal((BenchmarkStatus.Agreed, 5), (agreed.Status, agreed.Version));
        Assert.Equal("Migration Work (facilitator)", agreed.AgreedBy);
        Assert.Equal(app.Clock.GetUtcNow(), agreed.AgreedAt);

        var draft = await ReadAsync(await PutAsync(jelgava, pair, new { version = 5, title = "Latvian for every newcomer, in Jelgava" }));
        Assert.Equal((BenchmarkStatus.Draft, null, 6), (draft.Status, draft.AgreedAt, draft.Version));

        var history = (await jelgava.GetFromJsonAsync<List<BenchmarkChangeView>>(Path(pair, "/history"), Api.Json))!;
        Assert.Equal(["status", "title", "status", "why and how", "title", "factor added", "local factor added"], history.Select(h => h.Field));
        Assert.Equal(("agreed", "draft", "Jelgava coordinator"), (history[0].Old, history[0].New, history[0].By));
        var title = history.Single(h => h.Field == "title" && h.Version == 4);
        Assert.Equal((start.Title, "Latvian for every newcomer", "Schaerbeek coordinator"), (title.Old, title.New, title.By));
        Assert.Equal(start.Factors[0].Title, history.Single(h => h.Field == "why and how").Factor);

        // The page shows the factors, the local one marked, and the history.
        var page = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        Assert.Equal(HttpStatusCode.OK, (await page.GetAsync($"/pairs/{pair}/benchmark")).StatusCode);
        Assert.Contains("Latvian courses for Ukrainian families", page.LastPage);
        Assert.Contains("additional local factor", page.LastPage);
        Assert.Contains("id=\"benchmark-history\"", page.LastPage);
        Assert.Contains("Add an additional local factor", page.LastPage);
        Assert.DoesNotContain("id=\"agree-benchmark\"", page.LastPage);
        await page.GetAsync($"/pairs/{pair}");
        Assert.Contains($"href=\"/pairs/{pair}/benchmark\"", page.LastPage);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Bad_input_is_refused_with_field_errors_and_nothing_is_written(DatabaseProvider provider)
    {
        await using var app = await StartAsync(provider);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var pair = (await jelgava.PairOfAsync("jelgava")).Id;
        var start = await ReadAsync(await jelgava.GetAsync(Path(pair)));

        var empty = await PutAsync(jelgava, pair, new { version = 1, title = " " });
        var noVersion = await PutAsync(jelgava, pair, new { title = "A title" });
        var unknownFactor = await PutAsync(jelgava, pair, new { version = 1, factors = new[] { new { id = Guid.NewGuid(), title = "x" } } });
        var badExamples = await jelgava.CommandAsync(Path(pair, "/factors"), new
        {
            version = 1, title = "Fine",
            examples = new object[] { new { text = "A practice that is not there", practiceId = Guid.NewGuid() }, new { text = "x", url = "javascript:alert(1)" }, new { text = "" } },
        });
        var noKey = await jelgava.PostAsJsonAsync(Path(pair, "/factors"), new { version = 1, title = "Fine" });

        Assert.Equal("Give the benchmark a title.", (await empty.ProblemAsync()).GetProperty("errors").GetProperty("title")[0].GetString());
        Assert.True((await noVersion.ProblemAsync()).GetProperty("errors").TryGetProperty("version", out _));
        Assert.Contains("has no key factor", (await unknownFactor.ProblemAsync()).GetProperty("errors").GetProperty("factors[0].id")[0].GetString());
        var errors = (await badExamples.ProblemAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("examples[1].url", out _));
        Assert.True(errors.TryGetProperty("examples[2].text", out _));
        Assert.All(new[] { empty, noVersion, unknownFactor, badExamples, noKey }, r => Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode));
        var unknownPractice = await jelgava.CommandAsync(Path(pair, "/factors"), new
        {
            version = 1, title = "Fine", examples = new[] { new { text = "A practice that is not there", practiceId = Guid.NewGuid() } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, unknownPractice.StatusCode);
        Assert.Contains("no practice", (await unknownPractice.ProblemAsync()).GetProperty("errors").GetProperty("examples[0].practiceId")[0].GetString());

        Assert.Equal(start, await ReadAsync(await jelgava.GetAsync(Path(pair))) with { Factors = start.Factors });
        await using var db = app.Db();
        Assert.Equal(0, await db.BenchmarkChanges.CountAsync());
        Assert.Equal(2, await db.BenchmarkFactors.CountAsync());
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_retried_change_is_made_once(DatabaseProvider provider)
    {
        await using var app = await StartAsync(provider);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var pair = (await jelgava.PairOfAsync("jelgava")).Id;
        await ReadAsync(await jelgava.GetAsync(Path(pair)));
        var key = Guid.NewGuid().ToString();

        var first = await jelgava.CommandAsync(Path(pair, "/factors"), new { version = 1, title = "Local libraries" }, key);
        var retry = await jelgava.CommandAsync(Path(pair, "/factors"), new { version = 1, title = "Local libraries" }, key);

        Assert.Equal((await ReadAsync(first)).Factors.Select(f => f.Id), (await ReadAsync(retry)).Factors.Select(f => f.Id));
        Assert.True(retry.Headers.Contains("Idempotent-Replayed"));
        await using var db = app.Db();
        Assert.Equal(3, await db.BenchmarkFactors.CountAsync());
        Assert.Equal(2, (await db.Benchmarks.SingleAsync(b => b.GroupId == pair)).Version);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Another_pairs_coordinator_is_refused_on_every_endpoint_and_page(DatabaseProvider provider)
    {
        await using var app = await StartAsync(provider);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var capaci = await app.ClientForAsync(People.Coordinator("capaci"));
        var pair = (await jelgava.PairOfAsync("jelgava")).Id;
        var start = await ReadAsync(await jelgava.GetAsync(Path(pair)));

        Assert.Equal(HttpStatusCode.Forbidden, (await capaci.GetAsync(Path(pair))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await capaci.GetAsync(Path(pair, "/history"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PutAsync(capaci, pair, new { version = 1, title = "Mine now" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await capaci.CommandAsync(Path(pair, "/factors"), new { version = 1, title = "Mine" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await capaci.CommandAsync(Path(pair, "/agree"), new { version = 1 })).StatusCode);
        var unknown = Guid.NewGuid();
        Assert.Equal(HttpStatusCode.NotFound, (await jelgava.GetAsync(Path(unknown))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PutAsync(jelgava, unknown, new { version = 1, title = "x" })).StatusCode);

        // An association follows its city's pair: it reads the benchmark but does not change it.
        var lps = await app.ClientForAsync("lps@associations.example");
        await ReadAsync(await lps.GetAsync(Path(pair)));
        Assert.Equal(HttpStatusCode.Forbidden, (await PutAsync(lps, pair, new { version = 1, title = "Ours" })).StatusCode);

        var page = await WebClient.SignedInAsync(app, People.Coordinator("capaci"));
        var view = await page.GetAsync($"/pairs/{pair}/benchmark");
        Assert.Contains("/forbidden", view.Headers.Location!.OriginalString);
        await page.GetAsync($"/pairs/{(await capaci.PairOfAsync("capaci")).Id}/benchmark");
        var post = await page.PostAsync($"/pairs/{pair}/benchmark?handler=Add",
            new Dictionary<string, string> { ["version"] = "1", ["title"] = "Mine", ["key"] = "k1" });
        Assert.Contains("/forbidden", post.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.NotFound, (await page.GetAsync($"/pairs/{unknown}/benchmark")).StatusCode);

        Assert.Equal(start.Version, (await ReadAsync(await jelgava.GetAsync(Path(pair)))).Version);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_mentee_adds_a_local_factor_and_the_facilitator_agrees_on_the_page(DatabaseProvider provider)
    {
        await using var app = await StartAsync(provider);
        var pair = (await (await app.ClientForAsync(People.Facilitator)).PairOfAsync("jelgava")).Id;
        var jelgava = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        await jelgava.GetAsync($"/pairs/{pair}/benchmark");

        var added = await jelgava.PostAsync($"/pairs/{pair}/benchmark?handler=Add", new Dictionary<string, string>
        {
            ["version"] = "1", ["title"] = "Courses at the library", ["whyAndHow"] = "It is open late.", ["questions"] = "Who comes?\nWhen?",
            ["examples"] = "Riga's reading club | https://example.org/riga", ["key"] = PageKey(),
        });
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);

        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);
        await facilitator.GetAsync($"/pairs/{pair}/benchmark");
        Assert.Contains("id=\"agree-benchmark\"", facilitator.LastPage);
        var agreed = await facilitator.PostAsync($"/pairs/{pair}/benchmark?handler=Agree",
            new Dictionary<string, string> { ["version"] = "2", ["key"] = PageKey() });
        Assert.Equal(HttpStatusCode.Redirect, agreed.StatusCode);

        await using var db = app.Db();
        var benchmark = (await BenchmarkQueries.ForGroupAsync(db, pair, CancellationToken.None))!;
        Assert.Equal((BenchmarkStatus.Agreed, 3), (benchmark.Status, benchmark.Version));
        var local = Assert.Single(benchmark.Factors, f => f.Local);
        Assert.Equal(["Who comes?", "When?"], local.GuidingQuestions);
        Assert.Equal(new MentorExample("Riga's reading club", null, "https://example.org/riga"), Assert.Single(local.Examples));

        // A stale form is refused on the page, with the benchmark shown again.
        var stale = await jelgava.PostAsync($"/pairs/{pair}/benchmark?handler=Title",
            new Dictionary<string, string> { ["version"] = "1", ["title"] = "Old", ["key"] = PageKey() });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, stale.StatusCode);
        Assert.Contains("changed meanwhile", jelgava.LastPage);
    }

    private static string PageKey() => Guid.NewGuid().ToString("N");

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_pair_moved_to_v2_waits_at_its_step_2_gate_until_the_facilitator_agrees_the_benchmark(DatabaseProvider provider)
    {
        // The pairs ran on inclucities-pair v1, whose step-2 gate asks for nothing, before v2 shipped: pair 4 reaches the gate.
        var v2 = System.IO.Path.Combine(_workflows, "inclucities", "inclucities-pair.v2.json");
        var shipped = File.ReadAllText(v2);
        File.Delete(v2);
        await using var first = await StartAsync(provider);
        var driver = await PairDriver.ForAsync(first, "schaerbeek", "jelgava");
        var gate = await driver.RunUntilOpenAsync("approve-benchmark");
        Assert.Empty(gate.Requires);

        // v2 is installed and the running pairs are moved to it: no mapping, v2 has every step of v1; the gate stays open.
        File.WriteAllText(v2, shipped);
        await using var app = first.StartAnotherNode();
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var migrated = await facilitator.PostAsJsonAsync("/api/programmes/inclucities/migrations",
            new { workflow = "inclucities-pair", fromVersion = 1, toVersion = 2, dryRun = false });
        Assert.True(migrated.StatusCode == HttpStatusCode.OK, await migrated.Content.ReadAsStringAsync());
        var report = (await migrated.Content.ReadFromJsonAsync<MigrationReport>(Api.Json))!;
        Assert.Equal(4, report.Instances.Count(i => i.Result == "moved"));
        var instance = await InstanceOfAsync(app, driver.GroupId);
        var move = Assert.Single(Assert.Single(report.Instances, i => i.InstanceId == instance).Moves);
        Assert.Equal(("approve-benchmark", "approve-benchmark"), (move.From, move.To));
        var open = await facilitator.OpenItemAsync(driver.GroupId, "approve-benchmark");
        Assert.Equal(gate.Id, open.Id);
        Assert.Equal(["benchmark"], open.Requires);

        var approve = $"/api/pairs/{driver.GroupId}/approvals/{gate.Id}/approve";
        var refused = await facilitator.CommandAsync(approve, new { comment = "Good work." });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await refused.ProblemAsync();
        Assert.Equal("The benchmark is not agreed", problem.GetProperty("title").GetString());
        Assert.Contains($"/api/pairs/{driver.GroupId}/benchmark/agree", problem.GetProperty("detail").GetString());

        var benchmark = await ReadAsync(await facilitator.GetAsync(Path(driver.GroupId)));
        Assert.Equal(HttpStatusCode.Conflict, (await facilitator.CommandAsync(approve, new { comment = "Good work." })).StatusCode);
        await ReadAsync(await facilitator.CommandAsync(Path(driver.GroupId, "/agree"), new { version = benchmark.Version }));

        Assert.Equal(HttpStatusCode.OK, (await facilitator.CommandAsync(approve, new { comment = "Good work." })).StatusCode);
        Assert.Equal(3, (await facilitator.PairAsync(driver.GroupId)).Pair.CurrentStep);
    }

    private static async Task<Guid> InstanceOfAsync(MentoringApp app, Guid groupId)
    {
        await using var db = app.Db();
        return await db.Groups.Where(g => g.Id == groupId).Select(g => g.InstanceId).SingleAsync();
    }
}
