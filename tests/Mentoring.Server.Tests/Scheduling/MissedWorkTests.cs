using Mentoring.Server.Data;
using Mentoring.Server.Scheduling;
using Mentoring.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Scheduling;

/// <summary>Work whose time came while every node was down: done once when one comes back, not once per period missed.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class MissedWorkTests(DatabaseFixture database)
{
    /// <summary>Monday 2 February 2026, 08:00 in Brussels: the digest's time, four weeks in (the first tasks overdue).</summary>
    private static readonly DateTimeOffset DigestTime = new(2026, 2, 2, 7, 0, 0, TimeSpan.Zero);

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_digest_missed_for_weeks_is_written_once_when_a_node_comes_back(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        app.Clock.Set(DigestTime);
        var job = ActivatorUtilities.CreateInstance<FacilitatorDigestJob>(app.Services);
        await job.RunAsync(CancellationToken.None);
        Assert.Single(await app.MailAsync(null, "facilitator-digest"));

        // Every node down for three weeks and two days, back on a Wednesday: Hangfire makes one run of the missed
        // occurrences and the returning node triggers one.
        app.Clock.Advance(TimeSpan.FromDays(23));
        await job.RunAsync(CancellationToken.None);
        await job.RunAsync(CancellationToken.None);

        var digests = await app.MailAsync(null, "facilitator-digest");
        Assert.Equal(2, digests.Count);
        Assert.Contains("-2026-W09-", digests[1].MessageId); // this week's, not the three missed ones
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_node_that_comes_back_before_the_digest_time_waits_for_it(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        app.Clock.Set(DigestTime - TimeSpan.FromHours(2));
        var job = ActivatorUtilities.CreateInstance<FacilitatorDigestJob>(app.Services);

        await job.RunAsync(CancellationToken.None); // 06:00 in Brussels: last week's is stale, this week's not due
        Assert.Empty(await app.MailAsync(null, "facilitator-digest"));

        app.Clock.Set(DigestTime);
        await job.RunAsync(CancellationToken.None);
        Assert.Single(await app.MailAsync(null, "facilitator-digest"));
    }

    [Fact]
    public async Task On_hangfire_in_memory_a_restarted_node_sends_the_digest_missed_while_it_was_down()
    {
        var app = await StartAsync(database, DatabaseProvider.Sqlite);
        try
        {
            app.Clock.Set(DigestTime);
            await ActivatorUtilities.CreateInstance<FacilitatorDigestJob>(app.Services).RunAsync(CancellationToken.None);
            Assert.Single(await app.MailAsync(null, "facilitator-digest"));
            app.Clock.Advance(TimeSpan.FromDays(23));
        }
        finally
        {
            await app.DisposeAsync(); // down for three weeks: Hangfire.InMemory's schedule goes with the node
        }

        await using var restarted = app.StartAnotherNode(new Dictionary<string, string?> { ["Scheduling:Enabled"] = "true" });
        Assert.True(await HangfireTests.EventuallyAsync(async () => (await restarted.MailAsync(null, "facilitator-digest")).Count >= 2),
            "the restarted node should write the digest it missed");
        await Task.Delay(TimeSpan.FromSeconds(2));
        var digests = await restarted.MailAsync(null, "facilitator-digest");
        Assert.Equal(2, digests.Count);
        Assert.Contains("-2026-W09-", digests[1].MessageId);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_sweep_catches_up_on_weeks_of_due_work_in_one_run(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        app.Clock.Advance(TimeSpan.FromDays(35)); // five weeks with every node down: reminders and escalations fell due

        var processor = app.Service<DueWorkProcessor>();
        var caughtUp = await processor.SweepAsync(CancellationToken.None);

        Assert.True(caughtUp.Nudges > 0, "the sweep should send what fell due while the nodes were down");
        await using (var db = app.Db())
        {
            var now = app.Clock.GetUtcNow();
            Assert.Equal(0, await db.Timers.CountAsync(t => t.DueAt <= now));
        }

        Assert.Equal(0, (await processor.SweepAsync(CancellationToken.None)).Total);
    }
}
