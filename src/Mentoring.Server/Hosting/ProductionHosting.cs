using System.Net;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Microsoft.AspNetCore.CookiePolicy;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.HttpsPolicy;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Hosting;

/// <summary>
/// What running for real needs: the public address for links, forwarded headers from the configured proxies only,
/// https (redirection, HSTS, Secure cookies) when the public address is https, data-protection keys encrypted with a
/// certificate, and the start-up refusals for a production set-up that would not be safe.
/// </summary>
public static class ProductionHosting
{
    public static IHostApplicationBuilder AddMentoringHosting(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HostingOptions>()
            .Bind(builder.Configuration.GetSection(HostingOptions.Section))
            .Configure<IConfiguration>((options, configuration) =>
                options.PublicBaseUrl = configuration[HostingOptions.PublicBaseUrlKey] is { Length: > 0 } url ? url : null);
        // Every link in an email (and the cookie API's origin check) reads Email:PublicUrl: PublicBaseUrl, when set, is it.
        builder.Services.AddOptions<EmailOptions>().PostConfigure<IOptions<HostingOptions>>((email, hosting) =>
        {
            if (hosting.Value.PublicUri is not null) email.PublicUrl = hosting.Value.PublicBaseUrl!.TrimEnd('/');
        });
        builder.Services.AddOptions<HttpsRedirectionOptions>().Configure<IOptions<HostingOptions>>((https, hosting) =>
        {
            if (hosting.Value.IsHttps) https.HttpsPort = hosting.Value.PublicUri!.Port;
        });
        builder.Services.AddHsts(options => options.MaxAge = TimeSpan.FromDays(365));

        builder.Services.AddSingleton<KeyCertificates>();
        builder.Services.AddSingleton<ISettingsCheck, ProductionCheck>();
        builder.Services.AddOptions<KeyManagementOptions>().Configure<KeyCertificates>((keys, certificates) =>
        {
            if (certificates.Current is { } certificate) keys.XmlEncryptor = new CertificateKeyEncryptor(certificate);
        });
        return builder;
    }

    /// <summary>First in the pipeline: everything after it sees the client's scheme, host and address.</summary>
    public static WebApplication UseMentoringProxy(this WebApplication app)
    {
        var hosting = app.Services.GetRequiredService<IOptions<HostingOptions>>().Value;
        if (ForwardedHeaders(hosting) is { } forwarded) app.UseForwardedHeaders(forwarded);
        if (hosting.IsHttps)
        {
            // A load balancer's or systemd's health probe talks plain http to the node itself; everything else is sent
            // to https.
            app.UseWhen(context => !context.Request.Path.StartsWithSegments("/health"), https => https.UseHttpsRedirection());
            app.UseHsts();
            app.UseCookiePolicy(new CookiePolicyOptions { Secure = CookieSecurePolicy.Always, HttpOnly = HttpOnlyPolicy.None });
        }

        return app;
    }

    /// <summary>Null when no proxy is configured: the middleware trusts every sender when its lists are empty, and it
    /// starts with loopback in them, so both are cleared and filled from the settings only.</summary>
    private static ForwardedHeadersOptions? ForwardedHeaders(HostingOptions hosting)
    {
        var proxies = hosting.KnownProxies.Select(p => IPAddress.TryParse(p, out var address) ? address : null).OfType<IPAddress>().ToList();
        var networks = hosting.KnownNetworks.Select(n => System.Net.IPNetwork.TryParse(n, out var network) ? network : (System.Net.IPNetwork?)null)
            .OfType<System.Net.IPNetwork>().ToList();
        if (proxies.Count == 0 && networks.Count == 0) return null;
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor
                               | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto
                               | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedHost,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in proxies) options.KnownProxies.Add(proxy);
        foreach (var network in networks) options.KnownIPNetworks.Add(network);
        // A forwarded host other than the public one is not believed (links and redirects would carry it).
        if (hosting.PublicUri is { } publicUri) options.AllowedHosts = [publicUri.Host];
        return options;
    }

    /// <summary>Why this node must not start, each naming its setting; empty when it may.</summary>
    public static IReadOnlyList<string> Refusals(IHostEnvironment environment, HostingOptions hosting, DatabaseOptions database,
        KeyCertificates certificates)
    {
        var refusals = new List<string>();
        if (hosting.PublicBaseUrl is { } url && (hosting.PublicUri is not { Scheme: "http" or "https" }))
            refusals.Add($"PublicBaseUrl '{url}' is not an absolute http or https address (e.g. https://mentoring.example.org).");
        else if (hosting.PublicBaseUrl is null && environment.IsProduction())
            refusals.Add("PublicBaseUrl is not set: in Production every link in an email needs the public address " +
                         "(PublicBaseUrl=https://mentoring.example.org).");
        if (hosting.Nodes > 1 && database.Provider == DatabaseProvider.Sqlite)
            refusals.Add($"Hosting:Nodes is {hosting.Nodes} but Database:Provider is Sqlite: an embedded database serves one node. " +
                         "Use Database:Provider=Postgres for several nodes, or set Hosting:Nodes=1.");
        if (hosting.Nodes < 1) refusals.Add($"Hosting:Nodes is {hosting.Nodes}: it counts the nodes serving this database, at least 1.");
        foreach (var bad in hosting.KnownProxies.Where(p => !IPAddress.TryParse(p, out _)))
            refusals.Add($"Hosting:KnownProxies has '{bad}', which is not an IP address.");
        foreach (var bad in hosting.KnownNetworks.Where(n => !System.Net.IPNetwork.TryParse(n, out _)))
            refusals.Add($"Hosting:KnownNetworks has '{bad}', which is not a network in CIDR form (10.0.0.0/24).");
        refusals.AddRange(certificates.Problems);
        if (certificates.Current is null && certificates.Problems.Count == 0 && environment.IsProduction() && !hosting.AllowUnprotectedKeys)
            refusals.Add("Hosting:KeyCertificatePath is not set: in Production the data-protection keys (which sign every session " +
                         "cookie) are encrypted with a certificate. Give a .pfx file (and Hosting:KeyCertificatePassword), " +
                         "or set Hosting:AllowUnprotectedKeys=true to keep them unencrypted.");
        return refusals;
    }
}

/// <summary>The production refusals, at start-up.</summary>
internal sealed class ProductionCheck(IHostEnvironment environment, IOptions<HostingOptions> hosting, IOptions<DatabaseOptions> database,
    KeyCertificates certificates) : ISettingsCheck
{
    public IEnumerable<string> Problems() => ProductionHosting.Refusals(environment, hosting.Value, database.Value, certificates);
}
