using System.Diagnostics;
using System.Security.Claims;
using Mentoring.Bench.Web;
using Mentoring.Server.Accounts;
using Mentoring.Server.Auth;
using Mentoring.Server.Dashboard;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Hosting;
using Mentoring.Server.Programme;
using Mentoring.Server.Web;
using Microsoft.EntityFrameworkCore;
using Npgsql;

// The facilitator dashboard and CSV export on 10,000 pairs: server time of the code the page calls, beside the same
// SQL sent raw through Npgsql. Run through bench/web.sh, which provisions the database. See README.md.
var options = BenchArgs.Parse(args);
var connectionString = Environment.GetEnvironmentVariable("MENTORING_BENCH_POSTGRES")
    ?? throw new InvalidOperationException("Set MENTORING_BENCH_POSTGRES (bench/web.sh does).");

// The server's own services on the database, built as Program.cs builds them, without the web server.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Database:Provider"] = "Postgres", ["Database:ConnectionString"] = connectionString, ["Scheduling:Enabled"] = "false",
    ["Logging:LogLevel:Default"] = "Warning",
});
builder.AddMentoringData().AddMentoringWorkflows().AddMentoringApi().AddMentoringEmail().AddMentoringWeb().AddAccounts();
await using var app = builder.Build();
await app.Services.GetServices<IHostedService>().OfType<StartupTasks>().Single().StartAsync(CancellationToken.None);

var clock = app.Services.GetRequiredService<TimeProvider>();
var dbs = app.Services.GetRequiredService<IDbContextFactory<MentoringDb>>();
var definitions = app.Services.GetRequiredService<Mentoring.Server.Workflows.DefinitionStore>().Catalog;
var texts = app.Services.GetRequiredService<Texts>();
await using var data = NpgsqlDataSource.Create(connectionString);

var seedWatch = Stopwatch.StartNew();
await Seeder.SeedAsync(app.Services, data, options.Pairs, options.Started, clock.GetUtcNow());
await using (var db = await dbs.CreateDbContextAsync())
{
    Console.WriteLine($"Seeded {await db.Groups.CountAsync():N0} pairs ({options.Started} through WorkflowHost.StartAsync), " +
                      $"{await db.WorkItems.CountAsync():N0} work items, {await db.Journal.CountAsync():N0} journal entries in {seedWatch.Elapsed.TotalSeconds:N1} s");
}

ClaimsPrincipal facilitator;
await using (var db = await dbs.CreateDbContextAsync())
{
    var place = await db.ProgrammePeople.AsNoTracking().SingleAsync(p => p.Role == PersonRoles.Facilitator);
    var person = await db.People.AsNoTracking().SingleAsync(p => p.Id == place.PersonId);
    facilitator = new ClaimsPrincipal(new ClaimsIdentity(CurrentUser.Claims(person, place.ProgrammeId, place), "bench"));
}

var now = clock.GetUtcNow();
var today = DateOnly.FromDateTime(now.UtcDateTime);

var workloads = new[]
{
    new Workload("Dashboard: first page of pairs (+ timeline)", 10, options.Iterations,
        async () =>
        {
            await using var db = await dbs.CreateDbContextAsync();
            var page = await DashboardQueries.PageAsync(db, facilitator, 0, CancellationToken.None);
            await DashboardQueries.SpansAsync(db, page, now, CancellationToken.None);
        },
        async connection =>
        {
            var ids = await RawSql.ReadAsync(connection, RawSql.Page, collect: 0);
            await RawSql.ReadAsync(connection, RawSql.Spans, parameters: [("ids", ids.ToArray())]);
        }),
    new Workload("Dashboard: summary (count, overdue, visits, gates)", 20, options.Iterations,
        async () =>
        {
            await using var db = await dbs.CreateDbContextAsync();
            await DashboardQueries.SummaryAsync(db, definitions, facilitator.ProgrammeId(), now, today, CancellationToken.None);
        },
        async connection =>
        {
            await RawSql.ReadAsync(connection, RawSql.Count);
            await RawSql.ReadAsync(connection, RawSql.Overdue, parameters: [("now", now)]);
            await RawSql.ReadAsync(connection, RawSql.Visits, parameters: [("today", today)]);
            await RawSql.ReadAsync(connection, RawSql.Gates);
        }),
    new Workload("CSV export of all pairs", 250, options.ExportIterations,
        async () =>
        {
            await using var db = await dbs.CreateDbContextAsync();
            await DashboardQueries.CsvAsync(db, definitions, texts, facilitator, now, CancellationToken.None);
        },
        async connection =>
        {
            await RawSql.ReadAsync(connection, RawSql.ExportOverdue, parameters: [("now", now)]);
            await RawSql.ReadAsync(connection, RawSql.ExportInstances);
            await RawSql.ReadAsync(connection, RawSql.ExportPairs);
        }),
};

if (options.Explain)
{
    await using var connection = await data.OpenConnectionAsync();
    foreach (var (name, sql, parameter) in RawSql.Explained(now, today))
    {
        Console.WriteLine($"--- EXPLAIN ANALYZE {name}");
        foreach (var line in await RawSql.ExplainAsync(connection, sql, parameter)) Console.WriteLine(line);
    }
}

var results = new List<(Workload Workload, Stats Server, Stats Raw)>();
foreach (var workload in workloads)
{
    var server = await Measure.RunAsync(workload.Iterations, workload.Server);
    await using var connection = await data.OpenConnectionAsync();
    var raw = await Measure.RunAsync(workload.Iterations, () => workload.Raw(connection));
    results.Add((workload, server, raw));
}

Console.WriteLine();
Console.WriteLine($"{"what (10,000 pairs, PostgreSQL 15)",-52} {"n",5} {"p50 ms",8} {"p95 ms",8} {"goal p95",9} {"met",4} | {"raw SQL p50",11} {"p95",7}");
foreach (var (workload, server, raw) in results)
{
    var met = server.P95 <= workload.GoalMs ? "yes" : "NO";
    Console.WriteLine($"{workload.Name,-52} {workload.Iterations,5} {server.P50,8:N2} {server.P95,8:N2} {"<= " + workload.GoalMs,9} {met,4} | {raw.P50,11:N2} {raw.P95,7:N2}");
}

return results.All(r => r.Server.P95 <= r.Workload.GoalMs) ? 0 : 2;

internal sealed record Workload(string Name, int GoalMs, int Iterations, Func<Task> Server, Func<NpgsqlConnection, Task> Raw);

internal sealed record Stats(double P50, double P95);

internal static class Measure
{
    public static async Task<Stats> RunAsync(int iterations, Func<Task> action)
    {
        for (var i = 0; i < Math.Max(5, iterations / 10); i++) await action(); // warm-up: JIT, query cache, buffers
        var times = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        Array.Sort(times);
        return new Stats(Percentile(times, 0.50), Percentile(times, 0.95));
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}

internal sealed record BenchArgs(int Pairs, int Started, int Iterations, int ExportIterations, bool Explain)
{
    public static BenchArgs Parse(string[] args)
    {
        var result = new BenchArgs(10_000, 300, 300, 40, false);
        for (var i = 0; i < args.Length; i++)
        {
            result = args[i] switch
            {
                "--pairs" => result with { Pairs = int.Parse(args[++i]) },
                "--started" => result with { Started = int.Parse(args[++i]) },
                "--iterations" => result with { Iterations = int.Parse(args[++i]) },
                "--export-iterations" => result with { ExportIterations = int.Parse(args[++i]) },
                "--explain" => result with { Explain = true },
                _ => throw new ArgumentException($"Unknown argument '{args[i]}'. Use --pairs N --started N --iterations N --export-iterations N --explain."),
            };
        }

        return result;
    }
}
