using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mentoring.Engine.Definitions;
using Mentoring.Server.Data;
using Mentoring.Server.Practices;
using Mentoring.Server.Programme;
using Mentoring.Server.Programme.Packages;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Benchmarks;

/// <summary>A package's key-factor templates (<c>benchmarks.json</c>): its text, and what it reads as.</summary>
public sealed record PackageBenchmarks(string File, string Source, string Hash, IReadOnlyList<BenchmarkTemplate> Templates);

/// <summary>The benchmark a pair working on <see cref="Theme"/> starts from.</summary>
public sealed record BenchmarkTemplate(string Theme, LocalizedText Title, IReadOnlyList<FactorTemplate> Factors);

public sealed record FactorTemplate(LocalizedText Title, LocalizedText WhyAndHow, IReadOnlyList<LocalizedText> GuidingQuestions,
    IReadOnlyList<ExampleTemplate> Examples);

/// <param name="Practice">The id of a practice in the package's practices.json.</param>
public sealed record ExampleTemplate(LocalizedText Text, string? Practice, string? Url);

/// <summary>
/// A programme package's key-factor templates per theme, <c>workflows/&lt;id&gt;/benchmarks.json</c> (schema
/// <c>workflows/benchmarks.schema.json</c>; optional: a package without it imports as before). Read with the package,
/// every error named with the file and its JSON path (themes the questionnaire declares, practices practices.json has);
/// stored at import as the file's text; read again when a group's benchmark is created, in the programme's first
/// language (its working language: the pair's two cities may speak two others).
/// </summary>
public static class BenchmarkTemplates
{
    public const string FileName = "benchmarks.json";

    /// <summary>Adds the folder's templates to <paramref name="package"/> (and to its hash); null with the errors added
    /// when the file is wrong, the package unchanged when there is none.</summary>
    public static ProgrammePackage? ReadInto(string folder, ProgrammePackage? package, ref IReadOnlyList<DefinitionError> errors)
    {
        var file = Path.Combine(folder, FileName);
        if (!File.Exists(file)) return package;
        var shown = Path.GetRelativePath(Directory.GetCurrentDirectory(), file);
        var json = File.ReadAllText(file);
        var templates = Read(shown, json, package?.Assessments?.Questionnaire.Themes.Select(t => t.Id).ToHashSet(),
            package?.Practices.Select(p => p.Id).ToHashSet(), out var fileErrors);
        if (fileErrors.Count > 0) errors = [.. errors, .. fileErrors];
        if (package is null || templates is null) return null;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)));
        return package with
        {
            Benchmarks = new PackageBenchmarks(shown, json, hash, templates),
            Hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(package.Hash + "\n" + hash))),
        };
    }

    /// <summary>Reads the text of a benchmarks.json; null with every error when it is wrong.</summary>
    /// <param name="themes">The themes a template may name (the questionnaire's), or null when the package has no questionnaire.</param>
    /// <param name="practices">The practice ids an example may name (practices.json's), or null not to check them.</param>
    public static IReadOnlyList<BenchmarkTemplate>? Read(string file, string json, IReadOnlySet<string>? themes, IReadOnlySet<string>? practices,
        out List<DefinitionError> errors)
    {
        errors = [];
        var found = errors;
        void Error(string path, string message) => found.Add(new DefinitionError(file, path, message));
        var document = PackageJson.Parse(file, json, found);
        if (document is null) return null;

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("benchmarks", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                Error("$", "must be an object with an array 'benchmarks'");
                return null;
            }

            Allow(root, "$", Error, "$schema", "benchmarks");
            var result = new List<BenchmarkTemplate>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var index = 0;
            foreach (var item in list.EnumerateArray())
            {
                var path = $"$.benchmarks[{index++}]";
                if (item.ValueKind != JsonValueKind.Object)
                {
                    Error(path, "must be an object");
                    continue;
                }

                Allow(item, path, Error, "theme", "title", "keyFactors");
                var theme = item.TryGetProperty("theme", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                if (string.IsNullOrWhiteSpace(theme)) Error($"{path}.theme", "missing: every benchmark names the theme it is for");
                else if (!seen.Add(theme)) Error($"{path}.theme", $"the theme '{theme}' has two benchmarks");
                else if (themes is not null && !themes.Contains(theme))
                    Error($"{path}.theme", $"'{theme}' is not a theme of questionnaire.json (its themes: {string.Join(", ", themes.Order(StringComparer.Ordinal))})");
                var title = Text(item, path, "title", Error, required: true);
                var factors = new List<FactorTemplate>();
                if (!item.TryGetProperty("keyFactors", out var factorList) || factorList.ValueKind != JsonValueKind.Array || factorList.GetArrayLength() == 0)
                    Error($"{path}.keyFactors", "must be a non-empty array of key factors");
                else
                {
                    var f = 0;
                    foreach (var factor in factorList.EnumerateArray())
                        if (Factor(factor, $"{path}.keyFactors[{f++}]", practices, Error) is { } read) factors.Add(read);
                }

                if (theme is not null && title is not null) result.Add(new BenchmarkTemplate(theme, title, factors));
            }

            return errors.Count == 0 ? result : null;
        }
    }

    private static FactorTemplate? Factor(JsonElement factor, string path, IReadOnlySet<string>? practices, Action<string, string> error)
    {
        if (factor.ValueKind != JsonValueKind.Object)
        {
            error(path, "must be an object");
            return null;
        }

        Allow(factor, path, error, "title", "whyAndHow", "guidingQuestions", "examples");
        var title = Text(factor, path, "title", error, required: true);
        var why = Text(factor, path, "whyAndHow", error, required: true);
        var questions = new List<LocalizedText>();
        if (factor.TryGetProperty("guidingQuestions", out var list))
        {
            if (list.ValueKind != JsonValueKind.Array) error($"{path}.guidingQuestions", "must be an array of texts");
            else
            {
                var i = 0;
                foreach (var question in list.EnumerateArray())
                    if (LocalizedText.Parse(question, $"{path}.guidingQuestions[{i++}]", error) is { } text) questions.Add(text);
                if (i > BenchmarkCommands.MaxQuestions) error($"{path}.guidingQuestions", $"at most {BenchmarkCommands.MaxQuestions} guiding questions");
            }
        }

        var examples = new List<ExampleTemplate>();
        if (factor.TryGetProperty("examples", out var exampleList))
        {
            if (exampleList.ValueKind != JsonValueKind.Array) error($"{path}.examples", "must be an array of examples");
            else
            {
                var i = 0;
                foreach (var example in exampleList.EnumerateArray())
                {
                    var examplePath = $"{path}.examples[{i++}]";
                    if (example.ValueKind != JsonValueKind.Object)
                    {
                        error(examplePath, "must be an object {text, practice, url}");
                        continue;
                    }

                    Allow(example, examplePath, error, "text", "practice", "url");
                    var text = Text(example, examplePath, "text", error, required: true);
                    var practice = Plain(example, examplePath, "practice", error);
                    var url = Plain(example, examplePath, "url", error);
                    if (practice is not null && practices is not null && !practices.Contains(practice))
                        error($"{examplePath}.practice", $"'{practice}' is not a practice of practices.json");
                    if (url is not null && !(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
                        error($"{examplePath}.url", "must be a web address starting with http:// or https://");
                    if (text is not null) examples.Add(new ExampleTemplate(text, practice, url));
                }
            }
        }

        return title is null || why is null ? null : new FactorTemplate(title, why, questions, examples);
    }

    private static LocalizedText? Text(JsonElement element, string path, string property, Action<string, string> error, bool required)
    {
        if (element.TryGetProperty(property, out var value)) return LocalizedText.Parse(value, $"{path}.{property}", error);
        if (required) error($"{path}.{property}", "missing");
        return null;
    }

    private static string? Plain(JsonElement element, string path, string property, Action<string, string> error)
    {
        if (!element.TryGetProperty(property, out var value)) return null;
        if (value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())) return value.GetString()!.Trim();
        error($"{path}.{property}", "must be a non-empty string");
        return null;
    }

    private static void Allow(JsonElement element, string path, Action<string, string> error, params string[] names)
    {
        foreach (var property in element.EnumerateObject().Where(p => !names.Contains(p.Name)))
            error($"{path}.{property.Name}", $"unknown property; expected one of {string.Join(", ", names)}");
    }

    /// <summary>Stores the package's templates in the import's transaction (tracked changes only, so a <c>--check</c>
    /// writes nothing). Benchmarks already created stay as their pairs made them: a template is where a benchmark starts.</summary>
    public static async Task UpsertAsync(MentoringDb db, ProgrammePackage package, Action<string, string, string> plan, DateTimeOffset now,
        CancellationToken ct)
    {
        if (package.Benchmarks is not { } wanted) return;
        var stored = await db.BenchmarkTemplates.SingleOrDefaultAsync(t => t.ProgrammeId == package.Id, ct);
        if (stored is null)
        {
            db.BenchmarkTemplates.Add(new BenchmarkTemplatesRecord { ProgrammeId = package.Id, Source = wanted.Source, Hash = wanted.Hash, ImportedAt = now });
            plan("benchmarks", package.Id, $"create ({wanted.Templates.Count} themes)");
            return;
        }

        if (stored.Hash == wanted.Hash) return;
        stored.Source = wanted.Source;
        stored.Hash = wanted.Hash;
        stored.ImportedAt = now;
        plan("benchmarks", package.Id, $"update ({wanted.Templates.Count} themes)");
    }

    /// <summary>Adds the group's benchmark (tracked, not saved): its theme's template in the programme's first language,
    /// or, without one, the group's title and no factors yet.</summary>
    public static async Task CreateAsync(MentoringDb db, Group group, DateTimeOffset now, CancellationToken ct)
    {
        var programme = await db.Programmes.AsNoTracking().SingleAsync(p => p.Id == group.ProgrammeId, ct);
        var language = JsonSerializer.Deserialize<List<string>>(programme.Languages)?.FirstOrDefault() ?? LocalizedText.English;
        var template = await TemplateForAsync(db, group, ct);
        var benchmark = new BenchmarkRecord
        {
            ProgrammeId = group.ProgrammeId, GroupId = group.Id, Theme = template?.Theme,
            Title = template?.Title.In(language).Text ?? group.Title, CreatedAt = now, UpdatedAt = now,
        };
        db.Benchmarks.Add(benchmark);
        if (template is null) return;
        var keys = template.Factors.SelectMany(f => f.Examples).Select(e => e.Practice).OfType<string>().Distinct().ToList();
        var practices = await db.Set<Practice>().AsNoTracking().Where(p => p.ProgrammeId == group.ProgrammeId && keys.Contains(p.SourceKey!))
            .ToDictionaryAsync(p => p.SourceKey!, p => p.Id, ct);
        var position = 0;
        foreach (var factor in template.Factors)
            db.BenchmarkFactors.Add(new BenchmarkFactorRecord
            {
                BenchmarkId = benchmark.Id, Position = ++position, Title = factor.Title.In(language).Text,
                WhyAndHow = factor.WhyAndHow.In(language).Text,
                GuidingQuestions = BenchmarkCommands.Json(factor.GuidingQuestions.Select(q => q.In(language).Text).ToList()),
                Examples = BenchmarkCommands.Json(factor.Examples.Select(e => new MentorExample(e.Text.In(language).Text,
                    e.Practice is { } key && practices.TryGetValue(key, out var id) ? id : null, e.Url)).ToList()),
                CreatedAt = now,
            });
    }

    /// <summary>The template of the group's theme. A group names its theme by title (the package's groups, and those the
    /// matching publishes, carry the theme's title): matched against the questionnaire's theme titles and the templates'
    /// own titles in every language, and the theme ids, ignoring case, spaces and punctuation (quotes differ).</summary>
    private static async Task<BenchmarkTemplate?> TemplateForAsync(MentoringDb db, Group group, CancellationToken ct)
    {
        var stored = await db.BenchmarkTemplates.AsNoTracking().SingleOrDefaultAsync(t => t.ProgrammeId == group.ProgrammeId, ct);
        if (stored is null) return null;
        // Themes and practices named in the stored file were checked at import: read it again without those checks.
        if (Read(FileName, stored.Source, null, null, out _) is not { } templates) return null;
        var wanted = Normalised(group.Title);
        var questionnaire = await db.Set<Assessments.QuestionnaireRecord>().AsNoTracking()
            .Where(q => q.ProgrammeId == group.ProgrammeId).Select(q => q.Source).SingleOrDefaultAsync(ct);
        var themeTitles = questionnaire is null ? []
            : Assessments.QuestionnaireReader.TryRead(Assessments.QuestionnaireReader.FileName, questionnaire, out _)?.Themes ?? [];
        return templates.FirstOrDefault(t => Normalised(t.Theme) == wanted
                                             || t.Title.ByLanguage.Values.Any(title => Normalised(title) == wanted)
                                             || themeTitles.Any(theme => theme.Id == t.Theme && theme.Title.ByLanguage.Values.Any(title => Normalised(title) == wanted)));
    }

    private static string Normalised(string text) => new(text.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

    /// <summary>Which of <paramref name="ids"/> are practices this programme's library shows: its own, or shared ones it shows.</summary>
    public static async Task<HashSet<Guid>> VisiblePracticesAsync(MentoringDb db, string programmeId, IReadOnlyCollection<Guid> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return [];
        var own = await db.Set<Practice>().AsNoTracking().Where(p => ids.Contains(p.Id) && p.ProgrammeId == programmeId).Select(p => p.Id).ToListAsync(ct);
        var shown = await db.Set<PracticeShow>().AsNoTracking().Where(s => ids.Contains(s.PracticeId) && s.ProgrammeId == programmeId)
            .Select(s => s.PracticeId).ToListAsync(ct);
        return [.. own, .. shown];
    }
}
