using System.Net.Mail;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mentoring.Engine.Definitions;

namespace Mentoring.Server.Programme.Packages;

/// <summary>
/// Reads a programme package and checks all of it before anything is written: first its form (the rules of
/// <c>workflows/programme.schema.json</c>, checked in code as <see cref="DefinitionParser"/> checks a workflow), then its
/// references (workflows, roles, shapes, cities, organisations, time zones, languages, duplicates). Every error is
/// collected with the file and the JSON path, so an author fixes a package in one pass.
/// </summary>
public sealed class ProgrammePackageReader
{
    private readonly string _file;
    private readonly DefinitionCatalog _workflows;
    private readonly List<DefinitionError> _errors = [];

    private ProgrammePackageReader(string file, DefinitionCatalog workflows)
    {
        _file = file;
        _workflows = workflows;
    }

    /// <summary>Reads <c>programme.json</c> in <paramref name="folder"/> with the workflow files beside it.</summary>
    /// <returns>The package, or null with <paramref name="errors"/> saying why (workflow files' errors included).</returns>
    public static ProgrammePackage? TryReadFolder(string folder, Func<string, bool>? templateExists, out IReadOnlyList<DefinitionError> errors)
    {
        var file = Path.Combine(folder, DefinitionCatalog.PackageFileName);
        var shown = Path.GetRelativePath(Directory.GetCurrentDirectory(), file);
        if (!File.Exists(file))
        {
            errors = [new DefinitionError(shown, "", "there is no programme.json in this folder, so it is not a programme package")];
            return null;
        }

        DefinitionCatalog workflows;
        try
        {
            workflows = DefinitionCatalog.LoadFolder(folder, templateExists);
        }
        catch (DefinitionException e) when (e.Errors.All(error => !error.Message.StartsWith("no workflow definition", StringComparison.Ordinal)))
        {
            errors = e.Errors;
            return null;
        }
        catch (DefinitionException)
        {
            workflows = new DefinitionCatalog([]);
        }

        var package = TryRead(shown, File.ReadAllText(file), workflows, out errors);
        package = Assessments.AssessmentFiles.Read(package, folder, ref errors);
        package = Matching.MatchingSettingsReader.ReadInto(folder, package, workflows, ref errors);
        package = Practices.PracticesFile.ReadInto(folder, package, ref errors);
        return Benchmarks.BenchmarkTemplates.ReadInto(folder, package, ref errors);
    }

    /// <summary>Reads a package's programme.json text; its workflows are those of <paramref name="workflows"/> (the
    /// package folder's, or every definition the server has loaded).</summary>
    public static ProgrammePackage? TryRead(string file, string json, DefinitionCatalog workflows, out IReadOnlyList<DefinitionError> errors)
    {
        var reader = new ProgrammePackageReader(file, workflows);
        var package = reader.Read(json);
        errors = reader._errors;
        return reader._errors.Count == 0 ? package : null;
    }

    private ProgrammePackage? Read(string json)
    {
        var document = PackageJson.Parse(_file, json, _errors);
        if (document is null) return null;

        using (document)
        {
            var root = document.RootElement;
            if (!IsObject(root, "$")) return null;
            Allow(root, "$", "$schema", "id", "name", "languages", "timeZone", "terms", "organisations", "members", "shapes", "groups",
                "programmeWorkflow", "people", "settings");
            var id = Id(root, "$", "id");
            var name = Text(root, "$", "name", required: true);
            var languages = Languages(root);
            var timeZone = Zone(root, "$", "timeZone", null);
            var terms = Terms(root);
            var organisations = Organisations(root);
            var members = Members(root, organisations);
            var roles = DeclaredRoles();
            var shapes = Shapes(root);
            var groups = Groups(root, shapes, members);
            var programmeWorkflow = ProgrammeWorkflow(root);
            var people = People(root, members, organisations, roles, timeZone ?? "Europe/Brussels");
            var settings = Settings(root);
            if (_errors.Count > 0) return null;
            return new ProgrammePackage(_file, id!, name!, languages, timeZone!, terms, organisations, members.Values.ToList(), shapes.Values.ToList(),
                groups, programmeWorkflow, people, settings)
            {
                Hash = Hash(json, _workflows.All.Concat(groups.Select(g => g.Workflow)).Append(programmeWorkflow)),
                Definitions = _workflows.All.ToList(),
            };
        }
    }

    private static string Hash(string json, IEnumerable<WorkflowDefinition?> workflows)
    {
        var text = new StringBuilder(json);
        foreach (var workflow in workflows.OfType<WorkflowDefinition>().DistinctBy(w => (w.Id, w.Version)).OrderBy(w => w.Id, StringComparer.Ordinal))
            text.Append('\n').Append(workflow.Id).Append(' ').Append(workflow.Version).Append(' ').Append(workflow.ContentHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private List<string> Languages(JsonElement root)
    {
        var languages = new List<string>();
        if (Array(root, "$", "languages", required: true) is not { } array) return languages;
        if (array.GetArrayLength() == 0) Error("$.languages", "must name at least one language");
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var path = $"$.languages[{i++}]";
            var language = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
            if (language is null || !LocalizedText.Languages.Contains(language))
                Error(path, $"unknown language '{item}': use one of {string.Join(", ", LocalizedText.Languages)}");
            else if (languages.Contains(language)) Error(path, $"the language '{language}' is listed twice");
            else languages.Add(language);
        }

        return languages;
    }

    private PackageTerms Terms(JsonElement root)
    {
        if (!root.TryGetProperty("terms", out var terms)) return PackageTerms.Default;
        if (!IsObject(terms, "$.terms")) return PackageTerms.Default;
        Allow(terms, "$.terms", "group", "groups", "member", "members");
        var fallback = PackageTerms.Default;
        return new PackageTerms(Text(terms, "$.terms", "group", false) ?? fallback.Group, Text(terms, "$.terms", "groups", false) ?? fallback.Groups,
            Text(terms, "$.terms", "member", false) ?? fallback.Member, Text(terms, "$.terms", "members", false) ?? fallback.Members);
    }

    private List<PackageOrganisation> Organisations(JsonElement root)
    {
        var organisations = new List<PackageOrganisation>();
        foreach (var (item, path) in Items(root, "organisations", required: false))
        {
            Allow(item, path, "id", "name", "kind", "country");
            var id = Id(item, path, "id");
            var name = String(item, path, "name", required: true);
            var kind = Enum(item, path, "kind", OrganisationKinds.All);
            var country = Country(item, path, required: false);
            if (id is not null && organisations.Any(o => o.Id == id)) Error(path + ".id", $"the organisation id '{id}' is used twice");
            else if (id is not null && name is not null && kind is not null) organisations.Add(new PackageOrganisation(id, name, kind, country));
        }

        return organisations;
    }

    private Dictionary<string, PackageMember> Members(JsonElement root, List<PackageOrganisation> organisations)
    {
        var members = new Dictionary<string, PackageMember>(StringComparer.Ordinal);
        foreach (var (item, path) in Items(root, "members", required: true))
        {
            Allow(item, path, "id", "name", "country", "timeZone", "language", "association");
            var id = Id(item, path, "id");
            var name = String(item, path, "name", required: true);
            var country = Country(item, path, required: true);
            var zone = Zone(item, path, "timeZone", null);
            var language = Language(item, path, null);
            var association = String(item, path, "association", required: false);
            if (association is not null && organisations.All(o => o.Id != association))
                Error(path + ".association", $"unknown organisation '{association}': list it under $.organisations");
            if (id is not null && members.ContainsKey(id)) Error(path + ".id", $"the member id '{id}' is used twice");
            else if (id is not null && name is not null && country is not null && zone is not null && language is not null)
                members[id] = new PackageMember(id, name, country, zone, language, association);
        }

        return members;
    }

    /// <summary>Every role the package's workflows declare, by id, with the files declaring it.</summary>
    private Dictionary<string, DeclaredRole> DeclaredRoles()
    {
        var roles = new Dictionary<string, DeclaredRole>(StringComparer.Ordinal);
        foreach (var workflow in _workflows.All)
        foreach (var role in PackageRoles.Declared(workflow))
            roles.TryAdd(role.Id, role);
        return roles;
    }

    private Dictionary<string, PackageShape> Shapes(JsonElement root)
    {
        var shapes = new Dictionary<string, PackageShape>(StringComparer.Ordinal);
        foreach (var (item, path) in Items(root, "shapes", required: true))
        {
            Allow(item, path, "id", "roles", "oneGroupPerMember");
            var id = Id(item, path, "id");
            var roles = new List<ShapeRole>();
            foreach (var (role, rolePath) in Items(item, "roles", required: true, basePath: path))
            {
                Allow(role, rolePath, "role", "min", "max");
                var roleId = Id(role, rolePath, "role");
                var min = Int(role, rolePath, "min", 0) ?? 1;
                var max = Int(role, rolePath, "max", 1);
                if (max < min) Error(rolePath + ".max", $"must be at least min ({min})");
                if (roleId is not null && roles.Any(r => r.Role == roleId)) Error(rolePath + ".role", $"the role '{roleId}' is listed twice in this shape");
                else if (roleId is not null) roles.Add(new ShapeRole(roleId, min, max));
            }

            if (item.TryGetProperty("roles", out var array) && array.ValueKind == JsonValueKind.Array && array.GetArrayLength() == 0)
                Error(path + ".roles", "must name at least one role");
            var one = Bool(item, path, "oneGroupPerMember");
            if (id is not null && shapes.ContainsKey(id)) Error(path + ".id", $"the shape id '{id}' is used twice");
            else if (id is not null) shapes[id] = new PackageShape(id, roles, one);
        }

        return shapes;
    }

    private List<PackageGroup> Groups(JsonElement root, Dictionary<string, PackageShape> shapes, Dictionary<string, PackageMember> members)
    {
        var groups = new List<PackageGroup>();
        var numbers = new Dictionary<int, string>();
        var placed = new Dictionary<(string Shape, string Member), string>();
        foreach (var (item, path) in Items(root, "groups", required: false))
        {
            Allow(item, path, "number", "shape", "workflow", "title", "notes", "members");
            var number = Int(item, path, "number", 1, required: true);
            if (number is { } n && !numbers.TryAdd(n, path)) Error(path + ".number", $"the group number {n} is used already at {numbers[n]}");
            var shapeId = String(item, path, "shape", required: true);
            PackageShape? shape = null;
            if (shapeId is not null && !shapes.TryGetValue(shapeId, out shape))
                Error(path + ".shape", $"unknown shape '{shapeId}'; the package's shapes are {List(shapes.Keys)}");
            var workflow = Workflow(item, path, "workflow", WorkflowKind.Pair);
            var title = String(item, path, "title", required: false);
            var notes = String(item, path, "notes", required: false);
            var byRole = GroupMembers(item, path, members);
            if (shape is not null) CheckShape(path, shape, byRole, placed);
            if (shape is not null && workflow is not null) CheckRolesFilled(path, shape, workflow);
            if (number is not null && shape is not null && workflow is not null)
                groups.Add(new PackageGroup(number.Value, shape.Id, workflow, title, notes, byRole));
        }

        return groups;
    }

    private Dictionary<string, IReadOnlyList<string>> GroupMembers(JsonElement group, string path, Dictionary<string, PackageMember> members)
    {
        var byRole = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (!group.TryGetProperty("members", out var map))
        {
            Error(path, "missing 'members'");
            return byRole;
        }

        path += ".members";
        if (!IsObject(map, path)) return byRole;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var role in map.EnumerateObject())
        {
            var rolePath = $"{path}.{role.Name}";
            if (role.Value.ValueKind != JsonValueKind.Array)
            {
                Error(rolePath, "must be an array of member ids");
                continue;
            }

            var ids = new List<string>();
            var i = 0;
            foreach (var member in role.Value.EnumerateArray())
            {
                var memberPath = $"{rolePath}[{i++}]";
                var id = member.ValueKind == JsonValueKind.String ? member.GetString()! : null;
                if (id is null) Error(memberPath, "must be a member id");
                else if (!members.ContainsKey(id)) Error(memberPath, $"unknown member '{id}': list it under $.members");
                else if (!seen.Add(id)) Error(memberPath, $"'{id}' is in this group twice");
                else ids.Add(id);
            }

            byRole[role.Name] = ids;
        }

        return byRole;
    }

    private void CheckShape(string path, PackageShape shape, Dictionary<string, IReadOnlyList<string>> byRole,
        Dictionary<(string Shape, string Member), string> placed)
    {
        foreach (var role in byRole.Keys.Where(r => shape.Roles.All(s => s.Role != r)))
            Error($"{path}.members.{role}", $"the shape '{shape.Id}' has no role '{role}'; its roles are {List(shape.Roles.Select(r => r.Role))}");
        foreach (var role in shape.Roles)
        {
            var count = byRole.GetValueOrDefault(role.Role)?.Count ?? 0;
            if (count < role.Min || count > (role.Max ?? int.MaxValue))
                Error($"{path}.members.{role.Role}", $"the shape '{shape.Id}' takes {Range(role)} member(s) as '{role.Role}', not {count}");
        }

        if (!shape.OneGroupPerMember) return;
        foreach (var (role, ids) in byRole)
            for (var i = 0; i < ids.Count; i++)
                if (!placed.TryAdd((shape.Id, ids[i]), path))
                    Error($"{path}.members.{role}[{i}]",
                        $"'{ids[i]}' is already in the group at {placed[(shape.Id, ids[i])]}, and a member may be in only one group of the shape '{shape.Id}'");
    }

    private static string Range(ShapeRole role) => role.Max == role.Min ? $"{role.Min}" : role.Max is null ? $"at least {role.Min}" : $"{role.Min} to {role.Max}";

    /// <summary>The group's workflow must know every role its shape fills, and its shape must fill every group role the
    /// workflow gives work to: otherwise that work would have nobody to do it.</summary>
    private void CheckRolesFilled(string path, PackageShape shape, WorkflowDefinition workflow)
    {
        var declared = PackageRoles.Declared(workflow).Where(r => !r.ProgrammeScope).Select(r => r.Id).ToList();
        foreach (var role in shape.Roles.Where(r => !declared.Contains(r.Role)))
            Error($"{path}.shape", $"the shape '{shape.Id}' fills the role '{role.Role}', which the workflow '{workflow.Id}' ({workflow.SourceFile}) " +
                                   $"does not declare; its group roles are {List(declared)}");
        foreach (var role in PackageRoles.NamedGroupRoles(workflow).Where(r => shape.Roles.All(s => s.Role != r || s.Max == 0)))
            Error($"{path}.workflow", $"the workflow '{workflow.Id}' ({workflow.SourceFile}) gives work to '{role}', " +
                                      $"which the shape '{shape.Id}' does not fill");
    }

    private WorkflowDefinition? ProgrammeWorkflow(JsonElement root) =>
        root.TryGetProperty("programmeWorkflow", out _) ? Workflow(root, "$", "programmeWorkflow", WorkflowKind.Programme) : null;

    private WorkflowDefinition? Workflow(JsonElement element, string path, string property, WorkflowKind kind)
    {
        var id = String(element, path, property, required: true);
        if (id is null) return null;
        var workflow = _workflows.Latest(id);
        if (workflow is null)
        {
            Error($"{path}.{property}", $"unknown workflow '{id}'; the package's workflows are {List(_workflows.All.Select(w => w.Id).Distinct())}");
            return null;
        }

        if ((workflow.Kind == WorkflowKind.Programme) != (kind == WorkflowKind.Programme))
        {
            Error($"{path}.{property}", kind == WorkflowKind.Programme
                ? $"the workflow '{id}' runs per group; the programme workflow must be of kind 'programme'"
                : $"the workflow '{id}' is of kind 'programme'; a group runs a workflow of kind 'pair' or 'group'");
            return null;
        }

        return workflow;
    }

    private List<PackagePerson> People(JsonElement root, Dictionary<string, PackageMember> members, List<PackageOrganisation> organisations,
        Dictionary<string, DeclaredRole> roles, string programmeZone)
    {
        var people = new List<PackagePerson>();
        var emails = new Dictionary<string, string>(StringComparer.Ordinal);
        var programmeRoles = roles.Values.Where(r => r.ProgrammeScope).Select(r => r.Id).ToList();
        string[] allowed = [PersonRoles.Facilitator, PersonRoles.Coordinator, PersonRoles.Observer, .. programmeRoles];
        foreach (var (item, path) in Items(root, "people", required: false))
        {
            Allow(item, path, "name", "email", "role", "city", "organisation", "language", "timeZone", "admin");
            var name = String(item, path, "name", required: true);
            var email = Email(item, path, emails);
            var role = Enum(item, path, "role", allowed);
            var city = String(item, path, "city", required: false);
            PackageMember? member = null;
            if (city is not null && !members.TryGetValue(city, out member)) Error(path + ".city", $"unknown member '{city}': list it under $.members");
            if (role == PersonRoles.Coordinator && city is null) Error(path, "missing 'city': a coordinator acts for one member city");
            var organisation = String(item, path, "organisation", required: false);
            if (organisation is not null && organisations.All(o => o.Id != organisation))
                Error(path + ".organisation", $"unknown organisation '{organisation}': list it under $.organisations");
            if (role == PersonRoles.Observer && organisation is null) Error(path, "missing 'organisation': an observer follows for an organisation");
            var language = Language(item, path, member?.Language ?? "en");
            var zone = Zone(item, path, "timeZone", member?.TimeZone ?? programmeZone);
            var admin = Bool(item, path, "admin");
            if (name is not null && email is not null && role is not null && language is not null && zone is not null)
                people.Add(new PackagePerson(name, email, role, city, organisation, language, zone, admin));
        }

        return people;
    }

    private string? Email(JsonElement item, string path, Dictionary<string, string> emails)
    {
        var email = String(item, path, "email", required: true);
        if (email is null) return null;
        var normal = email.Trim().ToLowerInvariant();
        if (!MailAddress.TryCreate(normal, out var parsed) || parsed.Address != normal)
        {
            Error(path + ".email", $"'{email}' is not an email address");
            return null;
        }

        if (emails.TryAdd(normal, path)) return normal;
        Error(path + ".email", $"the email '{normal}' is used already at {emails[normal]}");
        return null;
    }

    private PackageSettings Settings(JsonElement root)
    {
        if (!root.TryGetProperty("settings", out var settings) || !IsObject(settings, "$.settings")) return new PackageSettings(null);
        Allow(settings, "$.settings", "stuckAfterDays");
        return new PackageSettings(Int(settings, "$.settings", "stuckAfterDays", 1));
    }

    // The form of each value, as programme.schema.json states it.

    private IEnumerable<(JsonElement Item, string Path)> Items(JsonElement element, string property, bool required, string basePath = "$")
    {
        if (Array(element, basePath, property, required) is not { } array) yield break;
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var path = $"{basePath}.{property}[{i++}]";
            if (IsObject(item, path)) yield return (item, path);
        }
    }

    private JsonElement? Array(JsonElement element, string path, string property, bool required)
    {
        if (!element.TryGetProperty(property, out var value))
        {
            if (required) Error(path, $"missing '{property}'");
            return null;
        }

        if (value.ValueKind == JsonValueKind.Array) return value;
        Error($"{path}.{property}", "must be an array");
        return null;
    }

    private string? String(JsonElement element, string path, string property, bool required)
    {
        if (!element.TryGetProperty(property, out var value))
        {
            if (required) Error(path, $"missing '{property}'");
            return null;
        }

        if (value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())) return value.GetString()!.Trim();
        Error($"{path}.{property}", "must be a non-empty string");
        return null;
    }

    private string? Id(JsonElement element, string path, string property)
    {
        var value = String(element, path, property, required: true);
        if (value is null || (char.IsAsciiLetterLower(value[0]) || char.IsAsciiDigit(value[0]))
            && value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            return value;
        Error($"{path}.{property}", $"'{value}' must be lower-case letters, digits and '-' (starting with a letter or digit)");
        return null;
    }

    private string? Enum(JsonElement element, string path, string property, string[] allowed)
    {
        var value = String(element, path, property, required: true);
        if (value is null || allowed.Contains(value)) return value;
        Error($"{path}.{property}", $"'{value}' must be one of {string.Join(", ", allowed)}");
        return null;
    }

    private LocalizedText? Text(JsonElement element, string path, string property, bool required)
    {
        if (element.TryGetProperty(property, out var value)) return LocalizedText.Parse(value, $"{path}.{property}", Error);
        if (required) Error(path, $"missing '{property}'");
        return null;
    }

    private string? Country(JsonElement element, string path, bool required)
    {
        var value = String(element, path, "country", required);
        if (value is null || (value.Length == 2 && value.All(char.IsAsciiLetterUpper))) return value;
        Error(path + ".country", $"'{value}' must be a two-letter ISO 3166 country code in capitals, such as BE or GR");
        return null;
    }

    /// <summary>A time zone this machine knows (IANA ids, such as Europe/Athens); <paramref name="fallback"/> when absent
    /// (null: required).</summary>
    private string? Zone(JsonElement element, string path, string property, string? fallback)
    {
        var value = String(element, path, property, required: fallback is null);
        if (value is null) return element.TryGetProperty(property, out _) ? null : fallback;
        if (TimeZoneInfo.TryFindSystemTimeZoneById(value, out _)) return value;
        Error($"{path}.{property}", $"unknown time zone '{value}': use an IANA time zone id such as Europe/Athens");
        return null;
    }

    private string? Language(JsonElement element, string path, string? fallback)
    {
        var value = String(element, path, "language", required: fallback is null);
        if (value is null) return element.TryGetProperty("language", out _) ? null : fallback;
        if (LocalizedText.Languages.Contains(value)) return value;
        Error(path + ".language", $"unknown language '{value}': use one of {string.Join(", ", LocalizedText.Languages)}");
        return null;
    }

    private int? Int(JsonElement element, string path, string property, int min, bool required = false)
    {
        if (!element.TryGetProperty(property, out var value))
        {
            if (required) Error(path, $"missing '{property}'");
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number >= min) return number;
        Error($"{path}.{property}", $"must be a whole number of at least {min}");
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
