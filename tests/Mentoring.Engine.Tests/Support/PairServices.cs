using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;

namespace Mentoring.Engine.Tests.Support;

/// <summary>
/// The host as a pair sees it: the mentor city in Brussels, the mentee in Riga (both coordinators are reckoned in
/// the mentee's zone, as the server does), the programme's events as raised so far.
/// </summary>
internal sealed class PairServices : IWorkflowServices, INudgeAudience
{
    private readonly HashSet<string> _events = [];

    public WorkingHours WorkingHours { get; init; } = WorkingHours.Default;

    /// <summary>Dates nobody works on (a holiday), on top of the weekend.</summary>
    public HashSet<DateOnly> Holidays { get; init; } = [];

    /// <summary>The programme's and the cities' days off, as the server loads them; replaces <see cref="Holidays"/>.</summary>
    public DaysOffCalendar? DaysOff { get; init; }

    public WorkingCalendar Calendar => DaysOff ?? (WorkingCalendar)new HolidayCalendar(WorkingHours, Holidays);

    /// <summary>What the seam is for: a calendar that knows non-working dates overrides the one method.</summary>
    private sealed class HolidayCalendar(WorkingHours hours, HashSet<DateOnly> holidays) : WorkingCalendar(hours)
    {
        public override bool IsWorkingDay(DateOnly date, Role role) => base.IsWorkingDay(date, role) && !holidays.Contains(date);
    }

    public TimeZoneInfo TimeZoneOf(Role role) => role.Id switch
    {
        "mentor" => Zones.Brussels,
        "mentee" or "both" => Zones.Riga,
        _ => Zones.Brussels,
    };

    public IReadOnlyList<Recipient> ResolveRecipients(IReadOnlyList<Role> roles) =>
        roles.SelectMany(RecipientsFor).DistinctBy(r => r.PersonId).ToList();

    public bool HasEventOccurred(string eventName) => _events.Contains(eventName);

    /// <summary>The programme raised <paramref name="eventName"/>.</summary>
    public void Raise(string eventName) => _events.Add(eventName);

    public string? CityName(Role role) => role.Id switch { "mentor" => "Schaerbeek", "mentee" => "Jelgava", _ => null };

    public string HostCityName(string host) => host switch { "schaerbeek" => "Schaerbeek", "jelgava" => "Jelgava", _ => host };

    IReadOnlyList<Recipient> INudgeAudience.RecipientsFor(Role role) => RecipientsFor(role).ToList();

    private static IEnumerable<Recipient> RecipientsFor(Role role) => role.Id switch
    {
        "mentor" => [new("sophie", "Sophie Lambert", "sophie@schaerbeek.example", "fr", "Europe/Brussels", Role.Mentor)],
        "mentee" => [new("ilze", "Ilze Kalniņa", "ilze@jelgava.example", "lv", "Europe/Riga", Role.Mentee)],
        "both" => [.. RecipientsFor(Role.Mentor), .. RecipientsFor(Role.Mentee)],
        _ => [new("migration-work", "Migration Work", "team@migrationwork.example", "en", "Europe/Brussels", Role.Facilitator)],
    };
}
