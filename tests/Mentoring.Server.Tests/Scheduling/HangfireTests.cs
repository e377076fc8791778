using System.Net;
using Hangfire;
using Mentoring.Server.Data;
using Mentoring.Server.Scheduling;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Scheduling;

/// <summary>Hangfire running the recurring work by itself, on Hangfire.InMemory (SQLite) and Hangfire.PostgreSql.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class HangfireTests(DatabaseFixture database)
{
    private static readonly Dictionary<string, string?> Scheduling = new()
    {
        ["Scheduling:Enabled"] = "true",
        ["Scheduling:SweepInterval"] = "00:00:01",
        ["Scheduling:DispatchInterval"] = "00:00:01",
    };

    /// <summary>Hangfire runs on real time: the one place these tests wait, polling, for something to happen by itself.</summary>
    internal static void RealClock(IServiceCollection services)
    {
        services.RemoveAll<TimeProvider>();
        services.AddSingleton(TimeProvider.System);
    }

    internal static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return true;
            await Task.Delay(200);
        }

        return await condition();
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Hangfire_fires_the_sweep_by_itself_and_a_due_resume_timer_is_consumed(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider, Scheduling, services: RealClock);
        var pair = await app.PairAsync(4);
        var resume = new TimerRecord
        {
            // A resume timer for a step that is no timer: the engine rejects it and the sweep drops it. Either way it
            // is gone only if the sweep job ran.
            InstanceId = pair.InstanceId, StepId = "approve-matching", Activation = 1, Purpose = "resume",
            DueAt = DateTimeOffset.UtcNow,
        };
        await using (var db = app.Db())
        {
            db.Timers.Add(resume);
            db.Timers.Add(new TimerRecord
            {
                InstanceId = pair.InstanceId, StepId = "mentee-needs-self-assessment", Activation = 1, Purpose = "reminder",
                DueAt = DateTimeOffset.UtcNow, Data = """{"role":"mentee","daysBefore":"7"}""",
            });
            await db.SaveChangesAsync();
        }

        Assert.True(await EventuallyAsync(async () =>
        {
            await using var db = app.Db();
            return !await db.Timers.AnyAsync(t => t.Id == resume.Id)
                   && await db.Outbox.AnyAsync(m => m.InstanceId == pair.InstanceId && m.Template == "task-reminder");
        }), "the sweep job did not consume the resume timer and send the due reminder within 30 s");
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Hangfire_sends_the_outbox_by_itself(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider, Scheduling, services: RealClock);
        var pair = await app.PairAsync(4);
        var message = new Mentoring.Server.Email.OutboxMessage
        {
            MessageId = $"<hangfire-{Guid.NewGuid():N}@mentoring.test>", InstanceId = pair.InstanceId, Template = "stage-started",
            Language = "lv", RecipientName = "Jelgava coordinator", RecipientEmail = "jelgava@inclucities.example",
            Model = app.Service<Engine.Templates.TemplateCatalog>().Sample("stage-started").ToJsonString(),
            Status = Mentoring.Server.Email.OutboxStatus.Pending, NextAttemptAt = DateTimeOffset.UtcNow, CreatedAt = DateTimeOffset.UtcNow,
        };
        await using (var db = app.Db())
        {
            db.Outbox.Add(message);
            await db.SaveChangesAsync();
        }

        Assert.True(await EventuallyAsync(async () =>
        {
            await using var db = app.Db();
            return await db.Outbox.Where(m => m.Id == message.Id).Select(m => m.Status).SingleAsync() == Mentoring.Server.Email.OutboxStatus.Sent;
        }), "the dispatch job did not send the message within 30 s");
        var written = Directory.GetFiles(app.Setting("Email:PickupDirectory"), "*.eml");
        Assert.Contains(written, file => File.ReadAllText(file).Contains(message.MessageId));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_commit_that_makes_work_due_wakes_the_sweep_before_its_interval(DatabaseProvider provider)
    {
        // The sweep's own interval is an hour: only the commit's wake-up can make it run within the test.
        var settings = new Dictionary<string, string?>(Scheduling) { ["Scheduling:SweepInterval"] = "01:00:00" };
        await using var app = await StartAsync(database, provider, settings, services: RealClock);
        var pair = await app.PairAsync(4);
        var resume = new TimerRecord
        {
            InstanceId = pair.InstanceId, StepId = "approve-matching", Activation = 1, Purpose = "resume", DueAt = DateTimeOffset.UtcNow,
        };
        await using (var db = app.Db())
        {
            db.Timers.Add(resume);
            await db.SaveChangesAsync();
        }

        app.Service<DueWorkSignal>().Wake(); // what WorkflowHost does after a commit that set a timer

        Assert.True(await EventuallyAsync(async () =>
        {
            await using var db = app.Db();
            return !await db.Timers.AnyAsync(t => t.Id == resume.Id);
        }, seconds: 15), "the woken sweep did not consume the due timer");
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Ready_reports_the_hangfire_server(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider, Scheduling, services: RealClock);
        var client = app.CreateClient();
        Assert.True(await EventuallyAsync(async () => (await client.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK),
            "not ready although the Hangfire server runs");

        await app.Service<MentoringJobServer>().StopAsync(CancellationToken.None);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task Two_nodes_on_postgres_run_each_recurring_job_once_per_period()
    {
        // No wake-ups within the test: every sweep job is one the recurring scheduler made for an occurrence.
        var settings = new Dictionary<string, string?>(Scheduling) { ["Scheduling:WakeDebounce"] = "01:00:00" };
        await using var app = await StartAsync(database, DatabaseProvider.Postgres, settings, services: RealClock);
        await using var other = app.StartAnotherNode();
        string[] names = [app.Service<MentoringJobServer>().Name, other.Service<MentoringJobServer>().Name];
        Assert.NotEqual(names[0], names[1]);

        // Both check in to the one storage and are ready.
        Assert.True(await EventuallyAsync(() => Task.FromResult(names.All(name =>
            app.Service<JobStorage>().GetMonitoringApi().Servers().Any(s => s.Name.StartsWith(name, StringComparison.Ordinal))))),
            "both Hangfire servers should check in to the shared storage");
        Assert.Equal(HttpStatusCode.OK, (await other.CreateClient().GetAsync("/health/ready")).StatusCode);

        // Every second, for a few seconds, each node's scheduler looks at the one-second jobs: one job per occurrence.
        Assert.True(await EventuallyAsync(async () => (await OccurrencesAsync(app, SweepDueWorkJob.Id)).Distinct().Count() >= 6),
            "the sweep should run every second");
        foreach (var job in new[] { SweepDueWorkJob.Id, DispatchOutboxJob.Id })
        {
            var occurrences = await OccurrencesAsync(app, job);
            Assert.NotEmpty(occurrences);
            var twice = occurrences.GroupBy(o => o).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(twice.Count == 0, $"{job}: occurrences run more than once: {string.Join(", ", twice)}");
        }
    }

    /// <summary>The occurrence (Unix time) each job the recurring job made stands for, one entry per job.</summary>
    private static async Task<List<long>> OccurrencesAsync(MentoringApp app, string recurringJobId)
    {
        await using var db = app.Db();
        return await db.Database.SqlQueryRaw<long>("""
            SELECT CAST(t.value AS bigint) AS "Value"
            FROM hangfire.jobparameter r JOIN hangfire.jobparameter t ON t.jobid = r.jobid AND t.name = 'Time'
            WHERE r.name = 'RecurringJobId' AND r.value = {0}
            """, $"\"{recurringJobId}\"").ToListAsync();
    }
}
