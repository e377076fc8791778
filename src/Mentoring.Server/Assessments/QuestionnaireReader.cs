using System.Text.Json;
using Mentoring.Engine.Definitions;
using Mentoring.Server.Programme.Packages;

namespace Mentoring.Server.Assessments;

/// <summary>
/// Reads a questionnaire file (<c>workflows/questionnaire.schema.json</c>, checked in code as the package reader checks
/// programme.json) and what it takes to count in matching: every theme a question names is declared and measured by
/// some question, a question that measures has a theme and a level to count (a scale of five labelled points, or a
/// choice whose every option has a level), a weight only where it counts. Every error names the file and the JSON path.
/// </summary>
public sealed class QuestionnaireReader
{
    public const string FileName = "questionnaire.json";
    public const int MaxWeight = 10;
    public const int Levels = 5;

    private static readonly string[] Kinds = ["scale", "choice", "choices", "text"];
    private static readonly string[] MeasureNames = ["none", "need", "strength", "both"];

    private readonly string _file;
    private readonly List<DefinitionError> _errors = [];
    private readonly Dictionary<string, List<LocalizedText>> _scales = new(StringComparer.Ordinal);

    private QuestionnaireReader(string file) => _file = file;

    /// <summary>Reads a questionnaire's text; <paramref name="file"/> is the name errors give.</summary>
    public static Questionnaire? TryRead(string file, string json, out IReadOnlyList<DefinitionError> errors)
    {
        var reader = new QuestionnaireReader(file);
        var questionnaire = reader.Read(json);
        errors = reader._errors;
        return reader._errors.Count == 0 ? questionnaire : null;
    }

    private Questionnaire? Read(string json)
    {
        var document = PackageJson.Parse(_file, json, _errors);
        if (document is null) return null;

        using (document)
        {
            var root = document.RootElement;
            if (!IsObject(root, "$")) return null;
            Allow(root, "$", "$schema", "id", "scales", "themes", "sections");
            var id = Id(root, "$", "id");
            Scales(root);
            var themes = Themes(root);
            var sections = Sections(root, themes);
            foreach (var (theme, i) in themes.Select((t, i) => (t, i)))
                if (!sections.SelectMany(s => s.Questions).Any(q => q.Measures != Measures.None && q.Themes.Contains(theme.Id)))
                    Error($"$.themes[{i}]", $"no question measures the theme '{theme.Id}', so no city could be matched on it");
            return _errors.Count == 0 ? new Questionnaire(id!, themes, sections) : null;
        }
    }

    private void Scales(JsonElement root)
    {
        if (!root.TryGetProperty("scales", out var scales) || !IsObject(scales, "$.scales")) return;
        foreach (var scale in scales.EnumerateObject())
            if (Labels(scale.Value, $"$.scales.{scale.Name}") is { } labels) _scales[scale.Name] = labels;
    }

    private List<LocalizedText>? Labels(JsonElement value, string path)
    {
        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() != Levels)
        {
            Error(path, $"a scale needs exactly {Levels} labels, for the points 0 to 4 (it has {(value.ValueKind == JsonValueKind.Array ? value.GetArrayLength() : 0)})");
            return null;
        }

        var labels = value.EnumerateArray().Select((label, i) => LocalizedText.Parse(label, $"{path}[{i}]", Error)).ToList();
        return labels.All(l => l is not null) ? labels.OfType<LocalizedText>().ToList() : null;
    }

    private List<QuestionnaireTheme> Themes(JsonElement root)
    {
        var themes = new List<QuestionnaireTheme>();
        foreach (var (item, path) in Items(root, "themes", "$"))
        {
            Allow(item, path, "id", "title");
            var id = Id(item, path, "id");
            var title = Text(item, path, "title");
            if (id is not null && themes.Any(t => t.Id == id)) Error(path + ".id", $"the theme id '{id}' is used twice");
            else if (id is not null && title is not null) themes.Add(new QuestionnaireTheme(id, title));
        }

        if (themes.Count == 0 && _errors.Count == 0) Error("$.themes", "must declare at least one theme");
        return themes;
    }

    private List<QuestionnaireSection> Sections(JsonElement root, List<QuestionnaireTheme> themes)
    {
        var sections = new List<QuestionnaireSection>();
        var questionPaths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (item, path) in Items(root, "sections", "$"))
        {
            Allow(item, path, "id", "title", "questions");
            var id = Id(item, path, "id");
            var title = Text(item, path, "title");
            var questions = new List<Question>();
            foreach (var (question, questionPath) in Items(item, "questions", path))
            {
                if (Question(question, questionPath, themes) is not { } read) continue;
                if (!questionPaths.TryAdd(read.Id, questionPath)) Error(questionPath + ".id", $"the question id '{read.Id}' is used already at {questionPaths[read.Id]}");
                else questions.Add(read);
            }

            if (item.TryGetProperty("questions", out var array) && array.ValueKind == JsonValueKind.Array && array.GetArrayLength() == 0)
                Error(path + ".questions", "must hold at least one question");
            if (id is not null && sections.Any(s => s.Id == id)) Error(path + ".id", $"the section id '{id}' is used twice");
            else if (id is not null && title is not null) sections.Add(new QuestionnaireSection(id, title, questions));
        }

        if (root.TryGetProperty("sections", out var all) && all.ValueKind == JsonValueKind.Array && all.GetArrayLength() == 0)
            Error("$.sections", "must hold at least one section");
        return sections;
    }

    private Question? Question(JsonElement item, string path, List<QuestionnaireTheme> themes)
    {
        Allow(item, path, "id", "type", "text", "required", "themes", "measures", "weight", "labels", "options");
        var id = Id(item, path, "id");
        var kindName = Enum(item, path, "type", Kinds, null);
        var text = Text(item, path, "text");
        var required = Bool(item, path, "required");
        var measuresName = Enum(item, path, "measures", MeasureNames, "none");
        var measures = measuresName switch { "need" => Measures.Need, "strength" => Measures.Strength, "both" => Measures.Both, _ => Measures.None };
        var kind = kindName switch { "scale" => QuestionKind.Scale, "choice" => QuestionKind.Choice, "choices" => QuestionKind.Choices, _ => QuestionKind.Text };

        var named = new List<string>();
        if (item.TryGetProperty("themes", out var themeArray))
        {
            if (themeArray.ValueKind != JsonValueKind.Array) Error(path + ".themes", "must be an array of theme ids");
            else
            {
                var i = 0;
                foreach (var theme in themeArray.EnumerateArray())
                {
                    var themePath = $"{path}.themes[{i++}]";
                    var themeId = theme.ValueKind == JsonValueKind.String ? theme.GetString()! : null;
                    if (themeId is null) Error(themePath, "must be a theme id");
                    else if (themes.All(t => t.Id != themeId))
                        Error(themePath, $"unknown theme '{themeId}'; the questionnaire's themes are {List(themes.Select(t => t.Id))}");
                    else if (named.Contains(themeId)) Error(themePath, $"the theme '{themeId}' is named twice");
                    else named.Add(themeId);
                }
            }
        }

        var weight = 1;
        if (item.TryGetProperty("weight", out var weightValue))
        {
            if (weightValue.ValueKind != JsonValueKind.Number || !weightValue.TryGetInt32(out weight) || weight < 1 || weight > MaxWeight)
                Error(path + ".weight", $"must be a whole number from 1 to {MaxWeight}");
            else if (measures == Measures.None)
                Error(path + ".weight", "a weight counts only for a question that measures a need or a strength: give 'measures' or drop the weight");
        }

        if (measures != Measures.None && named.Count == 0 && (!item.TryGetProperty("themes", out var given) || given.ValueKind != JsonValueKind.Array || given.GetArrayLength() == 0))
            Error(path + ".themes", $"a question that measures {measuresName} must name the theme(s) it speaks to");
        if (measures != Measures.None && kindName == "text")
            Error(path + ".measures", "a free-text answer has no level to count: only a scale or a choice with levels measures");

        var labels = new List<LocalizedText>();
        if (item.TryGetProperty("labels", out var labelValue))
        {
            if (kindName is not null && kind != QuestionKind.Scale) Error(path + ".labels", "only a scale has labels");
            else if (labelValue.ValueKind == JsonValueKind.String)
            {
                if (_scales.TryGetValue(labelValue.GetString()!, out var shared)) labels = shared;
                else Error(path + ".labels", $"unknown scale '{labelValue.GetString()}'; the questionnaire's scales are {List(_scales.Keys)}");
            }
            else labels = Labels(labelValue, path + ".labels") ?? [];
        }
        else if (kind == QuestionKind.Scale && kindName is not null)
            Error(path, $"missing 'labels': a scale needs {Levels} labelled points (an array, or the name of one of $.scales)");

        var options = new List<QuestionOption>();
        if (item.TryGetProperty("options", out _))
        {
            if (kind is not (QuestionKind.Choice or QuestionKind.Choices) && kindName is not null) Error(path + ".options", "only a choice has options");
            else
                foreach (var (option, optionPath) in Items(item, "options", path))
                {
                    Allow(option, optionPath, "id", "text", "level");
                    var optionId = Id(option, optionPath, "id");
                    var optionText = Text(option, optionPath, "text");
                    int? level = null;
                    if (option.TryGetProperty("level", out var levelValue))
                    {
                        if (levelValue.ValueKind == JsonValueKind.Number && levelValue.TryGetInt32(out var l) && l is >= 0 and < Levels) level = l;
                        else Error(optionPath + ".level", "must be a whole number from 0 to 4");
                    }
                    else if (measures != Measures.None)
                        Error(optionPath, "missing 'level' (0 to 4): the question measures, so every option needs the level it counts as");

                    if (optionId is not null && options.Any(o => o.Id == optionId)) Error(optionPath + ".id", $"the option id '{optionId}' is used twice");
                    else if (optionId is not null && optionText is not null) options.Add(new QuestionOption(optionId, optionText, level));
                }
        }

        if (kind is QuestionKind.Choice or QuestionKind.Choices && kindName is not null && options.Count < 2 && _errors.All(e => !e.Path.StartsWith(path + ".options", StringComparison.Ordinal)))
            Error(path + ".options", "a choice needs at least two options");
        if (id is null || kindName is null || text is null) return null;
        return new Question(id, kind, text, required, named, measures, weight, labels, options);
    }

    // The form of each value, as questionnaire.schema.json states it.

    private IEnumerable<(JsonElement Item, string Path)> Items(JsonElement element, string property, string basePath)
    {
        if (!element.TryGetProperty(property, out var array))
        {
            Error(basePath, $"missing '{property}'");
            yield break;
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            Error($"{basePath}.{property}", "must be an array");
            yield break;
        }

        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var path = $"{basePath}.{property}[{i++}]";
            if (IsObject(item, path)) yield return (item, path);
        }
    }

    private string? Id(JsonElement element, string path, string property)
    {
        if (!element.TryGetProperty(property, out var value))
        {
            Error(path, $"missing '{property}'");
            return null;
        }

        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
        if (text.Length is > 0 and <= 100 && (char.IsAsciiLetterLower(text[0]) || char.IsAsciiDigit(text[0]))
            && text.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            return text;
        Error($"{path}.{property}", "must be lower-case letters, digits and '-' (starting with a letter or digit), at most 100 characters");
        return null;
    }

    private LocalizedText? Text(JsonElement element, string path, string property)
    {
        if (element.TryGetProperty(property, out var value)) return LocalizedText.Parse(value, $"{path}.{property}", Error);
        Error(path, $"missing '{property}'");
        return null;
    }

    private string? Enum(JsonElement element, string path, string property, string[] allowed, string? fallback)
    {
        if (!element.TryGetProperty(property, out var value))
        {
            if (fallback is null) Error(path, $"missing '{property}'");
            return fallback;
        }

        if (value.ValueKind == JsonValueKind.String && allowed.Contains(value.GetString())) return value.GetString();
        Error($"{path}.{property}", $"must be one of {string.Join(", ", allowed)}");
        return null;
    }

    private bool Bool(JsonElement element, string path, string property)
    {
        if (!element.TryGetProperty(property, out var value)) return false;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False) return value.GetBoolean();
        Error($"{path}.{property}", "must be true or false");
        return false;
    }

    private bool IsObject(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Object) return true;
        Error(path, "must be an object");
        return false;
    }

    private void Allow(JsonElement element, string path, params string[] allowed)
    {
        foreach (var property in element.EnumerateObject().Where(p => !allowed.Contains(p.Name)))
            Error($"{path}.{property.Name}", $"unknown property '{property.Name}'; expected one of {string.Join(", ", allowed)}");
    }

    private static string List(IEnumerable<string> values) => values.Any() ? string.Join(", ", values.Order(StringComparer.Ordinal)) : "(none)";

    private void Error(string path, string message) => _errors.Add(new DefinitionError(_file, path, message));
}
