using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;

namespace Mentoring.Engine.Tests.Support;

/// <summary>Pair 4 of IncluCities: Schaerbeek mentors Jelgava; Migration Work facilitates.</summary>
internal static class Actors
{
    public static readonly Actor Mentor = new("sophie", "Sophie Lambert", ActorRole.Mentor);
    public static readonly Actor Mentee = new("ilze", "Ilze Kalniņa", ActorRole.Mentee);
    public static readonly Actor Facilitator = new("migration-work", "Migration Work", ActorRole.Facilitator);

    /// <summary>Someone who may act for <paramref name="role"/>; for <see cref="Role.Both"/>, the mentee.</summary>
    public static Actor For(Role role) => role.Id switch
    {
        "mentor" => Mentor,
        "mentee" or "both" => Mentee,
        _ => Facilitator,
    };

    /// <summary>Someone of the other side, who may not act for <paramref name="role"/>.</summary>
    public static Actor Against(Role role) => role == Role.Mentor ? Mentee : Mentor;
}
