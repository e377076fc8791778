// The runtime benchmark: durable resumes, starts and loads on PostgreSQL, each beside pgbench on the same cluster
// in the same run. `bash bench/run.sh` provisions the cluster and runs it; see bench/README.md.
using System.Diagnostics;
using System.Globalization;
using Mentoring.Bench;
using Mentoring.Server.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

const int MinimumWarmup = 300;
const int ProfiledStarts = 200;
var builder = Host.CreateApplicationBuilder();
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Database:Provider"] = "Postgres",
    ["Database:ConnectionString"] = options.ConnectionString,
    ["Database:MigrateOnStartup"] = "true",
    ["Database:SeedDemoProgramme"] = "true",
    // The sweeper would compete for the same two cores; nothing falls due during a run anyway.
    ["Scheduling:Enabled"] = "false",
    ["Logging:LogLevel:Default"] = "Warning",
});
builder.AddMentoringData().AddMentoringWorkflows();
builder.Services.AddSingleton<RuntimeWorkloads>();
using var app = builder.Build();
var ct = app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
var total = Stopwatch.StartNew();
var scratch = Directory.CreateTempSubdirectory("mentoring-bench-");
try
{
    Say("migrating and seeding the IncluCities programme");
    var console = Console.Out;
    Console.SetOut(TextWriter.Null); // the seed prints demo sign-in tokens, of no use in a throwaway database
    try
    {
        await app.StartAsync(ct);
    }
    finally
    {
        Console.SetOut(console);
    }

    await using var admin = new NpgsqlConnection(options.ConnectionString);
    await admin.OpenAsync(ct);
    var server = await SettingsAsync(admin, ct);
    var meter = await CpuMeter.ForServerAsync(admin, ct);
    Console.WriteLine($"PostgreSQL {server["server_version"]}: fsync={server["fsync"]} synchronous_commit={server["synchronous_commit"]} " +
                      $"full_page_writes={server["full_page_writes"]} wal_sync_method={server["wal_sync_method"]} " +
                      $"shared_buffers={server["shared_buffers"]}; {Environment.ProcessorCount} cores, load average {LoadAverage()}");
    if (server["fsync"] != "on" || server["synchronous_commit"] != "on")
        Console.WriteLine("WARNING: this cluster does not flush commits (fsync or synchronous_commit off); the goals are about a durable one.");

    var work = app.Services.GetRequiredService<RuntimeWorkloads>();
    var pgbench = new Pgbench(options.Pgbench, options.ConnectionString, scratch.FullName);
    await work.PrepareAsync(ct);
    await Pgbench.CreatePeerTableAsync(options.ConnectionString, ct);
    var pairsNeeded = options.StartWarmup + options.Starts + options.ExtraInstances + ProfiledStarts;
    Say($"adding {pairsNeeded} pair rows (not timed)");
    await work.AddPairsAsync(pairsNeeded, ct);

    Say($"starts: {options.StartWarmup} to warm up, then {options.Starts} timed, {options.StartClients} clients");
    var starts = await MeasuredAsync(
        () => Driver.ForCountAsync(options.StartClients, options.StartWarmup, work.StartOneAsync, ct),
        () => Driver.ForCountAsync(options.StartClients, options.Starts, work.StartOneAsync, ct));

    if (options.ExtraInstances > 0)
    {
        Say($"starting {options.ExtraInstances} more instances for the resumes (not timed)");
        await work.StartInBulkAsync(options.ExtraInstances, ct);
    }

    await work.PlanResumesAsync(ct);
    Say($"{work.ResumesLeft} open tasks lined up for resumes");
    var engineMs = await work.EngineOnlyMsAsync(2_000, ct);

    // Each runtime phase is followed at once by its peer, so both meet the same machine.
    var resumes1 = await ResumePhaseAsync(1);
    var peerWrite1 = await PeerPhaseAsync("write", Pgbench.WriteScript, 1);
    var resumes8 = await ResumePhaseAsync(8);
    var peerWrite8 = await PeerPhaseAsync("write", Pgbench.WriteScript, 8);
    var loads = await RuntimePhaseAsync("loads", 1, work.LoadOneAsync);
    var peerRead1 = await PeerPhaseAsync("read", Pgbench.ReadScript, 1);

    Say($"profile: resumes at 1 client for {options.Profile.TotalSeconds:0} s, counting EF Core's commands (not in the table)");
    // Its own open tasks, as many again as the 1-client phase did in the same time, twice over.
    await TopUpAsync(resumes1.PerSecond, options.Warmup + options.Profile);
    using var profile = new CommandProfile();
    var profiled = await MeasuredAsync(
        () => Driver.ForDurationAsync(1, options.Warmup, work.ResumeOneAsync, ct),
        async () =>
        {
            profile.Start();
            try
            {
                return await Driver.ForDurationAsync(1, options.Profile, work.ResumeOneAsync, ct);
            }
            finally
            {
                profile.Stop();
            }
        });

    Say($"profile: {ProfiledStarts} starts at 1 client, counting EF Core's commands (not in the table)");
    using var startProfile = new CommandProfile();
    var profiledStarts = await MeasuredAsync(() => Task.CompletedTask, async () =>
    {
        startProfile.Start();
        try
        {
            return await Driver.ForCountAsync(1, ProfiledStarts, work.StartOneAsync, ct);
        }
        finally
        {
            startProfile.Stop();
        }
    });

    const string write = "pgbench INSERT+UPDATE";
    Console.WriteLine();
    Console.Write(Report.Table(
    [
        new Row("durable resumes", resumes1, write, peerWrite1, 0.30),
        new Row("durable resumes", resumes8, write, peerWrite8, 0.40),
        new Row($"instance starts ({starts.Operations})", starts, write, options.StartClients == 8 ? peerWrite8 : null, null),
        new Row("instance loads by id", loads, "pgbench SELECT by pk", peerRead1, null),
    ]));
    Console.WriteLine("One resume or start is one transaction with one commit; so is one pgbench write (BEGIN; INSERT; UPDATE; COMMIT).");
    Console.WriteLine($"{options.Measure.TotalSeconds:0} s per phase after {options.Warmup.TotalSeconds:0} s of warm-up (starts: a count); " +
                      "latency of each operation by Stopwatch, p50/p99 by nearest rank; 'info' rows have no goal.");
    Console.WriteLine();
    Console.Write(Report.Costs(
    [
        ("resumes, 1 client", resumes1), ("pgbench write, 1 client", peerWrite1),
        ("resumes, 8 clients", resumes8), ("pgbench write, 8 clients", peerWrite8),
        ($"starts, {options.StartClients} clients", starts), ("loads, 1 client", loads), ("pgbench read, 1 client", peerRead1),
    ]));

    Console.WriteLine();
    Console.Write(Report.Profile("resume", profile, profiled));
    Console.WriteLine($"  The engine alone (state JSON in, run, state JSON out; in memory, 1 thread): {engineMs:0.000} ms per resume.");
    Console.WriteLine();
    Console.Write(Report.Profile("start", startProfile, profiledStarts));
    Console.WriteLine();
    Console.WriteLine($"Done in {total.Elapsed.TotalSeconds:0} s; load average {LoadAverage()}.");

    await app.StopAsync(CancellationToken.None);
    return 0;

    // A resume phase with enough open work for every client until its end: a probe as long as the warm-up says how fast
    // resumes go at this many clients; open tasks for twice that rate over the warm-up and the phase are lined up
    // (untimed) before the phase's checkpoint; then the phase runs as any other.
    async Task<Measurement> ResumePhaseAsync(int clients)
    {
        await TopUpAsync(0, TimeSpan.Zero);
        var probe = await Driver.ForDurationAsync(clients, options.Warmup, work.ResumeOneAsync, ct);
        await TopUpAsync(probe.PerSecond, options.Warmup + options.Measure);
        var measured = await RuntimePhaseAsync("resumes", clients, work.ResumeOneAsync);
        Say($"  operations per client: {string.Join(", ", measured.PerClient)}");
        return measured;
    }

    async Task TopUpAsync(double perSecond, TimeSpan duration)
    {
        var wanted = Math.Max(2 * MinimumWarmup, (int)Math.Ceiling(2 * perSecond * duration.TotalSeconds) + MinimumWarmup);
        if (work.ResumesLeft >= wanted) return;
        Say($"  lining up {wanted} open tasks ({work.ResumesLeft} left): starting {(wanted - work.ResumesLeft + 1) / 2} instances in bulk (not timed)");
        await work.TopUpAsync(wanted, ct);
    }

    async Task<Measurement> RuntimePhaseAsync(string name, int clients, Driver.Operation operation)
    {
        Say($"{name}: {clients} client(s), {options.Warmup.TotalSeconds:0} s warm-up + {options.Measure.TotalSeconds:0} s");
        var measured = await MeasuredAsync(
            async () =>
            {
                // At least a few hundred operations too, so that the JIT has compiled the hot path at full
                // optimisation however slow the first ones are.
                var warm = await Driver.ForDurationAsync(clients, options.Warmup, operation, ct);
                if (warm.Operations < MinimumWarmup) await Driver.ForCountAsync(clients, MinimumWarmup - warm.Operations, operation, ct);
            },
            () => Driver.ForDurationAsync(clients, options.Measure, operation, ct));
        if (measured.RanOut) Say("  ran out of open tasks before the end: raise --extra-instances");
        return measured;
    }

    async Task<Measurement> PeerPhaseAsync(string name, string script, int clients)
    {
        Say($"pgbench {name}: {clients} client(s), {options.Warmup.TotalSeconds:0} s warm-up + {options.Measure.TotalSeconds:0} s");
        return await MeasuredAsync(
            () => pgbench.RunAsync($"{name}-warmup", script, clients, options.Warmup, ct),
            () => pgbench.RunAsync(name, script, clients, options.Measure, ct));
    }

    // Every phase starts with a checkpoint, so each meets the same state and none inherits a checkpoint another left
    // due. The first change to a page after a checkpoint writes the whole page to the WAL; the warm-up takes that
    // burst on the pages every operation shares (index roots, table tails), and the measured part pays only for
    // the pages its own operations touch first, as a server does between its checkpoints.
    async Task<Measurement> MeasuredAsync(Func<Task> warmup, Func<Task<Measurement>> phase)
    {
        await CheckpointAsync(admin, ct);
        await warmup();
        var wal = await WalPositionAsync(admin, ct);
        var cpu = meter.Take();
        var measured = await phase();
        measured = measured with
        {
            Cpu = CpuMeter.Between(cpu, meter.Take()),
            WalBytesPerOperation = (await WalPositionAsync(admin, ct) - wal) / (double)Math.Max(1, measured.Operations),
        };
        Say($"  {measured.PerSecond:0.0}/s, p50 {measured.P50Ms:0.00} ms, p99 {measured.P99Ms:0.00} ms; " +
            $"{measured.WalBytesPerOperation / 1024:0.0} KiB WAL each; other processes used {measured.Cpu.OtherShare:0%} of the machine");
        return measured;
    }
}
finally
{
    scratch.Delete(recursive: true);
}

static async Task CheckpointAsync(NpgsqlConnection connection, CancellationToken ct)
{
    await using var command = new NpgsqlCommand("CHECKPOINT", connection);
    try
    {
        await command.ExecuteNonQueryAsync(ct);
    }
    catch (PostgresException e) when (e.SqlState == "42501")
    {
        // Not a superuser (a server given through MENTORING_BENCH_POSTGRES): go on without.
    }
}

static async Task<long> WalPositionAsync(NpgsqlConnection connection, CancellationToken ct)
{
    await using var command = new NpgsqlCommand("SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint", connection);
    return (long)(await command.ExecuteScalarAsync(ct))!;
}

static async Task<Dictionary<string, string>> SettingsAsync(NpgsqlConnection connection, CancellationToken ct)
{
    var settings = new Dictionary<string, string>();
    foreach (var name in new[] { "server_version", "fsync", "synchronous_commit", "full_page_writes", "wal_sync_method", "shared_buffers" })
    {
        await using var command = new NpgsqlCommand($"SHOW {name}", connection);
        settings[name] = (string)(await command.ExecuteScalarAsync(ct))!;
    }

    return settings;
}

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

static void Say(string message) => Console.WriteLine($"==> {message}");
