using System.Security.Claims;
using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Auth;

/// <summary>The signed-in person, as the claims carry it: signed in to one programme at a time (the current one), with
/// their role and city there, and what they may do with a group of it.</summary>
public static class CurrentUser
{
    public const string CityClaim = "mentoring:city";
    public const string OrganisationClaim = "mentoring:organisation";
    public const string ProgrammeClaim = "mentoring:programme";

    /// <summary>The claims of <paramref name="person"/> in programme <paramref name="programmeId"/>, where they hold
    /// <paramref name="place"/> (null for an admin without a place of their own there).</summary>
    public static IEnumerable<Claim> Claims(Person person, string? programmeId, ProgrammePerson? place)
    {
        yield return new Claim(ClaimTypes.NameIdentifier, person.Id.ToString());
        yield return new Claim(ClaimTypes.Name, person.Name);
        if (place is not null) yield return new Claim(ClaimTypes.Role, place.Role);
        if (person.IsAdmin) yield return new Claim(ClaimTypes.Role, PersonRoles.Admin);
        if (programmeId is not null) yield return new Claim(ProgrammeClaim, programmeId);
        if (place?.CityId is not null) yield return new Claim(CityClaim, place.CityId);
        if (place?.Organisation is not null) yield return new Claim(OrganisationClaim, place.Organisation);
    }

    /// <summary>The claims of a person signing in (or sending an API token): in the programme they last switched to
    /// while they still belong to it, else in the first programme they belong to; an admin may be in any.</summary>
    public static async Task<IReadOnlyList<Claim>> ClaimsAsync(MentoringDb db, Person person, CancellationToken ct)
    {
        var places = await db.ProgrammePeople.AsNoTracking().Where(p => p.PersonId == person.Id)
            .OrderBy(p => p.ProgrammeId).ToListAsync(ct);
        var place = places.FirstOrDefault(p => p.ProgrammeId == person.CurrentProgramme) ?? places.FirstOrDefault();
        var programmeId = place?.ProgrammeId;
        if (person.IsAdmin && (person.CurrentProgramme is null || place?.ProgrammeId != person.CurrentProgramme))
            programmeId = person.CurrentProgramme is { } current && await db.Programmes.AnyAsync(p => p.Id == current, ct)
                ? current
                : programmeId ?? await db.Programmes.OrderBy(p => p.Id).Select(p => p.Id).FirstOrDefaultAsync(ct);
        return Claims(person, programmeId, places.FirstOrDefault(p => p.ProgrammeId == programmeId)).ToList();
    }

    /// <summary>The signed-in principal again with the programme, role, city and name the database gives the person
    /// now (<see cref="ClaimsAsync"/>), keeping its other claims (the session's security stamp); null when nothing
    /// changed. A cookie is signed once, so without this a person taken out of a programme kept its pages until the
    /// cookie ended.</summary>
    public static async Task<ClaimsPrincipal?> RefreshedAsync(MentoringDb db, ClaimsPrincipal user, CancellationToken ct)
    {
        if (!Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var personId)) return null;
        var person = await db.People.AsNoTracking().SingleOrDefaultAsync(p => p.Id == personId, ct);
        if (person is null) return null;
        var fresh = await ClaimsAsync(db, person, ct);
        string[] placeTypes = [ClaimTypes.NameIdentifier, ClaimTypes.Name, ClaimTypes.Role, ProgrammeClaim, CityClaim, OrganisationClaim];
        static IEnumerable<string> Place(IEnumerable<Claim> claims, string[] types) =>
            claims.Where(c => types.Contains(c.Type)).Select(c => $"{c.Type}\n{c.Value}").Order(StringComparer.Ordinal);
        if (Place(user.Claims, placeTypes).SequenceEqual(Place(fresh, placeTypes))) return null;
        var kept = user.Claims.Where(c => !placeTypes.Contains(c.Type)).Select(c => new Claim(c.Type, c.Value));
        return new ClaimsPrincipal(new ClaimsIdentity(fresh.Concat(kept), user.Identity?.AuthenticationType));
    }

    public static Guid PersonId(this ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!);

    /// <summary>Their role in the current programme (facilitator, coordinator, observer, a programme role id).</summary>
    public static string Role(this ClaimsPrincipal user) =>
        user.FindAll(ClaimTypes.Role).Select(c => c.Value).FirstOrDefault(r => r != PersonRoles.Admin) ?? "";

    public static string? CityId(this ClaimsPrincipal user) => user.FindFirstValue(CityClaim);
    public static string? Organisation(this ClaimsPrincipal user) => user.FindFirstValue(OrganisationClaim);

    /// <summary>The programme everything they see and do is scoped to; "" when they belong to none.</summary>
    public static string ProgrammeId(this ClaimsPrincipal user) => user.FindFirstValue(ProgrammeClaim) ?? "";

    public static bool IsFacilitator(this ClaimsPrincipal user) => user.IsInRole(PersonRoles.Facilitator);
    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole(PersonRoles.Admin);

    /// <summary>Sees all of the current programme: its facilitator, or an admin.</summary>
    public static bool SeesWholeProgramme(this ClaimsPrincipal user) => user.IsFacilitator() || user.IsAdmin();

    /// <summary>May this person read the group? It must be of their current programme. Facilitator and admin: every
    /// group. Coordinator: a group their city is a member of (observer cities too). Observer: groups with a city of
    /// their national association. A programme-scope role (a coordination team): every group.</summary>
    public static bool CanRead(this ClaimsPrincipal user, Group group, IReadOnlyCollection<GroupMember> members,
        IReadOnlyCollection<string?> memberAssociations)
    {
        if (group.ProgrammeId != user.ProgrammeId()) return false;
        if (user.SeesWholeProgramme()) return true;
        return user.Role() switch
        {
            PersonRoles.Coordinator => user.CityId() is { } city && members.Any(m => m.CityId == city),
            PersonRoles.Observer => user.Organisation() is { } org && memberAssociations.Contains(org),
            // A programme-scope role of the workflows (a network's coordination team) has work in any group of its
            // programme, so it follows them all; what it may do there, the workflow decides.
            { Length: > 0 } => true,
            _ => false,
        };
    }

    /// <summary>Does this person follow the programme's own workflow (its tasks, approvals and events)? Only in their
    /// current programme: its facilitator and admins, and a person whose role there is one the programme workflow
    /// declares with programme scope (a network's coordination team). Coordinators and associations follow their
    /// groups instead.</summary>
    public static bool SeesProgrammeWork(this ClaimsPrincipal user, string programmeId, WorkflowDefinition? programmeWorkflow) =>
        programmeId == user.ProgrammeId() && (user.SeesWholeProgramme() || user.HoldsProgrammeRoleOf(programmeWorkflow));

    /// <summary>The role this person acts as on the programme's own workflow: the facilitator, or the programme-scope role
    /// of the workflow they hold (which steps are that role's, the engine decides). Null for whoever only looks (an admin
    /// who is not its facilitator) or may not see it at all.</summary>
    public static Actor? ProgrammeActorFor(this ClaimsPrincipal user, string programmeId, WorkflowDefinition? programmeWorkflow) =>
        user.SeesProgrammeWork(programmeId, programmeWorkflow) && (user.IsFacilitator() || user.HoldsProgrammeRoleOf(programmeWorkflow))
            ? user.ActorFor(null)
            : null;

    private static bool HoldsProgrammeRoleOf(this ClaimsPrincipal user, WorkflowDefinition? programmeWorkflow) =>
        user.Role() is { Length: > 0 } role && role is not (PersonRoles.Coordinator or PersonRoles.Observer)
        && programmeWorkflow?.RoleNamed(new Mentoring.Engine.Definitions.Role(role)) is { Scope: RoleScope.Programme };

    /// <summary>The role this person acts as in the group: the facilitator (and an admin) for everyone; a coordinator
    /// as the group role their city holds, which may be one that only reads (an observer city: the workflow refuses
    /// its acts). Null when they may not act on it at all.</summary>
    public static Actor? ActorFor(this ClaimsPrincipal user, Group? group, IReadOnlyCollection<GroupMember>? members = null)
    {
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier)!;
        var name = user.FindFirstValue(ClaimTypes.Name) ?? id;
        if (user.SeesWholeProgramme()) return new Actor(id, name, ActorRole.Facilitator);
        if (group is not null && group.ProgrammeId != user.ProgrammeId()) return null;
        if (!user.IsInRole(PersonRoles.Coordinator))
            // A programme-scope role of the workflow (coordination-team, ...) acts as itself; the workflow says where.
            return user.Role() is { Length: > 0 } role && role != PersonRoles.Observer ? new Actor(id, name, new ActorRole(role)) : null;
        if (group is null) return null;
        var city = user.CityId();
        return members?.FirstOrDefault(m => m.CityId == city) is { } member ? new Actor(id, name, new ActorRole(member.Role)) : null;
    }
}
