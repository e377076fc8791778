using System.Net.Http.Headers;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Tokens;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Mentoring.Server.Tests.Web.Browser;

/// <summary>
/// The whole server on a real loopback port (Kestrel, 127.0.0.1, a free port), for a real browser: Debian's Chromium
/// from MENTORING_TEST_CHROMIUM, driven by Playwright. Never downloads a browser.
/// </summary>
public sealed class BrowserApp : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private IPlaywright? _playwright;

    private BrowserApp(DatabaseProvider provider, string connectionString)
    {
        _settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider.ToString(),
            ["Database:ConnectionString"] = connectionString,
            ["Scheduling:Enabled"] = "false",
            ["Email:PublicUrl"] = "http://127.0.0.1",
            ["Email:PickupDirectory"] = Path.Combine(Path.GetTempPath(), "mentoring-mail-" + Guid.NewGuid().ToString("N")[..8]),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0));
    }

    public string BaseUrl { get; private set; } = "";
    public IBrowser Browser { get; private set; } = null!;

    public static async Task<BrowserApp> StartAsync(DatabaseFixture database, DatabaseProvider provider = DatabaseProvider.Sqlite)
    {
        var app = new BrowserApp(provider, await database.ResetAsync(provider));
        app.StartServer();
        app.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First().Replace("[::1]", "127.0.0.1").TrimEnd('/');
        app._playwright = await Playwright.CreateAsync();
        app.Browser = await app._playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("MENTORING_TEST_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        return app;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(_settings));
        builder.ConfigureServices(SharedTemplateCatalogs.UseShared);
    }

    public MentoringDb Db() => Services.GetRequiredService<IDbContextFactory<MentoringDb>>().CreateDbContext();

    /// <summary>A new browser context (its own cookies); axe is injected by <see cref="Axe"/>, so CSP is bypassed.</summary>
    public async Task<IPage> PageAsync(string? language = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BypassCSP = true, Locale = language ?? "en-GB", ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        return await context.NewPageAsync();
    }

    public async Task<HttpClient> ApiClientAsync(string email)
    {
        await using var db = Db();
        var person = await db.People.SingleAsync(p => p.Email == email);
        var token = ApiTokenAuthentication.NewToken();
        db.ApiTokens.Add(new ApiToken { PersonId = person.Id, Name = "test", Hash = ApiTokenAuthentication.Hash(token), CreatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public override async ValueTask DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        await base.DisposeAsync();
    }
}
