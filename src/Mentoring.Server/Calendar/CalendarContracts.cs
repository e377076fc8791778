using Mentoring.Server.Data;

namespace Mentoring.Server.Calendar;

/// <summary>One event in a calendar: a visit session, a deadline, a programme event. <see cref="Start"/> and
/// <see cref="End"/> carry the local time and offset in <see cref="TimeZone"/> (an IANA id, the host city's), which the
/// .ics writes with that zone's VTIMEZONE so a calendar shows the host's local time. <see cref="Uid"/> is stable for the
/// same thing across feeds and invitations (e.g. <c>visit-{itemId}-session-{n}@mentoring</c>), and <see cref="Sequence"/>
/// grows when it is rescheduled, so a calendar updates it in place.</summary>
public sealed record CalendarEntry(
    string Uid,
    string Summary,
    DateTimeOffset Start,
    DateTimeOffset End,
    string TimeZone,
    bool AllDay = false,
    string? Location = null,
    string? OnlineUrl = null,
    string? Description = null,
    string? PageUrl = null,
    int Sequence = 0,
    bool Cancelled = false);

/// <summary>Whose calendar a feed is: the person and what they may see.</summary>
public sealed record CalendarReader(Guid PersonId, string Language);

/// <summary>A feature's contribution to a person's private calendar feed (visits, deadlines, programme events).
/// Registered as <c>services.AddScoped&lt;ICalendarSource, X&gt;()</c>; the feed unions every source. A source returns
/// only what <see cref="CalendarReader.PersonId"/> may see (their programmes, their groups).</summary>
public interface ICalendarSource
{
    Task<IReadOnlyList<CalendarEntry>> EntriesForAsync(MentoringDb db, CalendarReader reader, CancellationToken ct);
}

/// <summary>Someone an invitation goes to: a person with an account (<see cref="PersonId"/>) or a member of a local
/// support network (no account, <see cref="PersonId"/> null).</summary>
public sealed record InvitationRecipient(Guid? PersonId, string Name, string Email, string Language);

/// <summary>An email invitation with the entry as an .ics attachment (METHOD:REQUEST, or CANCEL when
/// <see cref="CalendarEntry.Cancelled"/>).</summary>
public sealed record CalendarInvitation(string ProgrammeId, Guid? InstanceId, CalendarEntry Entry,
    IReadOnlyList<InvitationRecipient> To, string? Message = null);

/// <summary>Queues invitations through the outbox, in the caller's unit of work: the caller's SaveChanges (in its
/// transaction) writes them with the change they announce, or neither.</summary>
public interface ICalendarInvitations
{
    void Queue(MentoringDb db, CalendarInvitation invitation);
}
