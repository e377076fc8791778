using System.Text.Json;
using Mentoring.Engine.Definitions;
using Mentoring.Server.Programme.Packages;

namespace Mentoring.Server.Matching;

/// <summary>
/// How a programme matches its members (<c>workflows/&lt;id&gt;/matching.json</c>, schema
/// <c>workflows/matching.schema.json</c>): the shape and workflow a published group gets, the group role of the strength
/// side (<see cref="MentorRole"/>) and of the need side (<see cref="MenteeRole"/>), the candidates of each side (null:
/// every member with a submitted assessment), a mentor's capacity and whether every mentee must be matched by default.
/// <see cref="OneGroupPerMember"/> is the shape's, taken from the package when it is read, so publishing can refuse a
/// member who is in such a group already. <see cref="Note"/> (per language) says why the groups that already run were
/// formed as they were, for the page beside the proposal.
/// </summary>
public sealed record MatchingSettings(
    string Shape,
    string Workflow,
    string MentorRole,
    string MenteeRole,
    IReadOnlyList<string>? Mentors,
    IReadOnlyList<string>? Mentees,
    int Capacity,
    bool EveryMenteeMatched,
    bool OneGroupPerMember,
    IReadOnlyDictionary<string, string>? Note)
{
    public const string FileName = "matching.json";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

/// <summary>
/// Reads a package's optional matching.json, checked against the package it belongs to (its shapes, members and
/// workflows); every error names the file and its JSON path, as the package reader's do.
/// </summary>
public static class MatchingSettingsReader
{
    /// <summary>Adds the folder's matching settings to a package read from it (none without the file); on an error the
    /// package is refused, with the errors added to <paramref name="errors"/>.</summary>
    public static ProgrammePackage? ReadInto(string folder, ProgrammePackage? package, DefinitionCatalog workflows, ref IReadOnlyList<DefinitionError> errors)
    {
        var file = Path.Combine(folder, MatchingSettings.FileName);
        if (package is null || !File.Exists(file)) return package;
        var shown = Path.GetRelativePath(Directory.GetCurrentDirectory(), file);
        var settings = TryRead(shown, File.ReadAllText(file), package, workflows, out var found);
        if (settings is null)
        {
            errors = [.. errors, .. found];
            return null;
        }

        return package with { Matching = settings, Hash = package.Hash + ":" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file))) };
    }

    public static MatchingSettings? TryRead(string file, string json, ProgrammePackage package, DefinitionCatalog workflows, out List<DefinitionError> errors)
    {
        var found = new List<DefinitionError>();
        errors = found;
        void Error(string path, string message) => found.Add(new DefinitionError(file, path, message));
        var document = PackageJson.Parse(file, json, found);
        if (document is null) return null;

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                Error("$", "must be an object");
                return null;
            }

            string[] allowed = ["$schema", "shape", "workflow", "sides", "candidates", "capacity", "everyMenteeMatched", "note"];
            foreach (var property in root.EnumerateObject().Where(p => !allowed.Contains(p.Name)))
                Error($"$.{property.Name}", $"unknown property: use one of {string.Join(", ", allowed.Skip(1))}");

            string? Text(JsonElement parent, string path, string name)
            {
                if (!parent.TryGetProperty(name, out var value)) Error(path, $"'{name}' is required");
                else if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString())) Error($"{path}.{name}", "must be a non-empty string");
                else return value.GetString();
                return null;
            }

            var shapeId = Text(root, "$", "shape");
            var shape = shapeId is null ? null : package.Shapes.FirstOrDefault(s => s.Id == shapeId);
            if (shapeId is not null && shape is null)
                Error("$.shape", $"the package has no shape '{shapeId}': use one of {string.Join(", ", package.Shapes.Select(s => s.Id))}");
            var workflowId = Text(root, "$", "workflow");
            var workflow = workflowId is null ? null : workflows.Latest(workflowId);
            if (workflowId is not null && workflow is not { IsPerGroup: true })
                Error("$.workflow", $"there is no workflow '{workflowId}' that runs per group beside the package");

            string? mentorRole = null, menteeRole = null;
            if (!root.TryGetProperty("sides", out var sides) || sides.ValueKind != JsonValueKind.Object)
                Error("$.sides", "give the group role of each side: { \"strength\": \"mentor\", \"need\": \"mentee\" }");
            else
            {
                foreach (var property in sides.EnumerateObject().Where(p => p.Name is not ("strength" or "need")))
                    Error($"$.sides.{property.Name}", "unknown side: use strength or need");
                mentorRole = Text(sides, "$.sides", "strength");
                menteeRole = Text(sides, "$.sides", "need");
                foreach (var (role, name) in new[] { (mentorRole, "strength"), (menteeRole, "need") })
                {
                    if (role is null) continue;
                    if (shape is not null && shape.Roles.All(r => r.Role != role)) Error($"$.sides.{name}", $"the shape '{shape.Id}' has no role '{role}'");
                    if (workflow is not null && workflow.Roles.All(r => r.Id != role || r.Scope != RoleScope.Group))
                        Error($"$.sides.{name}", $"the workflow '{workflow.Id}' has no group role '{role}'");
                }

                if (mentorRole is not null && mentorRole == menteeRole) Error("$.sides.need", "the need side's role must differ from the strength side's");
            }

            IReadOnlyList<string>? mentors = null, mentees = null;
            if (root.TryGetProperty("candidates", out var candidates))
            {
                if (candidates.ValueKind != JsonValueKind.Object) Error("$.candidates", "must be an object: { \"strength\": [city ids], \"need\": [city ids] }");
                else
                {
                    foreach (var property in candidates.EnumerateObject().Where(p => p.Name is not ("strength" or "need")))
                        Error($"$.candidates.{property.Name}", "unknown side: use strength or need");
                    mentors = Cities(candidates, "strength");
                    mentees = Cities(candidates, "need");
                }
            }

            IReadOnlyList<string>? Cities(JsonElement parent, string side)
            {
                if (!parent.TryGetProperty(side, out var list)) return null;
                var path = $"$.candidates.{side}";
                if (list.ValueKind != JsonValueKind.Array)
                {
                    Error(path, "must be an array of member city ids");
                    return null;
                }

                var ids = new List<string>();
                var i = 0;
                foreach (var item in list.EnumerateArray())
                {
                    var itemPath = $"{path}[{i++}]";
                    var id = item.ValueKind == JsonValueKind.String ? item.GetString() : null;
                    if (id is null || package.Members.All(m => m.Id != id)) Error(itemPath, $"'{item}' is not a member of the package");
                    else if (ids.Contains(id)) Error(itemPath, $"'{id}' is listed twice");
                    else ids.Add(id);
                }

                return ids;
            }

            var capacity = 1;
            if (root.TryGetProperty("capacity", out var c))
            {
                if (c.ValueKind != JsonValueKind.Number || !c.TryGetInt32(out capacity) || capacity is < 1 or > 100)
                    Error("$.capacity", "must be a whole number from 1 to 100: how many mentees a mentor takes by default");
            }

            var every = true;
            if (root.TryGetProperty("everyMenteeMatched", out var e))
            {
                if (e.ValueKind is JsonValueKind.True or JsonValueKind.False) every = e.GetBoolean();
                else Error("$.everyMenteeMatched", "must be true or false");
            }

            var note = root.TryGetProperty("note", out var n) ? LocalizedText.Parse(n, "$.note", Error) : null;
            if (found.Count > 0) return null;
            return new MatchingSettings(shapeId!, workflowId!, mentorRole!, menteeRole!, mentors, mentees, capacity, every, shape!.OneGroupPerMember,
                note?.ByLanguage);
        }
    }
}
