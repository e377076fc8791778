using Mentoring.Engine.Runtime;
using Mentoring.Server.Data;
using Mentoring.Server.Data.Migrations;
using Mentoring.Server.Hosting;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Versions;

/// <summary><c>instances migrate --programme P --workflow W --from 1 --to 2 [--map a=b]... [--drop s]... [--apply]</c>:
/// the API's migration from the command line, a dry run unless <c>--apply</c>.</summary>
public static class MigrateCommand
{
    public const string Usage =
        "  instances migrate --programme P --workflow W --from N --to M [--map OLD=NEW]... [--drop STEP]... [--apply]\n" +
        "                                             move running instances to another definition version (a dry run unless --apply)";

    private static readonly Actor Operator = new("operator", "Operator (command line)", ActorRole.Facilitator);

    public static async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        if (args.Length == 0 || args[0] != "migrate") return -1;
        var options = Options(args[1..]);
        if (options is null || !options.TryGetValue("--programme", out var programme) || programme.Count != 1
            || !options.TryGetValue("--workflow", out var workflow) || workflow.Count != 1
            || !int.TryParse(options.GetValueOrDefault("--from")?.SingleOrDefault(), out var from)
            || !int.TryParse(options.GetValueOrDefault("--to")?.SingleOrDefault(), out var to))
            return -1;
        var renames = new Dictionary<string, string>();
        foreach (var map in options.GetValueOrDefault("--map") ?? [])
        {
            var parts = map.Split('=', 2);
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0) return -1;
            renames[parts[0]] = parts[1];
        }

        if (await services.GetRequiredService<MigrationRunner>().PendingAsync() is { Count: > 0 } pending)
            throw StartupRefusedException.NotMigrated(pending);
        // Versions known only to the database (their file gone) can be moved from, as a started server could.
        await using (var db = await services.GetRequiredService<IDbContextFactory<MentoringDb>>().CreateDbContextAsync())
            await services.GetRequiredService<DefinitionStore>().SyncAsync(db, services.GetRequiredService<TimeProvider>().GetUtcNow(), default);

        var apply = options.ContainsKey("--apply");
        var request = new MigrationRequest(workflow[0], from, to, renames, options.GetValueOrDefault("--drop"), DryRun: !apply);
        var outcome = await services.GetRequiredService<InstanceMigrations>()
            .RunAsync(new MigrationCaller(Operator, null, IsAdmin: true), programme[0], request, default);
        if (outcome.Report is { } report) Print(report);
        if (outcome.Kind == MigrationOutcomeKind.Done)
        {
            if (!apply) Console.WriteLine("Dry run: nothing was written. Run again with --apply to move them.");
            return outcome.Report!.Instances.Any(i => i.Result == EffectWriter.Kebab(MigrationResult.Conflict)) ? 1 : 0;
        }

        Console.Error.WriteLine(outcome.Message);
        foreach (var (field, messages) in outcome.Errors ?? new Dictionary<string, string[]>())
            foreach (var message in messages) Console.Error.WriteLine($"  {field}: {message}");
        return 1;
    }

    private static void Print(MigrationReport report)
    {
        Console.WriteLine($"{report.Workflow} v{report.FromVersion} -> v{report.ToVersion} in {report.Programme}: {report.Instances.Count} instances");
        foreach (var instance in report.Instances)
        {
            Console.WriteLine($"{instance.InstanceId}: {instance.Result}{(instance.Reason is null ? "" : $" ({instance.Reason})")}");
            foreach (var move in instance.Moves)
                Console.WriteLine($"  moves  {move.From}{(move.From == move.To ? "" : $" -> {move.To}")}" +
                                  (move.TimersRecomputed ? $", due {move.DueAfter:yyyy-MM-dd} (was {move.DueBefore:yyyy-MM-dd}), timers recomputed" : ""));
            foreach (var step in instance.Dropped) Console.WriteLine($"  drops  {step}");
            foreach (var step in instance.Opens) Console.WriteLine($"  opens  {step}");
            foreach (var step in instance.PassedOver) Console.WriteLine($"  passes {step} (finished; not run again)");
            foreach (var refusal in instance.Refusals) Console.WriteLine($"  refused {refusal.Step}: {refusal.Reason}");
        }
    }

    /// <summary>Each --option with its values (--map and --drop may repeat); null when an option lacks its value.</summary>
    private static Dictionary<string, List<string>>? Options(string[] args)
    {
        var options = new Dictionary<string, List<string>>();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) return null;
            var values = options.TryGetValue(args[i], out var list) ? list : options[args[i]] = [];
            if (args[i] == "--apply") continue;
            if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal)) return null;
            values.Add(args[++i]);
        }

        return options;
    }
}
