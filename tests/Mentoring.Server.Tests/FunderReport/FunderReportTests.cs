using System.Net;
using Mentoring.Server.Data;
using Mentoring.Server.FunderReport;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Tests.Outputs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.FunderReport;

/// <summary>
/// The funder's progress report on both databases, over figures the test host gives through the report's interfaces
/// (small doubles of the visits, events and action plans features, registered here only): the page's tables, the CSV's
/// rows and the Word document's tables hold the same figures, and they add up to what was given and created; only the
/// facilitator reads the report, and another programme's people find nothing.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class FunderReportTests(DatabaseFixture database)
{
    private static Task<Guid> GroupOfAsync(MentoringDb db, string city) =>
        db.GroupMembers.Where(m => m.CityId == city && db.Groups.Any(g => g.Id == m.GroupId && g.ProgrammeId == "inclucities")).Select(m => m.GroupId).SingleAsync();

    private sealed class Visits : IVisitFigures
    {
        public async Task<IReadOnlyList<VisitFigures>> ForProgrammeAsync(MentoringDb db, string programmeId, CancellationToken ct) =>
        [
            new(await GroupOfAsync(db, "capaci"), "visit-1", "Study visit in Capaci", new(2021, 10, 4), new(2021, 10, 6), "on-site", true, 5,
                new Dictionary<string, int> { ["ngo"] = 2, ["visiting-delegation"] = 3 }),
            new(await GroupOfAsync(db, "capaci"), "visit-2", "Second visit", null, null, null, false, 4, new Dictionary<string, int> { ["ngo"] = 4 }),
            new(await GroupOfAsync(db, "jelgava"), "visit-1", "Study visit in Jelgava", new(2021, 5, 18), new(2021, 5, 21), "online", true, 2,
                new Dictionary<string, int> { ["school"] = 2 }),
        ];
    }

    private sealed class Events : IEventFigures
    {
        public Task<IReadOnlyList<EventFigures>> ForProgrammeAsync(MentoringDb db, string programmeId, CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<EventFigures>>(
            [
                new(Guid.NewGuid(), "training-academy", "Madrid training academy", new(2022, 11, 10), new(2022, 11, 11), true, 6,
                    new Dictionary<string, int> { ["capaci"] = 2, ["mechelen"] = 1, ["programme"] = 3 }),
                new(Guid.NewGuid(), "final-conference", "Final conference", new(2023, 3, 1), new(2023, 3, 1), false, 5,
                    new Dictionary<string, int> { ["jelgava"] = 5 }),
            ]);
    }

    private sealed class Plans : IActionPlanFigures
    {
        public async Task<IReadOnlyList<ActionPlanFigures>> ForProgrammeAsync(MentoringDb db, string programmeId, CancellationToken ct) =>
        [
            new(await GroupOfAsync(db, "capaci"), ["draft", "consolidated", "reviewed"], 4, true, new(2022, 6, 30)),
            new(await GroupOfAsync(db, "jelgava"), ["draft"], 2, false, null),
        ];
    }

    private static void Doubles(IServiceCollection services)
    {
        services.AddScoped<IVisitFigures, Visits>();
        services.AddScoped<IEventFigures, Events>();
        services.AddScoped<IActionPlanFigures, Plans>();
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_report_adds_up_on_its_page_in_its_csv_and_its_docx_and_only_the_facilitator_reads_it(DatabaseProvider provider)
    {
        await using var app = await MentoringApp.StartAsync(database, provider, services: Doubles);
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var capaci = await app.ClientForAsync(People.Coordinator("capaci"));
        var athens = await OutputsRegisterTests.AnotherProgrammesCoordinatorAsync(app);
        await OutputsRegisterTests.IdAsync(await jelgava.CommandAsync(OutputsRegisterTests.Outputs, new
            { title = "Jelgava welcome desk", kind = "one-stop-shop", ownedBy = "jelgava", status = "published", checklist = new[] { "health" } }));
        await OutputsRegisterTests.IdAsync(await capaci.CommandAsync(OutputsRegisterTests.Outputs, new
            { title = "Capaci action plan", kind = "action-plan", ownedBy = "capaci", status = "planned", languages = new[] { "it" } }));
        await OutputsRegisterTests.IdAsync(await facilitator.CommandAsync(OutputsRegisterTests.Outputs, new
            { title = "IncluCities toolkit", kind = "toolkit", ownedBy = "programme", status = "in-progress" }));

        var pairs = await facilitator.PairsAsync();
        var csv = await ReportReading.CsvAsync(facilitator);
        int P(string measure, string key = "") => csv[("programme", "", measure, key)];
        Assert.Equal(pairs.Count, P("groups"));
        Assert.Equal(pairs.Count, P("groups_reached_step", "1"));
        Assert.Equal(pairs.Count(p => p.CurrentStep >= 2), P("groups_reached_step", "2"));
        Assert.Equal((2, 7, 2, 2, 3), (P("visits_held"), P("visit_participants"), P("visit_participants_by_kind", "ngo"),
            P("visit_participants_by_kind", "school"), P("visit_participants_by_kind", "visiting-delegation")));
        Assert.Equal((1, 6, 2, 1, 3), (P("events_held"), P("event_attendees"), P("event_attendance_by_city", "capaci"),
            P("event_attendance_by_city", "mechelen"), P("event_attendance_by_city", "programme")));
        Assert.False(csv.ContainsKey(("programme", "", "event_attendance_by_city", "jelgava")));
        Assert.Equal((3, 1, 1, 1), (P("outputs"), P("outputs_by_status", "planned"), P("outputs_by_status", "in-progress"), P("outputs_by_status", "published")));
        Assert.Equal(1, P("action_plans_endorsed"));

        var capaciPair = pairs.Single(p => p.Members.Any(m => m.Id == "capaci"));
        var jelgavaPair = pairs.Single(p => p.Members.Any(m => m.Id == "jelgava"));
        int G(PairSummaryRef pair, string measure, string key = "") => csv[("group", pair.Number, measure, key)];
        var c = new PairSummaryRef(capaciPair.Number.ToString());
        var j = new PairSummaryRef(jelgavaPair.Number.ToString());
        Assert.Equal((capaciPair.CurrentStep, 1, 5, 2, 3), (G(c, "step"), G(c, "visits_held"), G(c, "visit_participants"),
            G(c, "visit_participants_by_kind", "ngo"), G(c, "visit_participants_by_kind", "visiting-delegation")));
        Assert.Equal((3, 1, 1, 0), (G(c, "action_plan_versions"), G(c, "action_plan_endorsed"), G(c, "outputs_by_status", "planned"), G(c, "outputs_by_status", "published")));
        Assert.Equal(capaciPair.Members.Sum(m => m.Id switch { "capaci" => 2, "mechelen" => 1, _ => 0 }), G(c, "event_attendees"));
        Assert.Equal((1, 0, 1, 1, 0), (G(j, "action_plan_versions"), G(j, "action_plan_endorsed"), G(j, "outputs_by_status", "published"),
            G(j, "visits_held"), G(j, "event_attendees")));
        foreach (var pair in pairs) Assert.Equal(pair.CurrentStep, csv[("group", pair.Number.ToString(), "step", "")]);

        // The page and the Word document hold the same figures as the CSV, line by line.
        var page = await ReportReading.PageAsync(facilitator);
        Assert.Equal(csv.OrderBy(f => f.Key).Select(f => (f.Key, f.Value)),
            page.Select(f => ((f.Scope, f.Group, f.Measure, f.Key), f.Value)).OrderBy(f => f.Item1));
        var (paragraphs, rows) = await ReportReading.DocxAsync(facilitator);
        Assert.Equal(page.Select(f => (f.Label, f.Value)), rows);
        Assert.StartsWith("Progress report of ", paragraphs[0]);
        Assert.Contains("Participants of the study visits: Visiting delegation", rows.Select(r => r.Label));

        // Only the facilitator: a coordinator is refused, another programme's people find nothing.
        foreach (var path in new[] { "/programmes/inclucities/report", "/programmes/inclucities/report.csv", "/programmes/inclucities/report.docx" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await jelgava.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await athens.GetAsync(path)).StatusCode);
        }
    }

    private sealed record PairSummaryRef(string Number);
}
