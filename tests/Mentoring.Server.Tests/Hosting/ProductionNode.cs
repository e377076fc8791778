using System.Net;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Accounts;
using Mentoring.Server.Uploads;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mentoring.Server.Tests.Hosting;

/// <summary>
/// One node as production runs it: the Production environment, on a real loopback port (Kestrel), so that requests
/// come from 127.0.0.1 as they would from a proxy on the same host; a manual clock, the scheduler off.
/// </summary>
public sealed class ProductionNode : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public ProductionNode(IDictionary<string, string?> settings, string environment = "Production")
    {
        Environment = environment;
        _settings = new Dictionary<string, string?>
        {
            ["Scheduling:Enabled"] = "false",
            ["Email:PickupDirectory"] = Path.Combine(Path.GetTempPath(), "mentoring-mail-" + Guid.NewGuid().ToString("N")[..8]),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings) _settings[key] = value;
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
    }

    public string Environment { get; }
    public ManualClock Clock { get; } = new(MentoringApp.DefaultStart);
    public string BaseUrl { get; private set; } = "";
    public string Setting(string key) => _settings[key]!;

    /// <summary>Starts the node; a start the server refuses is thrown, with the server's message.</summary>
    public ProductionNode Start()
    {
        StartServer();
        if (Services.GetRequiredService<Mentoring.Server.Hosting.ReadinessState>().Refusal is { } refusal)
            ExceptionDispatchInfo.Capture(refusal).Throw();
        BaseUrl = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(_settings));
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
        });
    }

    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();

    public Mentoring.Server.Data.MentoringDb Db() =>
        Service<IDbContextFactory<Mentoring.Server.Data.MentoringDb>>().CreateDbContext();

    public async Task SetPasswordAsync(string email, string password)
    {
        await using var db = Db();
        var person = await db.People.SingleAsync(p => p.Email == email);
        var account = await db.Set<Account>().SingleOrDefaultAsync(a => a.PersonId == person.Id);
        Service<AccountService>().SetPassword(db, person, account, password);
        await db.SaveChangesAsync();
    }

    /// <summary>A self-signed certificate with its RSA key, as a .pfx file (the caller deletes it). Its validity is
    /// fixed, not read from the clock: the data-protection encryption does not check it.</summary>
    public static string CertificateFile(string password, string name = "Mentoring data protection")
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var file = Path.Combine(Path.GetTempPath(), "mentoring-keys-" + Guid.NewGuid().ToString("N")[..8] + ".pfx");
        File.WriteAllBytes(file, certificate.Export(X509ContentType.Pfx, password));
        return file;
    }
}

/// <summary>
/// A client as a reverse proxy in front of the nodes makes it: it speaks plain http to a node and says, in
/// X-Forwarded-* headers, what the browser asked for (https, the public host) and who the browser is. Cookies are kept
/// by hand, because a cookie marked Secure is one an http client would never send back: the proxy does.
/// </summary>
public sealed partial class ProxyClient(string publicHost, string clientAddress)
{
    private readonly Dictionary<string, string> _cookies = [];
    private static readonly HttpClient Http = new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });

    public string LastPage { get; private set; } = "";
    public List<string> LastSetCookies { get; } = [];

    public Task<HttpResponseMessage> GetAsync(ProductionNode node, string path) => SendAsync(node, HttpMethod.Get, path, null);

    public async Task<HttpResponseMessage> PostFormAsync(ProductionNode node, string path, IDictionary<string, string> form)
    {
        var fields = new Dictionary<string, string>(form)
        {
            ["__RequestVerificationToken"] = TokenPattern().Match(LastPage).Groups[1].Value,
        };
        return await SendAsync(node, HttpMethod.Post, path, new FormUrlEncodedContent(fields));
    }

    public async Task<HttpResponseMessage> SignInAsync(ProductionNode node, string email, string password)
    {
        await GetAsync(node, "/signin");
        return await PostFormAsync(node, "/signin", new Dictionary<string, string> { ["email"] = email, ["password"] = password });
    }

    /// <summary>The same browser's cookies, through another proxy address (or a client of its own).</summary>
    public ProxyClient WithCookiesOf(ProxyClient other)
    {
        foreach (var (name, value) in other._cookies) _cookies[name] = value;
        return this;
    }

    private async Task<HttpResponseMessage> SendAsync(ProductionNode node, HttpMethod method, string path, HttpContent? content)
    {
        using var request = new HttpRequestMessage(method, node.BaseUrl + path) { Content = content };
        request.Headers.Add("X-Forwarded-For", clientAddress);
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", publicHost);
        if (_cookies.Count > 0) request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}")));
        var response = await Http.SendAsync(request);
        LastPage = await response.Content.ReadAsStringAsync();
        LastSetCookies.Clear();
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
            foreach (var setCookie in setCookies)
            {
                LastSetCookies.Add(setCookie);
                var pair = setCookie.Split(';')[0];
                var (name, value) = (pair[..pair.IndexOf('=')], pair[(pair.IndexOf('=') + 1)..]);
                if (value.Length == 0 || setCookie.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase))
                    _cookies.Remove(name);
                else _cookies[name] = value;
            }

        return response;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
