using System.Globalization;

namespace Mentoring.Bench;

/// <summary>CPU used during a phase, by whom: this process (with pgbench, its child), the PostgreSQL cluster, and
/// everything else on the machine. On two shared cores, "everything else" says how far to trust a run.</summary>
internal sealed record CpuUse(double BenchMs, double ServerMs, double OtherMs, double MachineMs, double WallMs)
{
    public double OtherShare => MachineMs <= 0 ? 0 : OtherMs / (Environment.ProcessorCount * WallMs);
}

/// <summary>Reads Linux's /proc; elsewhere, or for a server on another machine, the figures it cannot see are 0.</summary>
internal sealed class CpuMeter(int? postmasterPid)
{
    // USER_HZ: what /proc reports CPU time in; 100 on every Linux this runs on.
    private const double MsPerTick = 10;

    public static async Task<CpuMeter> ForServerAsync(Npgsql.NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new Npgsql.NpgsqlCommand("SELECT pg_backend_pid()", connection);
        var backend = (int)(await command.ExecuteScalarAsync(ct))!;
        // Our backend's parent is the postmaster, if the server runs here (its pid is then in our /proc).
        return new CpuMeter(Stat(backend) is { } stat ? stat.ParentPid : null);
    }

    public Snapshot Take()
    {
        var machine = 0L;
        if (File.Exists("/proc/stat"))
        {
            // "cpu  user nice system idle iowait irq softirq steal ...": busy is all but idle and iowait.
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..]
                .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            machine = fields.Take(8).Sum() - fields[3] - fields[4];
        }

        var bench = Stat(Environment.ProcessId) is { } self ? self.Ticks + self.ChildTicks : 0;
        var server = 0L;
        if (postmasterPid is { } postmaster && Directory.Exists("/proc"))
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out var pid) || Stat(pid) is not { } stat) continue;
                // The postmaster's child times hold the backends that have exited (pgbench's, closed pool connections).
                if (pid == postmaster) server += stat.Ticks + stat.ChildTicks;
                else if (stat.ParentPid == postmaster) server += stat.Ticks;
            }
        }

        return new Snapshot(Environment.TickCount64, machine, bench, server);
    }

    public static CpuUse Between(Snapshot before, Snapshot after)
    {
        var bench = (after.Bench - before.Bench) * MsPerTick;
        var server = (after.Server - before.Server) * MsPerTick;
        var machine = (after.Machine - before.Machine) * MsPerTick;
        return new CpuUse(bench, server, Math.Max(0, machine - bench - server), machine, after.At - before.At);
    }

    private static ProcessStat? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name (which may hold spaces), from field 3 (state) on.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            long Field(int number) => long.Parse(fields[number - 3], CultureInfo.InvariantCulture);
            return new ProcessStat((int)Field(4), Field(14) + Field(15), Field(16) + Field(17));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    public sealed record Snapshot(long At, long Machine, long Bench, long Server);

    private sealed record ProcessStat(int ParentPid, long Ticks, long ChildTicks);
}
