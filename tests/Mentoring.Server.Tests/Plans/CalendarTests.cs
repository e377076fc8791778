using System.Net;
using System.Net.Http.Json;
using Mentoring.Server.Data;
using Mentoring.Server.Plans;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Tests.Scheduling;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Plans;

[Collection(DatabaseCollection.Name)]
public sealed class CalendarTests(DatabaseFixture database)
{
    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_reminder_due_on_a_holiday_in_the_recipients_city_goes_out_on_the_next_working_day_there(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var pair = await app.PairAsync(4);
        // Monday 19 January: the seven-day reminders of both cities' first tasks. A holiday in Jelgava only, entered
        // after those reminders were planned.
        Assert.Equal(HttpStatusCode.OK, (await facilitator.CommandAsync("/api/calendar/days-off",
            new { cityId = "jelgava", date = new DateOnly(2026, 1, 19), reason = "Municipal holiday" })).StatusCode);

        await app.RunUntilAsync(new DateTimeOffset(2026, 1, 19, 12, 0, 0, TimeSpan.Zero));
        var reminders = await app.MailAsync(pair.InstanceId, "task-reminder");
        Assert.Single(reminders, m => m.RecipientEmail == People.Coordinator("schaerbeek"));
        Assert.DoesNotContain(reminders, m => m.RecipientEmail == People.Coordinator("jelgava"));

        await app.RunUntilAsync(new DateTimeOffset(2026, 1, 20, 12, 0, 0, TimeSpan.Zero));
        var jelgava = Assert.Single(await app.MailAsync(pair.InstanceId, "task-reminder"), m => m.RecipientEmail == People.Coordinator("jelgava"));
        Assert.Equal(new DateTime(2026, 1, 20, 9, 0, 0), jelgava.CreatedAt.Local("Europe/Riga").DateTime);
    }

    [Fact]
    public async Task August_off_and_days_off_are_kept_once_each_and_a_new_plan_avoids_them()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var day = new { date = new DateOnly(2026, 12, 24), reason = "Christmas Eve" };

        Assert.Equal(HttpStatusCode.OK, (await facilitator.CommandAsync("/api/calendar/days-off", day)).StatusCode);
        var again = await facilitator.CommandAsync("/api/calendar/days-off", day);
        var calendar = (await again.Content.ReadFromJsonAsync<CalendarView>(Api.Json))!;
        var christmas = Assert.Single(calendar.Programme.DaysOff);
        Assert.Equal(HttpStatusCode.BadRequest,
            (await facilitator.CommandAsync("/api/calendar/days-off", new { cityId = "atlantis", date = new DateOnly(2026, 5, 1) })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await facilitator.CommandAsync("/api/calendar/days-off", new { cityId = "jelgava" })).StatusCode);

        var august = await facilitator.CommandAsync("/api/calendar/august-off", new { cityId = "capaci", off = true });
        calendar = (await august.Content.ReadFromJsonAsync<CalendarView>(Api.Json))!;
        Assert.True(calendar.Cities.Single(c => c.CityId == "capaci").AugustOff);
        Assert.False(calendar.Programme.AugustOff);

        // A plan moved to 1 September: the reminders that would fall in Capaci's August off wait for its first working day after.
        var pair = await app.PairAsync(2);
        var due = await app.OpenDueAsync(pair.InstanceId);
        Assert.Equal(HttpStatusCode.OK, (await facilitator.CommandAsync($"/api/pairs/{pair.Id}/plan/shift",
            new { toDate = new DateOnly(2026, 9, 1), reason = "Summer" })).StatusCode);
        foreach (var timer in await app.TimersAsync(pair.InstanceId, "mentee-needs-self-assessment"))
            Assert.NotEqual(8, timer.DueAt.Local("Europe/Rome").Month);
        Assert.Contains(await app.TimersAsync(pair.InstanceId, "mentor-strengths-on-theme"), t => t.DueAt.Local("Europe/Brussels").Month == 8);
        Assert.NotEqual(due, await app.OpenDueAsync(pair.InstanceId));

        Assert.Equal(HttpStatusCode.OK, (await facilitator.DeleteAsync($"/api/calendar/days-off/{christmas.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await facilitator.DeleteAsync($"/api/calendar/days-off/{christmas.Id}")).StatusCode);
        var off = await facilitator.CommandAsync("/api/calendar/august-off", new { cityId = "capaci", off = false });
        Assert.False((await off.Content.ReadFromJsonAsync<CalendarView>(Api.Json))!.Cities.Single(c => c.CityId == "capaci").AugustOff);
    }
}
