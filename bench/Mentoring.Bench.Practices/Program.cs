using System.Data.Common;
using System.Diagnostics;
using Mentoring.Bench.Practices;
using Mentoring.Server.Accounts;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Hosting;
using Mentoring.Server.Practices;
using Mentoring.Server.Web;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

// The good-practice library's search over 10,000 practices, on SQLite (FTS5) and PostgreSQL (tsvector + GIN): the
// server's own call (PracticeLibrary.SearchAsync: the ranked ids, the practices with their themes, the filters' themes
// and cities) beside the raw SQL of the same search (PracticeSearch.Sql, sent through the bare ADO.NET driver), in the
// same run. Run through bench/practices.sh, which provisions PostgreSQL. See README.md.
var options = BenchArgs.Parse(args);
var postgres = Environment.GetEnvironmentVariable("MENTORING_BENCH_POSTGRES")
    ?? throw new InvalidOperationException("Set MENTORING_BENCH_POSTGRES (bench/practices.sh does).");
// MENTORING_BENCH_SQLITE_FILE keeps the seeded SQLite file (seeded once, reused), to look at its query plans with sqlite3.
var keptFile = Environment.GetEnvironmentVariable("MENTORING_BENCH_SQLITE_FILE");
var sqliteFile = keptFile ?? Path.Combine(Path.GetTempPath(), $"mentoring-bench-practices-{Guid.NewGuid():N}.db");

var searches = new PracticeQuery[]
{
    new("language learning", null, null),
    new("volunteers newcomers", "volunteering", null),
    new("employment", null, "City 7"),
    new("\"NEAR(training*", null, null),
    new(null, "language learning", null),
};

var rows = new List<string>();
try
{
    foreach (var (provider, connectionString) in new[] { (DatabaseProvider.Sqlite, $"Data Source={sqliteFile}"), (DatabaseProvider.Postgres, postgres) })
        rows.AddRange(await RunAsync(provider, connectionString));
}
finally
{
    SqliteConnection.ClearAllPools();
    if (keptFile is null)
        foreach (var file in new[] { sqliteFile, sqliteFile + "-wal", sqliteFile + "-shm" }) File.Delete(file);
}

Console.WriteLine();
Console.WriteLine($"{"search (" + options.Practices.ToString("N0") + " practices)",-58} {"db",-9} {"n",5} {"p50 ms",8} {"p95 ms",8} {"goal p95",9} {"result",6} | {"raw SQL p50",11} {"p95",7} {"hits",5}");
foreach (var row in rows) Console.WriteLine(row);
Console.WriteLine("Server: PracticeLibrary.SearchAsync on a fresh DbContext per call (ranked ids, the page's practices with themes, the filters' themes and cities).");
Console.WriteLine("Raw SQL: PracticeSearch.Sql for the same query through Microsoft.Data.Sqlite / Npgsql on one open connection, every row read.");
return rows.Any(r => r.Contains(" MISS ")) ? 2 : 0;

async Task<List<string>> RunAsync(DatabaseProvider provider, string connectionString)
{
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Database:Provider"] = provider.ToString(), ["Database:ConnectionString"] = connectionString, ["Scheduling:Enabled"] = "false",
        ["Logging:LogLevel:Default"] = "Warning",
    });
    builder.AddMentoringData().AddMentoringWorkflows().AddMentoringApi().AddMentoringEmail().AddMentoringWeb().AddAccounts().AddMentoringPractices();
    await using var app = builder.Build();
    await app.Services.GetServices<IHostedService>().OfType<StartupTasks>().Single().StartAsync(CancellationToken.None);
    var dbs = app.Services.GetRequiredService<IDbContextFactory<MentoringDb>>();

    var watch = Stopwatch.StartNew();
    await Seeder.SeedAsync(dbs, options.Practices);
    await using (var db = await dbs.CreateDbContextAsync())
    {
        await db.Database.ExecuteSqlRawAsync(provider == DatabaseProvider.Sqlite ? "ANALYZE" : "ANALYZE practices; ANALYZE practice_themes; ANALYZE practice_shows");
        Console.WriteLine($"{provider}: seeded {await db.Set<Practice>().CountAsync():N0} practices, {await db.Set<PracticeTheme>().CountAsync():N0} themes in {watch.Elapsed.TotalSeconds:N1} s");
    }

    await using DbConnection raw = provider == DatabaseProvider.Sqlite ? new SqliteConnection(connectionString) : new NpgsqlConnection(connectionString);
    await raw.OpenAsync();
    var result = new List<string>();
    foreach (var query in searches)
    {
        var hits = 0;
        var server = await Measure.RunAsync(options.Iterations, async () =>
        {
            await using var db = await dbs.CreateDbContextAsync();
            hits = (await PracticeLibrary.SearchAsync(db, Seeder.Programme, query, CancellationToken.None)).Practices.Count;
        });
        var rawHits = 0;
        var rawStats = await Measure.RunAsync(options.Iterations, async () => rawHits = await RawAsync(raw, provider == DatabaseProvider.Sqlite, query));
        if (rawHits != hits) throw new InvalidOperationException($"{provider} {Describe(query)}: the server found {hits}, the raw SQL {rawHits}");
        var met = server.P95 <= options.GoalMs ? "PASS" : "MISS";
        result.Add($"{Describe(query),-58} {provider,-9} {options.Iterations,5} {server.P50,8:N2} {server.P95,8:N2} {"<= " + options.GoalMs,9} {met,6} | {rawStats.P50,11:N2} {rawStats.P95,7:N2} {hits,5}");
    }

    return result;
}

static string Describe(PracticeQuery q) =>
    string.Join(", ", new[] { q.Words is null ? null : $"q={q.Words}", q.Theme is null ? null : $"theme={q.Theme}", q.City is null ? null : $"city={q.City}" }
        .Where(s => s is not null));

static async Task<int> RawAsync(DbConnection connection, bool sqlite, PracticeQuery query)
{
    var words = PracticeSearch.Words(query.Words);
    await using var command = connection.CreateCommand();
    command.CommandText = PracticeSearch.Sql(sqlite, query, words.Count > 0);
    void Add(string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }

    Add("@programme", Seeder.Programme);
    if (words.Count > 0) Add("@match", sqlite ? PracticeSearch.Fts5Match(words) : PracticeSearch.WebSearch(words));
    if (query.Theme is not null) Add("@theme", query.Theme);
    if (query.City is not null) Add("@city", query.City);
    Add("@take", query.Take);
    Add("@skip", query.Skip);
    if (words.Count > 0 && sqlite && PracticeSearch.Candidates(query) is { } candidates) Add("@candidates", candidates);
    if (!sqlite) await command.PrepareAsync(); // as the server does (PracticeSearch), so both are planned once per connection
    await using var reader = await command.ExecuteReaderAsync();
    var count = 0;
    while (await reader.ReadAsync()) count++;
    return count;
}

internal sealed record Stats(double P50, double P95);

internal static class Measure
{
    public static async Task<Stats> RunAsync(int iterations, Func<Task> action)
    {
        for (var i = 0; i < Math.Max(5, iterations / 10); i++) await action(); // warm-up: JIT, query cache, pages
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

internal sealed record BenchArgs(int Practices, int Iterations, int GoalMs)
{
    public static BenchArgs Parse(string[] args)
    {
        var result = new BenchArgs(10_000, 300, 20);
        for (var i = 0; i < args.Length; i++)
        {
            result = args[i] switch
            {
                "--practices" => result with { Practices = int.Parse(args[++i]) },
                "--iterations" => result with { Iterations = int.Parse(args[++i]) },
                _ => throw new ArgumentException($"Unknown argument '{args[i]}'. Use --practices N --iterations N."),
            };
        }

        return result;
    }
}
