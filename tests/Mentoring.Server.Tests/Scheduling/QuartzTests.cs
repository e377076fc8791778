using System.Data.Common;
using Mentoring.Server.Data;
using Mentoring.Server.Scheduling;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Scheduling;

[Collection(DatabaseCollection.Name)]
public sealed class QuartzTests(DatabaseFixture database)
{
    private static readonly Dictionary<string, string?> Scheduling = new()
    {
        ["Scheduling:Enabled"] = "true",
        ["Scheduling:SweepInterval"] = "00:00:01",
    };

    /// <summary>Quartz runs on real time: the one place these tests wait, polling, for something to happen by itself.</summary>
    private static void RealClock(IServiceCollection services)
    {
        services.RemoveAll<TimeProvider>();
        services.AddSingleton(TimeProvider.System);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_migration_creates_the_quartz_tables(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);

        await using var db = app.Db();
        var tables = await TablesAsync(db);
        Assert.Subset(tables, new HashSet<string>
        {
            "qrtz_job_details", "qrtz_triggers", "qrtz_simple_triggers", "qrtz_cron_triggers", "qrtz_simprop_triggers",
            "qrtz_blob_triggers", "qrtz_calendars", "qrtz_paused_trigger_grps", "qrtz_fired_triggers", "qrtz_scheduler_state",
            "qrtz_locks",
        });
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Quartz_fires_the_sweep_by_itself_and_a_due_resume_timer_is_consumed(DatabaseProvider provider)
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

        var deadline = DateTime.UtcNow.AddSeconds(30);
        bool gone, reminded;
        do
        {
            await Task.Delay(200);
            await using var db = app.Db();
            gone = !await db.Timers.AnyAsync(t => t.Id == resume.Id);
            reminded = await db.Outbox.AnyAsync(m => m.InstanceId == pair.InstanceId && m.Template == "task-reminder");
        } while (!(gone && reminded) && DateTime.UtcNow < deadline);

        Assert.True(gone, "the sweep job did not consume the resume timer within 30 s");
        Assert.True(reminded, "the sweep job did not send the due reminder within 30 s");
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Quartz_sends_the_outbox_by_itself(DatabaseProvider provider)
    {
        var settings = new Dictionary<string, string?>(Scheduling) { ["Scheduling:DispatchInterval"] = "00:00:01" };
        await using var app = await StartAsync(database, provider, settings, services: RealClock);
        var pair = await app.PairAsync(4);
        var message = new Mentoring.Server.Email.OutboxMessage
        {
            MessageId = $"<quartz-{Guid.NewGuid():N}@mentoring.test>", InstanceId = pair.InstanceId, Template = "stage-started",
            Language = "lv", RecipientName = "Jelgava coordinator", RecipientEmail = "jelgava@inclucities.example",
            Model = app.Service<Engine.Templates.TemplateCatalog>().Sample("stage-started").ToJsonString(),
            Status = Mentoring.Server.Email.OutboxStatus.Pending, NextAttemptAt = DateTimeOffset.UtcNow, CreatedAt = DateTimeOffset.UtcNow,
        };
        await using (var db = app.Db())
        {
            db.Outbox.Add(message);
            await db.SaveChangesAsync();
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        string status;
        do
        {
            await Task.Delay(200);
            await using var db = app.Db();
            status = await db.Outbox.Where(m => m.Id == message.Id).Select(m => m.Status).SingleAsync();
        } while (status != Mentoring.Server.Email.OutboxStatus.Sent && DateTime.UtcNow < deadline);

        Assert.Equal(Mentoring.Server.Email.OutboxStatus.Sent, status);
        var written = Directory.GetFiles(app.Setting("Email:PickupDirectory"), "*.eml");
        Assert.Contains(written, file => File.ReadAllText(file).Contains(message.MessageId));
    }

    [Fact]
    public async Task Two_nodes_on_postgres_share_one_quartz_cluster()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Postgres, Scheduling, services: RealClock);
        await using var other = app.StartAnotherNode();

        string[] ids =
        [
            await app.Service<MentoringScheduler>().Scheduler!.GetSchedulerInstanceId(),
            await other.Service<MentoringScheduler>().Scheduler!.GetSchedulerInstanceId(),
        ];
        Assert.NotEqual(ids[0], ids[1]); // auto instance ids
        Assert.Equal(System.Net.HttpStatusCode.OK, (await other.CreateClient().GetAsync("/health/ready")).StatusCode);

        // Both check in to the one cluster. (A node of an earlier test may linger in the table until it is
        // recognised as gone, so the assertion is about these two, not about the row count.)
        var deadline = DateTime.UtcNow.AddSeconds(30);
        List<string> nodes;
        do
        {
            await Task.Delay(200);
            await using var db = app.Db();
            nodes = await db.Database.SqlQueryRaw<string>("SELECT instance_name AS \"Value\" FROM qrtz_scheduler_state").ToListAsync();
        } while (!ids.All(nodes.Contains) && DateTime.UtcNow < deadline);

        Assert.Subset(nodes.ToHashSet(), ids.ToHashSet());
    }

    private static async Task<HashSet<string>> TablesAsync(MentoringDb db)
    {
        var sql = db.IsSqlite
            ? "SELECT lower(name) FROM sqlite_master WHERE type = 'table'"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'";
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        var tables = new HashSet<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        return tables;
    }
}
