using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Workflows;

namespace Mentoring.Server.Teams;

/// <summary>An instance's nudge audience with each city's coordinators narrowed to the one person answering for the
/// task (<see cref="TeamBook"/>); recipients outside a city team (the facilitator's copies) stay as they are.</summary>
public sealed class TeamAudience(InstanceContext context, IReadOnlyList<Answerer> answers) : INudgeAudience
{
    public IReadOnlyList<Recipient> RecipientsFor(Role role)
    {
        var recipients = new List<Recipient>();
        var answered = new HashSet<string>();
        foreach (var recipient in context.RecipientsFor(role))
        {
            if (context.CoordinatorCityOf(recipient.PersonId) is { } city && answers.FirstOrDefault(a => a.CityId == city) is { } answer)
            {
                if (answered.Add(city)) recipients.Add(context.ToRecipient(answer.Person, role));
            }
            else recipients.Add(recipient);
        }

        return recipients.DistinctBy(r => r.PersonId).ToList();
    }

    public TimeZoneInfo TimeZoneOf(Role role) => context.TimeZoneOf(role);
    public WorkingCalendar Calendar => context.Calendar;
    public string? CityName(Role role) => context.CityName(role);
    public string HostCityName(string host) => context.HostCityName(host);
}
