using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mentoring.Engine.Definitions;
using Mentoring.Server.Data;
using Mentoring.Server.Programme.Packages;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Practices;

/// <summary>A practice as a package's <c>practices.json</c> gives it: <see cref="Id"/> is its key in the package.</summary>
public sealed record PackagePractice(string Id, PracticeRequest Practice, bool Shared);

/// <summary>
/// A programme package's good practices, <c>workflows/&lt;id&gt;/practices.json</c> (schema
/// <c>workflows/practices.schema.json</c>; optional: a package without it imports as before). Read with the package,
/// every error named with the file and its JSON path; imported in the package's transaction, published, each by its id
/// in the package, so importing again changes nothing and an edited file updates what it names.
/// </summary>
public sealed class PracticesFile
{
    public const string FileName = "practices.json";

    private static readonly string[] Properties =
        ["id", "title", "city", "country", "language", "summary", "achieves", "runBy", "resources", "results", "contact", "languages", "links",
         "themes", "keyFactors", "shared"];

    /// <summary>Adds the folder's practices to <paramref name="package"/> (and to its hash); null with the errors added
    /// when the file is wrong, the package unchanged when there is none.</summary>
    public static ProgrammePackage? ReadInto(string folder, ProgrammePackage? package, ref IReadOnlyList<DefinitionError> errors)
    {
        var file = Path.Combine(folder, FileName);
        if (!File.Exists(file)) return package;
        var shown = Path.GetRelativePath(Directory.GetCurrentDirectory(), file);
        var json = File.ReadAllText(file);
        var practices = Read(shown, json, out var fileErrors);
        if (fileErrors.Count > 0) errors = [.. errors, .. fileErrors];
        if (package is null || practices is null) return null;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(package.Hash + "\n" + json)));
        return package with { Practices = practices, Hash = hash };
    }

    /// <summary>Reads the text of a practices.json; null with every error when it is wrong.</summary>
    public static IReadOnlyList<PackagePractice>? Read(string file, string json, out List<DefinitionError> errors)
    {
        errors = [];
        var found = errors;
        void Error(string path, string message) => found.Add(new DefinitionError(file, path, message));
        var document = PackageJson.Parse(file, json, found);
        if (document is null) return null;

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("practices", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                Error("$", "must be an object with an array 'practices'");
                return null;
            }

            foreach (var property in root.EnumerateObject().Where(p => p.Name is not ("$schema" or "practices")))
                Error($"$.{property.Name}", "unknown property; expected $schema, practices");
            var result = new List<PackagePractice>();
            var ids = new HashSet<string>(StringComparer.Ordinal);
            var index = 0;
            foreach (var item in list.EnumerateArray())
            {
                var path = $"$.practices[{index++}]";
                if (item.ValueKind != JsonValueKind.Object)
                {
                    Error(path, "must be an object");
                    continue;
                }

                foreach (var property in item.EnumerateObject().Where(p => !Properties.Contains(p.Name)))
                    Error($"{path}.{property.Name}", $"unknown property; expected one of {string.Join(", ", Properties)}");
                string? Text(string name)
                {
                    if (!item.TryGetProperty(name, out var value)) return null;
                    if (value.ValueKind == JsonValueKind.String) return value.GetString();
                    Error($"{path}.{name}", "must be a string");
                    return null;
                }

                IReadOnlyList<string>? Texts(string name)
                {
                    if (!item.TryGetProperty(name, out var value)) return null;
                    if (value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String))
                        return value.EnumerateArray().Select(v => v.GetString()!).ToList();
                    Error($"{path}.{name}", "must be an array of strings");
                    return null;
                }

                var id = Text("id");
                if (string.IsNullOrWhiteSpace(id)) Error($"{path}.id", "missing: every practice has an id, unique in the file");
                else if (!ids.Add(id)) Error($"{path}.id", $"the id '{id}' is used twice");
                var shared = item.TryGetProperty("shared", out var s) && s.ValueKind == JsonValueKind.True;
                if (item.TryGetProperty("shared", out s) && s.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    Error($"{path}.shared", "must be true or false");
                var request = new PracticeRequest(Text("title"), Text("city"), Text("country"), Text("language"), Text("summary"),
                    Text("achieves"), Text("runBy"), Text("resources"), Text("results"), Text("contact"), Texts("languages"), Texts("links"),
                    Texts("themes"), Texts("keyFactors"));
                foreach (var (field, messages) in PracticeLibrary.Check(request))
                    foreach (var message in messages) Error($"{path}.{field}", message);
                foreach (var error in Inputs.Input.Check(request, DateTimeOffset.UnixEpoch)) Error($"{path}.{error.Field}", error.English);
                if (id is not null) result.Add(new PackagePractice(id, request, shared));
            }

            return errors.Count == 0 ? result : null;
        }
    }

    /// <summary>Adds the package's practices to the import's transaction: new ones published, changed ones updated
    /// (tracked changes only, so a <c>--check</c> writes nothing).</summary>
    public static async Task UpsertAsync(MentoringDb db, ProgrammePackage package, Action<string, string, string> plan, DateTimeOffset now,
        CancellationToken ct)
    {
        if (package.Practices.Count == 0) return;
        var existing = await db.Set<Practice>().Where(p => p.ProgrammeId == package.Id && p.SourceKey != null).ToDictionaryAsync(p => p.SourceKey!, ct);
        var ids = existing.Values.Select(p => p.Id).ToList();
        var themes = await db.Set<PracticeTheme>().Where(t => ids.Contains(t.PracticeId)).ToListAsync(ct);
        var factors = await db.Set<PracticeKeyFactor>().Where(k => ids.Contains(k.PracticeId)).ToListAsync(ct);
        foreach (var (key, request, shared) in package.Practices)
        {
            if (!existing.TryGetValue(key, out var practice))
            {
                practice = new Practice
                {
                    ProgrammeId = package.Id, SourceKey = key, Title = "", City = "", Country = "", Language = "", Status = PracticeStatus.Published,
                    Shared = shared, ProposedAt = now, PublishedAt = now, UpdatedAt = now,
                };
                PracticeLibrary.Apply(db, practice, request, isNew: true);
                db.Set<Practice>().Add(practice);
                plan("practice", key, "created, published");
                continue;
            }

            var oldThemes = themes.Where(t => t.PracticeId == practice.Id).ToList();
            var oldFactors = factors.Where(k => k.PracticeId == practice.Id).OrderBy(k => k.Position).ToList();
            if (PracticeLibrary.Same(practice, request, oldThemes.Select(t => t.Theme), oldFactors.Select(k => k.Name)) && practice.Shared == shared)
                continue;
            PracticeLibrary.Apply(db, practice, request, isNew: false, oldThemes, oldFactors);
            practice.Shared = shared;
            practice.UpdatedAt = now;
            practice.Version++;
            plan("practice", key, "updated");
        }
    }
}
