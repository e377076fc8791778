using System.Globalization;
using System.Security.Claims;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Auth;
using Mentoring.Server.Calendar;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Inputs;
using Mentoring.Server.Setup;
using Mentoring.Server.Uploads;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Events;

/// <summary>An event as entered: times are local to <see cref="TimeZone"/> (default: the host city's, else the facilitator's);
/// <see cref="Url"/> is the online link; <see cref="RaisesEvent"/> a programme event of the programme workflow.</summary>
public sealed record EventRequest(string? Kind, [property: Text(Limits.Line)] string? Title, DateTime? EventStart, DateTime? EventEnd,
    string? TimeZone, string? HostCity, [property: Text(Limits.Line)] string? EventVenue, [property: Text(Limits.Link)] string? Url,
    [property: Text(Limits.Note, MultiLine = true)] string? EventAgenda, string? RaisesEvent);

/// <summary>Who attended: ids of people with an account in the programme.</summary>
public sealed record EventAttendanceRequest(IReadOnlyList<Guid>? People);

/// <summary>A material given as a link (or, on the page, as an uploaded file with its title).</summary>
public sealed record EventMaterialRequest([property: Text(Limits.Line)] string? Title, [property: Text(Limits.Link)] string? Url);

public sealed record EventMaterialView(Guid Id, string Title, string? Url, Guid? FileId, string? FileName);

public sealed record EventAttendeeView(Guid PersonId, string Name, string? CityId, string? CityName);

/// <summary>An event; <see cref="Start"/> and <see cref="End"/> carry the local time and offset in <see cref="TimeZone"/>.</summary>
public sealed record EventView(Guid Id, string ProgrammeId, string Kind, string Title, DateTimeOffset Start, DateTimeOffset End, string TimeZone,
    string? HostCity, string? HostCityName, string? Venue, string? Url, string Agenda, string? RaisesEvent, bool Held, DateTimeOffset? HeldAt,
    int Sequence, IReadOnlyList<EventMaterialView> Materials, IReadOnlyList<EventAttendeeView> Attendance,
    IReadOnlyDictionary<string, int> AttendanceByCity, DateTimeOffset? CancelledAt = null);

public sealed record EventPersonOption(Guid Id, string Name, string? CityId, string? CityName);

public sealed record EventCityOption(string Id, string Name, string TimeZone);

/// <summary>The programme's events and what a form needs: the cities, the programme events holding one may raise, and
/// (for the facilitator) the programme's people for attendance.</summary>
public sealed record EventList(string ProgrammeId, bool MayEdit, IReadOnlyList<EventView> Events, IReadOnlyList<EventCityOption> Cities,
    IReadOnlyList<string> Signals, IReadOnlyList<EventPersonOption> People);

/// <summary>What a change answers: the event's id; <see cref="Raised"/> the programme event holding it raised just now.</summary>
public sealed record EventChange(Guid Id, string? Raised = null);

/// <summary>
/// Programme-wide events (trainings, academies, workshops, steering committees, the final conference): the one writer of
/// programme_meetings, programme_meeting_materials and programme_meeting_attendance. The facilitator (and an admin)
/// creates, edits, marks held, records attendance and adds materials; everybody else in the programme reads; another
/// programme's people are told it is not there (404). Marking an event held raises the programme event it names through
/// <see cref="WorkflowHost.RaiseProgrammeEventAsync"/>, once. Announcing or moving an event queues invitations with an
/// .ics through <see cref="ICalendarInvitations"/> when the calendar feature is registered. Every method only adds to
/// the caller's context; the caller makes it one transaction.
/// </summary>
public sealed class EventPlanner(WorkflowHost host, ICalendarInvitations invitations, IOptions<EmailOptions> email)
{
    public const string ProgrammeCity = "programme";

    private static async Task<(bool MayEdit, AdminResult<T>? Refusal)> AccessAsync<T>(MentoringDb db, ClaimsPrincipal user, string programmeId,
        bool edit, CancellationToken ct)
    {
        if (programmeId != user.ProgrammeId() && !(user.IsAdmin() && await db.Programmes.AnyAsync(p => p.Id == programmeId, ct)))
            return (false, AdminResult<T>.NotFound($"There is no programme '{programmeId}' among yours: switch to it first."));
        var mayEdit = user.SeesWholeProgramme();
        if (edit && !mayEdit)
            return (false, new AdminResult<T>(AdminOutcome.Forbidden, Detail: "Only the facilitator changes the programme's events."));
        return (mayEdit, null);
    }

    private static async Task<(ProgrammeMeeting? Meeting, AdminResult<T>? Refusal)> FindAsync<T>(MentoringDb db, ClaimsPrincipal user,
        string programmeId, Guid id, CancellationToken ct)
    {
        var (_, refusal) = await AccessAsync<T>(db, user, programmeId, edit: true, ct);
        if (refusal is not null) return (null, refusal);
        var meeting = await db.Set<ProgrammeMeeting>().SingleOrDefaultAsync(m => m.Id == id && m.ProgrammeId == programmeId, ct);
        return meeting is null ? (null, AdminResult<T>.NotFound($"The programme '{programmeId}' has no event '{id}'.")) : (meeting, null);
    }

    public async Task<AdminResult<EventList>> ListAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, CancellationToken ct)
    {
        var (mayEdit, refusal) = await AccessAsync<EventList>(db, user, programmeId, edit: false, ct);
        if (refusal is not null) return refusal;
        var meetings = await db.Set<ProgrammeMeeting>().AsNoTracking().Where(m => m.ProgrammeId == programmeId).ToListAsync(ct);
        var views = await ViewsAsync(db, meetings.OrderBy(m => m.EventStart).ThenBy(m => m.Title).ToList(), ct);
        var cities = await (from m in db.ProgrammeMembers
                            join c in db.Cities on m.CityId equals c.Id
                            where m.ProgrammeId == programmeId
                            orderby c.Name
                            select new EventCityOption(c.Id, c.Name, c.TimeZone)).ToListAsync(ct);
        var signals = (await host.ProgrammeSignalsAsync(db, programmeId, ct)).Order(StringComparer.Ordinal).ToList();
        var people = mayEdit ? await PeopleAsync(db, programmeId, ct) : [];
        return AdminResult<EventList>.Done(new EventList(programmeId, mayEdit, views, cities, signals, people));
    }

    public async Task<AdminResult<EventView>> GetAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, Guid id, CancellationToken ct)
    {
        var (_, refusal) = await AccessAsync<EventView>(db, user, programmeId, edit: false, ct);
        if (refusal is not null) return refusal;
        var meeting = await db.Set<ProgrammeMeeting>().AsNoTracking().SingleOrDefaultAsync(m => m.Id == id && m.ProgrammeId == programmeId, ct);
        return meeting is null
            ? AdminResult<EventView>.NotFound($"The programme '{programmeId}' has no event '{id}'.")
            : AdminResult<EventView>.Done((await ViewsAsync(db, [meeting], ct))[0]);
    }

    public static async Task<List<EventPersonOption>> PeopleAsync(MentoringDb db, string programmeId, CancellationToken ct) =>
        (await (from pp in db.ProgrammePeople
                join p in db.People on pp.PersonId equals p.Id
                join c in db.Cities on pp.CityId equals c.Id into cs
                from c in cs.DefaultIfEmpty()
                where pp.ProgrammeId == programmeId
                select new EventPersonOption(p.Id, p.Name, pp.CityId, c == null ? null : c.Name)).ToListAsync(ct))
        .OrderBy(p => p.CityName ?? "").ThenBy(p => p.Name, StringComparer.CurrentCultureIgnoreCase).ToList();

    private static async Task<List<EventView>> ViewsAsync(MentoringDb db, List<ProgrammeMeeting> meetings, CancellationToken ct)
    {
        var ids = meetings.Select(m => m.Id).ToList();
        var materials = (await (from m in db.Set<ProgrammeMeetingMaterial>().AsNoTracking()
                                join f in db.Set<UploadedFile>() on m.FileId equals f.Id into fs
                                from f in fs.DefaultIfEmpty()
                                where ids.Contains(m.MeetingId)
                                select new { m.MeetingId, m.AddedAt, View = new EventMaterialView(m.Id, m.Title, m.Url, m.FileId, f == null ? null : f.FileName) })
                .ToListAsync(ct)).OrderBy(m => m.AddedAt).ToLookup(m => m.MeetingId, m => m.View);
        var attendance = (await (from a in db.Set<ProgrammeMeetingAttendance>().AsNoTracking()
                                 join p in db.People on a.PersonId equals p.Id
                                 join c in db.Cities on a.CityId equals c.Id into cs
                                 from c in cs.DefaultIfEmpty()
                                 where ids.Contains(a.MeetingId)
                                 select new { a.MeetingId, View = new EventAttendeeView(p.Id, p.Name, a.CityId, c == null ? null : c.Name) })
                .ToListAsync(ct)).ToLookup(a => a.MeetingId, a => a.View);
        var cityNames = await db.Cities.AsNoTracking().ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        return meetings.Select(m =>
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(m.TimeZone);
            var present = attendance[m.Id].OrderBy(a => a.CityName ?? "").ThenBy(a => a.Name, StringComparer.CurrentCultureIgnoreCase).ToList();
            return new EventView(m.Id, m.ProgrammeId, m.Kind, m.Title, TimeZoneInfo.ConvertTime(m.EventStart, zone), TimeZoneInfo.ConvertTime(m.EventEnd, zone),
                m.TimeZone, m.HostCityId, m.HostCityId is null ? null : cityNames.GetValueOrDefault(m.HostCityId), m.Venue, m.OnlineUrl, m.Agenda,
                m.RaisesEvent, m.HeldAt is not null, m.HeldAt, m.Sequence, materials[m.Id].ToList(), present, ByCity(present.Select(a => a.CityId)),
                m.CancelledAt);
        }).ToList();
    }

    /// <summary>Attendees by city id; the programme's own people (no city) count under <see cref="ProgrammeCity"/>.</summary>
    public static IReadOnlyDictionary<string, int> ByCity(IEnumerable<string?> cities) =>
        cities.GroupBy(c => c ?? ProgrammeCity).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count());

    private static void Add(Dictionary<string, string[]> errors, string field, string error) =>
        errors[field] = [.. errors.GetValueOrDefault(field) ?? [], error];

    /// <summary>The request checked and turned into instants; the errors name the fields.</summary>
    private async Task<(Dictionary<string, string[]> Errors, DateTimeOffset Start, DateTimeOffset End, string Zone)> CheckAsync(MentoringDb db,
        ClaimsPrincipal user, string programmeId, EventRequest request, DateTimeOffset now, CancellationToken ct)
    {
        var errors = Input.Problem(Input.Check(request, now));
        if (request.Kind is null || !EventKinds.All.Contains(request.Kind))
            Add(errors, "kind", "Choose the kind of event: " + string.Join(", ", EventKinds.All) + ".");
        if (string.IsNullOrWhiteSpace(request.Title)) Add(errors, "title", "Give the event's title.");
        string? hostZone = null;
        if (request.HostCity is { Length: > 0 } hostCity)
        {
            hostZone = await (from m in db.ProgrammeMembers
                              join c in db.Cities on m.CityId equals c.Id
                              where m.ProgrammeId == programmeId && c.Id == hostCity
                              select c.TimeZone).SingleOrDefaultAsync(ct);
            if (hostZone is null) Add(errors, "hostCity", "The host city is not a member city of the programme.");
        }

        var zoneId = request.TimeZone is { Length: > 0 } given ? given
            : hostZone ?? await db.People.Where(p => p.Id == user.PersonId()).Select(p => p.TimeZone).SingleOrDefaultAsync(ct) ?? "Europe/Brussels";
        TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var zone);
        if (zone is null) Add(errors, "timeZone", "Give a time zone by its IANA name, such as Europe/Madrid.");
        if (request.Url is { Length: > 0 } url && !(Uri.TryCreate(url, UriKind.Absolute, out var link) && link.Scheme is "https" or "http"))
            Add(errors, "url", "The online link must be a web address starting with https://.");
        if (request.RaisesEvent is { Length: > 0 } raises && !(await host.ProgrammeSignalsAsync(db, programmeId, ct)).Contains(raises))
            Add(errors, "raisesEvent", "The programme's workflow raises no such programme event.");
        DateTimeOffset start = default, end = default;
        if (Instant(errors, "eventStart", "Give when the event starts.", request.EventStart, zone, now) is { } s) start = s;
        if (Instant(errors, "eventEnd", "Give when the event ends.", request.EventEnd, zone, now) is { } e) end = e;
        if (start != default && end != default && end <= start) Add(errors, "eventEnd", "The event must end after it starts.");
        return (errors, start, end, zoneId);
    }

    private static DateTimeOffset? Instant(Dictionary<string, string[]> errors, string field, string missing, DateTime? local, TimeZoneInfo? zone,
        DateTimeOffset now)
    {
        if (local is not { } value)
        {
            Add(errors, field, missing);
            return null;
        }

        var window = new List<InputError>();
        Input.CheckDate(window, field, Input.Label(field[..1].ToUpperInvariant() + field[1..]), DateOnly.FromDateTime(value), now);
        if (window.Count > 0)
        {
            Add(errors, field, window[0].English);
            return null;
        }

        if (zone is null) return null;
        var unspecified = DateTime.SpecifyKind(value, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(unspecified))
        {
            Add(errors, field, "This local time does not exist in the event's time zone (the clocks skip it).");
            return null;
        }

        return new DateTimeOffset(unspecified, zone.GetUtcOffset(unspecified)).ToUniversalTime();
    }

    public async Task<AdminResult<EventChange>> CreateAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, EventRequest request,
        DateTimeOffset now, CancellationToken ct)
    {
        var (_, refusal) = await AccessAsync<EventChange>(db, user, programmeId, edit: true, ct);
        if (refusal is not null) return refusal;
        var (errors, start, end, zone) = await CheckAsync(db, user, programmeId, request, now, ct);
        if (errors.Count > 0) return AdminResult<EventChange>.Invalid(errors);
        var meeting = new ProgrammeMeeting { ProgrammeId = programmeId, CreatedBy = user.PersonId(), CreatedAt = now };
        Apply(meeting, request, start, end, zone, now);
        db.Set<ProgrammeMeeting>().Add(meeting);
        await InviteAsync(db, meeting, ct);
        return AdminResult<EventChange>.Done(new EventChange(meeting.Id));
    }

    public async Task<AdminResult<EventChange>> UpdateAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, Guid id, EventRequest request,
        DateTimeOffset now, CancellationToken ct)
    {
        var (meeting, refusal) = await FindAsync<EventChange>(db, user, programmeId, id, ct);
        if (meeting is null) return refusal!;
        if (meeting.CancelledAt is not null) return Cancelled<EventChange>();
        var (errors, start, end, zone) = await CheckAsync(db, user, programmeId, request, now, ct);
        if (errors.Count > 0) return AdminResult<EventChange>.Invalid(errors);
        if (meeting.HeldAt is not null && request.RaisesEvent != meeting.RaisesEvent)
            return AdminResult<EventChange>.Conflict("The event was held and raised its programme event: which event it raises cannot change now.");
        var moved = meeting.EventStart != start || meeting.EventEnd != end || meeting.TimeZone != zone || meeting.Venue != Blank(request.EventVenue)
                    || meeting.OnlineUrl != Blank(request.Url) || meeting.Title != request.Title!.Trim();
        Apply(meeting, request, start, end, zone, now);
        if (moved && meeting.HeldAt is null)
        {
            meeting.Sequence++;
            await InviteAsync(db, meeting, ct);
        }

        return AdminResult<EventChange>.Done(new EventChange(meeting.Id));
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static void Apply(ProgrammeMeeting meeting, EventRequest request, DateTimeOffset start, DateTimeOffset end, string zone, DateTimeOffset now)
    {
        meeting.Kind = request.Kind!;
        meeting.Title = request.Title!.Trim();
        meeting.EventStart = start;
        meeting.EventEnd = end;
        meeting.TimeZone = zone;
        meeting.HostCityId = Blank(request.HostCity);
        meeting.Venue = Blank(request.EventVenue);
        meeting.OnlineUrl = Blank(request.Url);
        meeting.Agenda = request.EventAgenda?.Trim() ?? "";
        meeting.RaisesEvent = Blank(request.RaisesEvent);
        meeting.UpdatedAt = now;
    }

    /// <summary>Marks the event held (once it has begun) and raises the programme event it names, once: holding it again,
    /// or holding a second event that raises the same programme event (a second academy), changes nothing in the workflow.</summary>
    public async Task<AdminResult<EventChange>> HoldAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, Guid id, DateTimeOffset now,
        CancellationToken ct)
    {
        var (meeting, refusal) = await FindAsync<EventChange>(db, user, programmeId, id, ct);
        if (meeting is null) return refusal!;
        if (meeting.HeldAt is not null) return AdminResult<EventChange>.Done(new EventChange(meeting.Id));
        if (meeting.CancelledAt is not null) return Cancelled<EventChange>();
        if (meeting.EventStart > now) return AdminResult<EventChange>.Conflict("An event is marked held once it has begun.");
        meeting.HeldAt = now;
        meeting.HeldBy = user.PersonId();
        meeting.UpdatedAt = now;
        string? raised = null;
        if (meeting.RaisesEvent is { } name)
        {
            var by = user.ActorFor(null) ?? Actor.System;
            var occurredAt = meeting.EventEnd < now ? meeting.EventEnd : now;
            switch (await host.RaiseProgrammeEventAsync(db, programmeId, name, occurredAt, by, $"event {meeting.Id}", ct))
            {
                case RaiseResult.Unknown:
                    return AdminResult<EventChange>.Invalid("raisesEvent", "The programme's workflow raises no such programme event.");
                case RaiseResult.Raised:
                    raised = name;
                    break;
            }
        }

        return AdminResult<EventChange>.Done(new EventChange(meeting.Id, raised));
    }

    /// <summary>Calls the event off before it is held: everyone invited gets a cancellation (the same UID, a higher
    /// SEQUENCE, METHOD:CANCEL), so calendars remove it; the figures leave it out. Cancelling it again changes nothing.</summary>
    public async Task<AdminResult<EventChange>> CancelAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, Guid id, DateTimeOffset now,
        CancellationToken ct)
    {
        var (meeting, refusal) = await FindAsync<EventChange>(db, user, programmeId, id, ct);
        if (meeting is null) return refusal!;
        if (meeting.CancelledAt is not null) return AdminResult<EventChange>.Done(new EventChange(meeting.Id));
        if (meeting.HeldAt is not null) return AdminResult<EventChange>.Conflict("The event was held: a held event cannot be cancelled.");
        meeting.CancelledAt = now;
        meeting.Sequence++;
        meeting.UpdatedAt = now;
        await InviteAsync(db, meeting, ct);
        return AdminResult<EventChange>.Done(new EventChange(meeting.Id));
    }

    private static AdminResult<T> Cancelled<T>() => AdminResult<T>.Conflict("The event is cancelled: announce a new one instead.");

    /// <summary>Replaces who attended; each must be a person of the programme, and the event must have begun.</summary>
    public async Task<AdminResult<EventChange>> SetAttendanceAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, Guid id,
        EventAttendanceRequest request, DateTimeOffset now, CancellationToken ct)
    {
        var (meeting, refusal) = await FindAsync<EventChange>(db, user, programmeId, id, ct);
        if (meeting is null) return refusal!;
        var wanted = (request.People ?? []).Distinct().ToList();
        var places = await db.ProgrammePeople.Where(p => p.ProgrammeId == programmeId && wanted.Contains(p.PersonId))
            .ToDictionaryAsync(p => p.PersonId, p => p.CityId, ct);
        if (wanted.Any(p => !places.ContainsKey(p)))
            return AdminResult<EventChange>.Invalid("people", "Attendance is recorded for people of the programme only.");
        if (meeting.CancelledAt is not null) return Cancelled<EventChange>();
        if (meeting.EventStart > now) return AdminResult<EventChange>.Conflict("Attendance is recorded once the event has begun.");
        var existing = await db.Set<ProgrammeMeetingAttendance>().Where(a => a.MeetingId == id).ToListAsync(ct);
        db.Set<ProgrammeMeetingAttendance>().RemoveRange(existing.Where(a => !wanted.Contains(a.PersonId)));
        foreach (var person in wanted.Where(p => existing.All(a => a.PersonId != p)))
            db.Set<ProgrammeMeetingAttendance>().Add(new ProgrammeMeetingAttendance { MeetingId = id, PersonId = person, CityId = places[person], RecordedAt = now });
        meeting.UpdatedAt = now;
        return AdminResult<EventChange>.Done(new EventChange(meeting.Id));
    }

    /// <summary>Adds a material: a link, or a file (checked by Uploads/ and stored with it in this transaction).</summary>
    public async Task<AdminResult<EventChange>> AddMaterialAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, Guid id,
        EventMaterialRequest request, PendingUpload? file, DateTimeOffset now, CancellationToken ct)
    {
        var (meeting, refusal) = await FindAsync<EventChange>(db, user, programmeId, id, ct);
        if (meeting is null) return refusal!;
        var errors = Input.Problem(Input.Check(request, now));
        if (string.IsNullOrWhiteSpace(request.Title)) Add(errors, "title", "Give the material's title.");
        var hasUrl = !string.IsNullOrWhiteSpace(request.Url);
        if (hasUrl == (file is not null)) Add(errors, "url", "Give either a link or a file.");
        else if (hasUrl && !(Uri.TryCreate(request.Url, UriKind.Absolute, out var link) && link.Scheme is "https" or "http"))
            Add(errors, "url", "The link must be a web address starting with https://.");
        if (errors.Count > 0) return AdminResult<EventChange>.Invalid(errors);
        if (file is not null) UploadedFiles.AddUnattached(db, file, user.PersonId(), now);
        db.Set<ProgrammeMeetingMaterial>().Add(new ProgrammeMeetingMaterial
        {
            MeetingId = id, Title = request.Title!.Trim(), Url = hasUrl ? request.Url!.Trim() : null, FileId = file?.Id, AddedBy = user.PersonId(), AddedAt = now,
        });
        meeting.UpdatedAt = now;
        return AdminResult<EventChange>.Done(new EventChange(meeting.Id));
    }

    /// <summary>Removes a material from the event (the facilitator, as for adding). A material of another programme's event
    /// is 404, as an unknown one. An uploaded file stays in Uploads/, which owns it; it is no longer readable as this
    /// event's material.</summary>
    public async Task<AdminResult<EventChange>> RemoveMaterialAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, Guid id,
        Guid materialId, DateTimeOffset now, CancellationToken ct)
    {
        var (meeting, refusal) = await FindAsync<EventChange>(db, user, programmeId, id, ct);
        if (meeting is null) return refusal!;
        var material = await db.Set<ProgrammeMeetingMaterial>().SingleOrDefaultAsync(m => m.Id == materialId && m.MeetingId == id, ct);
        if (material is null) return AdminResult<EventChange>.NotFound($"The event '{id}' has no material '{materialId}'.");
        db.Set<ProgrammeMeetingMaterial>().Remove(material);
        // Its file is no one's once the material is gone; marked in this transaction, deleted by the retention clean-up.
        if (material.FileId is { } file) await UploadedFiles.MarkRemovedAsync(db, file, now, ct);
        meeting.UpdatedAt = now;
        return AdminResult<EventChange>.Done(new EventChange(meeting.Id));
    }

    /// <summary>Whether <paramref name="user"/> may read an uploaded file because it is an event's material (null: it is not
    /// one): people of the event's programme may.</summary>
    public static async Task<bool?> MayReadFileAsync(MentoringDb db, ClaimsPrincipal user, Guid fileId, CancellationToken ct)
    {
        var programme = await (from m in db.Set<ProgrammeMeetingMaterial>()
                               join e in db.Set<ProgrammeMeeting>() on m.MeetingId equals e.Id
                               where m.FileId == fileId
                               select e.ProgrammeId).FirstOrDefaultAsync(ct);
        return programme is null ? null : programme == user.ProgrammeId();
    }

    /// <summary>The event as a calendar entry, in its own time zone.</summary>
    public static CalendarEntry Entry(ProgrammeMeeting meeting, string site)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(meeting.TimeZone);
        return new CalendarEntry($"event-{meeting.Id}@mentoring", meeting.Title, TimeZoneInfo.ConvertTime(meeting.EventStart, zone),
            TimeZoneInfo.ConvertTime(meeting.EventEnd, zone), meeting.TimeZone, Location: meeting.Venue, OnlineUrl: meeting.OnlineUrl,
            Description: meeting.Agenda.Length > 0 ? meeting.Agenda : null, PageUrl: $"{site.TrimEnd('/')}/programmes/{meeting.ProgrammeId}/events/{meeting.Id}",
            Sequence: meeting.Sequence, Cancelled: meeting.CancelledAt is not null);
    }

    /// <summary>Queues the invitation (or its update) to every person of the programme with an email address.</summary>
    private async Task InviteAsync(MentoringDb db, ProgrammeMeeting meeting, CancellationToken ct)
    {
        var to = await (from pp in db.ProgrammePeople
                        join p in db.People on pp.PersonId equals p.Id
                        where pp.ProgrammeId == meeting.ProgrammeId && p.Email != null
                        orderby p.Name
                        select new InvitationRecipient(p.Id, p.Name, p.Email!, p.PageLanguage ?? p.Language)).ToListAsync(ct);
        if (to.Count > 0) invitations.Queue(db, new CalendarInvitation(meeting.ProgrammeId, null, Entry(meeting, email.Value.PublicUrl), to));
    }

    internal static string Local(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);
}
