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
/// THE SEAM: which of a person's open items they answer for, which are their team's, and which wait on others. Today's
/// rule, one coordinator per city: a coordinator answers for the items assigned to the role their city holds in the
/// group (and "both"); the facilitator for the facilitator's items (and the programme workflow's unassigned ones); a
/// programme-scope role (a coordination team) for its own. A city's team is that city's coordinators, so "my team's"
/// is today the same set as "mine" (only a follow-up date tells them apart: it hides an item from "mine" alone).
/// Priority is set by the item's city or the facilitator.
/// When city teams land (Teams/: several people per city, claim and assign, absences with a deputy), the lead replaces
/// the body of <see cref="Decide"/> with the teams helper's answer ("who answers for each open task"); nothing else in
/// the inbox decides responsibility.
/// </summary>
public static class InboxResponsibility
{
    private const string Both = "both";

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
}
