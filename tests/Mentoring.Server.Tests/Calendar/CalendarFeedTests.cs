using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Mentoring.Server.Calendar;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;
using WebClient = Mentoring.Server.Tests.Web.WebClient;

namespace Mentoring.Server.Tests.Calendar;

/// <summary>
/// Private calendar feeds on both databases: a coordinator creates one on /me/calendar (its address shown once), the
/// address answers without a cookie with their open deadlines (all-day, on the due date in their zone) and no other
/// city's, another city's coordinator can neither see nor revoke it, and once revoked (or for a token never issued) it is
/// 404.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class CalendarFeedTests(DatabaseFixture database)
{
    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_feed_carries_the_persons_deadlines_and_no_other_citys_until_it_is_revoked(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var page = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        Assert.Equal(HttpStatusCode.OK, (await page.GetAsync("/me/calendar")).StatusCode);
        Assert.Contains("href=\"/me/calendar\"", page.LastPage);
        var created = await page.PostAsync("/me/calendar?handler=Create", new Dictionary<string, string> { ["name"] = "Outlook" });
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var url = Regex.Match(page.LastPage, "<code id=\"new-feed\">([^<]+)</code>").Groups[1].Value;
        Assert.Matches("/calendar/cal_[A-Za-z0-9_-]+\\.ics$", url);
        var path = new Uri(url).AbsolutePath;
        // Only the hash is stored.
        await using (var db = app.Db())
        {
            var token = path["/calendar/".Length..^".ics".Length];
            var stored = await db.CalendarFeeds.Select(f => f.Hash).ToListAsync();
            Assert.Equal(new[] { Mentoring.Server.Auth.ApiTokenAuthentication.Hash(token) }, stored);
        }

        // What Jelgava's coordinator owns: the open, dated work of its groups assigned to its role there (or both).
        List<Guid> mine, others;
        string zone;
        await using (var db = app.Db())
        {
            var person = await db.People.SingleAsync(p => p.Email == People.Coordinator("jelgava"));
            zone = person.TimeZone;
            var roles = await db.GroupMembers.Where(m => m.CityId == "jelgava").Select(m => new { m.GroupId, m.Role }).ToListAsync();
            var groupIds = roles.Select(r => r.GroupId).ToList();
            var groups = await db.Groups.Select(g => new { g.Id, g.InstanceId }).ToListAsync();
            var open = await db.WorkItems.Where(w => w.Status == WorkItemStatus.Open && w.DueAt != null).ToListAsync();
            mine = open.Where(w => groups.Any(g => g.InstanceId == w.InstanceId && roles.Any(r => r.GroupId == g.Id
                && (w.Assignee == null || w.Assignee == "both" || w.Assignee == r.Role)))).Select(w => w.Id).ToList();
            others = open.Where(w => groups.Any(g => g.InstanceId == w.InstanceId && !groupIds.Contains(g.Id))).Select(w => w.Id).ToList();
        }

        Assert.NotEmpty(mine);
        Assert.NotEmpty(others);
        var anonymous = app.CreateClient();
        var response = await anonymous.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/calendar", response.Content.Headers.ContentType!.MediaType);
        var feed = Ical.Net.Calendar.Load(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("PUBLISH", feed.Method);
        var uids = feed.Events.Select(e => e.Uid).ToHashSet();
        Assert.Equal(mine.Select(id => $"deadline-{id}@mentoring").Order(), uids.Order());
        Assert.DoesNotContain(others, id => uids.Contains($"deadline-{id}@mentoring"));
        await using (var db = app.Db())
        {
            var first = await db.WorkItems.SingleAsync(w => w.Id == mine[0]);
            var e = feed.Events.Single(x => x.Uid == $"deadline-{first.Id}@mentoring");
            Assert.False(e.DtStart!.HasTime);
            var due = TimeZoneInfo.ConvertTime(first.DueAt!.Value, TimeZoneInfo.FindSystemTimeZoneById(zone));
            Assert.Equal(DateOnly.FromDateTime(due.DateTime), e.DtStart.Date);
            Assert.EndsWith($"/tasks/{first.Id}", e.Url!.ToString());
        }

        // Another city's coordinator neither lists nor revokes it; a nameless feed is refused with a problem.
        var livadeia = await app.ClientForAsync(People.Coordinator("livadeia"));
        var feedId = Guid.Parse(Regex.Match(page.LastPage, "name=\"id\" value=\"([^\"]+)\"").Groups[1].Value);
        Assert.Empty((await livadeia.GetFromJsonAsync<List<CalendarFeedView>>("/api/me/calendar-feeds", Api.Json))!);
        var refused = await livadeia.DeleteAsync($"/api/me/calendar-feeds/{feedId}");
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        var nameless = await livadeia.PostAsJsonAsync("/api/me/calendar-feeds", new { name = " " }, Api.Json);
        Assert.Equal(HttpStatusCode.BadRequest, nameless.StatusCode);
        Assert.Equal("application/problem+json", nameless.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(path)).StatusCode);

        // Livadeia's own feed, made over the API, has none of Jelgava's deadlines.
        var own = (await (await livadeia.PostAsJsonAsync("/api/me/calendar-feeds", new { name = "Phone" }, Api.Json))
            .Content.ReadFromJsonAsync<CreatedCalendarFeed>(Api.Json))!;
        var theirs = Ical.Net.Calendar.Load(await anonymous.GetStringAsync(new Uri(own.Url).AbsolutePath))!;
        Assert.DoesNotContain(theirs.Events, e => mine.Any(id => e.Uid == $"deadline-{id}@mentoring"));

        // Revoked on the page: 404, as a token never issued.
        Assert.Equal(HttpStatusCode.Redirect, (await page.PostAsync("/me/calendar?handler=Revoke", new Dictionary<string, string> { ["id"] = feedId.ToString() })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/calendar/cal_never-issued.ics")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await livadeia.DeleteAsync($"/api/me/calendar-feeds/{own.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(new Uri(own.Url).AbsolutePath)).StatusCode);
    }
}
