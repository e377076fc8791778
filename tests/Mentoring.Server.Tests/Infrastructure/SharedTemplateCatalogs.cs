using System.Collections.Concurrent;
using System.Security.Cryptography;
using Mentoring.Engine.Templates;
using Mentoring.Server.Workflows;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Tests.Infrastructure;

/// <summary>
/// The email templates, loaded once per run for every test host instead of once per host. Loading checks and compiles
/// every .hbs file of templates/ (Handlebars builds and compiles an expression tree for each): measured, it was most of
/// a host's build, seconds per test under load. A loaded catalog is only read afterwards (Render, Sample's copies), so
/// hosts can share it. The key is the folder and the content of every file in it, so a test that edits or points at
/// other templates still gets its own load, and a folder that does not load throws, as start-up would, every time.
/// (The loading itself is tested by the engine's TemplateCatalog tests and by every first load here.)
/// </summary>
internal static class SharedTemplateCatalogs
{
    private static readonly ConcurrentDictionary<string, Lazy<TemplateCatalog>> Loaded = new(StringComparer.Ordinal);

    /// <summary>Replaces the server's own TemplateCatalog registration (same options, same folder) with the shared one.</summary>
    public static void UseShared(IServiceCollection services)
    {
        services.RemoveAll<TemplateCatalog>();
        services.AddSingleton(sp =>
            For(ContentPath.Resolve(sp.GetRequiredService<IOptions<WorkflowOptions>>().Value.TemplatesPath)));
    }

    public static TemplateCatalog For(string folder)
    {
        var key = Fingerprint(folder);
        var loading = Loaded.GetOrAdd(key, _ => new Lazy<TemplateCatalog>(() => TemplateCatalog.LoadFolder(folder)));
        try
        {
            return loading.Value;
        }
        catch
        {
            Loaded.TryRemove(new KeyValuePair<string, Lazy<TemplateCatalog>>(key, loading));
            throw;
        }
    }

    private static string Fingerprint(string folder)
    {
        var full = Path.GetFullPath(folder);
        if (!Directory.Exists(full)) return full + "|missing";
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetRelativePath(full, file) + "\0"));
            hash.AppendData(File.ReadAllBytes(file));
            hash.AppendData([0]);
        }

        return full + "|" + Convert.ToHexString(hash.GetHashAndReset());
    }
}
