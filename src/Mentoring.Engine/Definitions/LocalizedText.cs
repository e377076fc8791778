using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Mentoring.Engine.Definitions;

/// <summary>
/// A text people read in a definition (a stage name, a step's title or description): either one string, the English,
/// or a map of language to text that must hold "en". A reader sees their language, or the English when the text lacks
/// it (<see cref="In"/> says which). As JSON (the API, stored copies) it is the map a definition writes:
/// <c>{"en": "...", "fr": "..."}</c>.
/// </summary>
[JsonConverter(typeof(LocalizedTextJsonConverter))]
public sealed record LocalizedText(IReadOnlyDictionary<string, string> ByLanguage)
{
    public const string English = "en";

    /// <summary>The languages a definition may give a text in: the pages' and the emails' seven.</summary>
    public static readonly IReadOnlyList<string> Languages = ["en", "el", "fr", "nl", "it", "es", "lv"];

    public string InEnglish => ByLanguage[English];

    /// <summary>The text in <paramref name="language"/>; <c>Fallback</c> is true when that is the English instead.</summary>
    public (string Text, bool Fallback) In(string language) =>
        ByLanguage.TryGetValue(language, out var text) ? (text, false) : (InEnglish, language != English);

    /// <summary>Reads a string or a language map at <paramref name="path"/>; adds an error naming the path and the
    /// problem (not a string or map, no English, an unknown language, an empty text) and returns null.</summary>
    public static LocalizedText? Parse(JsonElement value, string path, Action<string, string> error)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            if (!string.IsNullOrWhiteSpace(value.GetString())) return new(new Dictionary<string, string> { [English] = value.GetString()! });
            error(path, "must be a non-empty string");
            return null;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            error(path, "must be a string or a map of language to text, such as { \"en\": \"...\", \"fr\": \"...\" }");
            return null;
        }

        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        var ok = true;
        foreach (var entry in value.EnumerateObject())
        {
            if (!Languages.Contains(entry.Name))
            {
                error($"{path}.{entry.Name}", $"unknown language '{entry.Name}': use one of {string.Join(", ", Languages)}");
                ok = false;
            }
            else if (entry.Value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(entry.Value.GetString()))
            {
                error($"{path}.{entry.Name}", "must be a non-empty string");
                ok = false;
            }
            else texts[entry.Name] = entry.Value.GetString()!;
        }

        if (!texts.ContainsKey(English) && ok)
        {
            error(path, "has no English (\"en\"), the text shown when a language is missing");
            ok = false;
        }

        return ok ? new LocalizedText(texts) : null;
    }

    /// <summary>The definition with every language map reduced to its English, compact: what the workflow does and
    /// says in English. Translations added to a version already running leave this unchanged.</summary>
    public static string EnglishOnly(string json)
    {
        var root = JsonNode.Parse(json);
        Reduce(root);
        return root?.ToJsonString() ?? "";
    }

    private static void Reduce(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o.ToList())
                {
                    if (child is JsonObject map && map.ContainsKey(English) && map.All(p => Languages.Contains(p.Key) && p.Value is JsonValue))
                        o[key] = map[English]!.GetValue<string>();
                    else Reduce(child);
                }

                break;
            case JsonArray a:
                foreach (var child in a) Reduce(child);
                break;
        }
    }
}

/// <summary>Writes a <see cref="LocalizedText"/> as its language map; reads that map, a plain string (the English), or
/// the <c>{"byLanguage": {...}}</c> shape copies stored before this converter were written in.</summary>
public sealed class LocalizedTextJsonConverter : JsonConverter<LocalizedText>
{
    public override LocalizedText? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
            return new LocalizedText(new Dictionary<string, string> { [LocalizedText.English] = reader.GetString()! });
        var map = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(ref reader, options)
                  ?? throw new JsonException("A localized text must be a string or a map of language to text.");
        if (map.Count == 1 && map.Keys.Single() is "byLanguage" or "ByLanguage")
            map = map.Values.Single().Deserialize<Dictionary<string, JsonElement>>(options) ?? [];
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (language, text) in map)
            texts[language] = text.ValueKind == JsonValueKind.String ? text.GetString()!
                : throw new JsonException($"The text in '{language}' must be a string.");
        return new LocalizedText(texts);
    }

    public override void Write(Utf8JsonWriter writer, LocalizedText value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (language, text) in value.ByLanguage) writer.WriteString(language, text);
        writer.WriteEndObject();
    }
}
