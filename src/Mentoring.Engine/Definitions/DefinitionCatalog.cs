namespace Mentoring.Engine.Definitions;

/// <summary>All versions of all workflow definitions the node knows, by id and version.</summary>
public sealed class DefinitionCatalog
{
    private readonly Dictionary<(string Id, int Version), WorkflowDefinition> _definitions = [];

    public DefinitionCatalog(IEnumerable<WorkflowDefinition> definitions)
    {
        foreach (var definition in definitions) _definitions[(definition.Id, definition.Version)] = definition;
        Warnings = UnraisedEvents(_definitions.Values);
    }

    public IReadOnlyCollection<WorkflowDefinition> All => _definitions.Values;

    /// <summary>What is valid but surely a mistake: a <c>waitForEvent</c> on an event no <c>signal</c> step of any
    /// loaded definition raises, so every instance reaching it would wait forever.</summary>
    public IReadOnlyList<DefinitionError> Warnings { get; }

    private static List<DefinitionError> UnraisedEvents(IEnumerable<WorkflowDefinition> definitions)
    {
        var all = definitions.ToList();
        var raised = all.SelectMany(d => d.StepsOf<SignalStep>()).Select(s => s.Event).ToHashSet(StringComparer.Ordinal);
        return all.OrderBy(d => d.SourceFile, StringComparer.Ordinal)
            .SelectMany(d => d.StepsOf<WaitForEventStep>().Where(w => !raised.Contains(w.Event)).Select(w => new DefinitionError(
                d.SourceFile, (d.StepPaths.TryGetValue(w.Id, out var path) ? path : w.Id) + ".event",
                $"no signal step in the programme raises the event '{w.Event}', so instances would wait here forever")))
            .ToList();
    }

    public WorkflowDefinition? Find(string id, int version) => _definitions.GetValueOrDefault((id, version));

    public WorkflowDefinition Get(string id, int version) =>
        Find(id, version) ?? throw new KeyNotFoundException($"No workflow definition '{id}' version {version} is loaded.");

    /// <summary>The highest version of <paramref name="id"/>: what new instances start on.</summary>
    public WorkflowDefinition? Latest(string id) =>
        _definitions.Values.Where(d => d.Id == id).MaxBy(d => d.Version);

    /// <summary>Whether a <c>*.json</c> file in the workflows folder is a workflow definition: not a JSON Schema, not one
    /// of a programme package's data files (<c>programme.json</c>, its questionnaire, ...).</summary>
    public static bool IsDefinitionFile(string file)
    {
        var name = Path.GetFileName(file);
        return !name.EndsWith(".schema.json", StringComparison.OrdinalIgnoreCase)
               && !PackageDataFiles.Contains(name, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The files of a programme package that hold data, not workflows.</summary>
    public static readonly IReadOnlyList<string> PackageDataFiles = [PackageFileName, "questionnaire.json", "assessments.json", "matching.json", "practices.json", "benchmarks.json"];

    /// <summary>The file of a programme package that is not a workflow definition.</summary>
    public const string PackageFileName = "programme.json";

    /// <summary>Reads every <c>*.json</c> file in <paramref name="folder"/> and its sub-folders (a programme package keeps
    /// its own workflows in <c>workflows/&lt;id&gt;/</c>) except the schemas and the packages' <c>programme.json</c>,
    /// collecting every error.</summary>
    public static DefinitionCatalog LoadFolder(string folder, Func<string, bool>? templateExists)
    {
        if (!Directory.Exists(folder))
            throw new DefinitionException([new DefinitionError(folder, "", "the workflows folder does not exist")]);
        var errors = new List<DefinitionError>();
        var definitions = new List<(WorkflowDefinition Definition, string File)>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (!IsDefinitionFile(file)) continue;
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
