using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Mentoring.Bench;

/// <summary>
/// The peer: pgbench against the same cluster and database, on a table of its own. Its write script is one INSERT
/// plus one UPDATE inside BEGIN/COMMIT, so one pgbench transaction is one commit (one WAL flush), as one resume
/// is. Without the explicit BEGIN/COMMIT each statement would commit on its own and pgbench's TPS would halve.
/// </summary>
internal sealed partial class Pgbench(string executable, string connectionString, string workDirectory)
{
    public const int PeerRows = 1_000;

    public static readonly string WriteScript = $"""
        \set id random(1, {PeerRows})
        BEGIN;
        INSERT INTO bench_peer (v) VALUES (1);
        UPDATE bench_peer SET v = v + 1 WHERE id = :id;
        COMMIT;
        """;

    /// <summary>The peer of "load one instance by id": one primary-key read of one row.</summary>
    public static readonly string ReadScript = $"""
        \set id random(1, {PeerRows})
        SELECT v FROM bench_peer WHERE id = :id;
        """;

    public static async Task CreatePeerTableAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            DROP TABLE IF EXISTS bench_peer;
            CREATE TABLE bench_peer (id bigserial PRIMARY KEY, v integer NOT NULL);
            INSERT INTO bench_peer (v) SELECT 0 FROM generate_series(1, {PeerRows});
            ANALYZE bench_peer;
            """;
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Runs pgbench for <paramref name="duration"/> and reads its TPS and each transaction's latency.</summary>
    public async Task<Measurement> RunAsync(string name, string script, int clients, TimeSpan duration, CancellationToken ct)
    {
        var folder = Directory.CreateDirectory(Path.Combine(workDirectory, $"{name}-c{clients}-{Guid.NewGuid():N}"));
        var scriptFile = Path.Combine(folder.FullName, "script.sql");
        await File.WriteAllTextAsync(scriptFile, script + "\n", ct);
        var threads = Math.Min(clients, Environment.ProcessorCount);
        var seconds = Math.Max(1, (int)Math.Round(duration.TotalSeconds));
        var arguments = new[]
        {
            "-n", "-f", scriptFile, "-c", $"{clients}", "-j", $"{threads}", "-T", $"{seconds}", "-l", "--log-prefix", "tx",
        };
        var output = await ExecAsync(arguments, folder.FullName, ct);

        var tps = TpsLine().Match(output);
        if (!tps.Success) throw new InvalidOperationException($"pgbench printed no 'tps = ' line:\n{output}");
        var failed = FailedLine().Match(output) is { Success: true } f ? int.Parse(f.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var latencies = ReadLatencies(folder.FullName);
        var rate = double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture);
        // pgbench's own tps figure is the one reported; its per-transaction log gives the percentiles.
        return new Measurement(clients, latencies.Length, rate, Measurement.Quantile(latencies, 0.50), Measurement.Quantile(latencies, 0.99), failed);
    }

    /// <summary>Each line of a pgbench transaction log is "client tx latency_us script epoch us".</summary>
    private static double[] ReadLatencies(string folder)
    {
        var samples = new List<double>();
        foreach (var file in Directory.EnumerateFiles(folder, "tx.*"))
        foreach (var line in File.ReadLines(file))
        {
            var fields = line.Split(' ');
            if (fields.Length > 2 && long.TryParse(fields[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var micros))
                samples.Add(micros / 1000.0);
        }

        var sorted = samples.ToArray();
        Array.Sort(sorted);
        return sorted;
    }

    private async Task<string> ExecAsync(IEnumerable<string> arguments, string directory, CancellationToken ct)
    {
        var connection = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["PGHOST"] = connection.Host;
        start.Environment["PGPORT"] = connection.Port.ToString(CultureInfo.InvariantCulture);
        start.Environment["PGUSER"] = connection.Username;
        start.Environment["PGDATABASE"] = connection.Database;
        if (!string.IsNullOrEmpty(connection.Password)) start.Environment["PGPASSWORD"] = connection.Password;

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var output = await stdout + await stderr;
        if (process.ExitCode != 0) throw new InvalidOperationException($"pgbench exited with {process.ExitCode}:\n{output}");
        // pgbench's backends end as it disconnects; give the postmaster a moment to reap them, so that the CPU
        // they used is in its child times when the phase's CPU is read.
        await Task.Delay(TimeSpan.FromMilliseconds(300), ct);
        return output;
    }

    [GeneratedRegex(@"^tps = ([0-9.]+)", RegexOptions.Multiline)]
    private static partial Regex TpsLine();

    [GeneratedRegex(@"^number of failed transactions: ([0-9]+)", RegexOptions.Multiline)]
    private static partial Regex FailedLine();
}
