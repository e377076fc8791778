using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mentoring.Server.Data;
using Mentoring.Server.Inputs;
using Mentoring.Server.Tests.Infrastructure;
using WebClient = Mentoring.Server.Tests.Web.WebClient;
using Mentoring.Server.Web;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Inputs;

/// <summary>Bad input is a 400 with field errors (on the pages: the form again with the error), never a 500 or a
/// half-written change: dates far off, control characters, text over its limit, a choice a task does not offer, a
/// JSON key given twice.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class InputRulesTests(DatabaseFixture database)
{
    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_visit_proposed_near_the_end_of_the_calendar_is_refused_with_a_date_error_not_500_on_confirming(
        DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var driver = await PairDriver.ForAsync(app, "schaerbeek", "jelgava");
        var visit = await driver.RunUntilOpenAsync("visit-1");
        var path = $"/api/pairs/{driver.GroupId}/visits/{visit.Id}";

        foreach (var date in new[] { "9999-12-31", "9999-12-20" })
        {
            var response = await driver.As("mentee").CommandAsync(path + "/propose", new { date, hostCity = "Schaerbeek" });

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await response.ProblemAsync();
            Assert.Contains("must be between", problem.GetProperty("errors").GetProperty("date")[0].GetString());
        }

        var page = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        await page.GetAsync($"/pairs/{driver.GroupId}");
        Assert.Contains("max=\"", page.LastPage);
        var form = await page.PostAsync($"/pairs/{driver.GroupId}?handler=Propose", new Dictionary<string, string>
        {
            ["itemId"] = visit.Id.ToString(), ["key"] = page.Hidden("key"), ["date"] = "9999-12-31", ["host"] = "Schaerbeek",
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, form.StatusCode);
        Assert.Contains("Date must be between", WebClient.Alert(page.LastPage));
        Assert.Equal("proposing", (await driver.As("mentee").PairAsync(driver.GroupId)).Visits.Single(v => v.Id == visit.Id).Phase);

        // The last day of the window is still a date the pair can work with, up to the follow-ups' due dates.
        var last = DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime).AddYears(Limits.DateWindowYears);
        (await driver.As("mentee").CommandAsync(path + "/propose", new { date = last, hostCity = "Schaerbeek" })).EnsureSuccessStatusCode();
        var confirmed = await driver.As("mentor").CommandAsync(path + "/confirm");
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task NUL_and_other_control_characters_are_refused_with_field_errors_not_500(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var pair = await jelgava.PairOfAsync("jelgava");
        var task = await jelgava.OpenItemAsync(pair.Id, "mentee-needs-self-assessment");
        int people, tokens;
        await using (var db = app.Db()) (people, tokens) = (await db.People.CountAsync(), await db.ApiTokens.CountAsync());

        await AssertFieldErrorAsync(await facilitator.PostAsJsonAsync("/api/tokens", new { name = "ci\u0000bot" }), "name", "control characters");
        await AssertFieldErrorAsync(await facilitator.PostAsJsonAsync("/api/setup/people", Person(name: "Anna\u0000 Ozola")),
            "name", "control characters");
        await AssertFieldErrorAsync(await facilitator.PostAsJsonAsync("/api/setup/people", Person(name: "Anna\nOzola")),
            "name", "control characters");
        await AssertFieldErrorAsync(await facilitator.GetAsync("/api/instances?status=%00"), "status", "control characters");
        await AssertFieldErrorAsync(await facilitator.GetAsync("/api/email?status=%00"), "status", "control characters");
        await AssertFieldErrorAsync(await jelgava.CompleteAsync(pair.Id, task.Id, new { note = "Our needs\u0000", fileId = "f" }),
            "note", "control characters");
        await AssertFieldErrorAsync(await jelgava.CompleteAsync(pair.Id, task.Id, new { note = "Our needs", fileId = "f\u001b[2J" }),
            "fileId", "control characters");

        await using (var db = app.Db())
        {
            Assert.Equal(people, await db.People.CountAsync());
            Assert.Equal(tokens, await db.ApiTokens.CountAsync());
        }

        // A note may span lines (and hold a tab); that is not refused.
        var multiLine = await jelgava.CompleteWithFileAsync($"/api/pairs/{pair.Id}/tasks/{task.Id}/complete",
            "Our needs:\r\n\t- language courses\n\t- legal advice", "https://example.org/doc");
        Assert.Equal(HttpStatusCode.OK, multiLine.StatusCode);

        // A form's %00 is refused by ASP.NET's form reader already (400); other control characters reach the page.
        var setup = await WebClient.SignedInAsync(app, People.Facilitator);
        await setup.GetAsync("/setup");
        var form = await setup.PostAsync("/setup?handler=Person", PersonForm(name: "Anna\u001b[31m Ozola"));
        Assert.Equal(HttpStatusCode.BadRequest, form.StatusCode);
        Assert.Contains("Name contains control characters", WebClient.Alert(setup.LastPage));
        await using (var db = app.Db()) Assert.Equal(people, await db.People.CountAsync());
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Text_over_its_limit_is_refused_naming_the_field_and_the_limit(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var pair = await jelgava.PairOfAsync("jelgava");
        var task = await jelgava.OpenItemAsync(pair.Id, "mentee-needs-self-assessment");
        var megabyte = new string('a', 1024 * 1024);
        int people;
        await using (var db = app.Db()) people = await db.People.CountAsync();

        await AssertFieldErrorAsync(await facilitator.PostAsJsonAsync("/api/setup/people", Person(name: megabyte)),
            "name", $"at most {Limits.Line} characters");
        await AssertFieldErrorAsync(await facilitator.PostAsJsonAsync("/api/setup/people", Person(email: new string('a', 250) + "@x.example")),
            "email", $"at most {Limits.Email} characters");
        await AssertFieldErrorAsync(await facilitator.PostAsJsonAsync("/api/tokens", new { name = new string('t', Limits.TokenName + 1) }),
            "name", $"at most {Limits.TokenName} characters");
        await AssertFieldErrorAsync(await jelgava.CompleteAsync(pair.Id, task.Id, new { note = megabyte, fileId = "f" }),
            "note", $"at most {Limits.Note} characters");
        await AssertFieldErrorAsync(await jelgava.CompleteAsync(pair.Id, task.Id,
            new { note = "n", link = "https://example.org/" + new string('l', Limits.Link), fileId = "f" }), "link", $"at most {Limits.Link} characters");
        await AssertFieldErrorAsync(await facilitator.CommandAsync($"/api/instances/{Guid.NewGuid()}/suspend",
            new { reason = new string('r', Limits.Comment + 1) }), "reason", $"at most {Limits.Comment} characters");
        await using (var db = app.Db()) Assert.Equal(people, await db.People.CountAsync());

        var atTheLimit = await jelgava.CompleteWithFileAsync($"/api/pairs/{pair.Id}/tasks/{task.Id}/complete",
            new string('n', Limits.Note), "https://example.org/doc");
        Assert.Equal(HttpStatusCode.OK, atTheLimit.StatusCode);

        // The set-up page says the same on its form, in the reader's language.
        var setup = await WebClient.SignedInAsync(app, People.Facilitator);
        await setup.GetAsync("/setup");
        Assert.Contains($"maxlength=\"{Limits.Line}\"", setup.LastPage);
        var form = await setup.PostAsync("/setup?handler=Person", PersonForm(name: megabyte));
        Assert.Equal(HttpStatusCode.BadRequest, form.StatusCode);
        Assert.Contains($"Name can be at most {Limits.Line} characters long.", WebClient.Alert(setup.LastPage));
        Assert.True(setup.LastPage.Length < 100_000, $"the page is {setup.LastPage.Length} characters long");
        setup.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("el");
        await setup.PostAsync("/setup?handler=Person", PersonForm(name: megabyte));
        Assert.Contains($"Το πεδίο «Όνομα» μπορεί να έχει έως {Limits.Line} χαρακτήρες.", WebClient.Alert(setup.LastPage));
        await using (var db = app.Db()) Assert.Equal(people, await db.People.CountAsync());
    }

    [Fact]
    public void A_list_is_held_to_its_number_of_entries_and_each_entry_to_its_length()
    {
        var now = DefaultStart;
        var many = new Mentoring.Server.Pairs.VisitHeldRequest(Enumerable.Range(1, Limits.Participants + 1).Select(i => $"Person {i}").ToList());
        var longName = new Mentoring.Server.Pairs.VisitHeldRequest(["Ilze", new string('x', Limits.Line + 1)]);
        var fine = new Mentoring.Server.Pairs.VisitHeldRequest(Enumerable.Range(1, Limits.Participants).Select(i => $"Person {i}").ToList());

        Assert.Equal($"Participants can have at most {Limits.Participants} entries.", Assert.Single(Input.Check(many, now)).English);
        Assert.Equal($"Participants can be at most {Limits.Line} characters long.", Assert.Single(Input.Check(longName, now)).English);
        Assert.Empty(Input.Check(fine, now));
        Assert.Single(Input.Check(new Mentoring.Server.Pairs.VisitHeldRequest(["Ilze\ud800"]), now)); // half a surrogate pair
    }

    [Fact]
    public void Every_input_error_a_page_can_show_is_in_every_language()
    {
        var missing = Mentoring.Server.Tests.Web.TextsTests.InputLabels().Distinct()
            .SelectMany(k => Texts.Languages.Where(l => !Mentoring.Server.Tests.Web.Resx.In(l).ContainsKey(k)).Select(l => $"{l}: {k}")).ToList();

        Assert.True(missing.Count == 0, "Missing: " + string.Join(" | ", missing));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_choice_on_a_task_that_takes_none_is_refused_not_stored(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var pair = await jelgava.PairOfAsync("jelgava");
        var task = await jelgava.OpenItemAsync(pair.Id, "mentee-needs-self-assessment");
        Assert.Empty(task.Options);

        var response = await jelgava.CompleteWithFileAsync($"/api/pairs/{pair.Id}/tasks/{task.Id}/complete",
            "Our needs", "https://example.org/doc", choice: "yes");

        await AssertFieldErrorAsync(response, "choice", "takes no choice");
        Assert.Contains((await jelgava.PairAsync(pair.Id)).OpenItems, i => i.Id == task.Id);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_request_body_with_a_key_given_twice_is_refused(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var pair = await jelgava.PairOfAsync("jelgava");
        var task = await jelgava.OpenItemAsync(pair.Id, "mentee-needs-self-assessment");

        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/pairs/{pair.Id}/tasks/{task.Id}/complete")
        {
            Content = new StringContent("""{"note":"Our needs","note":"Something else","link":"https://example.org/doc","fileId":"f"}""",
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var response = await jelgava.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains((await jelgava.PairAsync(pair.Id)).OpenItems, i => i.Id == task.Id);
    }

    private static object Person(string name = "Anna Ozola", string email = "anna.ozola@jelgava.example") =>
        new { name, email, role = "coordinator", cityId = "jelgava", language = "lv", invite = false };

    private static Dictionary<string, string> PersonForm(string name) => new()
    {
        ["name"] = name, ["email"] = "anna.ozola@jelgava.example", ["role"] = "coordinator", ["cityId"] = "jelgava", ["language"] = "lv",
    };

    private static async Task AssertFieldErrorAsync(HttpResponseMessage response, string field, string saying)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body[..Math.Min(body.Length, 500)]}");
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages), $"no error for '{field}': {errors}");
        Assert.Contains(saying, messages[0].GetString());
    }
}
