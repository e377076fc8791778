using Mentoring.Engine.Definitions;
using Mentoring.Engine.Templates;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Data.Migrations;
using Mentoring.Server.Accounts;
using Mentoring.Server.Programme.Packages;
using Mentoring.Server.Tokens;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Hosting;

/// <summary>
/// The server's commands, run instead of the web server when the first argument names one:
/// <c>validate [folder]</c>, <c>migrate</c>, <c>tokens create --email ADDRESS [--name NAME]</c>,
/// <c>programme import FOLDER [--check]</c>, <c>admin create --email ADDRESS --name NAME</c>,
/// <c>render-templates [--out folder]</c>, <c>backup FILE</c>, <c>restore FILE [--force]</c>,
/// <c>instances migrate ...</c> (<see cref="Versions.MigrateCommand"/>).
/// </summary>
public static class ServerCommands
{
    public static readonly string[] Names = ["validate", "migrate", "tokens", "programme", "admin", "render-templates", "backup", "restore", "instances"];

    public static bool IsCommand(string[] args) => args.Length > 0 && Names.Contains(args[0]);

    public static async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        try
        {
            return args[0] switch
            {
                "validate" => Validate(services, args.Length > 1 ? args[1] : null),
                "migrate" => await MigrateAsync(services),
                "tokens" => await TokensAsync(services, args[1..]),
                "instances" => await InstancesAsync(services, args[1..]),
                "programme" => await PackageCommands.ProgrammeAsync(services, args[1..], Usage),
                "admin" => await PackageCommands.AdminAsync(services, args[1..], Usage),
                "render-templates" => Email.TemplatePreview.Run(services, args[1..]),
                "backup" when args.Length == 2 => await Backups.BackupAsync(services.GetRequiredService<DatabaseOptions>(), args[1]),
                "restore" when args.Length == 2 || (args.Length == 3 && args[2] == "--force") =>
                    await Backups.RestoreAsync(services.GetRequiredService<DatabaseOptions>(), args[1], force: args.Length == 3),
                _ => Usage(),
            };
        }
        catch (Exception e) when (ServerStart.OperatorMessage(e) is { } message)
        {
            Console.Error.WriteLine(message);
            return 1;
        }
    }

    private static int Validate(IServiceProvider services, string? folder)
    {
        var options = services.GetRequiredService<IOptions<WorkflowOptions>>().Value;
        var errors = new List<DefinitionError>();
        TemplateCatalog? templates = null;
        try
        {
            templates = TemplateCatalog.LoadFolder(ContentPath.Resolve(options.TemplatesPath));
            Console.WriteLine($"templates: {templates.Names.Count} templates in {string.Join(", ", templates.Languages)}");
        }
        catch (DefinitionException e)
        {
            errors.AddRange(e.Errors);
        }

        var definitionsFolder = ContentPath.Resolve(folder ?? options.DefinitionsPath);
        try
        {
            var catalog = DefinitionCatalog.LoadFolder(definitionsFolder, templates is null ? null : templates.Exists);
            foreach (var definition in catalog.All.OrderBy(d => d.Id).ThenBy(d => d.Version))
                Console.WriteLine($"{definition.SourceFile}: {definition.Id} v{definition.Version} ({definition.Kind.ToString().ToLowerInvariant()}), " +
                                  $"{definition.Stages.Count} stages, {definition.Steps.Count} steps - ok");
            foreach (var warning in catalog.Warnings) Console.Error.WriteLine($"warning: {warning}");
        }
        catch (DefinitionException e)
        {
            errors.AddRange(e.Errors);
        }

        if (errors.Count == 0)
        {
            Console.WriteLine("All valid.");
            return 0;
        }

        Console.Error.WriteLine(ServerStart.ErrorList(errors));
        return 1;
    }

    private static async Task<int> MigrateAsync(IServiceProvider services)
    {
        var applied = await services.GetRequiredService<MigrationRunner>().MigrateAsync();
        Console.WriteLine(applied.Count == 0
            ? "The database is up to date."
            : $"Applied {string.Join(", ", applied.Select(m => $"{m.Version:000} {m.Name}"))}.");
        return 0;
    }

    private static async Task<int> TokensAsync(IServiceProvider services, string[] args)
    {
        if (args.Length == 0 || args[0] != "create") return Usage();
        var email = Option(args, "--email");
        if (email is null) return Usage();
        var name = Option(args, "--name") ?? "cli";
        // Refused rather than migrated here: a database without its tables has nobody to make a token for either.
        if (await services.GetRequiredService<MigrationRunner>().PendingAsync() is { Count: > 0 } pending)
            throw StartupRefusedException.NotMigrated(pending);
        await using var db = await services.GetRequiredService<IDbContextFactory<MentoringDb>>().CreateDbContextAsync();
        var person = await db.People.WithEmail(email).SingleOrDefaultAsync();
        if (person is null)
        {
            Console.Error.WriteLine($"Nobody has the email address {email}.");
            return 1;
        }

        var token = ApiTokenAuthentication.NewToken();
        db.ApiTokens.Add(new ApiToken
        {
            PersonId = person.Id, Name = name, Hash = ApiTokenAuthentication.Hash(token),
            CreatedAt = services.GetRequiredService<TimeProvider>().GetUtcNow(),
        });
        await db.SaveChangesAsync();
        Console.WriteLine($"API token for {person.Name} <{email}> (shown once; send it as 'Authorization: Bearer <token>'):");
        Console.WriteLine(token);
        return 0;
    }

    private static async Task<int> InstancesAsync(IServiceProvider services, string[] args) =>
        await Versions.MigrateCommand.RunAsync(services, args) is var code && code >= 0 ? code : Usage();

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    private static int Usage()
    {
        Console.Error.WriteLine("""
            Usage: dotnet run --project src/Mentoring.Server -- <command>
              validate [folder]                          check workflow definitions (default: workflows/) and templates
              migrate                                    apply database migrations and exit
              tokens create --email ADDRESS [--name N]   create a personal API token
              programme import FOLDER [--check]          create or update a programme from its package (--check: print the plan only)
              admin create --email ADDRESS --name N      make an administrator of the installation; prints a sign-in link
              render-templates [--out folder]            render every email template with its sample (default: data/template-preview)
              backup FILE                                copy the SQLite database (uploads included) while the server runs
              restore FILE [--force]                     put a backup in place (--force: over a database that is not empty)
            """ + "\n" + Versions.MigrateCommand.Usage);
        return 2;
    }
}
