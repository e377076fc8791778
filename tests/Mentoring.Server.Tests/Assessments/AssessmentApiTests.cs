using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mentoring.Server.Assessments;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Assessments;

/// <summary>A city fills in its needs assessment through the API: drafts, submit, read-only after, the facilitator's
/// reopen and share, bad answers refused with the field, other cities kept out; on both databases.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class AssessmentApiTests(DatabaseFixture database)
{
    private const string Programme = "/api/programmes/inclucities";
    private static string Of(string city) => $"{Programme}/cities/{city}/assessment";

    private static object Answers(params (string Question, object Answer)[] answers) =>
        new { answers = answers.ToDictionary(a => a.Question, a => a.Answer) };

    private static async Task<AssessmentView> ViewAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<AssessmentView>(Api.Json))!;
    }

    /// <summary>The demo's assessments are submitted; the facilitator reopens Jelgava's so its coordinator can work on a draft.</summary>
    private static async Task<(HttpClient Jelgava, HttpClient Facilitator)> ReopenedAsync(MentoringApp app)
    {
        var facilitator = await app.ClientForAsync(People.Facilitator);
        Assert.Equal("draft", (await ViewAsync(await facilitator.CommandAsync(Of("jelgava") + "/reopen"))).Status);
        return (await app.ClientForAsync(People.Coordinator("jelgava")), facilitator);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_city_saves_drafts_submits_and_its_submitted_assessment_is_read_only_until_the_facilitator_reopens_it(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var (jelgava, facilitator) = await ReopenedAsync(app);

        // A PUT replaces the draft's answers: the reopened answers go back with three of them changed.
        var reopened = await ViewAsync(await jelgava.GetAsync(Of("jelgava")));
        var answers = reopened.Answers.ToDictionary(a => a.Key, a => (object)new { level = a.Value.Level, options = a.Value.Options, text = a.Value.Text });
        answers["lang-courses"] = new { level = 2 };
        answers["lang-providers"] = new { options = new[] { "associations" } };
        answers["exp-learn"] = new { text = "Conversation tables with volunteers." };
        var draft = await ViewAsync(await jelgava.PutAsJsonAsync(Of("jelgava"), new { answers }));
        var submitted = await ViewAsync(await jelgava.CommandAsync(Of("jelgava") + "/submit"));
        var edit = await jelgava.PutAsJsonAsync(Of("jelgava"), Answers(("lang-courses", new { level = 3 })));

        Assert.Equal(("draft", true), (draft.Status, draft.Editable));
        Assert.Equal(reopened.Answers.Count, draft.Answers.Count);
        Assert.Equal(["associations"], draft.Answers["lang-providers"].Options);
        Assert.Equal(("submitted", false), (submitted.Status, submitted.Editable));
        Assert.Equal(app.Clock.GetUtcNow(), submitted.SubmittedAt);
        Assert.Equal(2, submitted.Answers["lang-courses"].Level);
        Assert.Contains(submitted.Profile, p => p.Theme == "language-learning");
        Assert.Equal(HttpStatusCode.Conflict, edit.StatusCode);
        Assert.Contains("read-only unless the facilitator reopens it", (await edit.ProblemAsync()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await jelgava.CommandAsync(Of("jelgava") + "/submit")).StatusCode);

        await ViewAsync(await facilitator.CommandAsync(Of("jelgava") + "/reopen"));
        var changed = await ViewAsync(await jelgava.PutAsJsonAsync(Of("jelgava"), Answers(("lang-courses", new { level = 3 }))));
        Assert.Equal(3, changed.Answers["lang-courses"].Level);
        await using var db = app.Db();
        Assert.Equal(1, await db.Set<AssessmentAnswerRecord>().CountAsync(a => a.AssessmentId == db.Set<AssessmentRecord>().Single(r => r.CityId == "jelgava").Id));
    }

    [Fact]
    public async Task The_questionnaire_api_gives_each_text_as_its_language_map_not_wrapped_in_byLanguage()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));

        var response = await jelgava.GetAsync($"{Programme}/questionnaire");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        using var questionnaire = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var question = questionnaire.RootElement.GetProperty("sections")[0].GetProperty("questions")[0];

        // The shape a questionnaire file writes: {"en": "...", "fr": "..."}, so a client reads a text in its language.
        Assert.False(question.GetProperty("text").TryGetProperty("byLanguage", out _), question.GetProperty("text").GetRawText());
        Assert.False(string.IsNullOrWhiteSpace(question.GetProperty("text").GetProperty("en").GetString()));
        Assert.Equal(JsonValueKind.String, questionnaire.RootElement.GetProperty("themes")[0].GetProperty("title").GetProperty("en").ValueKind);
    }

    public static TheoryData<string, object, string> BadAnswers() => new()
    {
        { "level out of range", new { level = 5 }, "answers.nag-data" },
        { "negative level", new { level = -1 }, "answers.nag-data" },
        { "text for a scale", new { text = "very good" }, "answers.nag-data" },
    };

    [Theory]
    [MemberData(nameof(BadAnswers))]
    public async Task Answers_out_of_range_are_refused_with_the_field_and_nothing_is_saved(string problem, object answer, string field)
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var (jelgava, _) = await ReopenedAsync(app);
        var before = (await ViewAsync(await jelgava.GetAsync(Of("jelgava")))).Answers;

        var response = await jelgava.PutAsJsonAsync(Of("jelgava"), Answers(("lang-courses", new { level = 1 }), ("nag-data", answer)));

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, problem);
        Assert.True((await response.ProblemAsync()).GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(before.Count, (await ViewAsync(await jelgava.GetAsync(Of("jelgava")))).Answers.Count);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Unknown_questions_and_options_are_refused_and_a_submit_with_unanswered_required_questions_lists_them(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var (jelgava, _) = await ReopenedAsync(app);

        var unknown = await jelgava.PutAsJsonAsync(Of("jelgava"), Answers(("housing-costs", new { level = 2 }), ("exp-role", new { options = new[] { "observer" } }),
            ("context-share", new { options = new[] { "under-2", "over-10" } })));
        var incomplete = await jelgava.CommandAsync(Of("jelgava") + "/submit", Answers(("lang-courses", new { level = 1 })));

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        var errors = (await unknown.ProblemAsync()).GetProperty("errors");
        Assert.Contains("no question 'housing-costs'", errors.GetProperty("answers.housing-costs")[0].GetString());
        Assert.Contains("'observer' is not an option", errors.GetProperty("answers.exp-role")[0].GetString());
        Assert.Contains("one option only", errors.GetProperty("answers.context-share")[0].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, incomplete.StatusCode);
        var missing = (await incomplete.ProblemAsync()).GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList();
        Assert.Contains("answers.exp-learn", missing);
        Assert.Contains("answers.nag-data", missing);
        Assert.DoesNotContain("answers.lang-courses", missing);
        Assert.DoesNotContain("answers.exp-offer", missing);
        Assert.Equal("draft", (await ViewAsync(await jelgava.GetAsync(Of("jelgava")))).Status);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Another_citys_assessment_is_refused_on_every_endpoint_until_the_facilitator_shares_the_submitted_answers(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var (_, facilitator) = await ReopenedAsync(app);
        var capaci = await app.ClientForAsync(People.Coordinator("capaci"));
        var lps = await app.ClientForAsync(People.Observer("LPS"));

        foreach (var client in new[] { capaci, lps })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync(Of("mechelen"))).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PutAsJsonAsync(Of("jelgava"), Answers(("lang-courses", new { level = 4 })))).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.CommandAsync(Of("jelgava") + "/submit")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.CommandAsync(Of("mechelen") + "/reopen")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"{Programme}/assessments")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"{Programme}/assessments/chart.svg")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.CommandAsync($"{Programme}/assessments/share", new { shared = true })).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await capaci.CommandAsync(Of("capaci") + "/reopen")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await facilitator.PutAsJsonAsync(Of("jelgava"), Answers(("lang-courses", new { level = 4 })))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await capaci.GetAsync("/api/programmes/cities-network-for-integration/cities/athens/assessment")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await capaci.GetAsync(Of("athens"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await facilitator.GetAsync("/api/programmes/elsewhere/assessments")).StatusCode);

        Assert.True((await ViewAsync(await capaci.GetAsync(Of("capaci")))).Profile.Count > 0);
        var shared = await facilitator.CommandAsync($"{Programme}/assessments/share", new { shared = true });
        Assert.Equal(HttpStatusCode.OK, shared.StatusCode);
        var mechelen = await ViewAsync(await capaci.GetAsync(Of("mechelen")));
        Assert.Equal(("submitted", false), (mechelen.Status, mechelen.Editable));
        Assert.Equal(4, mechelen.Answers["cfa-buddies"].Level);
        Assert.Equal(HttpStatusCode.Forbidden, (await capaci.GetAsync(Of("jelgava"))).StatusCode); // reopened: a draft is nobody else's business
        Assert.Equal(HttpStatusCode.Forbidden, (await capaci.PutAsJsonAsync(Of("mechelen"), Answers(("cfa-buddies", new { level = 0 })))).StatusCode);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_facilitator_sees_who_submitted_each_citys_profile_and_an_accessible_chart(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var (_, facilitator) = await ReopenedAsync(app);

        var overview = (await facilitator.GetFromJsonAsync<AssessmentOverview>($"{Programme}/assessments", Api.Json))!;
        var chart = await facilitator.GetAsync($"{Programme}/assessments/chart.svg");
        var svg = await chart.Content.ReadAsStringAsync();

        Assert.Equal(8, overview.Cities.Count);
        Assert.Equal("draft", overview.Cities.Single(c => c.CityId == "jelgava").Status);
        Assert.Equal(7, overview.Cities.Count(c => c.Status == "submitted"));
        var mechelen = overview.Cities.Single(c => c.CityId == "mechelen").Profile.Single(p => p.Theme == "city-for-all");
        Assert.True(mechelen.Strength >= 90, $"Mechelen's strength on a city for all is {mechelen.Strength}");
        Assert.Equal("image/svg+xml", chart.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title id=\"chart-title\">", svg);
        Assert.Contains("<desc id=\"chart-desc\">7 of 8", svg);
        Assert.Contains("Capaci", svg);
    }

    /// <summary>The programme's step-1 analysis (inclucities-programme v2, "requires": ["assessment"]) waits for every
    /// member city's submitted assessment: refused with 409 naming the city while one is a draft.</summary>
    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_task_that_requires_the_assessment_is_refused_until_every_city_has_submitted_it(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var (jelgava, facilitator) = await ReopenedAsync(app);
        async Task<Guid> OpenAsync(string step)
        {
            await using var db = app.Db();
            return await db.WorkItems.Where(w => w.StepId == step && w.Status == WorkItemStatus.Open).Select(w => w.Id).SingleAsync();
        }

        var send = await facilitator.CommandAsync($"/api/programme/tasks/{await OpenAsync("send-needs-questionnaire")}/complete", new { note = "Sent." });
        Assert.Equal(HttpStatusCode.OK, send.StatusCode);
        var analyse = await OpenAsync("analyse-city-needs");
        var refused = await facilitator.CommandAsync($"/api/programme/tasks/{analyse}/complete", new { note = "Compared." });

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("Jelgava must submit it first", (await refused.ProblemAsync()).GetProperty("detail").GetString());

        await ViewAsync(await jelgava.CommandAsync(Of("jelgava") + "/submit"));
        Assert.Equal(HttpStatusCode.OK, (await facilitator.CommandAsync($"/api/programme/tasks/{analyse}/complete", new { note = "Compared." })).StatusCode);
    }
}
