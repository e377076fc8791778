namespace Mentoring.Engine.Definitions;

/// <summary>All versions of all workflow definitions the node knows, by id and version.</summary>
public sealed class DefinitionCatalog
{
    private readonly Dictionary<(string Id, int Version), WorkflowDefinition> _definitions = [];

    public DefinitionCatalog(IEnumerable<WorkflowDefinition> definitions)
    {
        foreach (var definition in definitions) _definitions[(definition.Id, definition.Version)] = definition;
    }

    public IReadOnlyCollection<WorkflowDefinition> All => _definitions.Values;

    public WorkflowDefinition? Find(string id, int version) => _definitions.GetValueOrDefault((id, version));

    public WorkflowDefinition Get(string id, int version) =>
        Find(id, version) ?? throw new KeyNotFoundException($"No workflow definition '{id}' version {version} is loaded.");

    /// <summary>The highest version of <paramref name="id"/>: what new instances start on.</summary>
    public WorkflowDefinition? Latest(string id) =>
        _definitions.Values.Where(d => d.Id == id).MaxBy(d => d.Version);

    /// <summary>Reads every <c>*.json</c> file in <paramref name="folder"/> except the schema, collecting every error.</summary>
    public static DefinitionCatalog LoadFolder(string folder, Func<string, bool>? templateExists)
    {
        if (!Directory.Exists(folder))
            throw new DefinitionException([new DefinitionError(folder, "", "the workflows folder does not exist")]);
        var errors = new List<DefinitionError>();
        var definitions = new List<(WorkflowDefinition Definition, string File)>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(file).EndsWith(".schema.json", StringComparison.OrdinalIgnoreCase)) continue;
            var name = Path.GetRelativePath(Directory.GetCurrentDirectory(), file);
            var definition = DefinitionParser.TryParse(name, File.ReadAllText(file), templateExists, out var fileErrors);
            errors.AddRange(fileErrors);
            if (definition is not null) definitions.Add((definition, name));
        }

        foreach (var clash in definitions.GroupBy(d => (d.Definition.Id, d.Definition.Version)).Where(g => g.Count() > 1))
            errors.Add(new DefinitionError(clash.Last().File, "$.version",
                $"'{clash.Key.Id}' version {clash.Key.Version} is defined in more than one file: {string.Join(", ", clash.Select(c => c.File))}"));
        if (definitions.Count == 0 && errors.Count == 0)
            errors.Add(new DefinitionError(folder, "", "no workflow definition (*.json) found"));
        if (errors.Count > 0) throw new DefinitionException(errors);
        return new DefinitionCatalog(definitions.Select(d => d.Definition));
    }
}
