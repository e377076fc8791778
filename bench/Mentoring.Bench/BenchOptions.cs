using System.Globalization;

namespace Mentoring.Bench;

/// <summary>What one run measures and for how long. Defaults keep a whole run (with the build) under ~3 minutes.</summary>
internal sealed record BenchOptions
{
    public const string ConnectionVariable = "MENTORING_BENCH_POSTGRES";
    public const string PgbenchVariable = "MENTORING_BENCH_PGBENCH";

    public required string ConnectionString { get; init; }
    public string Pgbench { get; init; } = "/usr/lib/postgresql/15/bin/pgbench";

    /// <summary>Length of each measured phase (resumes at 1 and 8 clients, loads, each pgbench run).</summary>
    public TimeSpan Measure { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Run before each measured phase and thrown away: JIT, connection pool, caches.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);

    public int Starts { get; init; } = 10_000;
    public int StartWarmup { get; init; } = 300;
    public int StartClients { get; init; } = 8;

    /// <summary>Instances started in bulk, untimed, only to give the resumes more open tasks (each timed start leaves two).</summary>
    public int ExtraInstances { get; init; }

    /// <summary>A short extra phase at 1 client that counts the SQL commands of each resume and times them.</summary>
    public TimeSpan Profile { get; init; } = TimeSpan.FromSeconds(3);

    public static BenchOptions Parse(string[] args)
    {
        var connection = Environment.GetEnvironmentVariable(ConnectionVariable);
        if (string.IsNullOrWhiteSpace(connection))
            throw new ArgumentException($"Set {ConnectionVariable} to a PostgreSQL connection string (bench/run.sh does).");
        var options = new BenchOptions { ConnectionString = connection };
        if (Environment.GetEnvironmentVariable(PgbenchVariable) is { Length: > 0 } pgbench) options = options with { Pgbench = pgbench };

        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--seconds" => options with { Measure = Seconds(Value()) },
                "--warmup" => options with { Warmup = Seconds(Value()) },
                "--starts" => options with { Starts = Count(Value()) },
                "--start-clients" => options with { StartClients = Count(Value()) },
                "--extra-instances" => options with { ExtraInstances = Count(Value()) },
                "--profile-seconds" => options with { Profile = Seconds(Value()) },
                "--pgbench" => options with { Pgbench = Value() },
                _ => throw new ArgumentException(
                    $"Unknown argument '{args[i]}'. Known: --seconds N, --warmup N, --starts N, --start-clients N, " +
                    "--extra-instances N, --profile-seconds N, --pgbench PATH."),
            };
        }

        return options;
    }

    private static TimeSpan Seconds(string value) =>
        TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture));

    private static int Count(string value) => int.Parse(value, CultureInfo.InvariantCulture);
}
