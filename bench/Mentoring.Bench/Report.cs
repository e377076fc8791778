using System.Globalization;
using System.Text;

namespace Mentoring.Bench;

/// <summary>One line of the result table: a runtime figure, its pgbench peer, and the goal (a share of the peer).</summary>
internal sealed record Row(string What, Measurement Runtime, string PeerName, Measurement? Peer, double? Goal);

internal static class Report
{
    public static string Table(IReadOnlyList<Row> rows)
    {
        string[] header = ["measure", "clients", "Mentoring /s", "p50 ms", "p99 ms", "peer", "peer /s", "p50 ms", "p99 ms", "ratio", "goal", "result"];
        var lines = new List<string[]> { header };
        foreach (var row in rows)
        {
            var ratio = row.Peer is { } peer ? row.Runtime.PerSecond / peer.PerSecond : (double?)null;
            var result = row.Goal is not { } goal || ratio is null ? "info"
                : row.Runtime.Failures > 0 ? "MISS (failures)"
                : ratio >= goal ? "PASS" : "MISS";
            lines.Add(
            [
                row.What, $"{row.Runtime.Clients}", Rate(row.Runtime), Ms(row.Runtime.P50Ms), Ms(row.Runtime.P99Ms),
                row.PeerName, row.Peer is null ? "-" : Rate(row.Peer), Ms(row.Peer?.P50Ms), Ms(row.Peer?.P99Ms),
                ratio is { } r ? $"{r * 100:0.0}%" : "-", row.Goal is { } g ? $">= {g * 100:0}%" : "-", result,
            ]);
        }

        return Format(lines, leftAligned: [0, 5, 11]);
    }

    /// <summary>What each operation cost, and how busy the machine was with other work while it ran.</summary>
    public static string Costs(IReadOnlyList<(string Phase, Measurement Measured)> phases)
    {
        string[] header = ["phase", "ops/s", "client CPU ms/op", "PostgreSQL CPU ms/op", "WAL KiB/op", "machine busy", "other processes"];
        var lines = new List<string[]> { header };
        foreach (var (phase, m) in phases)
        {
            var cpu = m.Cpu;
            var ops = Math.Max(1, m.Operations);
            lines.Add(
            [
                phase, m.PerSecond.ToString("0.0", CultureInfo.InvariantCulture),
                cpu is null ? "-" : (cpu.BenchMs / ops).ToString("0.000", CultureInfo.InvariantCulture),
                cpu is null ? "-" : (cpu.ServerMs / ops).ToString("0.000", CultureInfo.InvariantCulture),
                m.WalBytesPerOperation is { } wal ? (wal / 1024).ToString("0.0", CultureInfo.InvariantCulture) : "-",
                cpu is null ? "-" : (cpu.MachineMs / (Environment.ProcessorCount * cpu.WallMs)).ToString("0%", CultureInfo.InvariantCulture),
                cpu is null ? "-" : cpu.OtherShare.ToString("0%", CultureInfo.InvariantCulture),
            ]);
        }

        return Format(lines, leftAligned: [0]);
    }

    /// <summary>Round trips of one operation with their time, and what is left for the client.</summary>
    public static string Profile(string operation, CommandProfile profile, Measurement measured)
    {
        if (measured.Operations == 0)
            return $"Where a {operation}'s time goes: no {operation} was measured (the phase had no work; a benchmark bug).{Environment.NewLine}";
        var count = measured.Operations;
        var (roundTrips, waitingMs) = profile.Totals(count);
        var wallMs = 1000.0 / measured.PerSecond;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Where a {operation}'s time goes (1 client, {measured.Operations} of them, {wallMs:0.00} ms each on average):");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"  {roundTrips:0.0} round trips to PostgreSQL take {waitingMs:0.00} ms; the other {wallMs - waitingMs:0.00} ms is the client's " +
            $"(EF Core, engine, JSON). CPU per {operation}: client {measured.Cpu?.BenchMs / count:0.00} ms, " +
            $"PostgreSQL {measured.Cpu?.ServerMs / count:0.00} ms; WAL {measured.WalBytesPerOperation / 1024:0.0} KiB");
        foreach (var (what, per, ms) in profile.Summary(count))
            text.AppendLine(CultureInfo.InvariantCulture, $"  {per,5:0.00} x {ms,7:0.000} ms  {what}");
        return text.ToString();
    }

    private static string Format(List<string[]> lines, int[] leftAligned)
    {
        var widths = Enumerable.Range(0, lines[0].Length).Select(c => lines.Max(l => l[c].Length)).ToArray();
        var text = new StringBuilder();
        for (var i = 0; i < lines.Count; i++)
        {
            text.AppendLine(string.Join("  ", lines[i].Select((cell, c) => leftAligned.Contains(c) ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
            if (i == 0) text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        }

        return text.ToString();
    }

    private static string Rate(Measurement m) =>
        m.PerSecond.ToString("0.0", CultureInfo.InvariantCulture) + (m.RanOut ? " (ran out)" : "") +
        (m.Failures > 0 ? $" ({m.Failures} failed)" : "");

    private static string Ms(double? ms) => ms is { } v && !double.IsNaN(v) ? v.ToString("0.00", CultureInfo.InvariantCulture) : "-";
}
