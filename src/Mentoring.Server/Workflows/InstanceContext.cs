using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Workflows;

/// <summary>A member city of a group with the role it holds there.</summary>
public sealed record GroupCity(string Role, City City);

/// <summary>A person of the programme with their place in it (role, city, organisation).</summary>
public sealed record PlacedPerson(Person Person, ProgrammePerson Place);

/// <summary>
/// What an instance's steps need from the programme: its group's member cities and their roles, the people behind each
/// role (a group role: the coordinators of the cities holding it; a programme role: the programme's people with it),
/// time zones, and the programme events raised so far. Read once per resume, inside its transaction.
/// </summary>
public sealed class InstanceContext : IWorkflowServices, INudgeAudience
{
    private readonly IReadOnlyList<PlacedPerson> _people;
    private readonly HashSet<string> _events;

    private InstanceContext(ProgrammeRecord programme, Group? group, IReadOnlyList<GroupCity> members, WorkflowDefinition? definition,
        IReadOnlyList<PlacedPerson> people, HashSet<string> events, WorkingHours workingHours,
        IReadOnlyCollection<Plans.CalendarDayOff> daysOff)
    {
        Programme = programme;
        Group = group;
        Members = members;
        Definition = definition;
        _people = people;
        _events = events;
        // The programme's and the member cities' days off (the facilitator's holiday calendar) on top of the working week.
        Calendar = Plans.WorkingCalendars.For(workingHours, daysOff, programme.Id, members.Select(m => (new Role(m.Role), m.City.Id)));
    }

    public ProgrammeRecord Programme { get; }
    public Group? Group { get; }
    public IReadOnlyList<GroupCity> Members { get; }
    /// <summary>The instance's definition, which says which roles are the group's and which the programme's.</summary>
    public WorkflowDefinition? Definition { get; }
    public WorkingCalendar Calendar { get; }

    /// <summary>The first city holding <paramref name="role"/> in the group (a pair's mentor or mentee), or null.</summary>
    public City? CityOf(Role role) => Members.FirstOrDefault(m => m.Role == role.Id)?.City;

    public City? MentorCity => CityOf(Role.Mentor);
    public City? MenteeCity => CityOf(Role.Mentee);

    public static async Task<InstanceContext> LoadAsync(MentoringDb db, WorkflowInstance instance, WorkingHours workingHours,
        CancellationToken cancellationToken, WorkflowDefinition? definition = null) =>
        (await LoadManyAsync(db, [instance], workingHours, cancellationToken, _ => definition))[instance.Id];

    /// <summary>The contexts of many instances with a query per table, for work that touches thousands of instances at
    /// once (the nudge sweep) as for one resume.</summary>
    public static async Task<Dictionary<Guid, InstanceContext>> LoadManyAsync(MentoringDb db,
        IReadOnlyCollection<WorkflowInstance> instances, WorkingHours workingHours, CancellationToken cancellationToken,
        Func<WorkflowInstance, WorkflowDefinition?>? definitionOf = null)
    {
        var programmeIds = instances.Select(i => i.ProgrammeId).Distinct().ToList();
        var groupIds = instances.Where(i => i.GroupId is not null).Select(i => i.GroupId!.Value).Distinct().ToList();
        var programmes = await db.Programmes.AsNoTracking().Where(p => programmeIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, cancellationToken);
        var groups = await db.Groups.AsNoTracking().Where(g => groupIds.Contains(g.Id)).ToDictionaryAsync(g => g.Id, cancellationToken);
        var members = (await (from m in db.GroupMembers.AsNoTracking()
                    where groupIds.Contains(m.GroupId)
                    join c in db.Cities.AsNoTracking() on m.CityId equals c.Id
                    orderby m.GroupId, m.Role, c.Id
                    select new { m.GroupId, m.Role, City = c })
                .ToListAsync(cancellationToken)).ToLookup(m => m.GroupId, m => new GroupCity(m.Role, m.City));
        var cityIds = members.SelectMany(g => g).Select(m => m.City.Id).Distinct().ToList();
        var people = await (from place in db.ProgrammePeople.AsNoTracking()
                where programmeIds.Contains(place.ProgrammeId)
                      && (place.Role != PersonRoles.Coordinator || cityIds.Contains(place.CityId!))
                join person in db.People.AsNoTracking() on place.PersonId equals person.Id
                orderby person.Name
                select new PlacedPerson(person, place))
            .ToListAsync(cancellationToken);
        var events = (await db.ProgrammeEvents.AsNoTracking().Where(e => programmeIds.Contains(e.ProgrammeId))
                .Select(e => new { e.ProgrammeId, e.Name }).ToListAsync(cancellationToken))
            .ToLookup(e => e.ProgrammeId, e => e.Name);
        var daysOff = await Plans.WorkingCalendars.DaysOffAsync(db, programmeIds, cityIds.Cast<string?>().ToList(), cancellationToken);

        var contexts = new Dictionary<Guid, InstanceContext>();
        foreach (var instance in instances)
        {
            var group = instance.GroupId is { } groupId ? groups.GetValueOrDefault(groupId) : null;
            var own = group is null ? [] : members[group.Id].ToList();
            var ownCities = own.Select(m => m.City.Id).ToHashSet();
            var ownPeople = people.Where(p => p.Place.ProgrammeId == instance.ProgrammeId
                                              && (p.Place.Role != PersonRoles.Coordinator || ownCities.Contains(p.Place.CityId!))).ToList();
            contexts[instance.Id] = new InstanceContext(programmes[instance.ProgrammeId], group, own, definitionOf?.Invoke(instance),
                ownPeople, [.. events[instance.ProgrammeId]], workingHours, daysOff);
        }

        return contexts;
    }

    /// <summary>Whether the group's member cities fill <paramref name="role"/>: as the definition declares it, or, without
    /// the definition, when a member holds it.</summary>
    private bool IsGroupRole(Role role) =>
        Definition?.RoleNamed(role) is { } declared ? declared.Scope == RoleScope.Group : Members.Any(m => m.Role == role.Id);

    /// <summary>What <see cref="Role.Both"/> and any other role stand for here.</summary>
    private IReadOnlyList<Role> Expand(Role role) =>
        role != Role.Both ? [role]
        : Definition?.ActingGroupRoles ?? Members.Select(m => new Role(m.Role)).Distinct().ToList();

    /// <summary>The people behind a role in this instance: a group role's member cities' coordinators, a programme
    /// role's people (the facilitator, a coordination team, ...).</summary>
    public IReadOnlyList<Person> PeopleFor(Role role) => PlacedFor(role).Select(p => p.Person).DistinctBy(p => p.Id).ToList();

    private IEnumerable<PlacedPerson> PlacedFor(Role role)
    {
        foreach (var each in Expand(role))
        {
            if (IsGroupRole(each))
            {
                var cities = Members.Where(m => m.Role == each.Id).Select(m => m.City.Id).ToHashSet();
                foreach (var person in _people.Where(p => p.Place.Role == PersonRoles.Coordinator && cities.Contains(p.Place.CityId!)))
                    yield return person;
            }
            else
            {
                foreach (var person in _people.Where(p => p.Place.Role == each.Id)) yield return person;
            }
        }
    }

    /// <summary>The city a recipient coordinates for here, or null (the facilitator, a programme role): a city team
    /// (Teams/) narrows a city's recipients to the one person answering for the task.</summary>
    public string? CoordinatorCityOf(string personId) =>
        _people.FirstOrDefault(p => p.Place.Role == PersonRoles.Coordinator && p.Person.Id.ToString() == personId)?.Place.CityId;

    public IReadOnlyList<Recipient> RecipientsFor(Role role) => PeopleFor(role).Select(p => ToRecipient(p, role)).ToList();

    public string HostCityName(string host) =>
        Members.FirstOrDefault(m => m.City.Id == host || m.City.Name == host)?.City.Name ?? host;

    public string? CityName(Role role)
    {
        if (role == Role.Both || !IsGroupRole(role)) return null;
        var names = Members.Where(m => m.Role == role.Id).Select(m => m.City.Name).ToList();
        return names.Count == 0 ? null : string.Join(", ", names);
    }

    public IReadOnlyList<Recipient> ResolveRecipients(IReadOnlyList<Role> roles)
    {
        var recipients = new List<Recipient>();
        // "Both" means each side is told, so each side must be reachable.
        foreach (var role in roles.SelectMany(Expand).Distinct())
        {
            var reachable = PeopleFor(role).Where(p => !string.IsNullOrWhiteSpace(p.Email)).ToList();
            if (reachable.Count == 0)
                throw new InvalidOperationException(
                    $"Nobody can be emailed as the {Describe(role)}: add a person with an email address for that role, then retry.");
            recipients.AddRange(reachable.Select(p => ToRecipient(p, role)));
        }

        return recipients.DistinctBy(r => r.PersonId).ToList();
    }

    public Recipient ToRecipient(Person person, Role role) =>
        new(person.Id.ToString(), person.Name, person.Email, person.Language, TimeZoneIdOf(person), role);

    /// <summary>A group role's due dates are reckoned in its city's zone; Both in the last acting role's (a pair's
    /// mentee, as always); a programme role in its first person's, else the facilitator's, else the programme's.</summary>
    public TimeZoneInfo TimeZoneOf(Role role)
    {
        var zone = Expand(role).Select(CityOf).LastOrDefault(c => c is not null)?.TimeZone
                   ?? (IsGroupRole(role) || role == Role.Both ? null : PlacedFor(role).FirstOrDefault()?.Person.TimeZone)
                   ?? _people.FirstOrDefault(p => p.Place.Role == PersonRoles.Facilitator)?.Person.TimeZone
                   ?? Programme.TimeZone;
        return TimeZoneInfo.FindSystemTimeZoneById(zone);
    }

    public bool HasEventOccurred(string eventName) => _events.Contains(eventName);

    private string TimeZoneIdOf(Person person) =>
        _people.FirstOrDefault(p => p.Person.Id == person.Id)?.Place.CityId is { } cityId
        && Members.FirstOrDefault(m => m.City.Id == cityId) is { } member
            ? member.City.TimeZone
            : person.TimeZone;

    private string Describe(Role role)
    {
        if (role == Role.Both) return "group's coordinators";
        var name = Definition?.RoleNamed(role)?.Name ?? role.Id;
        return IsGroupRole(role) ? $"{name}'s coordinator ({CityName(role)})" : name;
    }
}
