using System.Net;
using System.Net.Http.Json;
using Mentoring.Server.Assessments;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Web;

/// <summary>The needs assessment's pages: a city fills in, saves and submits its own; the facilitator sees every city,
/// reopens and shares; another city's page and forms are refused as the API refuses them.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class AssessmentPageTests(DatabaseFixture database)
{
    private const string Own = "/programmes/inclucities/assessment";
    private const string Overview = "/programmes/inclucities/assessments";
    private static string Of(string city) => $"{Own}/{city}";

    /// <summary>The demo's assessments are submitted; the facilitator reopens Jelgava's (through the API) so its coordinator has a draft.</summary>
    private static async Task<Dictionary<string, AssessmentAnswer>> ReopenJelgavaAsync(MentoringApp app)
    {
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var reopened = await facilitator.CommandAsync("/api/programmes/inclucities/cities/jelgava/assessment/reopen");
        Assert.True(reopened.IsSuccessStatusCode, await reopened.Content.ReadAsStringAsync());
        return (await reopened.Content.ReadFromJsonAsync<AssessmentView>(Api.Json))!.Answers.ToDictionary();
    }

    /// <summary>The form's fields for these answers, as a browser sends them (a field once per option chosen).</summary>
    private static List<KeyValuePair<string, string>> Fields(IReadOnlyDictionary<string, AssessmentAnswer> answers) =>
        answers.SelectMany(a => a.Value.Level is { } level ? new[] { $"{level}" } : a.Value.Text is { } text ? new[] { text } : a.Value.Options.ToArray(),
            (a, value) => new KeyValuePair<string, string>("a." + a.Key, value)).ToList();

    private static async Task<HttpResponseMessage> PostFormAsync(WebClient client, string path, List<KeyValuePair<string, string>> fields)
    {
        var all = new List<KeyValuePair<string, string>>(fields) { new("__RequestVerificationToken", client.Token()), new("key", client.Hidden("key")) };
        var response = await client.Http.PostAsync(path, new FormUrlEncodedContent(all));
        await client.GetAsync(path.Split('?')[0]);
        return response;
    }

    private static async Task<(string Status, Dictionary<string, AssessmentAnswerRecord> Answers)> StoredAsync(MentoringApp app, string city)
    {
        await using var db = app.Db();
        var record = await db.Set<AssessmentRecord>().SingleAsync(a => a.ProgrammeId == "inclucities" && a.CityId == city);
        var answers = await db.Set<AssessmentAnswerRecord>().Where(a => a.AssessmentId == record.Id).ToDictionaryAsync(a => a.QuestionId);
        return (record.Status, answers);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_coordinator_reaches_the_form_from_the_group_page_saves_a_draft_submits_and_it_is_read_only_after(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var answers = await ReopenJelgavaAsync(app);
        var jelgava = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));

        var home = await jelgava.GetAsync("/");
        await jelgava.GetAsync(home.Headers.Location!.OriginalString);
        Assert.Contains($"href=\"{Own}\"", jelgava.LastPage);
        Assert.Equal(HttpStatusCode.OK, (await jelgava.GetAsync(Own)).StatusCode);
        var form = WebUtility.HtmlDecode(jelgava.LastPage);
        Assert.Contains("id=\"assessment-form\"", form);
        Assert.Contains("What would your city most like to learn from another city, and why?", form);
        Assert.Contains("4 – Well established, a model for others", form);
        Assert.Contains("type=\"checkbox\" name=\"a.context-priorities\"", form);

        answers["lang-courses"] = new AssessmentAnswer(1, [], null);
        answers["context-priorities"] = new AssessmentAnswer(null, ["city-for-all", "language-learning"], null);
        var saved = await PostFormAsync(jelgava, Own + "?handler=Save", Fields(answers));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var draft = await StoredAsync(app, "jelgava");
        Assert.Equal((AssessmentStatus.Draft, 1), (draft.Status, draft.Answers["lang-courses"].Level));
        Assert.Contains("language-learning", draft.Answers["context-priorities"].Options);
        Assert.Contains("Saved as a draft", jelgava.LastPage);

        var submitted = await PostFormAsync(jelgava, Own + "?handler=Submit", Fields(answers));
        Assert.True(submitted.StatusCode == HttpStatusCode.Redirect, await submitted.Content.ReadAsStringAsync());
        Assert.Equal(AssessmentStatus.Submitted, (await StoredAsync(app, "jelgava")).Status);
        var readOnly = WebUtility.HtmlDecode(jelgava.LastPage);
        Assert.Contains("id=\"read-only\"", readOnly);
        Assert.Contains("Only the facilitator may reopen it", readOnly);
        Assert.DoesNotContain("id=\"assessment-form\"", readOnly);
        Assert.Contains("1 – First steps or plans", readOnly);

        // A save sent after the submit (an old tab) is refused on the page, nothing changed.
        answers["lang-courses"] = new AssessmentAnswer(4, [], null);
        var late = await jelgava.Http.PostAsync(Own + "?handler=Save", new FormUrlEncodedContent(
            Fields(answers).Append(new("__RequestVerificationToken", jelgava.Token()))));
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Contains("read-only unless the facilitator reopens it", await late.Content.ReadAsStringAsync());
        Assert.Equal(1, (await StoredAsync(app, "jelgava")).Answers["lang-courses"].Level);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Submitting_with_unanswered_required_questions_names_them_on_the_page_and_keeps_the_answers_as_the_draft(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var answers = await ReopenJelgavaAsync(app);
        var jelgava = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        await jelgava.GetAsync(Own);

        answers.Remove("exp-learn");
        answers.Remove("nag-data");
        answers["lang-courses"] = new AssessmentAnswer(0, [], null);
        var refused = await jelgava.Http.PostAsync(Own + "?handler=Submit", new FormUrlEncodedContent(
            Fields(answers).Append(new("__RequestVerificationToken", jelgava.Token())).Append(new("key", jelgava.Hidden("key")))));
        var page = WebUtility.HtmlDecode(await refused.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Some required questions are not answered", page);
        Assert.Contains("href=\"#q-exp-learn\">What would your city most like to learn from another city, and why?</a>", page);
        Assert.Contains("Required: not answered.", page);
        Assert.Contains("href=\"#q-nag-data\"", page);
        Assert.DoesNotContain("href=\"#q-lang-courses\"", page);
        Assert.Matches("name=\"a.lang-courses\" value=\"0\" checked", page);
        var stored = await StoredAsync(app, "jelgava");
        Assert.Equal((AssessmentStatus.Draft, 0), (stored.Status, stored.Answers["lang-courses"].Level));
        Assert.False(stored.Answers.ContainsKey("exp-learn"));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_facilitator_reaches_the_overview_sees_every_city_reopens_and_shares(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);

        await facilitator.GetAsync("/setup/programmes/inclucities");
        Assert.Contains($"href=\"{Overview}\"", facilitator.LastPage);
        Assert.Equal(Overview, (await facilitator.GetAsync(Own)).Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await facilitator.GetAsync(Overview)).StatusCode);
        var page = WebUtility.HtmlDecode(facilitator.LastPage);
        Assert.Contains("8 of 8 cities have submitted their assessment.", page);
        Assert.Contains("<svg", page);
        Assert.Contains("role=\"img\" aria-labelledby=\"chart-title chart-desc\"", page);
        Assert.Contains("id=\"assessment-profiles\"", page);
        Assert.Contains($"href=\"{Of("capaci")}\">Capaci</a>", page);

        var reopen = await facilitator.PostAsync(Overview + "?handler=Reopen",
            new Dictionary<string, string> { ["key"] = facilitator.Hidden("key"), ["city"] = "jelgava" });
        Assert.Equal(HttpStatusCode.Redirect, reopen.StatusCode);
        Assert.Equal(AssessmentStatus.Draft, (await StoredAsync(app, "jelgava")).Status);
        await facilitator.GetAsync(Overview);
        Assert.Contains("7 of 8 cities", facilitator.LastPage);
        Assert.Contains("draft, not submitted", facilitator.LastPage);

        var again = await facilitator.PostAsync(Overview + "?handler=Reopen",
            new Dictionary<string, string> { ["key"] = "another-key", ["city"] = "jelgava" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("nothing to reopen", facilitator.LastPage);

        await facilitator.GetAsync(Overview);
        var share = await facilitator.PostAsync(Overview + "?handler=Share",
            new Dictionary<string, string> { ["key"] = "share-key", ["shared"] = "true" });
        Assert.Equal(HttpStatusCode.Redirect, share.StatusCode);
        await using (var db = app.Db())
            Assert.NotNull(await db.Set<QuestionnaireRecord>().Where(q => q.ProgrammeId == "inclucities").Select(q => q.SharedAt).SingleAsync());

        // The programme's step-1 analysis requires the assessment: its task links to this overview.
        var api = await app.ClientForAsync(People.Facilitator);
        Guid send;
        await using (var db = app.Db())
            send = await db.WorkItems.Where(w => w.StepId == "send-needs-questionnaire" && w.Status == WorkItemStatus.Open).Select(w => w.Id).SingleAsync();
        Assert.True((await api.CommandAsync($"/api/programme/tasks/{send}/complete", new { note = "Sent." })).IsSuccessStatusCode);
        await facilitator.GetAsync("/programme");
        Assert.Contains($"href=\"{Overview}\"", facilitator.LastPage);
    }

    [Fact]
    public async Task Another_citys_assessment_page_and_forms_are_refused_until_the_facilitator_shares_the_submitted_answers()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        await ReopenJelgavaAsync(app);
        var capaci = await WebClient.SignedInAsync(app, People.Coordinator("capaci"));
        var lps = await WebClient.SignedInAsync(app, People.Observer("LPS"));

        foreach (var client in new[] { capaci, lps })
        {
            await client.GetAsync("/pairs");
            var token = client.Token();
            Assert.Contains("/forbidden", (await client.GetAsync(Of("mechelen"))).Headers.Location!.OriginalString);
            Assert.Contains("/forbidden", (await client.GetAsync(Overview)).Headers.Location!.OriginalString);
            foreach (var post in new[] { Of("jelgava") + "?handler=Save", Of("jelgava") + "?handler=Submit", Of("mechelen") + "?handler=Reopen",
                         Overview + "?handler=Share", Overview + "?handler=Reopen" })
            {
                var response = await client.Http.PostAsync(post, new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["__RequestVerificationToken"] = token, ["key"] = "k", ["city"] = "mechelen", ["shared"] = "true",
                    ["a.lang-courses"] = "4",
                }));
                Assert.True(response.Headers.Location?.OriginalString.Contains("/forbidden") == true, $"{post}: {response.StatusCode}");
            }
        }

        Assert.Contains("/forbidden", (await lps.GetAsync(Own)).Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.NotFound, (await capaci.GetAsync(Of("athens"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await capaci.GetAsync("/programmes/elsewhere/assessment")).StatusCode);
        Assert.Equal(AssessmentStatus.Draft, (await StoredAsync(app, "jelgava")).Status);
        Assert.Equal(AssessmentStatus.Submitted, (await StoredAsync(app, "mechelen")).Status);
        Assert.Equal(HttpStatusCode.OK, (await capaci.GetAsync(Own)).StatusCode);
        Assert.DoesNotContain("href=\"" + Of("mechelen") + "\"", capaci.LastPage);

        var share = await (await app.ClientForAsync(People.Facilitator)).CommandAsync("/api/programmes/inclucities/assessments/share", new { shared = true });
        Assert.True(share.IsSuccessStatusCode);
        await capaci.GetAsync(Own);
        Assert.Contains("href=\"" + Of("mechelen") + "\"", capaci.LastPage);
        Assert.DoesNotContain("href=\"" + Of("jelgava") + "\"", capaci.LastPage); // a draft is nobody else's business
        Assert.Equal(HttpStatusCode.OK, (await capaci.GetAsync(Of("mechelen"))).StatusCode);
        Assert.DoesNotContain("id=\"assessment-form\"", capaci.LastPage);
        Assert.Contains("/forbidden", (await capaci.GetAsync(Of("jelgava"))).Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await lps.GetAsync(Of("mechelen"))).StatusCode);
    }
}
