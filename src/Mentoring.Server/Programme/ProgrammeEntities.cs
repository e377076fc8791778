namespace Mentoring.Server.Programme;

/// <summary>A mentoring programme (IncluCities, a national network, ...), run from its own workflow definitions.</summary>
public sealed class ProgrammeRecord
{
    public required string Id { get; init; }
    public required string Name { get; set; }
    public required string PairWorkflow { get; set; }
    public string? ProgrammeWorkflow { get; set; }
    public Guid? ProgrammeInstanceId { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
}

public sealed class City
{
    public required string Id { get; init; }
    public required string ProgrammeId { get; init; }
    public required string Name { get; set; }
    public required string Country { get; set; }
    public string? Association { get; set; }
    public required string TimeZone { get; set; }
    public required string Language { get; set; }
}

public static class PersonRoles
{
    public const string Facilitator = "facilitator";
    public const string Coordinator = "coordinator";
    public const string Observer = "observer";
    public const string Admin = "admin";
    public static readonly string[] All = [Facilitator, Coordinator, Observer, Admin];
}

public sealed class Person
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string ProgrammeId { get; init; }
    public required string Name { get; set; }
    public string? Email { get; set; }
    /// <summary>One of <see cref="PersonRoles"/>.</summary>
    public required string Role { get; set; }
    /// <summary>The city a coordinator acts for.</summary>
    public string? CityId { get; set; }
    /// <summary>The organisation: a national association for observers, Migration Work for the facilitator.</summary>
    public string? Organisation { get; set; }
    /// <summary>The language of the person's emails.</summary>
    public string Language { get; set; } = "en";
    /// <summary>The page language they chose with the switch; null: the browser's Accept-Language.</summary>
    public string? PageLanguage { get; set; }
    public string TimeZone { get; set; } = "Europe/Brussels";
    public DateTimeOffset CreatedAt { get; init; }
}

public sealed class Pair
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string ProgrammeId { get; init; }
    public int Number { get; init; }
    public required string MentorCityId { get; init; }
    public required string MenteeCityId { get; init; }
    public required string Theme { get; set; }
    public string? Practices { get; set; }
    public Guid InstanceId { get; set; }
}
