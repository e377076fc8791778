using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Mentoring.Engine.Definitions;

/// <summary>
/// Reads one workflow definition file and checks it, collecting every error with its JSON path rather than
/// stopping at the first, so an author can fix a file in one pass.
/// </summary>
public sealed class DefinitionParser
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private readonly string _file;
    private readonly Func<string, bool>? _templateExists;
    private readonly List<DefinitionError> _errors = [];
    private readonly Dictionary<string, string> _stepIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _stageIds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _visitsSoFar = new(StringComparer.Ordinal);
    private readonly HashSet<string> _choiceVariables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LocalizedText> _texts = new(StringComparer.Ordinal);
    private List<RoleDefinition> _roles = [];

    private DefinitionParser(string file, Func<string, bool>? templateExists)
    {
        _file = file;
        _templateExists = templateExists;
    }

    /// <summary>Parses <paramref name="json"/>, read from <paramref name="file"/>.</summary>
    /// <param name="templateExists">Answers whether an email template name exists; null skips that check.</param>
    /// <returns>The definition, or null with <paramref name="errors"/> saying why.</returns>
    public static WorkflowDefinition? TryParse(string file, string json, Func<string, bool>? templateExists,
        out IReadOnlyList<DefinitionError> errors)
    {
        var parser = new DefinitionParser(file, templateExists);
        var definition = parser.Parse(json);
        errors = parser._errors;
        return parser._errors.Count == 0 ? definition : null;
    }

    public static WorkflowDefinition Parse(string file, string json, Func<string, bool>? templateExists = null) =>
        TryParse(file, json, templateExists, out var errors) ?? throw new DefinitionException(errors);

    private WorkflowDefinition? Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException e)
        {
            _errors.Add(new DefinitionError(_file,
                $"line {e.LineNumber + 1}, column {e.BytePositionInLine + 1}", "not valid JSON: " + FirstSentence(e.Message)));
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                Error("$", "a definition must be a JSON object");
                return null;
            }

            Allow(root, "$", "$schema", "id", "version", "name", "kind", "description", "roles", "stages");
            var id = RequiredId(root, "$", "id");
            var version = RequiredInt(root, "$", "version", min: 1);
            var name = Text(root, "$", "name", required: true);
            var kind = RequiredEnum(root, "$", "kind", ["pair", "group", "programme"]) switch
            {
                "programme" => WorkflowKind.Programme,
                "group" => WorkflowKind.Group,
                _ => WorkflowKind.Pair,
            };
            var description = Text(root, "$", "description", required: false);
            // Read before the steps, which name these roles.
            var declared = ParseRoles(root);
            _roles = [.. declared ?? (kind == WorkflowKind.Programme ? [] : RoleDefinition.PairDefaults)];
            if (declared is null && kind != WorkflowKind.Programme)
                foreach (var title in RoleDefinition.PairDefaultTitles) _texts.TryAdd(title.InEnglish, title);
            if (_roles.All(r => r.Id != RoleDefinition.Facilitator.Id)) _roles.Add(RoleDefinition.Facilitator);
            var stages = new List<StageDefinition>();
            if (RequiredArray(root, "$", "stages", nonEmpty: true) is { } stagesElement)
            {
                var i = 0;
                foreach (var stage in stagesElement.EnumerateArray())
                {
                    if (ParseStage(stage, $"$.stages[{i}]") is { } parsed) stages.Add(parsed);
                    i++;
                }
            }

            if (_errors.Count > 0 || id is null || name is null) return null;
            return new WorkflowDefinition(id, version, name, kind, description, stages, _roles)
            {
                ContentHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json))),
                Source = json,
                SourceFile = _file,
                StepPaths = new Dictionary<string, string>(_stepIds, StringComparer.Ordinal),
                Texts = _texts,
            };
        }
    }

    private StageDefinition? ParseStage(JsonElement stage, string path)
    {
        if (!IsObject(stage, path)) return null;
        Allow(stage, path, "id", "number", "name", "description", "steps");
        var id = RequiredId(stage, path, "id");
        if (id is not null && !_stageIds.TryAdd(id, path))
            Error(path + ".id", $"the stage id '{id}' is used already at {_stageIds[id]}");
        var number = RequiredInt(stage, path, "number", min: 1);
        var name = Text(stage, path, "name", required: true);
        var steps = ParseSteps(stage, path, "steps");
        return id is null || name is null || steps is null ? null : new StageDefinition(id, number, name, steps);
    }

    internal List<StepDefinition>? ParseSteps(JsonElement parent, string path, string property, bool required = true)
    {
        var array = required
            ? RequiredArray(parent, path, property, nonEmpty: true)
            : OptionalArray(parent, path, property);
        if (array is not { } steps) return required ? null : [];
        var result = new List<StepDefinition>();
        var i = 0;
        foreach (var step in steps.EnumerateArray())
        {
            if (ParseStep(step, $"{path}.{property}[{i}]") is { } parsed) result.Add(parsed);
            i++;
        }

        return result;
    }

    internal StepDefinition? ParseStep(JsonElement step, string path)
    {
        if (!IsObject(step, path)) return null;
        var type = RequiredString(step, path, "type");
        var id = RequiredId(step, path, "id");
        if (id is not null && !_stepIds.TryAdd(id, path))
            Error(path + ".id", $"the step id '{id}' is used already at {_stepIds[id]}");
        if (type is null) return null;

        var kind = StepKinds.Named(type);
        var title = Text(step, path, "title", required: kind?.NeedsTitle ?? true);
        var description = Text(step, path, "description", required: false);
        id ??= "";
        title ??= id;
        if (kind is null)
        {
            Error(path + ".type",
                $"unknown step type '{type}'; expected one of {string.Join(", ", StepKinds.All.Select(k => k.Type))}");
            return null;
        }

        Allow(step, path, ["type", "id", "title", "description", .. kind.Properties]);
        return kind.Parse(this, step, path, new StepHeader(id, title, description));
    }

    internal void NoteVisit(string stepId) => _visitsSoFar.Add(stepId);

    internal bool IsVisitSoFar(string stepId) => _visitsSoFar.Contains(stepId);

    internal void NoteChoiceVariable(string variable) => _choiceVariables.Add(variable);

    internal bool IsChoiceVariable(string variable) => _choiceVariables.Contains(variable);


    internal ReminderRules? ParseReminders(JsonElement step, string path)
    {
        if (!step.TryGetProperty("reminders", out var reminders)) return null;
        path += ".reminders";
        if (!IsObject(reminders, path)) return null;
        Allow(reminders, path, "daysBefore", "onDueDate", "overdue");
        var daysBefore = new List<int>();
        if (OptionalArray(reminders, path, "daysBefore") is { } array)
        {
            var i = 0;
            foreach (var item in array.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Number && item.TryGetInt32(out var days) && days > 0) daysBefore.Add(days);
                else Error($"{path}.daysBefore[{i}]", "must be a whole number of days greater than 0");
                i++;
            }
        }

        var onDueDate = false;
        if (reminders.TryGetProperty("onDueDate", out var onDue))
        {
            if (onDue.ValueKind is JsonValueKind.True or JsonValueKind.False) onDueDate = onDue.GetBoolean();
            else Error(path + ".onDueDate", "must be true or false");
        }

        OverdueRule? overdue = null;
        if (reminders.TryGetProperty("overdue", out var overdueElement) && IsObject(overdueElement, path + ".overdue"))
        {
            var overduePath = path + ".overdue";
            Allow(overdueElement, overduePath, "everyDays", "max", "copyFacilitatorFrom", "copyFacilitatorByEmail");
            var byEmail = false;
            if (overdueElement.TryGetProperty("copyFacilitatorByEmail", out var byEmailElement))
            {
                if (byEmailElement.ValueKind is JsonValueKind.True or JsonValueKind.False) byEmail = byEmailElement.GetBoolean();
                else Error(overduePath + ".copyFacilitatorByEmail", "must be true or false");
            }

            overdue = new OverdueRule(
                RequiredInt(overdueElement, overduePath, "everyDays", min: 1),
                RequiredInt(overdueElement, overduePath, "max", min: 1),
                OptionalInt(overdueElement, overduePath, "copyFacilitatorFrom", min: 1) ?? int.MaxValue, byEmail);
        }

        return new ReminderRules(daysBefore.Distinct().OrderDescending().ToList(), onDueDate, overdue);
    }

    internal string? RequiredTemplate(JsonElement element, string path)
    {
        var template = RequiredString(element, path, "template");
        if (template is not null && _templateExists is not null && !_templateExists(template))
            Error(path + ".template", $"there is no email template '{template}' in templates/");
        return template;
    }

    /// <summary>The definition's own roles, or null when it declares none (its kind's defaults apply).</summary>
    private List<RoleDefinition>? ParseRoles(JsonElement root)
    {
        if (OptionalArray(root, "$", "roles") is not { } array) return null;
        var roles = new List<RoleDefinition>();
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var path = $"$.roles[{i++}]";
            if (!IsObject(item, path)) continue;
            Allow(item, path, "id", "name", "scope", "acts");
            var id = RequiredId(item, path, "id");
            var name = Text(item, path, "name", required: true);
            var scope = item.TryGetProperty("scope", out _)
                ? RequiredEnum(item, path, "scope", ["group", "programme"]) == "programme" ? RoleScope.Programme : RoleScope.Group
                : id == RoleDefinition.Facilitator.Id ? RoleScope.Programme : RoleScope.Group;
            var acts = true;
            if (item.TryGetProperty("acts", out var actsElement))
            {
                if (actsElement.ValueKind is JsonValueKind.True or JsonValueKind.False) acts = actsElement.GetBoolean();
                else Error(path + ".acts", "must be true or false");
            }

            if (id is null || name is null) continue;
            if (id == Role.Both.Id)
                Error(path + ".id", "'both' is not a role of its own: it means every group role that acts");
            else if (id == RoleDefinition.Facilitator.Id && (scope != RoleScope.Programme || !acts))
                Error(path, "the facilitator is a programme role that acts");
            else if (roles.Any(r => r.Id == id))
                Error(path + ".id", $"the role '{id}' is declared already");
            else
                roles.Add(new RoleDefinition(id, name, scope, acts));
        }

        return roles;
    }

    /// <summary>A role that acts on a step (assignee, proposer, confirmer, approver): one the definition declares whose
    /// people act, or both.</summary>
    internal Role? RequiredRole(JsonElement element, string path, string property)
    {
        if (!element.TryGetProperty(property, out var value))
        {
            Error(path, $"missing '{property}' (one of {KnownRoles()})");
            return null;
        }

        var valuePath = $"{path}.{property}";
        if (ToRole(value, valuePath) is not { } role) return null;
        if (_roles.FirstOrDefault(r => r.Id == role.Id) is { Acts: false })
        {
            Error(valuePath, $"the role '{role.Id}' does not act (\"acts\": false); its people read and comment only");
            return null;
        }

        return role;
    }

    /// <summary>Roles that act in turn (an approval's <c>approvers</c>): a non-empty list of acting roles, none twice.</summary>
    internal List<Role>? RequiredActingRoles(JsonElement element, string path, string property)
    {
        if (RequiredArray(element, path, property, nonEmpty: true) is not { } array) return null;
        var roles = new List<Role>();
        var ok = true;
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var itemPath = $"{path}.{property}[{i++}]";
            if (ToRole(item, itemPath) is not { } role) { ok = false; continue; }
            if (_roles.FirstOrDefault(r => r.Id == role.Id) is { Acts: false })
            {
                Error(itemPath, $"the role '{role.Id}' does not act (\"acts\": false); its people read and comment only");
                ok = false;
            }
            else if (roles.Contains(role))
            {
                // The same people twice in a row of levels would only approve their own approval.
                Error(itemPath, $"'{role.Id}' is named twice; each level is another approver");
                ok = false;
            }
            else roles.Add(role);
        }

        return ok ? roles : null;
    }

    /// <summary>Roles told of something (an email's <c>to</c>): any role the definition knows, acting or not.</summary>
    internal List<Role>? RequiredRoles(JsonElement element, string path, string property)
    {
        if (RequiredArray(element, path, property, nonEmpty: true) is not { } array) return null;
        var roles = new List<Role>();
        var i = 0;
        foreach (var item in array.EnumerateArray())
            if (ToRole(item, $"{path}.{property}[{i++}]") is { } role) roles.Add(role);
        return roles;
    }

    private Role? ToRole(JsonElement value, string path)
    {
        var id = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        if (id == Role.Both.Id)
        {
            if (_roles.Any(r => r.Scope == RoleScope.Group && r.Acts)) return Role.Both;
            Error(path, "'both' means every group role that acts, and this definition has none");
            return null;
        }

        if (id is not null && _roles.Any(r => r.Id == id)) return new Role(id);
        Error(path, id is null ? $"must be a role id: one of {KnownRoles()}" : $"unknown role '{id}'; expected one of {KnownRoles()}");
        return null;
    }

    private string KnownRoles()
    {
        var ids = _roles.Where(r => r.Id != RoleDefinition.Facilitator.Id).Select(r => r.Id).ToList();
        if (_roles.Any(r => r.Scope == RoleScope.Group && r.Acts)) ids.Add(Role.Both.Id);
        return string.Join(", ", [.. ids, RoleDefinition.Facilitator.Id]);
    }

    internal string? RequiredId(JsonElement element, string path, string property)
    {
        var value = RequiredString(element, path, property);
        if (value is not null && !IsId(value))
        {
            Error($"{path}.{property}", $"'{value}' must be lower-case letters, digits and '-' (starting with a letter or digit)");
            return null;
        }

        return value;
    }

    internal string? RequiredVariable(JsonElement element, string path)
    {
        var value = RequiredString(element, path, "variable");
        if (value is null || (char.IsAsciiLetter(value[0]) && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-')))
            return value;
        Error(path + ".variable", $"'{value}' must start with a letter and hold only letters, digits, '_' and '-'");
        return null;
    }

    private static bool IsId(string value) =>
        value.Length > 0 && char.IsAsciiLetterLower(value[0]) | char.IsAsciiDigit(value[0])
        && value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    /// <summary>Every text people read (names, titles, descriptions) is read here and nowhere else, so the form such
    /// a text may take (a string, or a map of language to text) is decided in one place.</summary>
    internal string? Text(JsonElement element, string path, string property, bool required) =>
        required ? RequiredText(element, path, property) : OptionalText(element, path, property);

    internal string? RequiredString(JsonElement element, string path, string property)
    {
        if (!element.TryGetProperty(property, out var value))
        {
            Error(path, $"missing '{property}'");
            return null;
        }

        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            Error($"{path}.{property}", "must be a non-empty string");
            return null;
        }

        return value.GetString();
    }

    /// <summary>A text people read: a string or a map of language to text. Returns the English; the translations are
    /// kept in <see cref="WorkflowDefinition.Texts"/> under it.</summary>
    private string? RequiredText(JsonElement element, string path, string property)
    {
        if (element.TryGetProperty(property, out _)) return OptionalText(element, path, property);
        Error(path, $"missing '{property}'");
        return null;
    }

    private string? OptionalText(JsonElement element, string path, string property)
    {
        if (!element.TryGetProperty(property, out var value)) return null;
        if (LocalizedText.Parse(value, $"{path}.{property}", Error) is not { } text) return null;
        if (!_texts.TryGetValue(text.InEnglish, out var known) || known.ByLanguage.Count < text.ByLanguage.Count) _texts[text.InEnglish] = text;
        return text.InEnglish;
    }

    private string? OptionalString(JsonElement element, string path, string property)
    {
        if (!element.TryGetProperty(property, out var value)) return null;
        if (value.ValueKind == JsonValueKind.String) return value.GetString();
        Error($"{path}.{property}", "must be a string");
        return null;
    }

    internal List<string>? RequiredStrings(JsonElement element, string path, string property)
    {
        if (RequiredArray(element, path, property, nonEmpty: true) is not { } array) return null;
        var values = new List<string>();
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(item.GetString())) values.Add(item.GetString()!);
            else Error($"{path}.{property}[{i}]", "must be a non-empty string");
            i++;
        }

        return values;
    }

    internal int RequiredInt(JsonElement element, string path, string property, int min)
    {
        if (element.TryGetProperty(property, out _)) return OptionalInt(element, path, property, min) ?? 0;
        Error(path, $"missing '{property}'");
        return 0;
    }

    internal int? OptionalInt(JsonElement element, string path, string property, int min)
    {
        if (!element.TryGetProperty(property, out var value)) return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= min) return number;
        Error($"{path}.{property}", min == int.MinValue ? "must be a whole number" : $"must be a whole number of at least {min}");
        return null;
    }

    internal string? RequiredEnum(JsonElement element, string path, string property, string[] allowed)
    {
        var value = RequiredString(element, path, property);
        if (value is null || allowed.Contains(value)) return value;
        Error($"{path}.{property}", $"'{value}' must be one of {string.Join(", ", allowed)}");
        return null;
    }

    internal JsonElement? RequiredArray(JsonElement element, string path, string property, bool nonEmpty)
    {
        if (!element.TryGetProperty(property, out _))
        {
            Error(path, $"missing '{property}'");
            return null;
        }

        var array = OptionalArray(element, path, property);
        if (array is { } a && nonEmpty && a.GetArrayLength() == 0)
        {
            Error($"{path}.{property}", "must not be empty");
            return null;
        }

        return array;
    }

    internal JsonElement? OptionalArray(JsonElement element, string path, string property)
    {
        if (!element.TryGetProperty(property, out var value)) return null;
        if (value.ValueKind == JsonValueKind.Array) return value;
        Error($"{path}.{property}", "must be an array");
        return null;
    }

    internal bool IsObject(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Object) return true;
        Error(path, "must be an object");
        return false;
    }

    internal void Allow(JsonElement element, string path, params string[] allowed)
    {
        foreach (var property in element.EnumerateObject())
            if (!allowed.Contains(property.Name))
                Error($"{path}.{property.Name}", $"unknown property '{property.Name}'");
    }

    internal void Error(string path, string message) => _errors.Add(new DefinitionError(_file, path, message));

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" Path:", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message;
    }
}
