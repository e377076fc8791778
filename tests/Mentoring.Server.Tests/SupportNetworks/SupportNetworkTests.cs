using System.Net;
using System.Net.Http.Json;
using Mentoring.Server.Data;
using Mentoring.Server.SupportNetworks;
using Mentoring.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.SupportNetworks;

/// <summary>
/// The local support networks over the API on both databases: a coordinator builds their city's network (organisations
/// on the stakeholder grid, people with consent, meetings with attendance), the facilitator reads it, a person without a
/// consent is refused, a withdrawal leaves none of the person's data in any table nor in the export while the counts
/// stay, and every endpoint refuses another city's coordinator.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class SupportNetworkTests(DatabaseFixture database)
{
    public const string Jelgava = "/api/programmes/inclucities/cities/jelgava/network";

    public static object Consent(string purpose = "Taking part in the IncluCities local support network and its study visits") =>
        new { purpose, givenOn = "2026-01-05", how = "written" };

    public static async Task<Guid> IdAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<NetworkChange>(Api.Json))!.Id;
    }

    public static async Task<(Guid Organisation, Guid Person, Guid Meeting)> BuildAsync(HttpClient coordinator, string name = "Ilze Kalniņa",
        string email = "ilze.kalnina@ngo.example", string phone = "+371 2900 1234")
    {
        var organisation = await IdAsync(await coordinator.CommandAsync($"{Jelgava}/organisations",
            new { name = "Jelgava Red Cross", kind = "ngo", importance = 4, influence = 3 }));
        var person = await IdAsync(await coordinator.CommandAsync($"{Jelgava}/people",
            new { organisationId = organisation, name, role = "Volunteer coordinator", email, phone, consent = Consent($"Network contact list ({name})") }));
        var meeting = await IdAsync(await coordinator.CommandAsync($"{Jelgava}/meetings", new
        {
            date = "2026-01-20", title = "First network meeting", notes = $"{name} presented the language café; write to {email} or call {phone}.",
            people = new[] { person },
        }));
        return (organisation, person, meeting);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_coordinator_builds_the_network_and_the_facilitator_reads_it_but_may_not_change_it(DatabaseProvider provider)
    {
        await using var app = await MentoringApp.StartAsync(database, provider);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var (organisation, person, meeting) = await BuildAsync(jelgava);
        var school = await IdAsync(await jelgava.CommandAsync($"{Jelgava}/organisations", new { name = "Jelgava State Gymnasium", kind = "school", importance = 2, influence = 5 }));
        Assert.True((await jelgava.PutAsJsonAsync($"{Jelgava}/meetings/{meeting}/attendance", new { people = new[] { person }, organisations = new[] { school } }, Api.Json)).IsSuccessStatusCode);

        foreach (var reader in new[] { jelgava, facilitator })
        {
            var network = (await reader.GetFromJsonAsync<NetworkView>(Jelgava, Api.Json))!;
            Assert.Equal(reader == jelgava, network.MayEdit);
            var redCross = network.Organisation(organisation)!;
            Assert.Equal(("Jelgava Red Cross", "ngo", 4, 3, 1), (redCross.Name, redCross.Kind, redCross.Importance, redCross.Influence, redCross.Members));
            var ilze = network.Person(person)!;
            Assert.Equal(("Ilze Kalniņa", "ilze.kalnina@ngo.example", false), (ilze.Name, ilze.Email, ilze.Withdrawn));
            var consent = Assert.Single(ilze.Consents);
            Assert.Equal(("written", new DateOnly(2026, 1, 5), "Jelgava coordinator"), (consent.How, consent.GivenOn, consent.RecordedBy));
            var held = Assert.Single(network.Meetings);
            Assert.Equal(2, held.Attendance);
            Assert.Equal([person], held.People);
            Assert.Equal([school], held.Organisations);
        }

        var svg = await facilitator.GetStringAsync($"{Jelgava}/grid.svg");
        Assert.Contains("<title id=\"grid-title\">Stakeholder grid of the support network of Jelgava</title>", svg);
        Assert.Contains("2 organisations placed by influence", svg);
        Assert.Equal(HttpStatusCode.Forbidden, (await facilitator.CommandAsync($"{Jelgava}/organisations", new { name = "Mine", kind = "other", importance = 1, influence = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await facilitator.CommandAsync($"{Jelgava}/people/{person}/withdraw")).StatusCode);
        var cities = (await facilitator.GetFromJsonAsync<List<NetworkCitySummary>>("/api/programmes/inclucities/networks", Api.Json))!;
        Assert.Equal(8, cities.Count);
        Assert.Equal((2, 1, 1), cities.Where(c => c.CityId == "jelgava").Select(c => (c.Organisations, c.People, c.Meetings)).Single());

        // The same key again is the first answer, and one organisation.
        var key = Guid.NewGuid().ToString();
        var body = new { name = "Jelgava Employment Office", kind = "municipal-department", importance = 5, influence = 5 };
        var first = await IdAsync(await jelgava.CommandAsync($"{Jelgava}/organisations", body, key));
        var again = await jelgava.CommandAsync($"{Jelgava}/organisations", body, key);
        Assert.Equal(first, await IdAsync(again));
        Assert.True(again.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(HttpStatusCode.BadRequest, (await jelgava.PostAsJsonAsync($"{Jelgava}/organisations", body, Api.Json)).StatusCode);
        await using var db = app.Db();
        Assert.Equal(3, await db.Set<SupportOrganisation>().CountAsync());
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_person_without_a_recorded_consent_is_refused_naming_the_field_and_nothing_is_written(DatabaseProvider provider)
    {
        await using var app = await MentoringApp.StartAsync(database, provider);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var organisation = await IdAsync(await jelgava.CommandAsync($"{Jelgava}/organisations", new { name = "Latvian Red Cross", kind = "ngo", importance = 3, influence = 3 }));

        async Task<string[]> FieldsAsync(object body)
        {
            var response = await jelgava.CommandAsync($"{Jelgava}/people", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            return (await response.ProblemAsync()).GetProperty("errors").EnumerateObject().Select(p => p.Name).Order().ToArray();
        }

        Assert.Equal(["consent"], await FieldsAsync(new { organisationId = organisation, name = "Anna Bērziņa", email = "anna@example.org" }));
        Assert.Equal(["consent.givenOn", "consent.how", "consent.purpose"],
            await FieldsAsync(new { organisationId = organisation, name = "Anna Bērziņa", consent = new { purpose = " ", how = "by telepathy" } }));
        Assert.Equal(["consent.givenOn"],
            await FieldsAsync(new { organisationId = organisation, name = "Anna Bērziņa", consent = new { purpose = "Contact list", givenOn = "2026-03-01", how = "oral" } }));
        Assert.Equal(["email", "name"], await FieldsAsync(new { organisationId = organisation, name = "", email = "not an address", consent = Consent() }));
        Assert.Equal(["organisationId"], await FieldsAsync(new { organisationId = Guid.NewGuid(), name = "Anna Bērziņa", consent = Consent() }));
        var badOrganisation = await jelgava.CommandAsync($"{Jelgava}/organisations", new { name = "X", kind = "club", importance = 0, influence = 6 });
        Assert.Equal(["importance", "influence", "kind"],
            (await badOrganisation.ProblemAsync()).GetProperty("errors").EnumerateObject().Select(p => p.Name).Order().ToArray());
        Assert.Equal(HttpStatusCode.BadRequest, (await jelgava.CommandAsync($"{Jelgava}/meetings", new { title = "No date" })).StatusCode);

        await using var db = app.Db();
        Assert.Equal(0, await db.Set<SupportPerson>().CountAsync());
        Assert.Equal(0, await db.Set<SupportConsent>().CountAsync());
        Assert.Equal(0, await db.Set<SupportMeeting>().CountAsync());
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_withdrawal_leaves_no_personal_data_of_the_person_in_any_table_or_export_while_the_counts_stay(DatabaseProvider provider)
    {
        await using var app = await MentoringApp.StartAsync(database, provider);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var facilitator = await app.ClientForAsync(People.Facilitator);
        string[] personal = ["Mārtiņš Ozoliņš-Testa", "martins.ozolins@biedriba.example", "+371 2777 9911", "Head of the migrant parents' club"];
        var (organisation, person, meeting) = await BuildAsync(jelgava, personal[0], personal[1], personal[2]);
        Assert.True((await jelgava.PutAsJsonAsync($"{Jelgava}/people/{person}", new
        {
            organisationId = organisation, name = personal[0], role = personal[3], email = personal[1], phone = personal[2],
        }, Api.Json)).IsSuccessStatusCode);
        var other = await IdAsync(await jelgava.CommandAsync($"{Jelgava}/people", new { organisationId = organisation, name = "Laura Liepa", consent = Consent() }));
        Assert.True((await jelgava.PutAsJsonAsync($"{Jelgava}/meetings/{meeting}/attendance", new { people = new[] { person, other } }, Api.Json)).IsSuccessStatusCode);

        // He takes part in Jelgava's first study visit, travels with its delegation, and is named in its plan, the names
        // recorded when it was held, its report and a next step; a programme event's agenda and a material name him too.
        var driver = await PairDriver.ForAsync(app, "schaerbeek", "jelgava");
        var (schaerbeek, mentee) = (driver.As("mentor"), driver.As("mentee"));
        var item = await driver.RunUntilOpenAsync("visit-1");
        var visit = $"/api/pairs/{driver.GroupId}/visits/{item.Id}";
        var first = DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime).AddDays(21);
        await OkAsync(await mentee.CommandAsync(visit + "/proposal", new
        {
            start = first.ToString("yyyy-MM-dd"), end = first.ToString("yyyy-MM-dd"), format = "in-person", hostCity = "schaerbeek",
            agenda = $"{personal[0]} presents the parents' club.",
            sessions = new[] { new { date = first.ToString("yyyy-MM-dd"), starts = "10:00", ends = "12:00", title = $"With {personal[0]}", place = "Schaerbeek town hall" } },
            participants = new[] { person, other },
            delegation = new[] { new { name = personal[0], role = personal[3], email = personal[1] }, new { name = "Jānis Bērziņš", role = "Coordinator", email = "janis@jelgava.example" } },
        }));
        await OkAsync(await schaerbeek.CommandAsync(visit + "/confirm"));
        app.Clock.Set(new DateTimeOffset(first.AddDays(1).ToDateTime(new TimeOnly(8, 0)), TimeSpan.Zero));
        await OkAsync(await mentee.CommandAsync(visit + "/held", new { participants = new[] { "Jānis Bērziņš", personal[0] } }));
        await OkAsync(await mentee.CommandAsync(visit + "/structured-report", new
        {
            seen = $"The parents' club as {personal[0]} runs it.", learnt = "Parents come when their children's school invites them.",
            nextSteps = new[] { new { text = $"Send the club's statutes to {personal[1]}", ownerCity = "jelgava", due = first.AddDays(30).ToString("yyyy-MM-dd") } },
        }));
        var start = app.Clock.GetUtcNow().AddDays(10);
        var academy = await IdAsync(await facilitator.CommandAsync("/api/programmes/inclucities/events", new
        {
            kind = "training-academy", title = "Training academy in Jelgava", eventStart = start.ToString("yyyy-MM-dd'T'09:00"),
            eventEnd = start.ToString("yyyy-MM-dd'T'17:00"), hostCity = "jelgava", eventVenue = "Jelgava city hall",
            eventAgenda = $"Parents' clubs, with {personal[0]} ({personal[2]}).",
        }));
        await OkAsync(await facilitator.CommandAsync($"/api/programmes/inclucities/events/{academy}/materials",
            new { title = $"Slides by {personal[0]}", url = "https://example.org/slides" }));
        var before = await facilitator.GetFromJsonAsync<Mentoring.Server.Visits.VisitDetailView>(visit, Api.Json);
        Assert.Equal(4, before!.Participants.Count);

        Assert.NotEmpty(await TablesHoldingAsync(app, personal));
        Assert.Contains(personal[1], await jelgava.GetStringAsync($"{Jelgava}/people/{person}/export"));

        Assert.Equal(person, await IdAsync(await jelgava.CommandAsync($"{Jelgava}/people/{person}/withdraw")));

        Assert.Empty(await TablesHoldingAsync(app, personal));
        var export = await jelgava.GetStringAsync($"{Jelgava}/people/{person}/export");
        Assert.All(personal, p => Assert.DoesNotContain(p, export, StringComparison.OrdinalIgnoreCase));
        Assert.Contains("\"withdrawn\":true", export);
        Assert.Contains("First network meeting", export);
        var network = (await jelgava.GetFromJsonAsync<NetworkView>(Jelgava, Api.Json))!;
        Assert.Equal(2, network.Organisation(organisation)!.Members);
        Assert.Equal(2, network.Meetings.Single().Attendance);
        Assert.Contains(SupportNetwork.Redacted, network.Meetings.Single().Notes);
        Assert.Equal("Laura Liepa", network.Person(other)!.Name);
        Assert.NotNull(Assert.Single(network.Person(person)!.Consents).WithdrawnAt);

        // The visit, the event, the pair's history, the calendar and the funder's report in its three forms say nothing of
        // him; the visit still counts its four participants, and Jānis and Laura keep their names.
        var after = (await facilitator.GetFromJsonAsync<Mentoring.Server.Visits.VisitDetailView>(visit, Api.Json))!;
        Assert.Equal(4, after.Participants.Count);
        Assert.Contains(after.Participants, p => p.Name == "Jānis Bērziņš");
        Assert.Contains(after.Participants, p => p.Name == "Laura Liepa");
        var reads = new List<string>
        {
            await facilitator.GetStringAsync(visit), await facilitator.GetStringAsync("/api/programmes/inclucities/events"),
            await facilitator.GetStringAsync($"/api/programmes/inclucities/events/{academy}"),
            await facilitator.GetStringAsync($"/api/pairs/{driver.GroupId}/history?take=1000"), await facilitator.GetStringAsync($"/api/pairs/{driver.GroupId}"),
            await facilitator.GetStringAsync("/programmes/inclucities/report.csv"), await facilitator.GetStringAsync("/programmes/inclucities/report"),
            string.Join("\n", (await FunderReport.ReportReading.DocxAsync(facilitator)).Paragraphs),
        };
        foreach (var read in reads)
            Assert.All(personal, p => Assert.DoesNotContain(System.Text.Json.JsonEncodedText.Encode(p).ToString(), read, StringComparison.OrdinalIgnoreCase));
        foreach (var read in reads)
            Assert.All(personal, p => Assert.DoesNotContain(p, System.Net.WebUtility.HtmlDecode(read), StringComparison.OrdinalIgnoreCase));
        var visitsFigure = Assert.Single(await FunderReport.ReportReading.CsvAsync(facilitator),
            f => f.Key.Scope == "programme" && f.Key.Measure == "visit_participants" && f.Key.Key == "");
        Assert.True(visitsFigure.Value >= 4, visitsFigure.ToString());

        // Nothing brings the data back: a second withdrawal, an edit and a new consent are refused.
        Assert.Equal(HttpStatusCode.Conflict, (await jelgava.CommandAsync($"{Jelgava}/people/{person}/withdraw")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await jelgava.PutAsJsonAsync($"{Jelgava}/people/{person}",
            new { organisationId = organisation, name = personal[0] }, Api.Json)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await jelgava.CommandAsync($"{Jelgava}/people/{person}/consents", Consent())).StatusCode);
        Assert.Empty(await TablesHoldingAsync(app, personal));
    }

    private static async Task OkAsync(HttpResponseMessage response) =>
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Another_citys_coordinator_an_association_and_another_programme_are_refused_on_every_endpoint(DatabaseProvider provider)
    {
        await using var app = await MentoringApp.StartAsync(database, provider);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var (organisation, person, meeting) = await BuildAsync(jelgava);
        var organisationBody = new { name = "Capaci's own", kind = "other", importance = 1, influence = 1 };
        var personBody = new { organisationId = organisation, name = "Someone", consent = Consent() };
        var meetingBody = new { date = "2026-01-21", title = "Ours" };
        var attendance = new { people = new[] { person } };

        async Task<List<HttpStatusCode>> EveryEndpointAsync(HttpClient client, string network) =>
        [
            (await client.GetAsync(network)).StatusCode,
            (await client.GetAsync($"{network}/grid.svg")).StatusCode,
            (await client.CommandAsync($"{network}/organisations", organisationBody)).StatusCode,
            (await client.PutAsJsonAsync($"{network}/organisations/{organisation}", organisationBody, Api.Json)).StatusCode,
            (await client.CommandAsync($"{network}/people", personBody)).StatusCode,
            (await client.PutAsJsonAsync($"{network}/people/{person}", personBody, Api.Json)).StatusCode,
            (await client.CommandAsync($"{network}/people/{person}/consents", Consent())).StatusCode,
            (await client.CommandAsync($"{network}/people/{person}/withdraw")).StatusCode,
            (await client.GetAsync($"{network}/people/{person}/export")).StatusCode,
            (await client.CommandAsync($"{network}/meetings", meetingBody)).StatusCode,
            (await client.PutAsJsonAsync($"{network}/meetings/{meeting}", meetingBody, Api.Json)).StatusCode,
            (await client.PutAsJsonAsync($"{network}/meetings/{meeting}/attendance", attendance, Api.Json)).StatusCode,
        ];

        var capaci = await app.ClientForAsync(People.Coordinator("capaci"));
        Assert.All(await EveryEndpointAsync(capaci, Jelgava), s => Assert.Equal(HttpStatusCode.Forbidden, s));
        Assert.All(await EveryEndpointAsync(await app.ClientForAsync(People.Observer("LPS")), Jelgava), s => Assert.Equal(HttpStatusCode.Forbidden, s));
        Assert.All(await EveryEndpointAsync(capaci, "/api/programmes/other-network/cities/jelgava/network"), s => Assert.Equal(HttpStatusCode.NotFound, s));
        Assert.All(await EveryEndpointAsync(capaci, "/api/programmes/inclucities/cities/athens/network"), s => Assert.Equal(HttpStatusCode.NotFound, s));
        // Jelgava's ids through Capaci's own network: not there. (The two reads and the two additions are Capaci's own, fine.)
        var own = await EveryEndpointAsync(capaci, "/api/programmes/inclucities/cities/capaci/network");
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.NotFound, HttpStatusCode.BadRequest,
            HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.OK,
            HttpStatusCode.NotFound, HttpStatusCode.NotFound], own);

        var network = (await jelgava.GetFromJsonAsync<NetworkView>(Jelgava, Api.Json))!;
        Assert.Equal(("Jelgava Red Cross", "Ilze Kalniņa", "First network meeting", 1),
            (network.Organisation(organisation)!.Name, network.Person(person)!.Name, network.Meetings.Single().Title, network.Meetings.Single().Attendance));
    }

    private static Task<List<string>> TablesHoldingAsync(MentoringApp app, IReadOnlyList<string> texts) =>
        TableScan.TablesHoldingAsync(app, texts, StringComparison.OrdinalIgnoreCase);
}
