using System.Net.Http.Headers;
using System.Runtime.ExceptionServices;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Tokens;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mentoring.Server.Tests.Infrastructure;

/// <summary>
/// The whole server, hosted in the test on a real database, with a manual clock and the background sweeper off
/// (tests run the scheduler's work explicitly, so nothing happens behind their back).
/// </summary>
public sealed class MentoringApp : WebApplicationFactory<Program>
{
    /// <summary>A Monday morning, so working-hours rules are easy to follow.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2026, 1, 5, 8, 0, 0, TimeSpan.Zero);

    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    private MentoringApp(DatabaseProvider provider, string connectionString, DateTimeOffset start,
        IDictionary<string, string?>? settings, Action<IServiceCollection>? services)
    {
        Provider = provider;
        Clock = new ManualClock(start);
        _services = services;
        _settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider.ToString(),
            ["Database:ConnectionString"] = connectionString,
            ["Scheduling:Enabled"] = "false",
            ["Email:PublicUrl"] = "https://mentoring.test",
            ["Email:PickupDirectory"] = Path.Combine(Path.GetTempPath(), "mentoring-mail-" + Guid.NewGuid().ToString("N")[..8]),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) _settings[key] = value;
    }

    public DatabaseProvider Provider { get; }
    public ManualClock Clock { get; }

    /// <summary>
    /// Starts the server on a database in the state a fresh start leaves (migrations, definitions, demo programme).
    /// From the second start of a kind on, the database is a copy of that kind's seeded template, so the start-up finds
    /// its work done (see tests/README.md, "Seeded templates"). <paramref name="fresh"/>, or a <paramref name="services"/>
    /// override (it may change what start-up writes), makes it run on an empty database instead: for a test of what the
    /// first start itself does.
    /// </summary>
    public static async Task<MentoringApp> StartAsync(DatabaseFixture database, DatabaseProvider provider,
        IDictionary<string, string?>? settings = null, DateTimeOffset? start = null, Action<IServiceCollection>? services = null,
        bool fresh = false)
    {
        var startAt = start ?? DefaultStart;
        var connectionString = fresh || services is not null ? null : await database.CopyOfTemplateAsync(provider, TemplateKey(settings, startAt),
            async template =>
            {
                await using var seeder = new MentoringApp(provider, template, startAt, SettingsThatShapeStartup(settings), null);
                seeder.Start();
            });
        var app = new MentoringApp(provider, connectionString ?? await database.ResetAsync(provider), startAt, settings, services);
        app.Start();
        return app;
    }

    /// <summary>Settings start-up never reads, so they need no template of their own: how mail is delivered (not what
    /// a message says), how web requests are limited, logging. Anything else may change what start-up writes.</summary>
    private static readonly string[] NotReadAtStartup =
    [
        "Email:SmtpHost", "Email:SmtpPort", "Email:SmtpSecurity", "Email:Username", "Email:Password", "Email:PickupDirectory",
        "Email:MaxAttempts", "Email:FirstRetryDelay", "Email:MaxRetryDelay", "Email:SendTimeout", "Email:BatchSize",
        "Email:LeaseFor", "Email:KeepSentFor", "Web:", "Logging:",
    ];

    private static Dictionary<string, string?> SettingsThatShapeStartup(IDictionary<string, string?>? settings) =>
        (settings ?? new Dictionary<string, string?>())
        .Where(setting => !NotReadAtStartup.Any(prefix => setting.Key.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
        .ToDictionary(setting => setting.Key, setting => setting.Value);

    private static string TemplateKey(IDictionary<string, string?>? settings, DateTimeOffset start) =>
        string.Join("|", SettingsThatShapeStartup(settings).OrderBy(s => s.Key, StringComparer.OrdinalIgnoreCase)
            .Select(s => $"{s.Key}={s.Value}").Prepend(start.ToString("O")));

    /// <summary>Starts the server on a database as it is (one an earlier version made), without resetting it.</summary>
    public static MentoringApp StartOnExisting(DatabaseProvider provider, string connectionString,
        IDictionary<string, string?>? settings = null, DateTimeOffset? start = null)
    {
        var app = new MentoringApp(provider, connectionString, start ?? DefaultStart, settings, null);
        app.Start();
        return app;
    }

    /// <summary>Starts several servers at once on one freshly reset database, as a cluster's nodes would.</summary>
    public static async Task<MentoringApp[]> StartNodesAtOnceAsync(DatabaseFixture database, DatabaseProvider provider, int count)
    {
        var connectionString = await database.ResetAsync(provider);
        var nodes = Enumerable.Range(0, count).Select(_ => new MentoringApp(provider, connectionString, DefaultStart, null, null)).ToArray();
        await Task.WhenAll(nodes.Select(node => Task.Run(node.Start)));
        return nodes;
    }

    /// <summary>Starts another server on the same database (a second node, or the same node after a restart).</summary>
    public MentoringApp StartAnotherNode(IDictionary<string, string?>? settings = null)
    {
        var merged = new Dictionary<string, string?>(_settings);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) merged[key] = value;
        var node = new MentoringApp(Provider, _settings["Database:ConnectionString"]!, Clock.GetUtcNow(), merged, _services);
        node.Clock.Set(Clock.GetUtcNow());
        node.Start();
        return node;
    }

    /// <summary>Starts the host: StartupTasks run before this returns. A start Program refuses (bad definitions, an
    /// unmigrated database) never starts the host and returns exit code 1, which goes nowhere in-process: the
    /// refusal is thrown here instead.</summary>
    private void Start()
    {
        _ = Server;
        if (Service<Mentoring.Server.Hosting.ReadinessState>().Refusal is { } refusal) ExceptionDispatchInfo.Capture(refusal).Throw();
    }

    public string Setting(string key) => _settings[key]!;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(_settings));
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            // Before the test's own overrides, so a test that registers its own TemplateCatalog keeps it.
            SharedTemplateCatalogs.UseShared(services);
            _services?.Invoke(services);
        });
    }

    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>A scratch copy of workflows/, for a test that edits a definition (the caller deletes it).</summary>
    public static string CopyOfWorkflows()
    {
        var source = Mentoring.Server.Workflows.ContentPath.Resolve("workflows");
        var copy = Path.Combine(Path.GetTempPath(), "mentoring-workflows-" + Guid.NewGuid().ToString("N")[..8]);
        foreach (var file in Directory.EnumerateFiles(source, "*.json", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return copy;
    }

    public MentoringDb Db() => Service<IDbContextFactory<MentoringDb>>().CreateDbContext();

    /// <summary>An HTTP client signed in as the person with this email, by a fresh personal API token.</summary>
    public async Task<HttpClient> ClientForAsync(string email)
    {
        await using var db = Db();
        var person = await db.People.SingleAsync(p => p.Email == email);
        var token = ApiTokenAuthentication.NewToken();
        db.ApiTokens.Add(new ApiToken { PersonId = person.Id, Name = "test", Hash = ApiTokenAuthentication.Hash(token), CreatedAt = Clock.GetUtcNow() });
        await db.SaveChangesAsync();
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static class People
    {
        public const string Facilitator = "facilitator@migrationwork.example";
        public const string Cemr = "coordination@cemr.example";
        public static string Coordinator(string cityId) => $"{cityId}@inclucities.example";
        public static string Observer(string association) => $"{association.ToLowerInvariant()}@associations.example";
    }
}
