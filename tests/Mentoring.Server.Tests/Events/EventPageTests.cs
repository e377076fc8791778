using System.Net;
using Mentoring.Server.Data;
using Mentoring.Server.Events;
using Mentoring.Server.Tests.Infrastructure;
using WebClient = Mentoring.Server.Tests.Web.WebClient;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Events;

/// <summary>The events pages: the facilitator announces the Madrid academy from the form (an end before the start is
/// refused on the page, writing nothing), marks it held and records attendance; a coordinator reads without the forms;
/// another programme's facilitator gets 404.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class EventPageTests(DatabaseFixture database)
{
    private const string Page = "/programmes/inclucities/events";

    private static Dictionary<string, string> Form(string key, string ends) => new()
    {
        ["key"] = key, ["kind"] = "training-academy", ["title"] = "Training academy in Madrid", ["eventStart"] = "2022-11-10T09:00",
        ["eventEnd"] = ends, ["timeZone"] = "Europe/Madrid", ["eventVenue"] = "Madrid", ["eventAgenda"] = "Transfer of practices.",
        ["raisesEvent"] = "training-academy-held", ["hostCity"] = "", ["url"] = "",
    };

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_facilitator_announces_holds_and_records_an_event_and_a_coordinator_reads_it(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);
        Assert.Equal(HttpStatusCode.OK, (await facilitator.GetAsync(Page)).StatusCode);
        Assert.Contains("No event has been announced yet.", facilitator.LastPage);
        Assert.Contains($"href=\"{Page}\"", facilitator.LastPage); // the nav

        var refused = await facilitator.PostAsync(Page, Form(facilitator.Hidden("key"), "2022-11-09T17:00"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("The event must end after it starts.", WebClient.Alert(facilitator.LastPage));
        await using (var db = app.Db()) Assert.Equal(0, await db.Set<ProgrammeMeeting>().CountAsync());

        var created = await facilitator.PostAsync(Page, Form(facilitator.Hidden("key"), "2022-11-11T17:00"));
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var eventPage = created.Headers.Location!.ToString();
        Assert.StartsWith(Page + "/", eventPage);
        await facilitator.GetAsync(eventPage);
        Assert.Contains("2022-11-10 09:00 (Europe/Madrid)", facilitator.LastPage);
        var held = await facilitator.PostAsync(eventPage + "?handler=Held", new Dictionary<string, string> { ["key"] = facilitator.Hidden("key") });
        Assert.Equal(HttpStatusCode.Redirect, held.StatusCode);
        await facilitator.GetAsync(eventPage);
        var jelgavaId = System.Text.RegularExpressions.Regex.Match(facilitator.LastPage, "id=\"attended-([0-9a-f-]+)\"[^>]*>\\s*<label[^>]*>Jelgava coordinator").Groups[1].Value;
        var attendance = await facilitator.PostAsync(eventPage + "?handler=Attendance",
            new Dictionary<string, string> { ["key"] = facilitator.Hidden("key"), ["people"] = jelgavaId });
        Assert.Equal(HttpStatusCode.Redirect, attendance.StatusCode);
        await using (var db = app.Db())
        {
            Assert.Equal("jelgava", (await db.Set<ProgrammeMeetingAttendance>().SingleAsync()).CityId);
            Assert.True(await db.ProgrammeEvents.AnyAsync(e => e.Name == "training-academy-held"));
        }

        // A second one, called off on its page: it says so, and offers nothing more to do.
        await facilitator.GetAsync(Page);
        var second = (await facilitator.PostAsync(Page, Form(facilitator.Hidden("key"), "2022-11-11T17:00"))).Headers.Location!.ToString();
        await facilitator.GetAsync(second);
        var cancelled = await facilitator.PostAsync(second + "?handler=Cancel", new Dictionary<string, string> { ["key"] = facilitator.Hidden("key") });
        Assert.True(cancelled.StatusCode == HttpStatusCode.Redirect, WebClient.Alert(facilitator.LastPage));
        await facilitator.GetAsync(second);
        Assert.Contains("Event cancelled", facilitator.LastPage);
        Assert.DoesNotContain("Mark the event as held", facilitator.LastPage);

        var jelgava = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        Assert.Equal(HttpStatusCode.OK, (await jelgava.GetAsync(Page)).StatusCode);
        Assert.Contains("Training academy in Madrid", jelgava.LastPage);
        Assert.DoesNotContain("Announce an event", jelgava.LastPage);
        Assert.Equal(HttpStatusCode.OK, (await jelgava.GetAsync(eventPage)).StatusCode);
        Assert.Contains("Jelgava coordinator", jelgava.LastPage);
        Assert.DoesNotContain("Mark the event as held", jelgava.LastPage);
        var forbidden = await jelgava.PostAsync(eventPage + "?handler=Held", new Dictionary<string, string> { ["key"] = "k" });
        Assert.Equal(HttpStatusCode.Redirect, forbidden.StatusCode);
        Assert.StartsWith("/forbidden", forbidden.Headers.Location?.OriginalString.Replace("http://localhost", ""));

        await using (var db = app.Db())
        {
            var now = app.Clock.GetUtcNow();
            db.Programmes.Add(new Mentoring.Server.Programme.ProgrammeRecord { Id = "other-network", Name = "Other network", CreatedAt = now });
            var other = new Mentoring.Server.Programme.Person { Name = "Network facilitator", Email = "facilitator@other-network.example", CurrentProgramme = "other-network", CreatedAt = now };
            db.People.Add(other);
            db.ProgrammePeople.Add(new Mentoring.Server.Programme.ProgrammePerson { ProgrammeId = "other-network", PersonId = other.Id, Role = "facilitator" });
            await db.SaveChangesAsync();
        }

        var outsider = await WebClient.SignedInAsync(app, "facilitator@other-network.example");
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.GetAsync(Page)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.GetAsync(eventPage)).StatusCode);
    }
}
