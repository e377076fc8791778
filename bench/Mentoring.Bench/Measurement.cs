using System.Diagnostics;

namespace Mentoring.Bench;

/// <summary>Operations per second and latency percentiles of one measured phase.</summary>
internal sealed record Measurement(int Clients, int Operations, double PerSecond, double P50Ms, double P99Ms, int Failures,
    bool RanOut = false)
{
    /// <summary>WAL written per operation during the phase, from the server's insert position before and after.</summary>
    public double? WalBytesPerOperation { get; init; }

    /// <summary>Operations each client counted, so a phase where some clients idled (or ran out of work) shows it.</summary>
    public int[] PerClient { get; init; } = [];

    /// <summary>CPU used during the phase, by the benchmark process, the cluster and everything else.</summary>
    public CpuUse? Cpu { get; init; }

    /// <summary>The q-quantile of sorted samples by the nearest-rank method (no interpolation).</summary>
    public static double Quantile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>
/// Runs an operation from N concurrent clients, each a loop that waits for its own operation before starting the
/// next (a closed loop, like pgbench without -R). Every operation is timed by its own Stopwatch reading.
/// </summary>
internal static class Driver
{
    /// <summary>An operation: false when there was nothing left to do (the run stops early and says so).</summary>
    public delegate Task<bool> Operation(CancellationToken cancellationToken);

    /// <summary>Runs for <paramref name="duration"/>; counts operations that both start and finish inside it.</summary>
    public static Task<Measurement> ForDurationAsync(int clients, TimeSpan duration, Operation operation, CancellationToken ct) =>
        RunAsync(clients, duration, int.MaxValue, operation, ct);

    /// <summary>Runs exactly <paramref name="count"/> operations; the rate is count over the time until the last ends.</summary>
    public static Task<Measurement> ForCountAsync(int clients, int count, Operation operation, CancellationToken ct) =>
        RunAsync(clients, null, count, operation, ct);

    private static async Task<Measurement> RunAsync(int clients, TimeSpan? duration, int count, Operation operation,
        CancellationToken ct)
    {
        var samples = new List<double>[clients];
        var failures = 0;
        var issued = 0;
        var ranOut = false;
        var start = Stopwatch.GetTimestamp();
        var end = duration is { } d ? start + (long)(d.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;

        async Task Client(int index)
        {
            var mine = samples[index] = new List<double>(4096);
            while (Stopwatch.GetTimestamp() < end && Interlocked.Increment(ref issued) <= count)
            {
                var began = Stopwatch.GetTimestamp();
                bool done;
                try
                {
                    done = await operation(ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    if (Interlocked.Increment(ref failures) == 1) Console.Error.WriteLine($"  first failure: {e.GetType().Name}: {e.Message}");
                    continue;
                }

                var finished = Stopwatch.GetTimestamp();
                if (!done)
                {
                    ranOut = true;
                    return;
                }

                if (finished <= end) mine.Add(Stopwatch.GetElapsedTime(began, finished).TotalMilliseconds);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, clients).Select(i => Task.Run(() => Client(i), ct)));
        var stop = Stopwatch.GetTimestamp();
        var all = samples.SelectMany(s => s).ToArray();
        Array.Sort(all);
        // A duration run is over at its deadline (operations still running then are not counted); a counted run
        // when its last operation ends, or earlier if the work ran out.
        var elapsed = Stopwatch.GetElapsedTime(start, duration is null || ranOut ? stop : Math.Min(stop, end));
        return new Measurement(clients, all.Length, all.Length / elapsed.TotalSeconds, Measurement.Quantile(all, 0.50), Measurement.Quantile(all, 0.99),
            failures, ranOut) { PerClient = samples.Select(s => s.Count).ToArray() };
    }
}
