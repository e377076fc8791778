using Mentoring.Engine.Definitions;

namespace Mentoring.Server.Programme.Packages;

/// <summary>
/// A programme as its package describes it (<c>workflows/&lt;id&gt;/programme.json</c>), read and checked by
/// <see cref="ProgrammePackageReader"/>: every reference in it resolves, so the importer only writes.
/// </summary>
public sealed record ProgrammePackage(
    string File,
    string Id,
    LocalizedText Name,
    IReadOnlyList<string> Languages,
    string TimeZone,
    PackageTerms Terms,
    IReadOnlyList<PackageOrganisation> Organisations,
    IReadOnlyList<PackageMember> Members,
    IReadOnlyList<PackageShape> Shapes,
    IReadOnlyList<PackageGroup> Groups,
    WorkflowDefinition? ProgrammeWorkflow,
    IReadOnlyList<PackagePerson> People,
    PackageSettings Settings)
{
    /// <summary>A hash of programme.json and of the workflow versions it runs: an unchanged package re-imported is a
    /// no-op, a new workflow version beside it is not.</summary>
    public required string Hash { get; init; }

    /// <summary>Every workflow definition the package brings (those its groups run and any other beside them), which
    /// the importer records for every node.</summary>
    public IReadOnlyList<WorkflowDefinition> Definitions { get; init; } = [];

    /// <summary>The package's questionnaire.json (and the demo's assessments.json), when it has one.</summary>
    public Assessments.PackageAssessments? Assessments { get; init; }

    /// <summary>The package's matching.json, when it has one.</summary>
    public Matching.MatchingSettings? Matching { get; init; }

    /// <summary>The package's good practices (<c>practices.json</c>, optional), read by <see cref="Practices.PracticesFile"/>.</summary>
    public IReadOnlyList<Practices.PackagePractice> Practices { get; init; } = [];

    /// <summary>The package's key-factor templates per theme (<c>benchmarks.json</c>, optional).</summary>
    public Benchmarks.PackageBenchmarks? Benchmarks { get; init; }
}

/// <summary>The words a programme uses for its groups and members ("pair", "cluster", "member", "city"), per language.</summary>
public sealed record PackageTerms(LocalizedText Group, LocalizedText Groups, LocalizedText Member, LocalizedText Members)
{
    public static readonly PackageTerms Default = new(English("group"), English("groups"), English("member"), English("members"));

    private static LocalizedText English(string text) => new(new Dictionary<string, string> { [LocalizedText.English] = text });
}

public sealed record PackageOrganisation(string Id, string Name, string Kind, string? Country);

/// <summary>A member city (or municipality) of the programme; cities are shared by every programme they are in.</summary>
public sealed record PackageMember(string Id, string Name, string Country, string TimeZone, string Language, string? Association);

/// <summary>How a group is made up: which roles its members fill, how many of each, and whether a member may be in
/// only one group of this shape.</summary>
public sealed record PackageShape(string Id, IReadOnlyList<ShapeRole> Roles, bool OneGroupPerMember);

public sealed record ShapeRole(string Role, int Min, int? Max);

/// <summary>A group running <see cref="Workflow"/> (its latest version), its members by role id.</summary>
public sealed record PackageGroup(int Number, string Shape, WorkflowDefinition Workflow, string? Title, string? Notes,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Members);

/// <summary>A person of the programme: facilitator, coordinator (for <see cref="City"/>), observer (of
/// <see cref="Organisation"/>) or a programme-scope role a workflow of the package declares. <see cref="Admin"/>: an
/// administrator of the installation (honoured only where the importer's caller may make one: the CLI, the first start).</summary>
public sealed record PackagePerson(string Name, string Email, string Role, string? City, string? Organisation, string Language,
    string TimeZone, bool Admin);

public sealed record PackageSettings(int? StuckAfterDays);
