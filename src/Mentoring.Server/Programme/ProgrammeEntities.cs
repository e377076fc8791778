namespace Mentoring.Server.Programme;

/// <summary>A mentoring programme (IncluCities, a national network, ...), run from its own package: its workflows,
/// members, groups and people.</summary>
public sealed class ProgrammeRecord
{
    public required string Id { get; init; }
    /// <summary>The English name; the package's other languages live in <see cref="Terms"/>.</summary>
    public required string Name { get; set; }
    /// <summary>JSON array of language codes the programme works in.</summary>
    public string Languages { get; set; } = """["en"]""";
    public string TimeZone { get; set; } = "Europe/Brussels";
    /// <summary>JSON: the group words per language ({"group": {"en": "pair"}, "groups": ..., "member": ..., "members": ...}).</summary>
    public string Terms { get; set; } = "{}";
    /// <summary>The hash of the package last imported, so an unchanged re-import changes nothing.</summary>
    public string? PackageHash { get; set; }
    /// <summary>JSON: the package's settings (stuckAfterDays, ...).</summary>
    public string Settings { get; set; } = "{}";
    public string? ProgrammeWorkflow { get; set; }
    public Guid? ProgrammeInstanceId { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>A city (a member), installation-wide: it may belong to several programmes (<see cref="ProgrammeMember"/>).</summary>
public sealed class City
{
    public required string Id { get; init; }
    public required string Name { get; set; }
    public required string Country { get; set; }
    public required string TimeZone { get; set; }
    /// <summary>Its main language.</summary>
    public required string Language { get; set; }
}

/// <summary>A city's membership of a programme, with its national association there.</summary>
public sealed class ProgrammeMember
{
    public required string ProgrammeId { get; init; }
    public required string CityId { get; init; }
    /// <summary>The id of its association (<see cref="Organisation"/>) in this programme.</summary>
    public string? Association { get; set; }
}

public static class OrganisationKinds
{
    public const string Facilitator = "facilitator";
    public const string Coordinator = "coordinator";
    public const string Association = "association";
    public const string Other = "other";
    public static readonly string[] All = [Facilitator, Coordinator, Association, Other];
}

/// <summary>An organisation of a programme: its facilitator, its coordinator, a national association, ...</summary>
public sealed class Organisation
{
    public required string ProgrammeId { get; init; }
    public required string Id { get; init; }
    public required string Name { get; set; }
    /// <summary>One of <see cref="OrganisationKinds"/>.</summary>
    public required string Kind { get; set; }
    public string? Country { get; set; }
}

/// <summary>The roles a person holds in a programme; a workflow's programme-scope roles (coordination-team, ...)
/// are role ids of their own beside these.</summary>
public static class PersonRoles
{
    public const string Facilitator = "facilitator";
    public const string Coordinator = "coordinator";
    public const string Observer = "observer";
    /// <summary>Not a programme role: the claim an installation admin (<see cref="Person.IsAdmin"/>) carries.</summary>
    public const string Admin = "admin";
    public static readonly string[] All = [Facilitator, Coordinator, Observer, Admin];
}

/// <summary>A person, installation-wide; their place in each programme is a <see cref="ProgrammePerson"/>.</summary>
public sealed class Person
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    public string? Email { get; set; }
    /// <summary>The language of the person's emails.</summary>
    public string Language { get; set; } = "en";
    /// <summary>The page language they chose with the switch; null: the browser's Accept-Language.</summary>
    public string? PageLanguage { get; set; }
    public string TimeZone { get; set; } = "Europe/Brussels";
    /// <summary>An installation admin: may act in every programme.</summary>
    public bool IsAdmin { get; set; }
    /// <summary>The programme they last switched to; the one they sign in to.</summary>
    public string? CurrentProgramme { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>A person's place in one programme: their role there, the city a coordinator acts for, their organisation.</summary>
public sealed class ProgrammePerson
{
    public required string ProgrammeId { get; init; }
    public required Guid PersonId { get; init; }
    /// <summary>facilitator, coordinator, observer (<see cref="PersonRoles"/>), or a programme-scope role id of one of
    /// the programme's workflows.</summary>
    public required string Role { get; set; }
    /// <summary>The city a coordinator acts for.</summary>
    public string? CityId { get; set; }
    /// <summary>The id of their organisation in this programme (<see cref="Organisation"/>).</summary>
    public string? Organisation { get; set; }
}

/// <summary>A group of a programme's members running one workflow instance: a pair (mentor, mentee), a cluster (core
/// and observer members), a single member. Its members and their roles are <see cref="GroupMember"/> rows.</summary>
public sealed class Group
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string ProgrammeId { get; init; }
    public int Number { get; init; }
    /// <summary>The package's shape id: pair, cluster, member, ...</summary>
    public required string Shape { get; init; }
    /// <summary>What the group works on (a pair's theme).</summary>
    public required string Title { get; set; }
    /// <summary>Notes, such as the practices a pair transfers.</summary>
    public string? Notes { get; set; }
    public required string WorkflowId { get; init; }
    public Guid InstanceId { get; set; }
}

/// <summary>A city in a group, with its role there: a role id of the group's workflow (mentor, mentee, member, core,
/// observer, ...).</summary>
public sealed class GroupMember
{
    public required Guid GroupId { get; init; }
    public required string CityId { get; init; }
    public required string Role { get; init; }
}
