using System.Data.Common;
using Mentoring.Engine.Definitions;
using Mentoring.Server.Data.Migrations;
using Mentoring.Server.Email;

namespace Mentoring.Server.Hosting;

/// <summary>A reason the server or a command will not go on that the operator can fix (an unmigrated database, a
/// database newer than the code): printed as it is, with exit code 1, never as a stack trace.</summary>
public sealed class StartupRefusedException(string message) : Exception(message)
{
    public static StartupRefusedException NotMigrated(IReadOnlyList<Migration> pending) => new(
        $"The database is not migrated: {pending.Count} migration(s) pending " +
        $"({string.Join(", ", pending.Select(m => $"{m.Version:000} {m.Name}"))}). " +
        "Apply them with `dotnet run --project src/Mentoring.Server -- migrate` " +
        "(or start the server with Database:MigrateOnStartup=true, the default), then run this again.");
}

/// <summary>
/// How Program.cs runs the server: the start-up work first, then the host. A start-up the operator must fix (bad
/// workflow or template files, a version edited in place, an unmigrated or unreachable database) prints every error
/// and returns exit code 1, as <c>validate</c> does, before the host (web server, scheduler) starts at all.
/// </summary>
public static class ServerStart
{
    /// <summary>The content root (where appsettings.json is read) is the working directory, as for any ASP.NET Core app,
    /// unless it has no appsettings.json and the app's own folder has: a published build started from elsewhere
    /// (<c>cd /var/lib/mentoring &amp;&amp; dotnet /opt/mentoring/Mentoring.Server.dll</c>) reads its own settings, while its
    /// data (relative paths such as <c>data/mentoring.db</c>) stays in the working directory.</summary>
    public static WebApplicationOptions Options(string[] args)
    {
        var here = Directory.GetCurrentDirectory();
        var own = AppContext.BaseDirectory;
        return !File.Exists(Path.Combine(here, "appsettings.json")) && File.Exists(Path.Combine(own, "appsettings.json"))
            ? new WebApplicationOptions { Args = args, ContentRootPath = own }
            : new WebApplicationOptions { Args = args };
    }

    public static async Task<int> RunAsync(WebApplication app)
    {
        try
        {
            app.Services.CheckEmailSettings();
            await app.Services.GetRequiredService<StartupTasks>().RunAsync(app.Lifetime.ApplicationStopping);
        }
        catch (Exception e) when (OperatorMessage(e) is { } message)
        {
            // Tests host the app in-process: they read the reason here, since Program's exit code goes nowhere.
            app.Services.GetRequiredService<ReadinessState>().Refusal = e;
            Console.Error.WriteLine(message);
            Console.Error.WriteLine("The server did not start.");
            return 1;
        }

        await app.RunAsync();
        return 0;
    }

    /// <summary>What to tell the operator about a failure they can fix, or null for anything else (a bug keeps its
    /// stack trace).</summary>
    public static string? OperatorMessage(Exception e) => e switch
    {
        AggregateException { InnerExceptions.Count: 1 } aggregate => OperatorMessage(aggregate.InnerExceptions[0]),
        DefinitionException definitions => ErrorList(definitions.Errors),
        StartupRefusedException refused => refused.Message,
        // The configuration binder's own words name the setting and its value.
        InvalidOperationException binding when binding.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) =>
            binding.Message,
        DbException database => $"The database could not be used: {OutboxDispatcher.Describe(database)}. " +
                                "Check Database:Provider and Database:ConnectionString.",
        _ => null,
    };

    /// <summary>One line per error (file: place: problem), then their count: what <c>validate</c> prints too.</summary>
    public static string ErrorList(IReadOnlyCollection<DefinitionError> errors) =>
        string.Join(Environment.NewLine, errors.Select(e => e.ToString()).Append($"{errors.Count} error(s)."));
}
