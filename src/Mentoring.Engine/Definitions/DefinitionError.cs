namespace Mentoring.Engine.Definitions;

/// <summary>One problem in one file: where it is (a JSON path, or a line and column for bad JSON) and what is wrong.</summary>
public sealed record DefinitionError(string File, string Path, string Message)
{
    public override string ToString() => $"{File}: {Path}: {Message}";
}

/// <summary>Thrown when one or more definition or template files are invalid; lists every error found.</summary>
public sealed class DefinitionException(IReadOnlyList<DefinitionError> errors)
    : Exception(Describe(errors))
{
    public IReadOnlyList<DefinitionError> Errors { get; } = errors;

    private static string Describe(IReadOnlyList<DefinitionError> errors) =>
        $"{errors.Count} error(s) in workflow or template files:{Environment.NewLine}" +
        string.Join(Environment.NewLine, errors.Select(e => "  " + e));
}
