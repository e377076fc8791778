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

            Allow(root, "$", "$schema", "id", "version", "name", "kind", "description", "stages");
            var id = RequiredId(root, "$", "id");
            var version = RequiredInt(root, "$", "version", min: 1);
            var name = RequiredText(root, "$", "name");
            var kind = RequiredEnum(root, "$", "kind", ["pair", "programme"]) switch
            {
                "programme" => WorkflowKind.Programme,
                _ => WorkflowKind.Pair,
            };
            var description = OptionalText(root, "$", "description");
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
            return new WorkflowDefinition(id, version, name, kind, description, stages)
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
        var name = RequiredText(stage, path, "name");
        var steps = ParseSteps(stage, path, "steps");
        return id is null || name is null || steps is null ? null : new StageDefinition(id, number, name, steps);
    }

    private List<StepDefinition>? ParseSteps(JsonElement parent, string path, string property, bool required = true)
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

    private StepDefinition? ParseStep(JsonElement step, string path)
    {
        if (!IsObject(step, path)) return null;
        var type = RequiredString(step, path, "type");
        var id = RequiredId(step, path, "id");
        if (id is not null && !_stepIds.TryAdd(id, path))
            Error(path + ".id", $"the step id '{id}' is used already at {_stepIds[id]}");
        if (type is null) return null;

        string[] common = ["type", "id", "title", "description"];
        var needsTitle = type is not ("parallel" or "condition");
        var title = needsTitle ? RequiredText(step, path, "title") : OptionalText(step, path, "title");
        var description = OptionalText(step, path, "description");
        id ??= "";
        title ??= id;

        switch (type)
        {
            case "task":
            {
                Allow(step, path, [.. common, "assignee", "due", "requires", "choice", "reminders"]);
                var assignee = RequiredRole(step, path, "assignee");
                var due = ParseDue(step, path);
                var requires = new List<Requirement>();
                if (OptionalArray(step, path, "requires") is { } requiresElement)
                {
                    var i = 0;
                    foreach (var item in requiresElement.EnumerateArray())
                    {
                        var itemPath = $"{path}.requires[{i++}]";
                        switch (item.ValueKind == JsonValueKind.String ? item.GetString() : null)
                        {
                            case "note": requires.Add(Requirement.Note); break;
                            case "link": requires.Add(Requirement.Link); break;
                            case "file": requires.Add(Requirement.File); break;
                            default: Error(itemPath, "must be one of note, link, file"); break;
                        }
                    }
                }

                var choice = ParseChoice(step, path);
                var reminders = ParseReminders(step, path);
                return assignee is null ? null
                    : new TaskStep(id, title, description, assignee.Value, due, requires.Distinct().ToList(), choice, reminders);
            }
            case "studyVisit":
            {
                Allow(step, path, [.. common, "proposer", "confirmer", "followUps", "planning"]);
                var proposer = RequiredRole(step, path, "proposer");
                var confirmer = RequiredRole(step, path, "confirmer");
                var followUps = new List<FollowUp>();
                if (OptionalArray(step, path, "followUps") is { } followUpsElement)
                {
                    var i = 0;
                    foreach (var item in followUpsElement.EnumerateArray())
                    {
                        var itemPath = $"{path}.followUps[{i++}]";
                        if (!IsObject(item, itemPath)) continue;
                        Allow(item, itemPath, "daysAfter", "template", "to", "unlessVisitIs");
                        var days = RequiredInt(item, itemPath, "daysAfter", min: 0);
                        var template = RequiredTemplate(item, itemPath);
                        var to = RequiredRoles(item, itemPath, "to");
                        // Follow-ups are set when the visit is held, so only a later phase can make one unnecessary.
                        var unless = item.TryGetProperty("unlessVisitIs", out _) ? RequiredEnum(item, itemPath, "unlessVisitIs", ["reported"]) : null;
                        if (template is not null && to is not null) followUps.Add(new FollowUp(days, template, to, unless));
                    }
                }

                var planning = ParsePlanning(step, path, title);
                _visitsSoFar.Add(id);
                return proposer is null || confirmer is null ? null
                    : new StudyVisitStep(id, title, description, proposer.Value, confirmer.Value, followUps, planning);
            }
            case "approval":
            {
                Allow(step, path, [.. common, "approver"]);
                var approver = RequiredRole(step, path, "approver");
                return approver is null ? null : new ApprovalStep(id, title, description, approver.Value);
            }
            case "waitForEvent":
            case "signal":
            {
                Allow(step, path, [.. common, "event"]);
                var name = RequiredId(step, path, "event");
                if (name is null) return null;
                return type == "signal"
                    ? new SignalStep(id, title, description, name)
                    : new WaitForEventStep(id, title, description, name);
            }
            case "timer":
            {
                Allow(step, path, [.. common, "days", "hours"]);
                var days = OptionalInt(step, path, "days", min: 0) ?? 0;
                var hours = OptionalInt(step, path, "hours", min: 0) ?? 0;
                if (days == 0 && hours == 0) Error(path, "a timer needs 'days' or 'hours' greater than 0");
                return new TimerStep(id, title, description, TimeSpan.FromDays(days) + TimeSpan.FromHours(hours));
            }
            case "email":
            {
                Allow(step, path, [.. common, "template", "to"]);
                var template = RequiredTemplate(step, path);
                var to = RequiredRoles(step, path, "to");
                return template is null || to is null ? null : new EmailStep(id, title, description, template, to);
            }
            case "parallel":
            {
                Allow(step, path, [.. common, "branches"]);
                var branches = new List<IReadOnlyList<StepDefinition>>();
                if (RequiredArray(step, path, "branches", nonEmpty: true) is { } branchesElement)
                {
                    if (branchesElement.GetArrayLength() < 2) Error(path + ".branches", "a parallel step needs at least 2 branches");
                    var b = 0;
                    foreach (var branch in branchesElement.EnumerateArray())
                    {
                        var branchPath = $"{path}.branches[{b++}]";
                        if (branch.ValueKind != JsonValueKind.Array || branch.GetArrayLength() == 0)
                        {
                            Error(branchPath, "a branch must be a non-empty array of steps");
                            continue;
                        }

                        var steps = new List<StepDefinition>();
                        var i = 0;
                        foreach (var inner in branch.EnumerateArray())
                            if (ParseStep(inner, $"{branchPath}[{i++}]") is { } parsed) steps.Add(parsed);
                        branches.Add(steps);
                    }
                }

                return new ParallelStep(id, title, description, branches);
            }
            case "condition":
            {
                Allow(step, path, [.. common, "if", "then", "else"]);
                var condition = ParseCondition(step, path);
                var then = ParseSteps(step, path, "then");
                var otherwise = ParseSteps(step, path, "else", required: false);
                return condition is null || then is null || otherwise is null ? null
                    : new ConditionStep(id, title, description, condition, then, otherwise);
            }
            default:
                Error(path + ".type",
                    $"unknown step type '{type}'; expected one of task, studyVisit, approval, waitForEvent, signal, timer, email, parallel, condition");
                return null;
        }
    }

    private DueRule? ParseDue(JsonElement step, string path)
    {
        if (!step.TryGetProperty("due", out var due)) return null;
        path += ".due";
        if (!IsObject(due, path)) return null;
        Allow(due, path, "daysAfterStageStart", "atLeastDaysAfterOpen", "daysAfterOpen", "visit", "daysAfter");
        var rules = new[] { "daysAfterStageStart", "daysAfterOpen", "visit" }.Count(r => due.TryGetProperty(r, out _));
        if (rules > 1) Error(path, "give one of daysAfterStageStart, daysAfterOpen, or visit with daysAfter");
        if (due.TryGetProperty("atLeastDaysAfterOpen", out _) && !due.TryGetProperty("daysAfterStageStart", out _))
            Error(path + ".atLeastDaysAfterOpen", "only goes with daysAfterStageStart");
        if (due.TryGetProperty("daysAfterStageStart", out _))
            return new DaysAfterStageStart(RequiredInt(due, path, "daysAfterStageStart", min: 0),
                OptionalInt(due, path, "atLeastDaysAfterOpen", min: 0));
        if (due.TryGetProperty("daysAfterOpen", out _))
            return new DaysAfterOpen(RequiredInt(due, path, "daysAfterOpen", min: 0));

        if (due.TryGetProperty("visit", out _))
        {
            var visit = RequiredId(due, path, "visit");
            var days = RequiredInt(due, path, "daysAfter", min: int.MinValue);
            if (visit is null) return null;
            // Checked here, in file order: a task can only wait for the date of a visit that comes before it.
            if (!_visitsSoFar.Contains(visit))
                Error(path + ".visit", $"'{visit}' is not a studyVisit step that comes before this task");
            return new DaysAfterVisit(visit, days);
        }

        Error(path, "needs daysAfterStageStart, daysAfterOpen, or visit with daysAfter");
        return null;
    }

    private VisitPlanning? ParsePlanning(JsonElement step, string path, string visitTitle)
    {
        if (!step.TryGetProperty("planning", out var planning)) return null;
        path += ".planning";
        if (!IsObject(planning, path)) return null;
        Allow(planning, path, "title", "proposeWithinDays", "reminders");
        var title = OptionalText(planning, path, "title") ?? $"Propose a date for “{visitTitle}”";
        var days = RequiredInt(planning, path, "proposeWithinDays", min: 1);
        var reminders = ParseReminders(planning, path);
        if (reminders is null) Error(path, "missing 'reminders': planning is there to nudge the proposer");
        return reminders is null ? null : new VisitPlanning(title, days, reminders);
    }

    private ChoiceSpec? ParseChoice(JsonElement step, string path)
    {
        if (!step.TryGetProperty("choice", out var choice)) return null;
        path += ".choice";
        if (!IsObject(choice, path)) return null;
        Allow(choice, path, "variable", "options");
        var variable = RequiredVariable(choice, path);
        var options = RequiredStrings(choice, path, "options");
        if (options is { Count: < 2 }) Error(path + ".options", "a choice needs at least 2 options");
        if (variable is null || options is null) return null;
        _choiceVariables.Add(variable);
        return new ChoiceSpec(variable, options);
    }

    private ReminderRules? ParseReminders(JsonElement step, string path)
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

    private Condition? ParseCondition(JsonElement step, string path)
    {
        if (!step.TryGetProperty("if", out var condition))
        {
            Error(path, "missing 'if'");
            return null;
        }

        path += ".if";
        if (!IsObject(condition, path)) return null;
        Allow(condition, path, "variable", "equals", "notEquals", "in");
        var variable = RequiredVariable(condition, path);
        if (variable is not null && !_choiceVariables.Contains(variable))
            Error(path + ".variable", $"no task before this condition sets the variable '{variable}' (a task's choice.variable)");
        Condition? result = null;
        var operators = 0;
        if (condition.TryGetProperty("equals", out _))
        {
            operators++;
            if (RequiredString(condition, path, "equals") is { } value)
                result = new Condition(variable ?? "", ConditionOperator.Equals, [value]);
        }

        if (condition.TryGetProperty("notEquals", out _))
        {
            operators++;
            if (RequiredString(condition, path, "notEquals") is { } value)
                result = new Condition(variable ?? "", ConditionOperator.NotEquals, [value]);
        }

        if (condition.TryGetProperty("in", out _))
        {
            operators++;
            if (RequiredStrings(condition, path, "in") is { Count: > 0 } values)
                result = new Condition(variable ?? "", ConditionOperator.In, values);
        }

        if (operators != 1) Error(path, "needs exactly one of equals, notEquals, in");
        return variable is null || operators != 1 ? null : result;
    }

    private string? RequiredTemplate(JsonElement element, string path)
    {
        var template = RequiredString(element, path, "template");
        if (template is not null && _templateExists is not null && !_templateExists(template))
            Error(path + ".template", $"there is no email template '{template}' in templates/");
        return template;
    }

    private Role? RequiredRole(JsonElement element, string path, string property)
    {
        if (!element.TryGetProperty(property, out var value))
        {
            Error(path, $"missing '{property}' (one of mentor, mentee, both, facilitator)");
            return null;
        }

        return ToRole(value, $"{path}.{property}");
    }

    private List<Role>? RequiredRoles(JsonElement element, string path, string property)
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
        switch (value.ValueKind == JsonValueKind.String ? value.GetString() : null)
        {
            case "mentor": return Role.Mentor;
            case "mentee": return Role.Mentee;
            case "both": return Role.Both;
            case "facilitator": return Role.Facilitator;
            default:
                Error(path, "must be one of mentor, mentee, both, facilitator");
                return null;
        }
    }

    private string? RequiredId(JsonElement element, string path, string property)
    {
        var value = RequiredString(element, path, property);
        if (value is not null && !IsId(value))
        {
            Error($"{path}.{property}", $"'{value}' must be lower-case letters, digits and '-' (starting with a letter or digit)");
            return null;
        }

        return value;
    }

    private string? RequiredVariable(JsonElement element, string path)
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

    private string? RequiredString(JsonElement element, string path, string property)
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

    private List<string>? RequiredStrings(JsonElement element, string path, string property)
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

    private int RequiredInt(JsonElement element, string path, string property, int min)
    {
        if (element.TryGetProperty(property, out _)) return OptionalInt(element, path, property, min) ?? 0;
        Error(path, $"missing '{property}'");
        return 0;
    }

    private int? OptionalInt(JsonElement element, string path, string property, int min)
    {
        if (!element.TryGetProperty(property, out var value)) return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= min) return number;
        Error($"{path}.{property}", min == int.MinValue ? "must be a whole number" : $"must be a whole number of at least {min}");
        return null;
    }

    private string? RequiredEnum(JsonElement element, string path, string property, string[] allowed)
    {
        var value = RequiredString(element, path, property);
        if (value is null || allowed.Contains(value)) return value;
        Error($"{path}.{property}", $"'{value}' must be one of {string.Join(", ", allowed)}");
        return null;
    }

    private JsonElement? RequiredArray(JsonElement element, string path, string property, bool nonEmpty)
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

    private JsonElement? OptionalArray(JsonElement element, string path, string property)
    {
        if (!element.TryGetProperty(property, out var value)) return null;
        if (value.ValueKind == JsonValueKind.Array) return value;
        Error($"{path}.{property}", "must be an array");
        return null;
    }

    private bool IsObject(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Object) return true;
        Error(path, "must be an object");
        return false;
    }

    private void Allow(JsonElement element, string path, params string[] allowed)
    {
        foreach (var property in element.EnumerateObject())
            if (!allowed.Contains(property.Name))
                Error($"{path}.{property.Name}", $"unknown property '{property.Name}'");
    }

    private void Error(string path, string message) => _errors.Add(new DefinitionError(_file, path, message));

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" Path:", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message;
    }
}
