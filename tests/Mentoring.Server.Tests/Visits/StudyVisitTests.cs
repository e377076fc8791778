using System.Net;
using System.Net.Http.Json;
using Mentoring.Server.Calendar;
using Mentoring.Server.Data;
using Mentoring.Server.FunderReport;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Tests.SupportNetworks;
using Mentoring.Server.Visits;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;
using WebClient = Mentoring.Server.Tests.Web.WebClient;

namespace Mentoring.Server.Tests.Visits;

/// <summary>
/// Study visits along IncluCities' real dates, on both databases: Fuenlabrada–Livadeia's one visit in three online
/// sessions (18, 19 and 21 May 2021) from its proposal with a plan to its structured report, its next steps ticked off by
/// their owners and shown in their calendars, the funder's figures; Mechelen's visit in Capaci (4–6 Oct 2021) refused
/// for each bad input with nothing written, then planned in person in Capaci's time. Another group's city is refused
/// everywhere.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class StudyVisitTests(DatabaseFixture database)
{
    // Early enough that the pairs reach their first visit before May 2021.
    private static readonly DateTimeOffset Spring2021 = new(2021, 1, 4, 8, 0, 0, TimeSpan.Zero);

    private static string Network(string city) => $"/api/programmes/inclucities/cities/{city}/network";

    private static async Task<Guid> PersonAsync(HttpClient coordinator, string city, string organisation, string kind, string name, string email)
    {
        var org = await SupportNetworkTests.IdAsync(await coordinator.CommandAsync($"{Network(city)}/organisations",
            new { name = organisation, kind, importance = 4, influence = 3 }));
        return await SupportNetworkTests.IdAsync(await coordinator.CommandAsync($"{Network(city)}/people",
            new { organisationId = org, name, role = "Member", email, consent = new { purpose = "Taking part in the local support network and its study visits", givenOn = "2021-01-04", how = "written" } }));
    }

    private static async Task<string[]> FieldsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return (await response.ProblemAsync()).GetProperty("errors").EnumerateObject().Select(p => p.Name).Order().ToArray();
    }

    private static object Session(string date, string title, string? place = null, string? link = null, string starts = "10:00", string ends = "13:00") =>
        new { date, starts, ends, title, place, onlineUrl = link };

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_coordinator_proposes_and_reports_the_visit_on_its_page(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider, start: Spring2021);
        var livadeia = await app.ClientForAsync(People.Coordinator("livadeia"));
        var fuenlabrada = await app.ClientForAsync(People.Coordinator("fuenlabrada"));
        var ngo = await PersonAsync(livadeia, "livadeia", "Livadeia Migrant Support Centre", "ngo", "Eleni Papadopoulou", "eleni@kem.example");
        var driver = await PairDriver.ForAsync(app, "fuenlabrada", "livadeia");
        var item = await driver.RunUntilOpenAsync("visit-1");
        var (page, path) = (await WebClient.SignedInAsync(app, People.Coordinator("livadeia")), $"/pairs/{driver.GroupId}/visits/{item.Id}");
        var api = $"/api/pairs/{driver.GroupId}/visits/{item.Id}";

        Assert.Equal(HttpStatusCode.OK, (await page.GetAsync(path)).StatusCode);
        var proposed = await page.PostAsync(path + "?handler=Proposal", new Dictionary<string, string>
        {
            ["key"] = page.Hidden("key"), ["start"] = "2021-05-18", ["end"] = "2021-05-21", ["format"] = "online", ["hostCity"] = "fuenlabrada",
            ["agenda"] = "MILMA, presented by the team that runs it.", ["sessionDate"] = "2021-05-18", ["sessionStarts"] = "10:00",
            ["sessionEnds"] = "13:00", ["sessionTitle"] = "MILMA: migrants' labour market inclusion", ["sessionPlace"] = "",
            ["sessionLink"] = "https://meet.example/milma", ["participants"] = ngo.ToString(),
            ["delegation"] = "Deputy Mayor of Livadeia; Deputy Mayor; deputy.mayor@livadeia.example",
        });
        Assert.True(proposed.StatusCode == HttpStatusCode.Redirect, WebClient.Alert(page.LastPage));
        Assert.Equal(path, proposed.Headers.Location?.OriginalString);
        var visit = (await livadeia.GetFromJsonAsync<VisitDetailView>(api, Api.Json))!;
        Assert.Equal(("proposed", "online", "fuenlabrada"), (visit.Phase, visit.Format, visit.HostCityId));
        Assert.Equal(["Eleni Papadopoulou", "Deputy Mayor of Livadeia"], visit.Participants.Select(p => p.Name));
        Assert.Equal("10:00", Assert.Single(visit.Sessions).Starts);

        Assert.Equal(HttpStatusCode.OK, (await fuenlabrada.CommandAsync(api + "/confirm")).StatusCode);
        app.Clock.Set(new DateTimeOffset(2021, 5, 24, 8, 0, 0, TimeSpan.Zero));
        Assert.Equal(HttpStatusCode.OK, (await livadeia.CommandAsync(api + "/held", new { participants = new[] { "Coordinators" } })).StatusCode);
        page = await WebClient.SignedInAsync(app, People.Coordinator("livadeia")); // months later: the morning's sign-in has expired
        await page.GetAsync(path);
        var reported = await page.PostAsync(path + "?handler=Report", new Dictionary<string, string>
        {
            ["key"] = page.Hidden("key"), ["seen"] = "MILMA's job counselling for newcomers.", ["learnt"] = "Start with the employment office.",
            ["stepText"] = "Draft the counselling action", ["stepOwner"] = "livadeia", ["stepDue"] = "2021-06-30",
        });
        Assert.True(reported.StatusCode == HttpStatusCode.Redirect, WebClient.Alert(page.LastPage));
        Assert.Equal(path, reported.Headers.Location?.OriginalString);
        visit = (await fuenlabrada.GetFromJsonAsync<VisitDetailView>(api, Api.Json))!;
        Assert.Equal(("reported", "MILMA's job counselling for newcomers."), (visit.Phase, visit.Report!.Seen));
        Assert.Equal((new DateOnly(2021, 6, 30), "Livadeia"), (Assert.Single(visit.NextSteps).Due, visit.NextSteps[0].Owner));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_withdrawal_of_consent_erases_the_visit_invitations_emailed_to_the_person(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider, start: Spring2021);
        var livadeia = await app.ClientForAsync(People.Coordinator("livadeia"));
        var fuenlabrada = await app.ClientForAsync(People.Coordinator("fuenlabrada"));
        string[] personal = ["Eleni Papadopoulou-Testa", "eleni.testa@kem.example"];
        var ngo = await PersonAsync(livadeia, "livadeia", "Livadeia Migrant Support Centre", "ngo", personal[0], personal[1]);
        var office = await PersonAsync(fuenlabrada, "fuenlabrada", "Fuenlabrada Employment Office", "municipal-department", "Lucía Martín", "lucia@ayto.example");
        var driver = await PairDriver.ForAsync(app, "fuenlabrada", "livadeia");
        var item = await driver.RunUntilOpenAsync("visit-1");
        var path = $"/api/pairs/{driver.GroupId}/visits/{item.Id}";
        Assert.Equal(HttpStatusCode.OK, (await livadeia.CommandAsync(path + "/proposal", new
        {
            start = "2021-05-18", end = "2021-05-19", format = "online", hostCity = "fuenlabrada", agenda = "MILMA and the anti-rumours network.",
            sessions = new[] { Session("2021-05-18", "MILMA", link: "https://meet.example/milma"), Session("2021-05-19", "Anti-rumours", link: "https://meet.example/rumours") },
            participants = new[] { ngo, office },
        })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fuenlabrada.CommandAsync(path + "/confirm")).StatusCode);
        Assert.Contains("outbox_messages", await TableScan.TablesHoldingAsync(app, personal, StringComparison.OrdinalIgnoreCase));

        Assert.Equal(HttpStatusCode.OK, (await livadeia.CommandAsync($"{Network("livadeia")}/people/{ngo}/withdraw")).StatusCode);

        // Nothing of her is left in any table, and the invitations not sent yet never will be; Lucía's are untouched.
        Assert.Empty(await TableScan.TablesHoldingAsync(app, personal, StringComparison.OrdinalIgnoreCase));
        await using var db = app.Db();
        var invitations = await db.Outbox.AsNoTracking().Where(m => m.Template == CalendarInvitations.Template).ToListAsync();
        var erased = invitations.Where(m => m.RecipientEmail == null).ToList();
        Assert.Equal(2, erased.Count);
        Assert.All(erased, m => Assert.Equal((Mentoring.Server.Email.OutboxStatus.Dead, (string?)null), (m.Status, m.Attachment)));
        Assert.Equal(2, invitations.Count(m => m.RecipientEmail == "lucia@ayto.example" && m.Status == Mentoring.Server.Email.OutboxStatus.Pending && m.Attachment != null));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Fuenlabrada_and_Livadeia_hold_one_visit_in_three_online_sessions_and_report_next_steps_their_owners_tick_off(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider, start: Spring2021);
        var livadeia = await app.ClientForAsync(People.Coordinator("livadeia"));
        var fuenlabrada = await app.ClientForAsync(People.Coordinator("fuenlabrada"));
        var mechelen = await app.ClientForAsync(People.Coordinator("mechelen"));
        var ngo = await PersonAsync(livadeia, "livadeia", "Livadeia Migrant Support Centre", "ngo", "Eleni Papadopoulou", "eleni@kem.example");
        var office = await PersonAsync(fuenlabrada, "fuenlabrada", "Fuenlabrada Employment Office", "municipal-department", "Lucía Martín", "lucia@ayto.example");

        var driver = await PairDriver.ForAsync(app, "fuenlabrada", "livadeia");
        var item = await driver.RunUntilOpenAsync("visit-1");
        Assert.True(app.Clock.GetUtcNow() < new DateTimeOffset(2021, 5, 1, 0, 0, 0, TimeSpan.Zero), $"the visit opened on {app.Clock.GetUtcNow():yyyy-MM-dd}");
        var path = $"/api/pairs/{driver.GroupId}/visits/{item.Id}";
        var plan = new
        {
            start = "2021-05-18", end = "2021-05-21", format = "online", hostCity = "fuenlabrada",
            agenda = "MILMA, the anti-rumours network and the table for coexistence, presented by the teams that run them.",
            sessions = new[]
            {
                Session("2021-05-18", "MILMA: migrants' labour market inclusion", link: "https://meet.example/milma"),
                Session("2021-05-19", "The anti-rumours network", link: "https://meet.example/rumours"),
                Session("2021-05-21", "The table for coexistence", link: "https://meet.example/coexistence"),
            },
            participants = new[] { ngo, office },
            delegation = new[] { new { name = "Deputy Mayor of Livadeia", role = "Deputy Mayor", email = "deputy.mayor@livadeia.example" } },
        };
        // Only the group's cities: Mechelen's coordinator sees and changes none of it.
        Assert.Equal(HttpStatusCode.Forbidden, (await mechelen.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await mechelen.CommandAsync(path + "/proposal", plan)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await mechelen.PutAsJsonAsync(path + "/plan", plan, Api.Json)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await livadeia.CommandAsync(path + "/proposal", plan)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fuenlabrada.CommandAsync(path + "/confirm")).StatusCode);
        // Confirmed: one invitation per session to each participant and delegation member with an address, in Madrid's time.
        async Task<List<Mentoring.Server.Email.OutboxMessage>> InvitationsAsync()
        {
            await using var db = app.Db();
            return (await db.Outbox.AsNoTracking().Where(m => m.Template == CalendarInvitations.Template).ToListAsync()).OrderBy(m => m.CreatedAt).ToList();
        }

        var invitations = await InvitationsAsync();
        Assert.Equal(9, invitations.Count);
        Assert.Equal(["deputy.mayor@livadeia.example", "eleni@kem.example", "lucia@ayto.example"],
            invitations.Select(m => m.RecipientEmail!).Distinct().Order());
        Assert.Equal("es", invitations.First(m => m.RecipientEmail == "lucia@ayto.example").Language);
        Assert.Contains("DTSTART;TZID=Europe/Madrid:20210521T100000", invitations.Where(m => m.RecipientEmail == "eleni@kem.example")
            .Select(m => m.Attachment!).Single(a => a.Contains("session-3@mentoring")));
        var visit = (await fuenlabrada.GetFromJsonAsync<VisitDetailView>(path, Api.Json))!;
        Assert.Equal(("confirmed", new DateOnly(2021, 5, 18), new DateOnly(2021, 5, 21), "online", "fuenlabrada", "livadeia"),
            (visit.Phase, visit.Start, visit.End, visit.Format, visit.HostCityId, visit.VisitingCityId));
        Assert.Equal([new DateOnly(2021, 5, 18), new DateOnly(2021, 5, 19), new DateOnly(2021, 5, 21)], visit.Sessions.Select(s => s.Date));
        Assert.Equal(["Lucía Martín", "Eleni Papadopoulou", "Deputy Mayor of Livadeia"], visit.Participants.Select(p => p.Name));
        var pair = (await livadeia.PairAsync(driver.GroupId)).Visits.Single(v => v.Id == item.Id);
        Assert.Equal((new DateOnly(2021, 5, 18), "Fuenlabrada"), (pair.Date, pair.Host));

        // The third session moves an hour later: the plan's revision goes up (the invitations' sequence).
        var changed = await livadeia.PutAsJsonAsync(path + "/plan", new
        {
            plan.start, plan.end, plan.format, plan.hostCity, plan.agenda, plan.participants, plan.delegation,
            sessions = new[] { plan.sessions[0], plan.sessions[1],
                Session("2021-05-21", "The table for coexistence", link: "https://meet.example/coexistence", starts: "11:00", ends: "14:00") },
        }, Api.Json);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(1, (await changed.Content.ReadFromJsonAsync<VisitDetailView>(Api.Json))!.Revision);
        var again = (await InvitationsAsync()).Skip(9).ToList();
        Assert.Equal(3, again.Count);
        Assert.All(again, m => Assert.Contains("DTSTART;TZID=Europe/Madrid:20210521T110000", m.Attachment!));
        Assert.All(again, m => Assert.Contains("SEQUENCE:1", m.Attachment!));

        // The calendar: each session in Fuenlabrada's time (Madrid, UTC+2 in May).
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await using var db = app.Db();
            var person = await db.People.Where(p => p.Email == People.Coordinator("livadeia")).Select(p => p.Id).SingleAsync();
            var entries = await scope.ServiceProvider.GetServices<ICalendarSource>().OfType<VisitCalendar>().Single()
                .EntriesForAsync(db, new CalendarReader(person, "el"), CancellationToken.None);
            var third = Assert.Single(entries, e => e.Uid == VisitInvitations.Uid(item.Id, 3));
            Assert.Equal((new DateTimeOffset(2021, 5, 21, 11, 0, 0, TimeSpan.FromHours(2)), "Europe/Madrid", 1, "https://meet.example/coexistence"),
                (third.Start, third.TimeZone, third.Sequence, third.OnlineUrl));
            Assert.Equal(TimeSpan.FromHours(2), third.Start.Offset);
        }

        app.Clock.Set(new DateTimeOffset(2021, 5, 24, 8, 0, 0, TimeSpan.Zero));
        Assert.Equal(HttpStatusCode.OK, (await livadeia.CommandAsync(path + "/held", new { participants = new[] { "Coordinators", "Network members" } })).StatusCode);
        var upload = new MultipartFormDataContent { { new ByteArrayContent(Api.Pdf), "file", "session-notes.pdf" } };
        Assert.Equal(HttpStatusCode.OK, (await livadeia.PostAsync(path + "/files", upload)).StatusCode);

        // A next step with no owner, and one owned by a city of another group, are refused, and nothing is written.
        var report = new
        {
            seen = "MILMA's job counselling for newcomers and the anti-rumours agents' training.",
            learnt = "Start the counselling with the employment office; train agents from the migrant associations.",
            nextSteps = new object[]
            {
                new { text = "Draft the counselling action for the action plan", ownerCity = "livadeia", due = "2021-06-30" },
                new { text = "Send MILMA's counselling guide in English", ownerCity = "fuenlabrada", due = "2021-06-04" },
            },
        };
        Assert.Equal(["nextSteps[0].ownerCity", "nextSteps[1].ownerCity"], await FieldsAsync(await livadeia.CommandAsync(path + "/structured-report", new
        {
            report.seen, report.learnt,
            nextSteps = new object[] { new { text = "Who?", due = "2021-06-30" }, new { text = "Not ours", ownerCity = "mechelen", due = "2021-06-30" } },
        })));
        Assert.Equal("held", (await livadeia.GetFromJsonAsync<VisitDetailView>(path, Api.Json))!.Phase);
        Assert.Equal(HttpStatusCode.OK, (await livadeia.CommandAsync(path + "/structured-report", report)).StatusCode);

        visit = (await livadeia.GetFromJsonAsync<VisitDetailView>(path, Api.Json))!;
        Assert.Equal("reported", visit.Phase);
        Assert.Equal(report.seen, visit.Report!.Seen);
        Assert.Equal(["session-notes.pdf"], visit.Files.Select(f => f.FileName));
        var (ours, theirs) = (visit.NextSteps[0], visit.NextSteps[1]);
        Assert.Equal((true, false), (ours.MayTick, theirs.MayTick));
        Assert.Equal(HttpStatusCode.Forbidden, (await livadeia.CommandAsync($"{path}/next-steps/{theirs.Id}/done")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await mechelen.CommandAsync($"{path}/next-steps/{ours.Id}/done")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await livadeia.CommandAsync($"{path}/next-steps/{ours.Id}/done")).StatusCode);
        // Fuenlabrada ticks its own step off on the visit's page and opens it again.
        var page = await WebClient.SignedInAsync(app, People.Coordinator("fuenlabrada"));
        await page.GetAsync($"/pairs/{driver.GroupId}/visits/{item.Id}");
        Assert.Contains("Send MILMA", page.LastPage);
        var ticked = await page.PostAsync($"/pairs/{driver.GroupId}/visits/{item.Id}?handler=Tick", new Dictionary<string, string>
        {
            ["stepId"] = theirs.Id.ToString(), ["done"] = "true",
        });
        Assert.True(ticked.StatusCode == HttpStatusCode.Redirect, WebClient.Alert(page.LastPage));
        Assert.Equal(HttpStatusCode.OK, (await fuenlabrada.CommandAsync($"{path}/next-steps/{theirs.Id}/open")).StatusCode);
        visit = (await fuenlabrada.GetFromJsonAsync<VisitDetailView>(path, Api.Json))!;
        Assert.Equal([(true, "Livadeia"), (false, "Fuenlabrada")], visit.NextSteps.Select(s => (s.Done, s.Owner)));

        // Fuenlabrada's open step is a deadline in its coordinator's calendar; Livadeia's, done, is in none.
        await using (var scope = app.Services.CreateAsyncScope())
        {
            await using var db = app.Db();
            async Task<IReadOnlyList<CalendarEntry>> CalendarOf(string city)
            {
                var person = await db.People.Where(p => p.Email == People.Coordinator(city)).Select(p => p.Id).SingleAsync();
                return await scope.ServiceProvider.GetServices<ICalendarSource>().OfType<VisitCalendar>().Single()
                    .EntriesForAsync(db, new CalendarReader(person, "en"), CancellationToken.None);
            }

            var deadline = Assert.Single(await CalendarOf("fuenlabrada"), e => e.AllDay);
            Assert.Equal((new DateTimeOffset(2021, 6, 4, 0, 0, 0, TimeSpan.FromHours(2)), true), (deadline.Start, deadline.Summary.StartsWith("Send MILMA")));
            Assert.DoesNotContain(await CalendarOf("livadeia"), e => e.AllDay);
            Assert.Empty(await CalendarOf("mechelen"));

            var figures = await scope.ServiceProvider.GetRequiredService<IVisitFigures>().ForProgrammeAsync(db, "inclucities", CancellationToken.None);
            var held = Assert.Single(figures, f => f.GroupId == driver.GroupId && f.StepId == "visit-1");
            Assert.Equal((new DateOnly(2021, 5, 18), new DateOnly(2021, 5, 21), "online", true, 3), (held.Start, held.End, held.Format, held.Held, held.Participants));
            Assert.Equal(new Dictionary<string, int> { ["municipal-department"] = 1, ["ngo"] = 1, ["visiting-delegation"] = 1 }, held.ParticipantsByKind);
        }
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Mechelens_visit_in_Capaci_is_refused_for_each_bad_input_with_nothing_written_then_planned_in_Capacis_time(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider, start: Spring2021);
        var capaci = await app.ClientForAsync(People.Coordinator("capaci"));
        var mechelen = await app.ClientForAsync(People.Coordinator("mechelen"));
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var school = await PersonAsync(capaci, "capaci", "Istituto Comprensivo Capaci", "school", "Giuseppe Russo", "g.russo@scuola.example");
        var withdrawn = await PersonAsync(capaci, "capaci", "Cooperativa Sociale", "ngo", "Maria Bianchi", "m.bianchi@coop.example");
        Assert.True((await capaci.CommandAsync($"{Network("capaci")}/people/{withdrawn}/withdraw")).IsSuccessStatusCode);
        var elsewhere = await PersonAsync(jelgava, "jelgava", "Jelgava Red Cross", "ngo", "Ilze Kalniņa", "ilze@ngo.example");

        var driver = await PairDriver.ForAsync(app, "mechelen", "capaci");
        var item = await driver.RunUntilOpenAsync("visit-1");
        var path = $"/api/pairs/{driver.GroupId}/visits/{item.Id}";
        object Plan(string start = "2021-10-04", string end = "2021-10-06", Guid[]? participants = null, object[]? sessions = null) => new
        {
            start, end, format = "in-person", hostCity = "capaci", agenda = "The mentor city's delegation sees Capaci's reception and school work.",
            sessions = sessions ?? new[]
            {
                Session("2021-10-04", "Welcome at the town hall", place: "Municipio di Capaci, Piazza Matrice"),
                Session("2021-10-05", "Visit to the school's language classes", place: "Istituto Comprensivo Capaci", starts: "09:00", ends: "12:30"),
                Session("2021-10-06", "Working session on the action plan", place: "Municipio di Capaci", starts: "09:30", ends: "16:00"),
            },
            participants = participants ?? [school],
            delegation = new[] { new { name = "Mechelen integration officer", role = "Integration officer", email = "integration@mechelen.example" } },
        };

        Assert.Equal(["end"], await FieldsAsync(await capaci.CommandAsync(path + "/proposal", Plan(end: "2021-10-03"))));
        Assert.Equal(["sessions[1].date"], await FieldsAsync(await capaci.CommandAsync(path + "/proposal", Plan(sessions:
        [
            Session("2021-10-04", "Welcome", place: "Municipio"), Session("2021-10-07", "A day too late", place: "Municipio"),
        ]))));
        Assert.Equal(["participants"], await FieldsAsync(await capaci.CommandAsync(path + "/proposal", Plan(participants: [school, withdrawn]))));
        Assert.Equal(["participants"], await FieldsAsync(await capaci.CommandAsync(path + "/proposal", Plan(participants: [elsewhere]))));
        await using (var db = app.Db())
        {
            Assert.Equal(0, await db.Set<VisitPlan>().CountAsync());
            Assert.Equal(0, await db.Set<VisitSession>().CountAsync());
            Assert.Equal(0, await db.Set<VisitParticipant>().CountAsync());
            Assert.Equal("proposing", (await db.WorkItems.SingleAsync(w => w.Id == item.Id)).VisitPhase);
        }

        // The mentor may not propose it (the mentee does): the engine's refusal leaves no plan either.
        Assert.Equal(HttpStatusCode.Forbidden, (await mechelen.CommandAsync(path + "/proposal", Plan())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await capaci.CommandAsync(path + "/proposal", Plan())).StatusCode);
        var changed = await capaci.PutAsJsonAsync(path + "/plan", Plan(end: "2021-10-05"), Api.Json);
        Assert.Equal(["sessions[2].date"], await FieldsAsync(changed));
        Assert.Equal(["start"], await FieldsAsync(await capaci.PutAsJsonAsync(path + "/plan", Plan(start: "2021-10-03"), Api.Json)));

        var visit = (await mechelen.GetFromJsonAsync<VisitDetailView>(path, Api.Json))!;
        Assert.Equal(("proposed", "in-person", "capaci", "mechelen", "Europe/Rome", 0), (visit.Phase, visit.Format, visit.HostCityId, visit.VisitingCityId,
            visit.TimeZone, visit.Revision));
        Assert.Equal([("09:00", "12:30")], visit.Sessions.Where(s => s.Date == new DateOnly(2021, 10, 5)).Select(s => (s.Starts, s.Ends)));
        Assert.Equal(HttpStatusCode.Forbidden, (await jelgava.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await capaci.GetAsync($"/api/pairs/{driver.GroupId}/visits/{Guid.NewGuid()}")).StatusCode);

        // The visit's page, linked from the group's page: the plan in Capaci's time for the group's cities, nothing for another.
        var page = await WebClient.SignedInAsync(app, People.Coordinator("capaci"));
        Assert.Equal(HttpStatusCode.OK, (await page.GetAsync($"/pairs/{driver.GroupId}")).StatusCode);
        Assert.Contains($"/pairs/{driver.GroupId}/visits/{item.Id}", page.LastPage);
        Assert.Equal(HttpStatusCode.OK, (await page.GetAsync($"/pairs/{driver.GroupId}/visits/{item.Id}")).StatusCode);
        var html = WebUtility.HtmlDecode(page.LastPage);
        Assert.Contains("Visit to the school's language classes", html);
        Assert.Contains("Giuseppe Russo", html);
        Assert.Contains("Europe/Rome", html);
        Assert.DoesNotContain("Maria Bianchi", html);
        var other = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        Assert.Contains("/forbidden", (await other.GetAsync($"/pairs/{driver.GroupId}/visits/{item.Id}")).Headers.Location!.OriginalString);

        var entry = VisitInvitations.Entry(new VisitPlan
        {
            ItemId = item.Id, GroupId = driver.GroupId, ProgrammeId = "inclucities", Format = "in-person", HostCityId = "capaci", VisitingCityId = "mechelen",
        }, new VisitSession { ItemId = item.Id, Number = 2, Date = new DateOnly(2021, 10, 5), StartsAt = new TimeOnly(9, 0), EndsAt = new TimeOnly(12, 30), Title = "School" },
            "1st study visit", "Europe/Rome", 0, "https://mentoring.example");
        Assert.Equal(new DateTimeOffset(2021, 10, 5, 7, 0, 0, TimeSpan.Zero), entry.Start.ToUniversalTime());
    }
}
