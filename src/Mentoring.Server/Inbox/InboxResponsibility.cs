using Mentoring.Server.Programme;

namespace Mentoring.Server.Inbox;

/// <summary>Where the person stands in one programme: their role there and the city they act for.</summary>
public sealed record InboxPlace(string ProgrammeId, string Role, string? CityId);

/// <summary>An open item as the responsibility rule needs it: its programme, its group's cities by role (none for the
/// programme's own workflow) and the role it is assigned to.</summary>
public sealed record InboxCandidate(Guid ItemId, string ProgrammeId, Guid? GroupId, string? Assignee,
    IReadOnlyList<(string CityId, string Role)> Members);

/// <summary>What the person has to do with an item. <see cref="Mine"/>: they answer for it. <see cref="Team"/>: their
/// team does (they may set its priority). <see cref="Waiting"/>: it is of their groups but waits on someone else (the
/// other city, the facilitator).</summary>
public sealed record InboxShare(bool Mine, bool Team, bool Waiting, bool MayPrioritise)
{
    public static readonly InboxShare None = new(false, false, false, false);
    public bool Visible => Mine || Team || Waiting;
}

/// <summary>
/// Which of a person's open items they answer for, which are their team's, and which wait on others, in two steps.
/// <see cref="Decide"/> places an item by role: a coordinator's city team has the items assigned to the role their city
/// holds in the group (and "both"); the facilitator has the facilitator's items (and the programme workflow's
/// unassigned ones); a programme-scope role (a coordination team) its own. <see cref="WithTeam"/> then narrows "mine"
/// within a city team to the one person the team says answers for the item now (<see cref="Teams.TeamBook"/>: the
/// holder, their deputy while they are away, the lead while nobody holds it), so a colleague's task is "my team's",
/// not mine. Priority is set by the item's city or the facilitator.
/// </summary>
public static class InboxResponsibility
{
    /// <summary>The engine's "every acting role" assignee (<see cref="Mentoring.Engine.Definitions.Role.Both"/>).</summary>
    private static readonly string Both = Mentoring.Engine.Definitions.Role.Both.Id;

    public static InboxShare Decide(IReadOnlyCollection<InboxPlace> places, InboxCandidate item)
    {
        var place = places.FirstOrDefault(p => p.ProgrammeId == item.ProgrammeId);
        if (place is null) return InboxShare.None;
        var assignee = item.Assignee?.ToLowerInvariant();
        switch (place.Role)
        {
            case PersonRoles.Facilitator:
            {
                var mine = assignee == PersonRoles.Facilitator || (item.GroupId is null && assignee is null);
                // Every group of the programme is the facilitator's: what waits on a city waits for others.
                return new InboxShare(mine, mine, !mine, MayPrioritise: true);
            }
            case PersonRoles.Coordinator:
            {
                if (item.GroupId is null || place.CityId is not { } city) return InboxShare.None;
                var cityRoles = item.Members.Where(m => m.CityId == city).Select(m => m.Role.ToLowerInvariant()).ToList();
                if (cityRoles.Count == 0) return InboxShare.None; // another city's group: never shown
                var mine = assignee is not null && (assignee == Both || cityRoles.Contains(assignee));
                return new InboxShare(mine, mine, !mine, MayPrioritise: mine);
            }
            case PersonRoles.Observer:
                return InboxShare.None;
            default:
            {
                // A programme-scope role: only its own items; the rest of the programme is the facilitator's to follow.
                var mine = assignee is not null && assignee == place.Role.ToLowerInvariant();
                return mine ? new InboxShare(true, true, false, true) : InboxShare.None;
            }
        }
    }

    /// <summary>
    /// Narrows a city item's share by the city team's answer: it is the person's own when their city's answerer is
    /// them, else their team's. Without an answer for their city (a city nobody is in, or the item is not a group's)
    /// the role's share stands.
    /// </summary>
    public static InboxShare WithTeam(InboxShare share, Guid personId, string? cityId, IReadOnlyList<Teams.Answerer>? answers)
    {
        if (!share.Team || cityId is null || answers is null) return share;
        var mine = answers.Where(a => a.CityId == cityId).ToList();
        if (mine.Count == 0) return share;
        return share with { Mine = mine.Any(a => a.Person.Id == personId) };
    }
}
