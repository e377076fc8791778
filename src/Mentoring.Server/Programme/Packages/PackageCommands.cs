using System.Net.Mail;
using Mentoring.Server.Accounts;
using Mentoring.Server.Data;
using Mentoring.Server.Data.Migrations;
using Mentoring.Server.Email;
using Mentoring.Server.Hosting;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Programme.Packages;

/// <summary>
/// The command-line verbs of set-up: <c>programme import FOLDER [--check]</c> and <c>admin create --email E --name N</c>.
/// Both refuse an unmigrated database rather than migrate it, as <c>tokens create</c> does.
/// </summary>
public static class PackageCommands
{
    public static async Task<int> ProgrammeAsync(IServiceProvider services, string[] args, Func<int> usage)
    {
        if (args.Length < 2 || args[0] != "import" || args.Skip(2).Any(a => a != "--check")) return usage();
        var check = args.Contains("--check");
        await RefuseUnmigratedAsync(services);
        await using var db = await services.GetRequiredService<IDbContextFactory<MentoringDb>>().CreateDbContextAsync();
        // The same checks as a start: a workflow version edited in place is refused before anything is planned on it.
        await services.GetRequiredService<DefinitionStore>().SyncAsync(db, services.GetRequiredService<TimeProvider>().GetUtcNow(), CancellationToken.None);
        var outcome = await services.GetRequiredService<ProgrammeImporter>().ImportFolderAsync(db, ContentPath.Resolve(args[1]),
            new ImportOptions(check, AllowAdmins: true), CancellationToken.None);
        if (outcome.Refused)
        {
            Console.Error.WriteLine(ServerStart.ErrorList(outcome.Errors));
            Console.Error.WriteLine("The package was refused; nothing was changed.");
            return 1;
        }

        if (outcome.Unchanged)
        {
            Console.WriteLine($"The programme '{outcome.ProgrammeId}' is up to date: the package is unchanged since it was last imported.");
            return 0;
        }

        Console.WriteLine(check
            ? $"Importing would {(outcome.Created ? "create" : "update")} the programme '{outcome.ProgrammeId}' (--check: nothing was written):"
            : $"{(outcome.Created ? "Created" : "Updated")} the programme '{outcome.ProgrammeId}':");
        foreach (var change in outcome.Changes) Console.WriteLine($"  {change}");
        if (outcome.Changes.Count == 0) Console.WriteLine("  nothing to change");
        return 0;
    }

    public static async Task<int> AdminAsync(IServiceProvider services, string[] args, Func<int> usage)
    {
        var email = Option(args, "--email");
        var name = Option(args, "--name");
        if (args.Length == 0 || args[0] != "create" || email is null || string.IsNullOrWhiteSpace(name)) return usage();
        var address = EmailAddress.Normalise(email);
        if (!MailAddress.TryCreate(address, out var parsed) || parsed.Address != address)
        {
            Console.Error.WriteLine($"'{email}' is not an email address.");
            return 1;
        }

        await RefuseUnmigratedAsync(services);
        await using var db = await services.GetRequiredService<IDbContextFactory<MentoringDb>>().CreateDbContextAsync();
        if (await EmailAddress.FindAsync(db, address, CancellationToken.None) is { } existing)
        {
            Console.Error.WriteLine($"{existing.Name} already has the address {address}; nothing was changed. " +
                                    "To sign in as them, use 'Forgot your password?' on the sign-in page.");
            return 1;
        }

        var person = new Person
        {
            Name = name.Trim(), Email = address, IsAdmin = true, CreatedAt = services.GetRequiredService<TimeProvider>().GetUtcNow(),
        };
        db.People.Add(person);
        var token = services.GetRequiredService<AccountService>().AddLink(db, person, LinkPurpose.Invitation, null, "administrator");
        await db.SaveChangesAsync();
        var site = services.GetRequiredService<IOptions<EmailOptions>>().Value.PublicUrl.TrimEnd('/');
        Console.WriteLine($"{person.Name} <{address}> is an administrator of this installation.");
        Console.WriteLine("Open this link to set the password and sign in (shown once; it was also emailed):");
        Console.WriteLine($"{site}/invitations/accept?token={token}");
        return 0;
    }

    private static async Task RefuseUnmigratedAsync(IServiceProvider services)
    {
        if (await services.GetRequiredService<MigrationRunner>().PendingAsync() is { Count: > 0 } pending)
            throw StartupRefusedException.NotMigrated(pending);
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
