using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Workflows;

/// <summary>
/// What an instance's steps need from the programme: its people and cities (recipients, time zones) and the
/// programme events raised so far. Read once per resume, inside its transaction.
/// </summary>
public sealed class InstanceContext : IWorkflowServices, INudgeAudience
{
    private readonly IReadOnlyList<Person> _people;
    private readonly HashSet<string> _events;

    private InstanceContext(ProgrammeRecord programme, Pair? pair, City? mentor, City? mentee, IReadOnlyList<Person> people,
        HashSet<string> events, WorkingHours workingHours, IReadOnlyCollection<Plans.CalendarDayOff> daysOff)
    {
        Programme = programme;
        Pair = pair;
        MentorCity = mentor;
        MenteeCity = mentee;
        _people = people;
        _events = events;
        // The programme's and both cities' days off (the facilitator's holiday calendar) on top of the working week.
        Calendar = Plans.WorkingCalendars.For(workingHours, daysOff, programme.Id, mentor?.Id, mentee?.Id);
    }

    public ProgrammeRecord Programme { get; }
    public Pair? Pair { get; }
    public City? MentorCity { get; }
    public City? MenteeCity { get; }
    public WorkingCalendar Calendar { get; }

    public static async Task<InstanceContext> LoadAsync(MentoringDb db, WorkflowInstance instance, WorkingHours workingHours,
        CancellationToken cancellationToken)
    {
        // A resume's hot path: the programme, pair and both cities in one round trip.
        ProgrammeRecord programme;
        Pair? pair = null;
        City? mentor = null, mentee = null;
        if (instance.PairId is { } pairId)
        {
            var row = await (from p in db.Pairs.AsNoTracking()
                    join g in db.Programmes on p.ProgrammeId equals g.Id
                    join mc in db.Cities on p.MentorCityId equals mc.Id
                    join me in db.Cities on p.MenteeCityId equals me.Id
                    where p.Id == pairId
                    select new { Programme = g, Pair = p, Mentor = mc, Mentee = me })
                .SingleAsync(cancellationToken);
            (programme, pair, mentor, mentee) = (row.Programme, row.Pair, row.Mentor, row.Mentee);
        }
        else
        {
            programme = await db.Programmes.AsNoTracking().SingleAsync(p => p.Id == instance.ProgrammeId, cancellationToken);
        }

        var cityIds = new[] { mentor?.Id, mentee?.Id };
        var people = await db.People.AsNoTracking()
            .Where(p => p.ProgrammeId == instance.ProgrammeId
                        && (p.Role == PersonRoles.Facilitator || (p.Role == PersonRoles.Coordinator && cityIds.Contains(p.CityId))))
            .ToListAsync(cancellationToken);
        var events = await db.ProgrammeEvents.AsNoTracking().Where(e => e.ProgrammeId == instance.ProgrammeId)
            .Select(e => e.Name).ToListAsync(cancellationToken);
        var daysOff = await Plans.WorkingCalendars.DaysOffAsync(db, [instance.ProgrammeId], cityIds, cancellationToken);
        return new InstanceContext(programme, pair, mentor, mentee, people, [.. events], workingHours, daysOff);
    }

    /// <summary>The contexts of many instances with six queries in all, for work that touches thousands of
    /// instances at once (the nudge sweep); <see cref="LoadAsync"/> reads one instance's with five.</summary>
    public static async Task<Dictionary<Guid, InstanceContext>> LoadManyAsync(MentoringDb db,
        IReadOnlyCollection<WorkflowInstance> instances, WorkingHours workingHours, CancellationToken cancellationToken)
    {
        var programmeIds = instances.Select(i => i.ProgrammeId).Distinct().ToList();
        var pairIds = instances.Where(i => i.PairId is not null).Select(i => i.PairId!.Value).Distinct().ToList();
        var programmes = await db.Programmes.AsNoTracking().Where(p => programmeIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, cancellationToken);
        var pairs = await db.Pairs.AsNoTracking().Where(p => pairIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, cancellationToken);
        var cityIds = pairs.Values.SelectMany(p => new[] { p.MentorCityId, p.MenteeCityId }).Distinct().ToList();
        var cities = await db.Cities.AsNoTracking().Where(c => cityIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, cancellationToken);
        var people = await db.People.AsNoTracking()
            .Where(p => programmeIds.Contains(p.ProgrammeId)
                        && (p.Role == PersonRoles.Facilitator || (p.Role == PersonRoles.Coordinator && cityIds.Contains(p.CityId!))))
            .ToListAsync(cancellationToken);
        var events = (await db.ProgrammeEvents.AsNoTracking().Where(e => programmeIds.Contains(e.ProgrammeId))
                .Select(e => new { e.ProgrammeId, e.Name }).ToListAsync(cancellationToken))
            .ToLookup(e => e.ProgrammeId, e => e.Name);
        var daysOff = await Plans.WorkingCalendars.DaysOffAsync(db, programmeIds, cityIds.Cast<string?>().ToList(), cancellationToken);

        var contexts = new Dictionary<Guid, InstanceContext>();
        foreach (var instance in instances)
        {
            var pair = instance.PairId is { } pairId ? pairs.GetValueOrDefault(pairId) : null;
            var mentor = pair is null ? null : cities.GetValueOrDefault(pair.MentorCityId);
            var mentee = pair is null ? null : cities.GetValueOrDefault(pair.MenteeCityId);
            var own = people.Where(p => p.ProgrammeId == instance.ProgrammeId
                                        && (p.Role == PersonRoles.Facilitator || p.CityId == mentor?.Id || p.CityId == mentee?.Id)).ToList();
            contexts[instance.Id] = new InstanceContext(programmes[instance.ProgrammeId], pair, mentor, mentee, own,
                [.. events[instance.ProgrammeId]], workingHours, daysOff);
        }

        return contexts;
    }

    /// <summary>The people behind a role in this instance, with the city each acts for.</summary>
    public IReadOnlyList<Person> PeopleFor(Role role) => role switch
    {
        Role.Mentor => Coordinators(MentorCity),
        Role.Mentee => Coordinators(MenteeCity),
        Role.Both => [.. Coordinators(MentorCity), .. Coordinators(MenteeCity)],
        _ => _people.Where(p => p.Role == PersonRoles.Facilitator).ToList(),
    };

    public IReadOnlyList<Recipient> RecipientsFor(Role role) => PeopleFor(role).Select(p => ToRecipient(p, role)).ToList();

    public string HostCityName(string host) =>
        MentorCity is { } mentor && (mentor.Id == host || mentor.Name == host) ? mentor.Name
        : MenteeCity is { } mentee && (mentee.Id == host || mentee.Name == host) ? mentee.Name
        : host;

    public string? CityName(Role role) => role switch
    {
        Role.Mentor => MentorCity?.Name,
        Role.Mentee => MenteeCity?.Name,
        _ => null,
    };

    public IReadOnlyList<Recipient> ResolveRecipients(IReadOnlyList<Role> roles)
    {
        var recipients = new List<Recipient>();
        // "Both" means each side is told, so each side must be reachable.
        foreach (var role in roles.SelectMany(r => r == Role.Both ? [Role.Mentor, Role.Mentee] : new[] { r }).Distinct())
        {
            var people = PeopleFor(role);
            var reachable = people.Where(p => !string.IsNullOrWhiteSpace(p.Email)).ToList();
            if (reachable.Count == 0)
                throw new InvalidOperationException(
                    $"Nobody can be emailed as the {Describe(role)}: add a person with an email address for that role, then retry.");
            recipients.AddRange(reachable.Select(p => ToRecipient(p, role)));
        }

        return recipients.DistinctBy(r => r.PersonId).ToList();
    }

    public Recipient ToRecipient(Person person, Role role) =>
        new(person.Id.ToString(), person.Name, person.Email, person.Language, TimeZoneIdOf(person), role);

    public TimeZoneInfo TimeZoneOf(Role role) => TimeZoneInfo.FindSystemTimeZoneById(role switch
    {
        Role.Mentor when MentorCity is not null => MentorCity.TimeZone,
        Role.Mentee or Role.Both when MenteeCity is not null => MenteeCity.TimeZone,
        _ => _people.FirstOrDefault(p => p.Role == PersonRoles.Facilitator)?.TimeZone ?? "Europe/Brussels",
    });

    public bool HasEventOccurred(string eventName) => _events.Contains(eventName);

    private string TimeZoneIdOf(Person person) =>
        person.CityId == MentorCity?.Id && MentorCity is not null ? MentorCity.TimeZone
        : person.CityId == MenteeCity?.Id && MenteeCity is not null ? MenteeCity.TimeZone
        : person.TimeZone;

    private List<Person> Coordinators(City? city) =>
        city is null ? [] : _people.Where(p => p.Role == PersonRoles.Coordinator && p.CityId == city.Id).ToList();

    private string Describe(Role role) => role switch
    {
        Role.Mentor => $"mentor city's coordinator ({MentorCity?.Name})",
        Role.Mentee => $"mentee city's coordinator ({MenteeCity?.Name})",
        Role.Both => "pair's coordinators",
        _ => "facilitator",
    };
}
