using System.Net;
using System.Net.Http.Json;
using Mentoring.Server.Calendar;
using Mentoring.Server.Data;
using Mentoring.Server.Events;
using Mentoring.Server.FunderReport;
using Mentoring.Server.Programme;
using Mentoring.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Events;

/// <summary>
/// Programme-wide events on both databases: the facilitator announces the 2022 training academies (Madrid 10-11 November,
/// Mechelen 15 December), a pair waiting for the academy moves on once Madrid's is marked held, the second academy is held
/// too without raising the programme event again, attendance is counted per city and person, bad input writes nothing,
/// and another programme's people are refused.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class EventTests(DatabaseFixture database)
{
    public const string Events = "/api/programmes/inclucities/events";
    private const string OtherProgramme = "other-network";
    private const string OtherFacilitator = "facilitator@other-network.example";

    public static object Madrid(string? raises = "training-academy-held", string ends = "2022-11-11T17:00") => new
    {
        kind = "training-academy", title = "Training academy in Madrid", eventStart = "2022-11-10T09:00", eventEnd = ends, timeZone = "Europe/Madrid",
        eventVenue = "Madrid, FEMP headquarters", eventAgenda = "Day 1: transfer of practices. Day 2: action planning.", raisesEvent = raises,
    };

    public static object Mechelen(string venue = "Mechelen city hall") => new
    {
        kind = "training-academy", title = "Training academy in Mechelen", eventStart = "2022-12-15T09:30", eventEnd = "2022-12-15T17:00",
        hostCity = "mechelen", eventVenue = venue, raisesEvent = "training-academy-held",
    };

    public static async Task<Guid> IdAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<EventChange>(Api.Json))!.Id;
    }

    private static async Task<string[]> FieldsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return (await response.ProblemAsync()).GetProperty("errors").EnumerateObject().Select(p => p.Name).Order().ToArray();
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_pair_waiting_for_the_academy_moves_on_when_Madrids_is_held_and_Mechelens_is_held_too(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var madrid = await IdAsync(await facilitator.CommandAsync(Events, Madrid()));
        var mechelen = await IdAsync(await facilitator.CommandAsync(Events, Mechelen()));

        // Announcing invites everyone in the programme with an .ics; moving it sends an update with a higher sequence.
        await using (var db = app.Db())
        {
            var invited = await db.Outbox.CountAsync(m => m.Template == "calendar-invitation");
            Assert.Equal(2 * await InvitedAsync(db), invited);
        }

        var moved = await facilitator.PutAsJsonAsync($"{Events}/{mechelen}", Mechelen("Mechelen, Lamot congress centre"), Api.Json);
        Assert.True(moved.IsSuccessStatusCode, await moved.Content.ReadAsStringAsync());
        Assert.Equal(1, (await facilitator.GetFromJsonAsync<EventView>($"{Events}/{mechelen}", Api.Json))!.Sequence);
        await using (var db = app.Db())
            Assert.Equal(3 * await InvitedAsync(db),
                await db.Outbox.CountAsync(m => m.Template == "calendar-invitation"));

        // Bad input: nothing is written.
        Assert.Equal(["eventEnd"], await FieldsAsync(await facilitator.CommandAsync(Events, Madrid(ends: "2022-11-09T17:00"))));
        Assert.Equal(["raisesEvent"], await FieldsAsync(await facilitator.CommandAsync(Events, Madrid(raises: "academy-done"))));
        Assert.Equal(["hostCity", "kind"], await FieldsAsync(await facilitator.CommandAsync(Events, new
        {
            kind = "party", title = "X", eventStart = "2022-11-10T09:00", eventEnd = "2022-11-10T10:00", hostCity = "madrid",
        })));

        var pair = await PairDriver.ForAsync(app, "fuenlabrada", "livadeia");
        pair.SkippedProgrammeSteps.Add("hold-training-academy");
        await pair.RunUntilOpenAsync("wait-training-academy");
        await using (var db = app.Db())
            Assert.False(await db.ProgrammeEvents.AnyAsync(e => e.Name == "training-academy-held"));

        var held = await facilitator.CommandAsync($"{Events}/{madrid}/held");
        Assert.True(held.IsSuccessStatusCode, await held.Content.ReadAsStringAsync());
        Assert.Equal("training-academy-held", (await held.Content.ReadFromJsonAsync<EventChange>(Api.Json))!.Raised);
        await app.Service<Mentoring.Server.Scheduling.DueWorkProcessor>().DeliverProgrammeEventsAsync(CancellationToken.None);
        var after = await facilitator.PairAsync(pair.GroupId);
        Assert.DoesNotContain(after.OpenItems, i => i.StepId == "wait-training-academy");

        // Held again, or a second academy held: the programme event stays raised once, from Madrid's.
        var again = await facilitator.CommandAsync($"{Events}/{madrid}/held");
        Assert.Null((await again.Content.ReadFromJsonAsync<EventChange>(Api.Json))!.Raised);
        var second = await facilitator.CommandAsync($"{Events}/{mechelen}/held");
        Assert.True(second.IsSuccessStatusCode, await second.Content.ReadAsStringAsync());
        Assert.Null((await second.Content.ReadFromJsonAsync<EventChange>(Api.Json))!.Raised);
        await using (var db = app.Db())
        {
            var raised = await db.ProgrammeEvents.AsNoTracking().SingleAsync(e => e.Name == "training-academy-held");
            Assert.Equal(new DateTimeOffset(2022, 11, 11, 16, 0, 0, TimeSpan.Zero), raised.OccurredAt); // 17:00 in Madrid
        }

        // Attendance per person and city, recorded by the facilitator.
        var list = (await facilitator.GetFromJsonAsync<EventList>(Events, Api.Json))!;
        Guid Person(string name) => list.People.Single(p => p.Name == name).Id;
        var present = new[] { Person("Fuenlabrada coordinator"), Person("Livadeia coordinator"), Person("Migration Work (facilitator)") };
        Assert.True((await facilitator.PutAsJsonAsync($"{Events}/{madrid}/attendance", new { people = present }, Api.Json)).IsSuccessStatusCode);
        var outsider = await AddOtherProgrammeAsync(app);
        Assert.Equal(["people"], await FieldsAsync(await facilitator.PutAsJsonAsync($"{Events}/{madrid}/attendance",
            new { people = new[] { present[0], outsider } }, Api.Json)));
        Assert.True((await facilitator.CommandAsync($"{Events}/{madrid}/materials",
            new { title = "Academy slides", url = "https://example.org/madrid-slides.pdf" })).IsSuccessStatusCode);

        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var read = (await jelgava.GetFromJsonAsync<EventView>($"{Events}/{madrid}", Api.Json))!;
        Assert.Equal(new DateTimeOffset(2022, 11, 10, 9, 0, 0, TimeSpan.FromHours(1)), read.Start);
        Assert.Equal("Europe/Madrid", read.TimeZone);
        Assert.True(read.Held);
        Assert.Equal(new Dictionary<string, int> { ["fuenlabrada"] = 1, ["livadeia"] = 1, ["programme"] = 1 }, read.AttendanceByCity);
        Assert.Equal("Academy slides", Assert.Single(read.Materials).Title);
        var mechelenView = (await jelgava.GetFromJsonAsync<EventView>($"{Events}/{mechelen}", Api.Json))!;
        Assert.Equal(("Europe/Brussels", "Mechelen"), (mechelenView.TimeZone, mechelenView.HostCityName));

        // Coordinators read only; another programme's people are told it is not there.
        Assert.False((await jelgava.GetFromJsonAsync<EventList>(Events, Api.Json))!.MayEdit);
        Assert.Equal(HttpStatusCode.Forbidden, (await jelgava.CommandAsync(Events, Mechelen())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await jelgava.CommandAsync($"{Events}/{mechelen}/held")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await jelgava.PutAsJsonAsync($"{Events}/{madrid}/attendance", new { people = present }, Api.Json)).StatusCode);
        var other = await app.ClientForAsync(OtherFacilitator);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(Events)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"{Events}/{madrid}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.CommandAsync($"{Events}/{madrid}/held")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/programmes/{OtherProgramme}/events/{madrid}")).StatusCode);

        // A material is removed by the facilitator only; through another event or another programme it is not there.
        var slides = Assert.Single(read.Materials).Id;
        Assert.Equal(HttpStatusCode.Forbidden, (await jelgava.DeleteAsync($"{Events}/{madrid}/materials/{slides}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"{Events}/{madrid}/materials/{slides}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/api/programmes/{OtherProgramme}/events/{madrid}/materials/{slides}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await facilitator.DeleteAsync($"{Events}/{mechelen}/materials/{slides}")).StatusCode);
        Assert.Single((await jelgava.GetFromJsonAsync<EventView>($"{Events}/{madrid}", Api.Json))!.Materials);
        Assert.True((await facilitator.DeleteAsync($"{Events}/{madrid}/materials/{slides}")).IsSuccessStatusCode);
        Assert.Empty((await jelgava.GetFromJsonAsync<EventView>($"{Events}/{madrid}", Api.Json))!.Materials);
        Assert.Equal(HttpStatusCode.NotFound, (await facilitator.DeleteAsync($"{Events}/{madrid}/materials/{slides}")).StatusCode);

        // The funder's report and the calendar feed read them.
        using var scope = app.Services.CreateScope();
        await using (var db = app.Db())
        {
            var figures = await scope.ServiceProvider.GetRequiredService<IEventFigures>().ForProgrammeAsync(db, "inclucities", CancellationToken.None);
            Assert.Equal([("Training academy in Madrid", new DateOnly(2022, 11, 10), new DateOnly(2022, 11, 11), true, 3),
                ("Training academy in Mechelen", new DateOnly(2022, 12, 15), new DateOnly(2022, 12, 15), true, 0)],
                figures.Select(f => (f.Title, f.Start, f.End, f.Held, f.Attendees)));
            Assert.Equal(2, await db.Set<ProgrammeMeeting>().CountAsync());
            var reader = await db.People.SingleAsync(p => p.Email == People.Coordinator("jelgava"));
            var source = scope.ServiceProvider.GetServices<ICalendarSource>().Single(s => s.GetType().Name == "EventCalendarSource");
            var entries = await source.EntriesForAsync(db, new CalendarReader(reader.Id, "lv"), CancellationToken.None);
            Assert.Equal([$"event-{madrid}@mentoring", $"event-{mechelen}@mentoring"], entries.Select(e => e.Uid));
            Assert.Equal(new DateTimeOffset(2022, 12, 15, 9, 30, 0, TimeSpan.FromHours(1)), entries[1].Start);
        }
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_cancelled_event_sends_everyone_a_cancellation_and_leaves_the_figures(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var madrid = await IdAsync(await facilitator.CommandAsync(Events, Madrid()));
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        Assert.Equal(HttpStatusCode.Forbidden, (await jelgava.CommandAsync($"{Events}/{madrid}/cancel")).StatusCode);

        Assert.Equal(madrid, await IdAsync(await facilitator.CommandAsync($"{Events}/{madrid}/cancel")));
        Assert.Equal(madrid, await IdAsync(await facilitator.CommandAsync($"{Events}/{madrid}/cancel")));

        await using (var db = app.Db())
        {
            var invited = await InvitedAsync(db);
            var messages = await db.Outbox.AsNoTracking().Where(m => m.Template == "calendar-invitation").ToListAsync();
            // One invitation and one cancellation each, the second cancel sending nothing; calendars match them by UID.
            Assert.Equal(2 * invited, messages.Count);
            var cancellations = messages.Where(m => m.Attachment!.Contains("METHOD:CANCEL")).ToList();
            Assert.Equal(invited, cancellations.Count);
            Assert.All(cancellations, m => Assert.Contains("STATUS:CANCELLED", m.Attachment!));
            Assert.All(cancellations, m => Assert.Contains("SEQUENCE:1", m.Attachment!));
            Assert.All(cancellations, m => Assert.Contains($"UID:event-{madrid}@mentoring", m.Attachment!));
            Assert.Equal("text/calendar; method=CANCEL", cancellations[0].AttachmentType);
        }

        // Nothing more happens to it: not held, not edited, no attendance; the funder's figures leave it out.
        Assert.Equal(HttpStatusCode.Conflict, (await facilitator.CommandAsync($"{Events}/{madrid}/held")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await facilitator.PutAsJsonAsync($"{Events}/{madrid}", Madrid(), Api.Json)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await facilitator.PutAsJsonAsync($"{Events}/{madrid}/attendance", new { people = Array.Empty<Guid>() }, Api.Json)).StatusCode);
        Assert.NotNull((await facilitator.GetFromJsonAsync<EventView>($"{Events}/{madrid}", Api.Json))!.CancelledAt);
        await using var scope = app.Services.CreateAsyncScope();
        await using var read = app.Db();
        Assert.Empty(await scope.ServiceProvider.GetRequiredService<IEventFigures>().ForProgrammeAsync(read, "inclucities", CancellationToken.None));
    }

    private static Task<int> InvitedAsync(MentoringDb db) =>
        (from pp in db.ProgrammePeople join p in db.People on pp.PersonId equals p.Id
         where pp.ProgrammeId == "inclucities" && p.Email != null select p.Id).CountAsync();

    /// <summary>Another programme with its facilitator; answers the facilitator's person id.</summary>
    private static async Task<Guid> AddOtherProgrammeAsync(MentoringApp app)
    {
        await using var db = app.Db();
        var now = app.Clock.GetUtcNow();
        db.Programmes.Add(new ProgrammeRecord { Id = OtherProgramme, Name = "Other network", CreatedAt = now, TimeZone = "Europe/Athens" });
        var facilitator = new Person { Name = "Network facilitator", Email = OtherFacilitator, CurrentProgramme = OtherProgramme, CreatedAt = now };
        db.People.Add(facilitator);
        db.ProgrammePeople.Add(new ProgrammePerson { ProgrammeId = OtherProgramme, PersonId = facilitator.Id, Role = PersonRoles.Facilitator });
        await db.SaveChangesAsync();
        return facilitator.Id;
    }
}
