using System.Net;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Tests.Scheduling;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Plans;

[Collection(DatabaseCollection.Name)]
public sealed class PauseTests(DatabaseFixture database)
{
    private static readonly string[] NudgeTemplates = ["task-reminder", "task-due-today", "task-overdue"];

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task No_nudge_goes_out_while_the_programme_is_paused_and_resuming_moves_everything_on_so_no_escalation_storm_follows(
        DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var pair = await app.PairAsync(4);
        var programme = await app.ProgrammeInstanceAsync();
        var due = await app.OpenDueAsync(pair.InstanceId);
        var timers = await app.TimersAsync(pair.InstanceId);

        Assert.Equal(HttpStatusCode.OK,
            (await facilitator.CommandAsync("/api/programme/pause", new { reason = "COVID-19: the city halls are closed." })).StatusCode);
        // Six weeks: every reminder, due-date mail and escalation of the first step fell due meanwhile.
        app.Clock.Advance(TimeSpan.FromDays(42));
        await app.SweepAsync();
        Assert.Empty(await app.MailAsync(null, NudgeTemplates));
        Assert.Equal(timers.Moments(), (await app.TimersAsync(pair.InstanceId)).Moments());

        var resume = await facilitator.CommandAsync("/api/programme/resume", new { });
        Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        Assert.Equal(42, (await resume.ProblemAsync()).GetProperty("movedDays").GetInt32());
        await app.SweepAsync();

        Assert.Empty(await app.MailAsync(null, NudgeTemplates));
        Assert.Equal(due.Plus(42), await app.OpenDueAsync(pair.InstanceId));
        Assert.Equal(timers.Moments(42), (await app.TimersAsync(pair.InstanceId)).Moments());
        for (var number = 1; number <= 4; number++)
        {
            var instance = (await app.PairAsync(number)).InstanceId;
            Assert.Single(await app.JournalAsync(instance, "programme-paused"));
            Assert.Single(await app.JournalAsync(instance, "programme-resumed"));
        }

        Assert.Single(await app.JournalAsync(programme, "programme-resumed"));

        // The first reminder comes seven days before the moved due date, as it would have before the pause.
        await app.RunUntilAsync(timers.Min(t => t.DueAt).AddDays(42).AddMinutes(1));
        Assert.NotEmpty(await app.MailAsync(pair.InstanceId, "task-reminder"));
        Assert.Empty(await app.MailAsync(pair.InstanceId, "task-overdue"));
    }

    [Fact]
    public async Task Two_facilitators_pausing_at_once_on_two_nodes_make_one_pause()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Postgres);
        await using var other = app.StartAnotherNode();
        var first = await app.ClientForAsync(People.Facilitator);
        var second = await other.ClientForAsync(People.Facilitator);

        var responses = await Task.WhenAll(first.CommandAsync("/api/programme/pause", new { reason = "Elections" }),
            second.CommandAsync("/api/programme/pause", new { reason = "Summer" }));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], responses.Select(r => r.StatusCode).Order());
        Assert.Single(await app.PausesAsync());
        for (var number = 1; number <= 4; number++)
            Assert.Single(await app.JournalAsync((await app.PairAsync(number)).InstanceId, "programme-paused"));
    }

    [Fact]
    public async Task Resuming_without_moving_keeps_the_dates_and_a_second_pause_or_resume_is_refused()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var pair = await app.PairAsync(4);
        var due = await app.OpenDueAsync(pair.InstanceId);

        Assert.Equal(HttpStatusCode.BadRequest, (await facilitator.CommandAsync("/api/programme/pause", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await facilitator.CommandAsync("/api/programme/resume", new { })).StatusCode);
        var key = Guid.NewGuid().ToString();
        Assert.Equal(HttpStatusCode.OK, (await facilitator.CommandAsync("/api/programme/pause", new { reason = "Elections" }, key)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await facilitator.CommandAsync("/api/programme/pause", new { reason = "Elections" }, key)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await facilitator.CommandAsync("/api/programme/pause", new { reason = "Again" })).StatusCode);
        Assert.Single(await app.PausesAsync());

        app.Clock.Advance(TimeSpan.FromDays(10));
        var resume = await facilitator.CommandAsync("/api/programme/resume", new { moveDueDates = false, reason = "Only a week of campaigning" });
        Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        Assert.Equal(0, (await resume.ProblemAsync()).GetProperty("movedDays").GetInt32());
        Assert.Equal(due, await app.OpenDueAsync(pair.InstanceId));
        var state = await facilitator.GetAsync("/api/programme/pause");
        Assert.Contains("Elections", await state.Content.ReadAsStringAsync());
    }
}
