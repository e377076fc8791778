// The nudge benchmark: how fast due reminders become committed outbox rows, how fast a node with a backlog of
// pending timers is ready, and, as the peer, how fast Hangfire itself runs one-off jobs on the same database.
// Not a test: it prints figures beside their goals. Run it with bench/nudges.sh (a throwaway PostgreSQL, fsync on).
using System.Diagnostics;
using Mentoring.Server.Data;
using Mentoring.Server.Hosting;
using Mentoring.Server.Scheduling;
using Mentoring.Server.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Npgsql;

var connectionString = Environment.GetEnvironmentVariable("MENTORING_BENCH_POSTGRES")
                       ?? "Host=127.0.0.1;Port=5432;Username=postgres;Database=mentoring_bench";
const int Pending = 100_000;
const int DueAtOnce = 10_000;
const int HangfireJobs = 2_000;
const string WalPosition = "SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint";
// `peer` as the first argument runs only the migration host and the peer (section 4), for looking into the peer quickly.
var peerOnly = args is ["peer", ..];

Console.WriteLine($"Nudge benchmark on {new NpgsqlConnectionStringBuilder(connectionString).Host}:{new NpgsqlConnectionStringBuilder(connectionString).Port}");

// 1. A migrated, seeded database (the first start), then the timer backlog: synthetic pair instances cloned
//    from pair 4, each with one open task, and 100,000 reminder timers due a month from now.
await using (var first = Build(connectionString, scheduling: false))
{
    await first.StartAsync();
    await first.StopAsync();
}

double drainSeconds = double.NaN, p50 = double.NaN, p99 = double.NaN, readySeconds = double.NaN;
double productWal = double.NaN, floorSeconds = double.NaN, floorWal = double.NaN;
const int FloorBatch = 50;
var floorClients = 4;
if (!peerOnly)
{
    await using (var connection = new NpgsqlConnection(connectionString))
    {
        await connection.OpenAsync();
        await Exec(connection, """
            CREATE TEMP TABLE template AS SELECT * FROM workflow_instances
                WHERE group_id = (SELECT id FROM "groups" WHERE number = 4);
            INSERT INTO workflow_instances (id, definition_id, definition_version, programme_id, group_id, status, stage_number,
                stage_id, stage_name, next_due_at, state, fault, version, created_at, updated_at)
            SELECT gen_random_uuid(), t.definition_id, t.definition_version, t.programme_id, t.group_id, 'running', t.stage_number,
                t.stage_id, t.stage_name, t.next_due_at, t.state, NULL, 0, now(), now()
            FROM template t, generate_series(1, 2000);
            INSERT INTO work_items (id, instance_id, step_id, activation, kind, title, assignee, stage_id, status, opened_at, due_at)
            SELECT gen_random_uuid(), i.id, 'mentee-needs-self-assessment', 1, 'task', 'Complete the needs self-assessment',
                'mentee', i.stage_id, 'open', now(), now() + interval '60 days'
            FROM workflow_instances i WHERE i.id NOT IN (SELECT instance_id FROM work_items);
            """);
        await Exec(connection, $$"""
            INSERT INTO timers (id, instance_id, step_id, activation, purpose, due_at, data)
            SELECT gen_random_uuid(), w.instance_id, w.step_id, w.activation, 'reminder', now() + interval '30 days',
                '{"role":"mentee","daysBefore":"7"}'
            FROM work_items w, generate_series(1, 50) g
            WHERE w.step_id = 'mentee-needs-self-assessment' AND w.status = 'open'
            LIMIT {{Pending}};
            ANALYZE;
            """);
        Console.WriteLine($"Backlog: {await Scalar(connection, "SELECT count(*) FROM timers")} pending timers");
    }

    // 2. Time to ready with the backlog: host start (migrations checked, Hangfire's schema and server started) to ready.
    await using (var node = Build(connectionString, scheduling: true, sweepInterval: TimeSpan.FromHours(1)))
    {
        var started = Stopwatch.StartNew();
        await node.StartAsync();
        while (!node.Services.GetRequiredService<ReadinessState>().Ready) await Task.Delay(5);
        readySeconds = started.Elapsed.TotalSeconds;
        await node.StopAsync();
    }

    // 3. Drain: 10,000 reminders due at the same instant T, among the 100,000 pending; the sweeper starts at T and
    //    every batch's commit time is recorded, so latency is due time to committed outbox row on the real clock.
    await using (var node = Build(connectionString, scheduling: false))
    {
        await node.StartAsync();
        var due = DateTimeOffset.UtcNow.AddSeconds(5);
        long walBefore;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var update = new NpgsqlCommand($"""
                UPDATE timers SET due_at = @due WHERE id IN (SELECT id FROM timers ORDER BY id LIMIT {DueAtOnce});
                """, connection);
            update.Parameters.AddWithValue("due", due);
            await update.ExecuteNonQueryAsync();
            // The floor below starts from a checkpoint too: both pay the same first-change-after-checkpoint page images.
            await Exec(connection, "CHECKPOINT");
            walBefore = await Scalar(connection, WalPosition);
        }

        var sender = node.Services.GetRequiredService<NudgeSender>();
        var workers = node.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Mentoring.Server.Scheduling.SchedulingOptions>>().Value.NudgeWorkers;
        var latencies = new List<(double Seconds, int Rows)>();
        var wait = due - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            while (await sender.SendBatchAsync(CancellationToken.None) is { Claimed: > 0 } batch)
            {
                var committed = (DateTimeOffset.UtcNow - due).TotalSeconds;
                lock (latencies) latencies.Add((committed, batch.Sent));
            }
        }));
        drainSeconds = clock.Elapsed.TotalSeconds;
        var rows = latencies.OrderBy(l => l.Seconds).SelectMany(l => Enumerable.Repeat(l.Seconds, l.Rows)).ToList();
        if (rows.Count != DueAtOnce) Console.WriteLine($"WARNING: {rows.Count} outbox rows written, expected {DueAtOnce}");
        p50 = rows[(int)(rows.Count * 0.50)];
        p99 = rows[Math.Min(rows.Count - 1, (int)(rows.Count * 0.99))];
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            productWal = (await Scalar(connection, WalPosition) - walBefore) / (double)DueAtOnce;
        }

        floorClients = workers;
        await node.StopAsync();
    }

    // 3b. The floor: the same work in plain SQL on the same cluster, as fast as PostgreSQL does it. Another 10,000 of
    //     the pending timers fall due at once; as many clients as the sweeper has workers each claim 50 due timers
    //     (FOR UPDATE SKIP LOCKED), insert an outbox row for each (the model of a reminder the product just wrote, so
    //     the rows are as large), delete the timers and commit, until none is due. No journal line and no next timer:
    //     what the product does beyond this is its own cost, and the share below says how much of the floor it keeps.
    await using (var connection = new NpgsqlConnection(connectionString))
    {
        await connection.OpenAsync();
        await Exec(connection, $"UPDATE timers SET due_at = now() - interval '1 second' WHERE id IN (SELECT id FROM timers ORDER BY id LIMIT {DueAtOnce})");
        await Exec(connection, "CHECKPOINT");
        string template, language, model;
        await using (var sample = new NpgsqlCommand(
                         "SELECT template, language, model FROM outbox_messages ORDER BY created_at DESC LIMIT 1", connection))
        await using (var reader = await sample.ExecuteReaderAsync())
        {
            if (!await reader.ReadAsync()) throw new InvalidOperationException("The product's drain wrote no outbox row to copy.");
            (template, language, model) = (reader.GetString(0), reader.GetString(1), reader.GetString(2));
        }

        var walBefore = await Scalar(connection, WalPosition);
        var clock = Stopwatch.StartNew();
        var claimed = 0;
        await Task.WhenAll(Enumerable.Range(0, floorClients).Select(async _ =>
        {
            await using var own = new NpgsqlConnection(connectionString);
            await own.OpenAsync();
            while (true)
            {
                await using var transaction = await own.BeginTransactionAsync();
                await using var batch = new NpgsqlCommand($"""
                    WITH claimed AS (
                        SELECT id, instance_id, step_id FROM timers WHERE due_at <= now() ORDER BY due_at LIMIT {FloorBatch}
                        FOR UPDATE SKIP LOCKED),
                    gone AS (DELETE FROM timers t USING claimed c WHERE t.id = c.id RETURNING c.id, c.instance_id),
                    added AS (
                        INSERT INTO outbox_messages (id, message_id, instance_id, template, language, recipient_name, recipient_email,
                            model, status, attempts, next_attempt_at, created_at)
                        SELECT gen_random_uuid(), 'floor-' || g.id, g.instance_id, @template, @language, 'Floor', 'floor@example.org',
                            @model, 'pending', 0, now(), now()
                        FROM gone g
                        RETURNING 1)
                    SELECT count(*) FROM added
                    """, own, transaction);
                batch.Parameters.AddWithValue("template", template);
                batch.Parameters.AddWithValue("language", language);
                batch.Parameters.AddWithValue("model", model);
                var rows = (long)(await batch.ExecuteScalarAsync())!;
                await transaction.CommitAsync();
                if (rows == 0) break;
                Interlocked.Add(ref claimed, (int)rows);
            }
        }));
        floorSeconds = clock.Elapsed.TotalSeconds;
        if (claimed != DueAtOnce) Console.WriteLine($"WARNING: the floor wrote {claimed} outbox rows, expected {DueAtOnce}");
        floorWal = (await Scalar(connection, WalPosition) - walBefore) / (double)Math.Max(1, claimed);
    }
}

// 4. The peer: Hangfire's own one-off jobs on Hangfire.PostgreSql in the same database, with the app's settings (its
//    own schema, 1 s polls, LISTEN/NOTIFY, sliding invisibility), 2,000 due at the same instant, a no-op job, a
//    server with Hangfire's default worker count. What one Hangfire job per reminder would cost.
double hangfirePerSecond;
{
    var options = new PostgreSqlStorageOptions
    {
        SchemaName = "hangfire_bench", PrepareSchemaIfNecessary = true, QueuePollInterval = TimeSpan.FromSeconds(1),
        EnableLongPolling = true, UseSlidingInvisibilityTimeout = true,
    };
    var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
    GlobalConfiguration.Configuration.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
        .UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings();
    var client = new BackgroundJobClient(storage);
    var due = DateTimeOffset.UtcNow;
    for (var i = 0; i < HangfireJobs; i++) client.Schedule(() => NoopJob.Run(), due);
    NoopJob.Done = 0;
    var clock = Stopwatch.StartNew();
    // Hangfire's own activator, not JobActivator.Current: each app host above made that its AspNetCoreJobActivator
    // (AddHangfire sets the process-wide configuration), whose service provider is disposed once the host is, so
    // every job failed with ObjectDisposedException on beginning its scope and went back to Scheduled for a retry.
    var serverOptions = new BackgroundJobServerOptions { SchedulePollingInterval = TimeSpan.FromSeconds(1), Activator = new JobActivator() };
    using (var server = new BackgroundJobServer(serverOptions, storage))
    {
        // At most 5 minutes, and given up after 30 s without one more job done: a peer that stalls says so at once.
        var (lastDone, lastProgress) = (0, TimeSpan.Zero);
        while (Volatile.Read(ref NoopJob.Done) is var done && done < HangfireJobs && clock.Elapsed < TimeSpan.FromMinutes(5)
               && clock.Elapsed - lastProgress < TimeSpan.FromSeconds(30))
        {
            if (done != lastDone) (lastDone, lastProgress) = (done, clock.Elapsed);
            await Task.Delay(10);
        }
        hangfirePerSecond = Volatile.Read(ref NoopJob.Done) / clock.Elapsed.TotalSeconds;
        server.SendStop();
    }
    if (Volatile.Read(ref NoopJob.Done) < HangfireJobs) await ReportPeerJobs(connectionString);
}

var perSecond = DueAtOnce / drainSeconds;
Console.WriteLine();
Console.WriteLine($"{"Figure",-52} {"Measured",12}   {"Goal / peer",-24}");
Console.WriteLine(new string('-', 94));
if (peerOnly)
{
    Row($"Hangfire one-off jobs run per second ({HangfireJobs:N0})", $"{hangfirePerSecond:N0} /s", "peer (issue 7: 92-190 /s)");
    return 0;
}
Row($"Drain {DueAtOnce:N0} due reminders into the outbox", $"{drainSeconds:F2} s", "<= 5 s");
Row("Latency due -> committed outbox row, p50", $"{p50:F2} s", "<= 1 s");
Row("Latency due -> committed outbox row, p99", $"{p99:F2} s", "<= 2 s");
Row("Reminders per second", $"{perSecond:N0} /s", "4,000 /s");
var floorPerSecond = DueAtOnce / floorSeconds;
Row($"Plain-SQL floor per second ({floorClients} clients, {FloorBatch} a batch)", $"{floorPerSecond:N0} /s", "peer (same cluster, same run)");
Row("Reminders per second / the floor", $"{perSecond / floorPerSecond:P0}", $">= 50%  {(perSecond / floorPerSecond >= 0.5 ? "PASS" : "MISS")}");
Row("WAL per reminder: product / floor", $"{productWal / 1024:F1} / {floorWal / 1024:F1} KiB", "info");
Row($"Time to ready with {Pending:N0} pending timers", $"{readySeconds:F2} s", "< 5 s");
Row($"Hangfire one-off jobs run per second ({HangfireJobs:N0})", $"{hangfirePerSecond:N0} /s", "peer (issue 7: 92-190 /s)");
Row("Reminders per second / Hangfire jobs per second", $"{perSecond / hangfirePerSecond:N0}x", ">= 40x");
return 0;

static void Row(string figure, string measured, string goal) => Console.WriteLine($"{figure,-52} {measured,12}   {goal,-24}");

static WebApplication Build(string connectionString, bool scheduling, TimeSpan? sweepInterval = null)
{
    // Not Production: no public address or key certificate to give a throwaway benchmark server.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Benchmark" });
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Database:Provider"] = "Postgres",
        ["Database:ConnectionString"] = connectionString,
        ["Scheduling:Enabled"] = scheduling ? "true" : "false",
        ["Scheduling:SweepInterval"] = (sweepInterval ?? TimeSpan.FromSeconds(5)).ToString(),
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:Mentoring.Server.Scheduling.NudgeSender"] = Environment.GetEnvironmentVariable("MENTORING_BENCH_TRACE") is null ? "Warning" : "Debug",
        ["Urls"] = "http://127.0.0.1:0",
    });
    builder.AddMentoring();
    var app = builder.Build();
    app.UseMentoringWeb().UseMentoring();
    return app;
}

// Where the peer's jobs stand when they did not all run: how many in each state, and the latest failure's reason.
static async Task ReportPeerJobs(string connectionString)
{
    Console.WriteLine($"WARNING: the peer ran {Volatile.Read(ref NoopJob.Done):N0} of {HangfireJobs:N0} jobs. Their states:");
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using (var states = new NpgsqlCommand("SELECT coalesce(statename, '(none)'), count(*) FROM hangfire_bench.job GROUP BY 1 ORDER BY 2 DESC", connection))
    await using (var reader = await states.ExecuteReaderAsync())
        while (await reader.ReadAsync()) Console.WriteLine($"  {reader.GetString(0)}: {reader.GetInt64(1):N0}");
    await using var failure = new NpgsqlCommand("""
        SELECT s.name || ': ' || coalesce(s.reason, '') || E'\n' || coalesce(s.data::text, '') FROM hangfire_bench.state s
        WHERE s.name IN ('Failed', 'Scheduled') AND s.reason IS NOT NULL AND s.reason <> '' ORDER BY s.id DESC LIMIT 1
        """, connection);
    Console.WriteLine($"  latest: {await failure.ExecuteScalarAsync() ?? "no failure recorded"}");
}

static async Task Exec(NpgsqlConnection connection, string sql)
{
    await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
    await command.ExecuteNonQueryAsync();
}

static async Task<long> Scalar(NpgsqlConnection connection, string sql)
{
    await using var command = new NpgsqlCommand(sql, connection);
    return (long)(await command.ExecuteScalarAsync())!;
}

public static class NoopJob
{
    public static int Done;

    public static void Run() => Interlocked.Increment(ref Done);
}
