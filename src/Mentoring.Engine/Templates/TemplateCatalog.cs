using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HandlebarsDotNet;
using Mentoring.Engine.Definitions;

namespace Mentoring.Engine.Templates;

public sealed record RenderedEmail(string Subject, string Text, string Html, string Language);

/// <summary>
/// The email templates of <c>templates/</c>: a manifest (<c>templates.json</c>) whose sample model for each template
/// fixes the placeholders it may use, and per language a subject, a plain-text and an HTML body. Every file is
/// checked when loaded, so a mistyped placeholder fails at start-up, never as a blank in a sent email.
/// </summary>
public sealed partial class TemplateCatalog
{
    public const string FallbackLanguage = "en";
    private static readonly string[] Parts = ["subject", "text", "html"];

    private readonly Dictionary<string, JsonObject> _samples;
    private readonly Dictionary<string, Dictionary<string, List<string>>> _contexts = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Name, string Language), Compiled> _compiled = [];

    private sealed record Compiled(HandlebarsTemplate<object, object> Subject, HandlebarsTemplate<object, object> Text,
        HandlebarsTemplate<object, object> Html, IReadOnlyList<string> Conditions);

    private TemplateCatalog(Dictionary<string, JsonObject> samples) => _samples = samples;

    public IReadOnlyCollection<string> Names => _samples.Keys;

    public IEnumerable<string> Languages => _compiled.Keys.Select(k => k.Language).Distinct().Order();

    public bool Exists(string name) => _samples.ContainsKey(name);

    public bool HasLanguage(string name, string language) => _compiled.ContainsKey((name, language));

    public JsonObject Sample(string name) => (JsonObject)_samples[name].DeepClone();

    /// <summary>Renders <paramref name="name"/> in <paramref name="language"/>, or in English when that language lacks it.</summary>
    public RenderedEmail Render(string name, string language, JsonObject model)
    {
        if (!_compiled.TryGetValue((name, language), out var compiled))
        {
            language = FallbackLanguage;
            compiled = _compiled.TryGetValue((name, language), out var english)
                ? english
                : throw new KeyNotFoundException($"There is no email template '{name}'.");
        }

        var data = ToPlain(model);
        var subjectData = ToPlain(model, singleLine: true);
        // Handlebars.Net calls a missing path undefined even inside #if; a value a message does not have (a programme
        // task's pair, an undated task's due date) is "no", which is what the template's #if asks.
        foreach (var root in new[] { data, subjectData })
            if (root is Dictionary<string, object?> values)
                foreach (var condition in compiled.Conditions) MarkAbsent(values, condition);
        // A value holding a line break (a task title, a name) must not make a two-line subject header.
        return new RenderedEmail(compiled.Subject(subjectData).Trim(), compiled.Text(data), compiled.Html(data), language);
    }

    public static TemplateCatalog LoadFolder(string folder)
    {
        var errors = new List<DefinitionError>();
        var manifestPath = Path.Combine(folder, "templates.json");
        var manifestName = Display(manifestPath);
        if (!File.Exists(manifestPath))
            throw new DefinitionException([new DefinitionError(manifestName, "", "the template manifest is missing")]);

        var samples = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        var contextsOf = new Dictionary<string, Dictionary<string, List<string>>>(StringComparer.Ordinal);
        try
        {
            var manifest = JsonNode.Parse(File.ReadAllText(manifestPath),
                documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (manifest?["templates"] is not JsonObject templates)
                throw new DefinitionException([new DefinitionError(manifestName, "$.templates", "missing, or not an object")]);
            foreach (var (name, entry) in templates)
            {
                if (entry?["sample"] is JsonObject sample) samples[name] = sample;
                else errors.Add(new DefinitionError(manifestName, $"$.templates.{name}.sample", "missing, or not an object"));
                if (entry?["contexts"] is { } contexts)
                    contextsOf[name] = ParseContexts(manifestName, name, contexts, samples.GetValueOrDefault(name), errors);
            }
        }
        catch (JsonException e)
        {
            throw new DefinitionException([new DefinitionError(manifestName,
                $"line {e.LineNumber + 1}, column {e.BytePositionInLine + 1}", "not valid JSON: " + e.Message)]);
        }

        var catalog = new TemplateCatalog(samples);
        foreach (var (name, contexts) in contextsOf) catalog._contexts[name] = contexts;
        var languages = Directory.EnumerateDirectories(folder).Select(Path.GetFileName).OfType<string>()
            .Where(l => LanguageFolder().IsMatch(l)).Order().ToList();
        if (!languages.Contains(FallbackLanguage))
            errors.Add(new DefinitionError(Display(Path.Combine(folder, FallbackLanguage)), "", "the English templates (the fallback) are missing"));

        var text = Handlebars.Create(new HandlebarsConfiguration { NoEscape = true, ThrowOnUnresolvedBindingExpression = true });
        var html = Handlebars.Create(new HandlebarsConfiguration { ThrowOnUnresolvedBindingExpression = true });
        foreach (var language in languages)
        {
            foreach (var name in samples.Keys)
            {
                var sources = new Dictionary<string, string>();
                foreach (var part in Parts)
                {
                    var file = Path.Combine(folder, language, $"{name}.{part}.hbs");
                    if (!File.Exists(file))
                    {
                        if (language == FallbackLanguage || Parts.Any(p => File.Exists(Path.Combine(folder, language, $"{name}.{p}.hbs"))))
                            errors.Add(new DefinitionError(Display(file), "", language == FallbackLanguage
                                ? "missing: every template needs an English subject, text and HTML body"
                                : "missing: a language that has a template needs all three of its parts"));
                        continue;
                    }

                    sources[part] = File.ReadAllText(file);
                    errors.AddRange(CheckPlaceholders(Display(file), sources[part], samples[name], part));
                    foreach (var (context, missing) in contextsOf.GetValueOrDefault(name) ?? [])
                        errors.AddRange(CheckContext(Display(file), sources[part], Without(samples[name], missing), context));
                }

                if (sources.Count == 0 && language != FallbackLanguage) continue;
                if (sources.Count != Parts.Length) continue;
                try
                {
                    catalog._compiled[(name, language)] = new Compiled(
                        text.Compile(sources["subject"]), text.Compile(sources["text"]), html.Compile(sources["html"]),
                        sources.Values.SelectMany(ConditionPaths).Distinct().ToList());
                }
                catch (HandlebarsException e)
                {
                    errors.Add(new DefinitionError(Display(Path.Combine(folder, language, name)), "", "does not compile: " + e.Message));
                }
            }

            foreach (var file in Directory.EnumerateFiles(Path.Combine(folder, language), "*.hbs"))
            {
                var template = Path.GetFileName(file).Split('.')[0];
                if (!samples.ContainsKey(template))
                    errors.Add(new DefinitionError(Display(file), "", $"'{template}' is not in templates.json"));
            }
        }

        if (errors.Count > 0) throw new DefinitionException(errors);
        foreach (var name in samples.Keys)
        foreach (var language in languages.Where(l => catalog.HasLanguage(name, l)))
        {
            try
            {
                catalog.Render(name, language, samples[name]);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                errors.Add(new DefinitionError(Display(Path.Combine(folder, language, name)), "", "fails with its sample: " + e.Message));
            }

            foreach (var (context, missing) in catalog._contexts.GetValueOrDefault(name) ?? [])
            {
                try
                {
                    catalog.Render(name, language, Without(samples[name], missing));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    errors.Add(new DefinitionError(Display(Path.Combine(folder, language, name)), "",
                        $"fails for a {context} (the sample without {string.Join(", ", missing)}): {e.Message}"));
                }
            }
        }

        if (errors.Count > 0) throw new DefinitionException(errors);
        return catalog;
    }

    /// <summary>Every <c>{{path}}</c> must be a path of the sample, within the scope of the blocks around it; nothing
    /// is written unescaped (<c>{{{path}}}</c>, <c>{{&amp;path}}</c>); a subject is one line.</summary>
    /// <param name="part">subject, text or html.</param>
    internal static IEnumerable<DefinitionError> CheckPlaceholders(string file, string source, JsonObject sample, string part)
    {
        var scopes = new Stack<(string Block, JsonNode? Scope)>();
        JsonNode? scope = sample;
        if (part == "subject" && source.TrimEnd().IndexOfAny(['\r', '\n']) is var lineBreak and >= 0)
            yield return new DefinitionError(file, $"line {LineOf(source, lineBreak)}",
                "a subject is one line: this line break would make a broken (two-line) subject header");
        foreach (Match match in Mustache().Matches(source))
        {
            var place = $"line {LineOf(source, match.Index)}";
            var body = match.Groups["body"].Value.Trim();
            if (body.StartsWith('!')) continue;
            // No value of this product is known-safe HTML (all are names, titles, dates, free text or links), so
            // there is no allow-list: every value is escaped in the HTML body.
            if (match.Groups["open"].Success || match.Groups["close"].Success || body.StartsWith('&'))
            {
                yield return new DefinitionError(file, place, part == "html"
                    ? $"'{match.Value}' writes '{body.TrimStart('&').Trim()}' without HTML escaping: use {{{{{body.TrimStart('&').Trim()}}}}}"
                    : $"'{match.Value}': triple braces and '&' are not used in templates: use {{{{{body.TrimStart('&').Trim()}}}}}");
                continue;
            }

            if (body.StartsWith('#') || body.StartsWith('^'))
            {
                var parts = body[1..].Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var block = parts[0];
                if (block is not ("if" or "unless" or "each") || parts.Length != 2)
                {
                    yield return new DefinitionError(file, place, $"'{{{{{body}}}}}': only #if, #unless and #each blocks with one path are supported");
                    continue;
                }

                var target = Resolve(scope, parts[1]);
                if (target is null)
                {
                    yield return Unknown(file, place, parts[1]);
                    scopes.Push((block, scope));
                    continue;
                }

                scopes.Push((block, scope));
                if (block == "each")
                {
                    if (target is JsonArray { Count: > 0 } array) scope = array[0];
                    else yield return new DefinitionError(file, place, $"'{parts[1]}' is not a non-empty list in the sample, so #each has nothing to check against");
                }

                continue;
            }

            if (body.StartsWith('/'))
            {
                if (scopes.Count == 0 || scopes.Peek().Block != body[1..].Trim())
                {
                    yield return new DefinitionError(file, place, $"'{{{{{body}}}}}' closes a block that is not open");
                    continue;
                }

                scope = scopes.Pop().Scope;
                continue;
            }

            if (body == "else" || body == "this" || body.StartsWith('@')) continue;
            if (body.Contains(' '))
            {
                yield return new DefinitionError(file, place, $"'{{{{{body}}}}}': helpers are not supported, only placeholders");
                continue;
            }

            if (Resolve(scope, body) is null) yield return Unknown(file, place, body);
        }

        if (scopes.Count > 0)
            yield return new DefinitionError(file, "end of file", $"the block #{scopes.Peek().Block} is never closed");
    }

    private static int LineOf(string source, int index) => source[..index].Count(c => c == '\n') + 1;

    /// <summary>The manifest's <c>contexts</c> of a template: each a kind of message it is sent for (a programme task,
    /// a task without a due date) and the sample paths such a message lacks.</summary>
    private static Dictionary<string, List<string>> ParseContexts(string manifest, string name, JsonNode contexts, JsonObject? sample,
        List<DefinitionError> errors)
    {
        var parsed = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        if (contexts is not JsonObject obj)
        {
            errors.Add(new DefinitionError(manifest, $"$.templates.{name}.contexts", "must be an object of context name -> missing paths"));
            return parsed;
        }

        foreach (var (context, paths) in obj)
        {
            var place = $"$.templates.{name}.contexts.{context}";
            if (paths is not JsonArray array || array.Any(p => p is not JsonValue v || !v.TryGetValue<string>(out _)))
            {
                errors.Add(new DefinitionError(manifest, place, "must be a list of the sample paths such a message lacks"));
                continue;
            }

            var list = array.Select(p => p!.GetValue<string>()).ToList();
            foreach (var path in list.Where(p => sample is not null && Resolve(sample, p) is null))
                errors.Add(new DefinitionError(manifest, place, $"'{path}' is not a path of the sample"));
            parsed[context] = list;
        }

        return parsed;
    }

    /// <summary>The sample as a message of one context has it: without the paths that context lacks.</summary>
    private static JsonObject Without(JsonObject sample, IEnumerable<string> paths)
    {
        var copy = (JsonObject)sample.DeepClone();
        foreach (var path in paths)
        {
            var cut = path.LastIndexOf('.');
            var parent = cut < 0 ? copy : Resolve(copy, path[..cut]) as JsonObject;
            parent?.Remove(path[(cut + 1)..]);
        }

        return copy;
    }

    /// <summary>Every placeholder that would render for a message of <paramref name="context"/> must have a value there:
    /// one the context lacks must sit inside an <c>#if</c> on it (or render only in the <c>else</c> of one that is
    /// present). Found here, with the file and line, instead of as a dead-lettered email.</summary>
    internal static IEnumerable<DefinitionError> CheckContext(string file, string source, JsonObject variant, string context)
    {
        var frames = new Stack<(JsonNode? Scope, bool Then, bool Else, bool InElse)>();
        JsonNode? scope = variant;
        foreach (Match match in Mustache().Matches(source))
        {
            var body = match.Groups["body"].Value.Trim();
            if (body.StartsWith('!')) continue;
            if (body.StartsWith('#') || body.StartsWith('^'))
            {
                var parts = body[1..].Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var target = parts.Length == 2 ? Resolve(scope, parts[1]) : null;
                var present = target is not null;
                frames.Push(parts[0] == "unless" ? (scope, true, present, false) : (scope, present, true, false));
                if (parts[0] == "each" && target is JsonArray { Count: > 0 } array) scope = array[0];
                continue;
            }

            if (body.StartsWith('/'))
            {
                if (frames.Count > 0) scope = frames.Pop().Scope;
                continue;
            }

            if (body == "else")
            {
                if (frames.Count > 0) frames.Push(frames.Pop() with { InElse = true });
                continue;
            }

            if (body == "this" || body.StartsWith('@') || body.Contains(' ')) continue;
            if (frames.All(f => f.InElse ? f.Else : f.Then) && Resolve(scope, body) is null)
            {
                var line = LineOf(source, match.Index);
                var segments = body.Split('.');
                var guard = Enumerable.Range(1, segments.Length).Select(n => string.Join('.', segments[..n])).First(p => Resolve(scope, p) is null);
                yield return new DefinitionError(file, $"line {line}",
                    $"'{{{{{body}}}}}' has no value for a {context}: put it inside {{{{#if {guard}}}}}...{{{{/if}}}}");
            }
        }
    }

    /// <summary>The paths that top-level <c>#if</c>, <c>#unless</c> and <c>#each</c> blocks test (those inside an
    /// <c>#each</c> are relative to its items and are left alone).</summary>
    private static IEnumerable<string> ConditionPaths(string source)
    {
        var blocks = new Stack<string>();
        foreach (Match match in Mustache().Matches(source))
        {
            var body = match.Groups["body"].Value.Trim();
            if (body.StartsWith('#') || body.StartsWith('^'))
            {
                var parts = body[1..].Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (parts.Length == 2 && !blocks.Contains("each")) yield return parts[1];
                blocks.Push(parts[0]);
            }
            else if (body.StartsWith('/') && blocks.Count > 0)
            {
                blocks.Pop();
            }
        }
    }

    /// <summary>Sets a missing <paramref name="path"/> to false where its parent exists.</summary>
    private static void MarkAbsent(Dictionary<string, object?> root, string path)
    {
        var segments = path.Split('.');
        var node = root;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            if (!node.TryGetValue(segments[i], out var child) || child is not Dictionary<string, object?> next) return;
            node = next;
        }

        node.TryAdd(segments[^1], false);
    }

    private static DefinitionError Unknown(string file, string place, string path) =>
        new(file, place, $"unknown placeholder '{path}': it is not in the template's sample in templates.json");

    private static JsonNode? Resolve(JsonNode? scope, string path)
    {
        var node = scope;
        foreach (var segment in path.Split('.'))
        {
            if (node is not JsonObject obj || !obj.TryGetPropertyValue(segment, out node) || node is null) return null;
        }

        return node;
    }

    /// <summary>Handlebars.Net walks dictionaries and lists; JSON nodes become those. <paramref name="singleLine"/>
    /// turns every line break in a value into a space.</summary>
    private static object? ToPlain(JsonNode? node, bool singleLine = false) => node switch
    {
        JsonObject obj => obj.ToDictionary(p => p.Key, p => ToPlain(p.Value, singleLine)),
        JsonArray array => array.Select(item => ToPlain(item, singleLine)).ToList(),
        JsonValue value when value.TryGetValue<bool>(out var b) => b,
        JsonValue value when value.TryGetValue<long>(out var l) => l,
        JsonValue value when value.TryGetValue<double>(out var d) => d,
        JsonValue value => singleLine ? LineBreak().Replace(value.ToString(), " ") : value.ToString(),
        _ => null,
    };

    private static string Display(string path) => Path.GetRelativePath(Directory.GetCurrentDirectory(), path);

    [GeneratedRegex(@"\{\{(?<open>\{)?(?<body>[^{}]+?)(?<close>\})?\}\}")]
    private static partial Regex Mustache();

    /// <summary>What a mail header or client may take as the end of a line.</summary>
    [GeneratedRegex(@"\r\n|[\r\n\u0085\u2028\u2029]")]
    private static partial Regex LineBreak();

    [GeneratedRegex("^[a-z]{2}(-[A-Z]{2})?$")]
    private static partial Regex LanguageFolder();
}
