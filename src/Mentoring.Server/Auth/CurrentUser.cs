using System.Security.Claims;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Programme;

namespace Mentoring.Server.Auth;

/// <summary>The signed-in person, as the claims carry it, and what they may do with a pair.</summary>
public static class CurrentUser
{
    public const string CityClaim = "mentoring:city";
    public const string OrganisationClaim = "mentoring:organisation";
    public const string ProgrammeClaim = "mentoring:programme";

    public static IEnumerable<Claim> Claims(Person person)
    {
        yield return new Claim(ClaimTypes.NameIdentifier, person.Id.ToString());
        yield return new Claim(ClaimTypes.Name, person.Name);
        yield return new Claim(ClaimTypes.Role, person.Role);
        yield return new Claim(ProgrammeClaim, person.ProgrammeId);
        if (person.CityId is not null) yield return new Claim(CityClaim, person.CityId);
        if (person.Organisation is not null) yield return new Claim(OrganisationClaim, person.Organisation);
    }

    public static Guid PersonId(this ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!);
    public static string Role(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.Role) ?? "";
    public static string? CityId(this ClaimsPrincipal user) => user.FindFirstValue(CityClaim);
    public static string? Organisation(this ClaimsPrincipal user) => user.FindFirstValue(OrganisationClaim);
    public static bool IsFacilitator(this ClaimsPrincipal user) => user.IsInRole(PersonRoles.Facilitator);
    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole(PersonRoles.Admin);

    /// <summary>May this person read the pair? Facilitator and admin: every pair. Coordinator: their own pair.
    /// Observer: pairs with a city of their national association.</summary>
    public static bool CanRead(this ClaimsPrincipal user, Pair pair, string? mentorAssociation, string? menteeAssociation) =>
        user.Role() switch
        {
            PersonRoles.Facilitator or PersonRoles.Admin => true,
            PersonRoles.Coordinator => user.CityId() is { } city && (city == pair.MentorCityId || city == pair.MenteeCityId),
            PersonRoles.Observer => user.Organisation() is { } org && (org == mentorAssociation || org == menteeAssociation),
            _ => false,
        };

    /// <summary>The side this person acts for in the pair, or null when they may not act on it at all.</summary>
    public static Actor? ActorFor(this ClaimsPrincipal user, Pair? pair)
    {
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier)!;
        var name = user.FindFirstValue(ClaimTypes.Name) ?? id;
        if (user.IsFacilitator()) return new Actor(id, name, ActorRole.Facilitator);
        if (pair is null || !user.IsInRole(PersonRoles.Coordinator)) return null;
        var city = user.CityId();
        return city == pair.MentorCityId ? new Actor(id, name, ActorRole.Mentor)
            : city == pair.MenteeCityId ? new Actor(id, name, ActorRole.Mentee)
            : null;
    }
}
