using System.Net;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Hosting;
using Mentoring.Server.Tests.Email;
using Mentoring.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Hosting;

/// <summary>The README's production set-up, walked by a test: two nodes on one PostgreSQL behind a reverse proxy,
/// keys encrypted with a certificate.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class TwoNodeProxyTests(DatabaseFixture database)
{
    private const string PublicHost = "mentoring.example.org";
    private const string PublicUrl = "https://" + PublicHost;
    private const string Password = "correct horse battery";

    [Fact]
    public async Task Two_nodes_behind_a_proxy_share_sessions_across_key_rotation_and_mail_links_on_the_public_url()
    {
        var certificate = ProductionNode.CertificateFile("pfx password");
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres", ["Database:ConnectionString"] = await database.ResetAsync(DatabaseProvider.Postgres),
            ["PublicBaseUrl"] = PublicUrl, ["Hosting:KnownProxies:0"] = "127.0.0.1", ["Hosting:Nodes"] = "2",
            ["Hosting:KeyCertificatePath"] = certificate, ["Hosting:KeyCertificatePassword"] = "pfx password",
            ["Web:SignInAttemptsPerMinute"] = "3",
        };
        // Started at the same moment on an empty database: both migrate and seed, and exactly one of each wins.
        ProductionNode[] nodes = [new(settings), new(settings)];
        await Task.WhenAll(nodes.Select(node => Task.Run(node.Start)));
        await using var a = nodes[0];
        await using var b = nodes[1];
        await using (var db = a.Db())
        {
            Assert.Equal(4, await db.Groups.CountAsync());
            Assert.Equal(MigrationCount(), await db.Database.SqlQueryRaw<int>("SELECT count(*)::int AS \"Value\" FROM schema_migrations").SingleAsync());
        }

        // The proxy's health probe talks plain http to the node: answered; a page asked for that way goes to https.
        using var direct = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.OK, (await direct.GetAsync(a.BaseUrl + "/health/ready")).StatusCode);
        var plain = await direct.GetAsync(b.BaseUrl + "/signin");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, plain.StatusCode);
        Assert.StartsWith("https://", plain.Headers.Location!.ToString());

        // A browser through the proxy: https as the proxy says, HSTS, and a Secure session cookie.
        await a.SetPasswordAsync(People.Coordinator("jelgava"), Password);
        var browser = new ProxyClient(PublicHost, "203.0.113.7");
        var signInPage = await browser.GetAsync(a, "/signin");
        Assert.Equal(HttpStatusCode.OK, signInPage.StatusCode);
        Assert.True(signInPage.Headers.Contains("Strict-Transport-Security"));
        Assert.Equal(HttpStatusCode.Redirect, (await browser.SignInAsync(a, People.Coordinator("jelgava"), Password)).StatusCode);
        var session = Assert.Single(browser.LastSetCookies, c => c.StartsWith(".Mentoring.Session=", StringComparison.Ordinal));
        Assert.Contains("secure", session, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(b, "/me/tokens")).StatusCode);

        // The key ring is in the database encrypted with the certificate, never in plain form.
        await using (var db = a.Db())
        {
            var keys = await db.Set<Mentoring.Server.Accounts.DataProtectionKey>().Select(k => k.Xml).ToListAsync();
            Assert.NotEmpty(keys);
            Assert.All(keys, key =>
            {
                Assert.Contains("encryptedSecret", key);
                Assert.Contains(nameof(CertificateKeyDecryptor), key);
                Assert.DoesNotContain("<value>", key);
            });
        }

        // Key rotation on one node: the session made with the old key still works on both, and a session made with the
        // new key on one node works on the other.
        var keyManager = b.Service<IKeyManager>();
        var current = keyManager.GetAllKeys().MaxBy(k => k.ActivationDate)!;
        keyManager.CreateNewKey(current.ActivationDate.AddMilliseconds(1), current.ExpirationDate.AddDays(30));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(b, "/me/tokens")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(a, "/me/tokens")).StatusCode);
        var second = new ProxyClient(PublicHost, "203.0.113.8");
        Assert.Equal(HttpStatusCode.Redirect, (await second.SignInAsync(b, People.Coordinator("jelgava"), Password)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync(a, "/me/tokens")).StatusCode);

        // A reset link asked for on one node is mailed with the public address, not the node's own.
        await second.GetAsync(b, "/password/forgot");
        await second.PostFormAsync(b, "/password/forgot", new Dictionary<string, string> { ["email"] = People.Coordinator("capaci") });
        Assert.True(await b.Service<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None) >= 1);
        var mail = Directory.GetFiles(b.Setting("Email:PickupDirectory"), "*.eml").Max()!;
        var text = EmlFile.Parse(await File.ReadAllTextAsync(mail)).Bodies["text/plain"];
        Assert.Contains(PublicUrl + "/", text);
        Assert.DoesNotContain("127.0.0.1", text);

        // The sign-in rate limit counts each client behind the proxy on its own, not the proxy as one client.
        var attacker = new ProxyClient(PublicHost, "198.51.100.9");
        await attacker.GetAsync(b, "/signin");
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
            codes.Add((await attacker.PostFormAsync(b, "/signin", new Dictionary<string, string> { ["email"] = "nobody@example.org", ["password"] = "wrong" })).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, codes[^1]);
        var bystander = new ProxyClient(PublicHost, "198.51.100.10");
        await bystander.GetAsync(b, "/signin");
        Assert.NotEqual(HttpStatusCode.TooManyRequests,
            (await bystander.PostFormAsync(b, "/signin", new Dictionary<string, string> { ["email"] = "nobody@example.org", ["password"] = "wrong" })).StatusCode);
        File.Delete(certificate);
    }

    [Fact]
    public async Task Forwarded_headers_from_an_address_that_is_not_a_configured_proxy_are_ignored()
    {
        await using var node = new ProductionNode(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite", ["Database:ConnectionString"] = await database.ResetAsync(DatabaseProvider.Sqlite),
            ["PublicBaseUrl"] = PublicUrl, ["Hosting:KnownProxies:0"] = "10.9.9.9",
        }, environment: "Testing").Start();

        // The request comes from 127.0.0.1, which is not the proxy: its claim to be https is not believed.
        var response = await new ProxyClient(PublicHost, "203.0.113.7").GetAsync(node, "/signin");

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.StartsWith("https://127.0.0.1", response.Headers.Location!.ToString());
    }

    [Theory]
    [InlineData("no PublicBaseUrl", "PublicBaseUrl")]
    [InlineData("two nodes on SQLite", "Hosting:Nodes")]
    [InlineData("an unreadable certificate", "Hosting:KeyCertificatePath")]
    [InlineData("no certificate", "Hosting:KeyCertificatePath")]
    [InlineData("a proxy that is not an address", "Hosting:KnownProxies")]
    public async Task A_production_start_that_would_not_be_safe_is_refused_naming_the_setting(string what, string setting)
    {
        var certificate = ProductionNode.CertificateFile("pfx password");
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite", ["Database:ConnectionString"] = await database.ResetAsync(DatabaseProvider.Sqlite),
            ["PublicBaseUrl"] = PublicUrl, ["Hosting:KeyCertificatePath"] = certificate, ["Hosting:KeyCertificatePassword"] = "pfx password",
        };
        switch (what)
        {
            case "no PublicBaseUrl": settings["PublicBaseUrl"] = ""; break;
            case "two nodes on SQLite": settings["Hosting:Nodes"] = "2"; break;
            case "an unreadable certificate": settings["Hosting:KeyCertificatePassword"] = "not the password"; break;
            case "no certificate": settings["Hosting:KeyCertificatePath"] = ""; break;
            case "a proxy that is not an address": settings["Hosting:KnownProxies:0"] = "proxy.internal"; break;
        }

        await using var node = new ProductionNode(settings);
        var refused = Assert.Throws<StartupRefusedException>(() => node.Start());

        Assert.Contains(setting, refused.Message);
        Assert.False(File.Exists(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(settings["Database:ConnectionString"]).DataSource),
            "a refused start created the database");
        File.Delete(certificate);
    }

    [Fact]
    public async Task Production_starts_without_a_certificate_when_unprotected_keys_are_allowed()
    {
        await using var node = new ProductionNode(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite", ["Database:ConnectionString"] = await database.ResetAsync(DatabaseProvider.Sqlite),
            ["PublicBaseUrl"] = PublicUrl, ["Hosting:AllowUnprotectedKeys"] = "true",
        }).Start();

        using var direct = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await direct.GetAsync(node.BaseUrl + "/health/ready")).StatusCode);
    }

    private static int MigrationCount() => Mentoring.Server.Data.Migrations.MigrationRunner.All.Count;
}
