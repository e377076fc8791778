using System.Security.Claims;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Inputs;
using Mentoring.Server.Programme;
using Mentoring.Server.Setup;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.SupportNetworks;

public sealed record OrganisationRequest([property: Text(Limits.Line)] string? Name, string? Kind, int? Importance, int? Influence);

/// <summary>A consent as recorded: <see cref="How"/> is one of <see cref="ConsentWays.All"/>.</summary>
public sealed record ConsentRequest([property: Text(Limits.Comment, MultiLine = true)] string? Purpose, DateOnly? GivenOn, string? How);

/// <summary>A person of an organisation; adding one needs <see cref="Consent"/>, editing one leaves it out.</summary>
public sealed record PersonRequest(Guid? OrganisationId, [property: Text(Limits.Line)] string? Name, [property: Text(Limits.Line)] string? Role,
    [property: Text(Limits.Email)] string? Email, [property: Text(Limits.Line)] string? Phone, ConsentRequest? Consent);

/// <summary>A meeting with who attended: people (ids of the network's people) and organisations present without a name.</summary>
public sealed record MeetingRequest(DateOnly? Date, [property: Text(Limits.Line)] string? Title,
    [property: Text(Limits.Note, MultiLine = true)] string? Notes, IReadOnlyList<Guid>? People, IReadOnlyList<Guid>? Organisations);

public sealed record AttendanceRequest(IReadOnlyList<Guid>? People, IReadOnlyList<Guid>? Organisations);

public sealed record ConsentView(Guid Id, string Purpose, DateOnly GivenOn, string How, string RecordedBy, DateTimeOffset RecordedAt,
    DateTimeOffset? WithdrawnAt);

/// <summary>A person as the network's readers see them; after a withdrawal every personal field is null.</summary>
public sealed record PersonView(Guid Id, Guid OrganisationId, string? Name, string? Role, string? Email, string? Phone, bool Withdrawn,
    DateTimeOffset? WithdrawnAt, IReadOnlyList<ConsentView> Consents);

/// <summary>An organisation with its place on the stakeholder grid; <see cref="Members"/> counts withdrawn people too.</summary>
public sealed record OrganisationView(Guid Id, string Name, string Kind, int Importance, int Influence, int Members,
    IReadOnlyList<PersonView> People);

/// <summary>A meeting; <see cref="Attendance"/> is how many people and organisations (present without a name) attended.</summary>
public sealed record MeetingView(Guid Id, DateOnly Date, string Title, string Notes, int Attendance, IReadOnlyList<Guid> People,
    IReadOnlyList<Guid> Organisations);

public sealed record NetworkView(string ProgrammeId, string CityId, string CityName, bool MayEdit, IReadOnlyList<OrganisationView> Organisations,
    IReadOnlyList<MeetingView> Meetings)
{
    public PersonView? Person(Guid id) => Organisations.SelectMany(o => o.People).FirstOrDefault(p => p.Id == id);
    public OrganisationView? Organisation(Guid id) => Organisations.FirstOrDefault(o => o.Id == id);
}

/// <summary>What a change answers: the id of what it made or changed, never personal data, since the answer is kept with
/// its Idempotency-Key (idempotency_keys) where a withdrawal would not reach it.</summary>
public sealed record NetworkChange(Guid Id, string Kind);

public sealed record ExportedMeeting(DateOnly Date, string Title);

/// <summary>Everything the network holds about one person, for a subject-access request.</summary>
public sealed record PersonExport(DateTimeOffset ExportedAt, string ProgrammeId, string CityId, string CityName, string Organisation,
    PersonView Person, IReadOnlyList<ExportedMeeting> MeetingsAttended, string Note);

public sealed record NetworkCitySummary(string CityId, string CityName, int Organisations, int People, int Meetings);

/// <summary>Who the caller is for one city's network: its coordinator edits, the facilitator (and an admin) reads.</summary>
public sealed record NetworkAccess(bool MayEdit, string CityName);

/// <summary>
/// The local support networks (step 3): the one writer of support_organisations, support_people, support_consents,
/// support_meetings and support_attendance. A city's coordinator edits their own city's network; the facilitator and
/// admins read every city's; anybody else in the programme is refused (403), and another programme, a city that is not a
/// member, or an id of another city's network is not there (404). A person is added only with a recorded consent; a
/// withdrawal empties their personal data everywhere it is stored while the rows (and so the counts) stay. Every method
/// only adds to the caller's context or updates in it; the caller makes it one transaction.
/// </summary>
public static class SupportNetwork
{
    public const int GridMin = 1, GridMax = 5;
    public const string Redacted = "[withdrawn]";
    public const string ExportNote = "Everything this network holds about the person. After a withdrawal of consent the personal data is erased " +
        "and only the record of the consent, its withdrawal and the meetings attended remain.";

    public static async Task<(NetworkAccess? Access, AdminResult<T>? Refusal)> AccessAsync<T>(MentoringDb db, ClaimsPrincipal user,
        string programmeId, string cityId, CancellationToken ct)
    {
        if (programmeId != user.ProgrammeId() && !(user.IsAdmin() && await db.Programmes.AnyAsync(p => p.Id == programmeId, ct)))
            return (null, AdminResult<T>.NotFound($"There is no programme '{programmeId}' among yours: switch to it first."));
        var city = await (from m in db.ProgrammeMembers
                          join c in db.Cities on m.CityId equals c.Id
                          where m.ProgrammeId == programmeId && m.CityId == cityId
                          select c.Name).SingleOrDefaultAsync(ct);
        if (city is null) return (null, AdminResult<T>.NotFound($"'{cityId}' is not a member city of the programme '{programmeId}'."));
        if (user.IsInRole(PersonRoles.Coordinator) && user.CityId() == cityId) return (new NetworkAccess(true, city), null);
        if (user.SeesWholeProgramme()) return (new NetworkAccess(false, city), null);
        return (null, new AdminResult<T>(AdminOutcome.Forbidden, Detail: "Only the city's own coordinator and the facilitator see a city's support network."));
    }

    private static async Task<(NetworkAccess? Access, AdminResult<T>? Refusal)> EditAsync<T>(MentoringDb db, ClaimsPrincipal user,
        string programmeId, string cityId, CancellationToken ct)
    {
        var (access, refusal) = await AccessAsync<T>(db, user, programmeId, cityId, ct);
        if (access is { MayEdit: false })
            return (null, new AdminResult<T>(AdminOutcome.Forbidden, Detail: "Only the city's own coordinator changes its support network."));
        return (access, refusal);
    }

    public static async Task<AdminResult<NetworkView>> GetAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, string cityId, CancellationToken ct)
    {
        var (access, refusal) = await AccessAsync<NetworkView>(db, user, programmeId, cityId, ct);
        return access is null ? refusal! : AdminResult<NetworkView>.Done(await ViewAsync(db, programmeId, cityId, access, ct));
    }

    /// <summary>Every member city's network in figures: the facilitator's overview.</summary>
    public static async Task<AdminResult<List<NetworkCitySummary>>> CitiesAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, CancellationToken ct)
    {
        if (programmeId != user.ProgrammeId() && !(user.IsAdmin() && await db.Programmes.AnyAsync(p => p.Id == programmeId, ct)))
            return AdminResult<List<NetworkCitySummary>>.NotFound($"There is no programme '{programmeId}' among yours: switch to it first.");
        var cities = await (from m in db.ProgrammeMembers
                            join c in db.Cities on m.CityId equals c.Id
                            where m.ProgrammeId == programmeId && (user.SeesWholeProgramme() || c.Id == user.CityId())
                            orderby c.Name
                            select new { c.Id, c.Name }).ToListAsync(ct);
        if (!user.SeesWholeProgramme() && !user.IsInRole(PersonRoles.Coordinator))
            return new AdminResult<List<NetworkCitySummary>>(AdminOutcome.Forbidden, Detail: "Only the cities' coordinators and the facilitator see the support networks.");
        var organisations = await db.Set<SupportOrganisation>().Where(o => o.ProgrammeId == programmeId).GroupBy(o => o.CityId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var people = await db.Set<SupportPerson>().Where(o => o.ProgrammeId == programmeId).GroupBy(o => o.CityId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var meetings = await db.Set<SupportMeeting>().Where(o => o.ProgrammeId == programmeId).GroupBy(o => o.CityId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        return AdminResult<List<NetworkCitySummary>>.Done(cities.Select(c => new NetworkCitySummary(c.Id, c.Name, organisations.GetValueOrDefault(c.Id),
            people.GetValueOrDefault(c.Id), meetings.GetValueOrDefault(c.Id))).ToList());
    }

    private static async Task<NetworkView> ViewAsync(MentoringDb db, string programmeId, string cityId, NetworkAccess access, CancellationToken ct)
    {
        var organisations = await db.Set<SupportOrganisation>().AsNoTracking().Where(o => o.ProgrammeId == programmeId && o.CityId == cityId)
            .ToListAsync(ct);
        var people = await db.Set<SupportPerson>().AsNoTracking().Where(p => p.ProgrammeId == programmeId && p.CityId == cityId).ToListAsync(ct);
        var ids = people.Select(p => p.Id).ToList();
        var consents = (await (from c in db.Set<SupportConsent>().AsNoTracking()
                               join recorder in db.People on c.RecordedBy equals recorder.Id
                               where ids.Contains(c.PersonId)
                               select new { c, recorder.Name }).ToListAsync(ct))
            .OrderBy(x => x.c.RecordedAt).ToLookup(x => x.c.PersonId, x => Consent(x.c, x.Name));
        var meetings = await db.Set<SupportMeeting>().AsNoTracking().Where(m => m.ProgrammeId == programmeId && m.CityId == cityId).ToListAsync(ct);
        var meetingIds = meetings.Select(m => m.Id).ToList();
        var attendance = (await db.Set<SupportAttendance>().AsNoTracking().Where(a => meetingIds.Contains(a.MeetingId)).ToListAsync(ct))
            .ToLookup(a => a.MeetingId);
        var personViews = people.Select(p => Person(p, consents[p.Id].ToList())).ToLookup(p => p.OrganisationId);
        return new NetworkView(programmeId, cityId, access.CityName, access.MayEdit,
            organisations.OrderBy(o => o.Name, StringComparer.CurrentCultureIgnoreCase).ThenBy(o => o.Id)
                .Select(o => new OrganisationView(o.Id, o.Name, o.Kind, o.Importance, o.Influence, personViews[o.Id].Count(),
                    personViews[o.Id].OrderBy(p => p.Withdrawn).ThenBy(p => p.Name, StringComparer.CurrentCultureIgnoreCase).ToList())).ToList(),
            meetings.OrderByDescending(m => m.Date).ThenBy(m => m.Title).Select(m =>
            {
                var rows = attendance[m.Id].ToList();
                var present = rows.Where(a => a.PersonId is not null).Select(a => a.PersonId!.Value).Distinct().ToList();
                var organisationsOnly = rows.Where(a => a.PersonId is null).Select(a => a.OrganisationId).Distinct().ToList();
                return new MeetingView(m.Id, m.Date, m.Title, m.Notes, present.Count + organisationsOnly.Count, present, organisationsOnly);
            }).ToList());
    }

    private static ConsentView Consent(SupportConsent c, string recordedBy) =>
        new(c.Id, c.Purpose, c.GivenOn, c.How, recordedBy, c.RecordedAt, c.WithdrawnAt);

    private static PersonView Person(SupportPerson p, IReadOnlyList<ConsentView> consents) =>
        new(p.Id, p.OrganisationId, p.Name, p.Role, p.Email, p.Phone, p.WithdrawnAt is not null, p.WithdrawnAt, consents);

    private static Dictionary<string, string[]> Errors(object request, DateTimeOffset now) => Input.Problem(Input.Check(request, now));

    private static void Add(Dictionary<string, string[]> errors, string field, string error) =>
        errors[field] = [.. errors.GetValueOrDefault(field) ?? [], error];

    private static Dictionary<string, string[]> CheckOrganisation(OrganisationRequest request, DateTimeOffset now)
    {
        var errors = Errors(request, now);
        if (string.IsNullOrWhiteSpace(request.Name)) Add(errors, "name", "Give the organisation's name.");
        if (request.Kind is null || !OrganisationKinds.All.Contains(request.Kind))
            Add(errors, "kind", "Choose the kind of organisation: " + string.Join(", ", OrganisationKinds.All) + ".");
        if (request.Importance is not (>= GridMin and <= GridMax)) Add(errors, "importance", "Importance is a number from 1 to 5.");
        if (request.Influence is not (>= GridMin and <= GridMax)) Add(errors, "influence", "Influence is a number from 1 to 5.");
        return errors;
    }

    public static async Task<AdminResult<NetworkChange>> AddOrganisationAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, string cityId,
        OrganisationRequest request, DateTimeOffset now, CancellationToken ct)
    {
        var (access, refusal) = await EditAsync<NetworkChange>(db, user, programmeId, cityId, ct);
        if (access is null) return refusal!;
        if (CheckOrganisation(request, now) is { Count: > 0 } errors) return AdminResult<NetworkChange>.Invalid(errors);
        var organisation = new SupportOrganisation
        {
            ProgrammeId = programmeId, CityId = cityId, Name = request.Name!.Trim(), Kind = request.Kind!, Importance = request.Importance!.Value,
            Influence = request.Influence!.Value, CreatedAt = now, UpdatedAt = now,
        };
        db.Set<SupportOrganisation>().Add(organisation);
        return AdminResult<NetworkChange>.Done(new NetworkChange(organisation.Id, "organisation"));
    }

    public static async Task<AdminResult<NetworkChange>> UpdateOrganisationAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, string cityId,
        Guid id, OrganisationRequest request, DateTimeOffset now, CancellationToken ct)
    {
        var (access, refusal) = await EditAsync<NetworkChange>(db, user, programmeId, cityId, ct);
        if (access is null) return refusal!;
        var organisation = await db.Set<SupportOrganisation>().SingleOrDefaultAsync(o => o.Id == id && o.ProgrammeId == programmeId && o.CityId == cityId, ct);
        if (organisation is null) return AdminResult<NetworkChange>.NotFound("There is no such organisation in this city's network.");
        if (CheckOrganisation(request, now) is { Count: > 0 } errors) return AdminResult<NetworkChange>.Invalid(errors);
        organisation.Name = request.Name!.Trim();
        organisation.Kind = request.Kind!;
        organisation.Importance = request.Importance!.Value;
        organisation.Influence = request.Influence!.Value;
        organisation.UpdatedAt = now;
        return AdminResult<NetworkChange>.Done(new NetworkChange(organisation.Id, "organisation"));
    }

    private static Dictionary<string, string[]> CheckPerson(PersonRequest request, DateTimeOffset now, bool adding)
    {
        var errors = Errors(request, now);
        if (request.OrganisationId is null) Add(errors, "organisationId", "Choose the person's organisation.");
        if (string.IsNullOrWhiteSpace(request.Name)) Add(errors, "name", "Give the person's name.");
        if (!string.IsNullOrWhiteSpace(request.Email) && !System.Net.Mail.MailAddress.TryCreate(request.Email.Trim(), out _))
            Add(errors, "email", "This is not an email address.");
        if (!adding) return errors;
        if (request.Consent is not { } consent)
        {
            Add(errors, "consent", "A person's data is stored only with their recorded consent: give its purpose, the day and how it was given.");
            return errors;
        }

        foreach (var e in Input.Check(consent, now)) Add(errors, "consent." + e.Field, e.English);
        CheckConsent(errors, consent, now, "consent.");
        return errors;
    }

    private static void CheckConsent(Dictionary<string, string[]> errors, ConsentRequest consent, DateTimeOffset now, string prefix)
    {
        if (string.IsNullOrWhiteSpace(consent.Purpose)) Add(errors, prefix + "purpose", "Say what the person consented to.");
        if (consent.GivenOn is null) Add(errors, prefix + "givenOn", "Give the day the consent was given.");
        else if (consent.GivenOn > DateOnly.FromDateTime(now.UtcDateTime).AddDays(1)) Add(errors, prefix + "givenOn", "A consent cannot be given in the future.");
        if (consent.How is null || !ConsentWays.All.Contains(consent.How))
            Add(errors, prefix + "how", "Say how the consent was given: " + string.Join(", ", ConsentWays.All) + ".");
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static Task<bool> OrganisationInNetworkAsync(MentoringDb db, string programmeId, string cityId, Guid? id, CancellationToken ct) =>
        db.Set<SupportOrganisation>().AnyAsync(o => o.Id == id && o.ProgrammeId == programmeId && o.CityId == cityId, ct);

    public static async Task<AdminResult<NetworkChange>> AddPersonAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, string cityId,
        PersonRequest request, DateTimeOffset now, CancellationToken ct)
    {
        var (access, refusal) = await EditAsync<NetworkChange>(db, user, programmeId, cityId, ct);
        if (access is null) return refusal!;
        if (CheckPerson(request, now, adding: true) is { Count: > 0 } errors) return AdminResult<NetworkChange>.Invalid(errors);
        if (!await OrganisationInNetworkAsync(db, programmeId, cityId, request.OrganisationId, ct))
            return AdminResult<NetworkChange>.Invalid("organisationId", "There is no such organisation in this city's network.");
        var person = new SupportPerson
        {
            OrganisationId = request.OrganisationId!.Value, ProgrammeId = programmeId, CityId = cityId, Name = request.Name!.Trim(),
            Role = Blank(request.Role), Email = Blank(request.Email), Phone = Blank(request.Phone), CreatedAt = now, UpdatedAt = now,
        };
        db.Set<SupportPerson>().Add(person);
        db.Set<SupportConsent>().Add(NewConsent(person.Id, request.Consent!, user, now));
        return AdminResult<NetworkChange>.Done(new NetworkChange(person.Id, "person"));
    }

    private static SupportConsent NewConsent(Guid personId, ConsentRequest consent, ClaimsPrincipal user, DateTimeOffset now) => new()
    {
        PersonId = personId, Purpose = consent.Purpose!.Trim(), GivenOn = consent.GivenOn!.Value, How = consent.How!, RecordedBy = user.PersonId(),
        RecordedAt = now,
    };

    public static async Task<AdminResult<NetworkChange>> UpdatePersonAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, string cityId,
        Guid id, PersonRequest request, DateTimeOffset now, CancellationToken ct)
    {
        var (access, refusal) = await EditAsync<NetworkChange>(db, user, programmeId, cityId, ct);
        if (access is null) return refusal!;
        if (!await db.Set<SupportPerson>().AnyAsync(p => p.Id == id && p.ProgrammeId == programmeId && p.CityId == cityId, ct))
            return AdminResult<NetworkChange>.NotFound("There is no such person in this city's network.");
        if (CheckPerson(request, now, adding: false) is { Count: > 0 } errors) return AdminResult<NetworkChange>.Invalid(errors);
        if (!await OrganisationInNetworkAsync(db, programmeId, cityId, request.OrganisationId, ct))
            return AdminResult<NetworkChange>.Invalid("organisationId", "There is no such organisation in this city's network.");
        var name = request.Name!.Trim();
        string? role = Blank(request.Role), email = Blank(request.Email), phone = Blank(request.Phone);
        var organisationId = request.OrganisationId!.Value;
        // Guarded by the withdrawal: an edit read before a withdrawal committed must not write the personal data back.
        var changed = await db.Set<SupportPerson>().Where(p => p.Id == id && p.WithdrawnAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(p => p.Name, name).SetProperty(p => p.Role, role).SetProperty(p => p.Email, email)
                .SetProperty(p => p.Phone, phone).SetProperty(p => p.OrganisationId, organisationId).SetProperty(p => p.UpdatedAt, now), ct);
        return changed == 0
            ? AdminResult<NetworkChange>.Conflict("This person withdrew their consent: their data is erased and cannot be entered again. Add them anew with a new consent.")
            : AdminResult<NetworkChange>.Done(new NetworkChange(id, "person"));
    }

    /// <summary>Records a further consent (a renewed one, or for another purpose) for a person who has not withdrawn.</summary>
    public static async Task<AdminResult<NetworkChange>> AddConsentAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, string cityId,
        Guid personId, ConsentRequest request, DateTimeOffset now, CancellationToken ct)
    {
        var (access, refusal) = await EditAsync<NetworkChange>(db, user, programmeId, cityId, ct);
        if (access is null) return refusal!;
        if (!await db.Set<SupportPerson>().AnyAsync(p => p.Id == personId && p.ProgrammeId == programmeId && p.CityId == cityId, ct))
            return AdminResult<NetworkChange>.NotFound("There is no such person in this city's network.");
        var errors = Errors(request, now);
        CheckConsent(errors, request, now, "");
        if (errors.Count > 0) return AdminResult<NetworkChange>.Invalid(errors);
        // Touching the row takes its lock, so a withdrawal at the same moment is either before (409) or after (and ends this consent too).
        if (await db.Set<SupportPerson>().Where(p => p.Id == personId && p.WithdrawnAt == null)
                .ExecuteUpdateAsync(set => set.SetProperty(p => p.UpdatedAt, now), ct) == 0)
            return AdminResult<NetworkChange>.Conflict("This person withdrew their consent; a new consent means adding them anew.");
        var consent = NewConsent(personId, request, user, now);
        db.Set<SupportConsent>().Add(consent);
        return AdminResult<NetworkChange>.Done(new NetworkChange(consent.Id, "consent"));
    }

    /// <summary>
    /// The person withdraws their consent: their name, role, email and phone are erased from their row, every mention of
    /// them (name, email, phone) in the network's meeting titles and notes and in their consents' purposes is replaced by
    /// <see cref="Redacted"/>, and their consents are marked withdrawn. The rows stay, so the organisation's member count
    /// and the meetings' attendance counts stay. Withdrawing twice changes nothing more (409).
    /// </summary>
    public static async Task<AdminResult<NetworkChange>> WithdrawAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, string cityId,
        Guid personId, IEnumerable<IConsentWithdrawalEraser> erasers, DateTimeOffset now, CancellationToken ct)
    {
        var (access, refusal) = await EditAsync<NetworkChange>(db, user, programmeId, cityId, ct);
        if (access is null) return refusal!;
        if (!await db.Set<SupportPerson>().AnyAsync(p => p.Id == personId && p.ProgrammeId == programmeId && p.CityId == cityId, ct))
            return AdminResult<NetworkChange>.NotFound("There is no such person in this city's network.");
        // Touching the row first takes its lock; what is read after it is what an edit committed meanwhile left, so the
        // mentions looked for below are the data being erased.
        if (await db.Set<SupportPerson>().Where(p => p.Id == personId && p.WithdrawnAt == null)
                .ExecuteUpdateAsync(set => set.SetProperty(p => p.UpdatedAt, now), ct) == 0)
            return AdminResult<NetworkChange>.Conflict("This person has already withdrawn their consent; their data is erased.");
        var person = await db.Set<SupportPerson>().AsNoTracking().SingleAsync(p => p.Id == personId, ct);
        await db.Set<SupportPerson>().Where(p => p.Id == personId)
            .ExecuteUpdateAsync(set => set.SetProperty(p => p.Name, (string?)null).SetProperty(p => p.Role, (string?)null)
                .SetProperty(p => p.Email, (string?)null).SetProperty(p => p.Phone, (string?)null).SetProperty(p => p.WithdrawnAt, now), ct);
        var mentions = new[] { person.Name, person.Email, person.Phone }.Where(m => m is { Length: >= 3 }).Select(m => m!).Distinct().ToList();
        foreach (var meeting in await db.Set<SupportMeeting>().Where(m => m.ProgrammeId == programmeId && m.CityId == cityId).ToListAsync(ct))
        {
            meeting.Title = Redact(meeting.Title, mentions);
            meeting.Notes = Redact(meeting.Notes, mentions);
        }

        foreach (var consent in await db.Set<SupportConsent>().Where(c => c.PersonId == personId).ToListAsync(ct))
        {
            consent.Purpose = Redact(consent.Purpose, mentions);
            consent.WithdrawnAt ??= now;
        }

        // What other features copied of them (an invitation's address and name), in this transaction too.
        var withdrawn = new WithdrawnPerson(personId, programmeId, cityId, person.Email, mentions, now);
        foreach (var eraser in erasers) await eraser.EraseAsync(db, withdrawn, ct);
        return AdminResult<NetworkChange>.Done(new NetworkChange(personId, "withdrawal"));
    }

    public static string Redact(string text, IReadOnlyList<string> mentions) =>
        mentions.Aggregate(text, (t, m) => t.Replace(m, Redacted, StringComparison.OrdinalIgnoreCase));

    public static async Task<AdminResult<PersonExport>> ExportAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, string cityId,
        Guid personId, DateTimeOffset now, CancellationToken ct)
    {
        var (access, refusal) = await AccessAsync<PersonExport>(db, user, programmeId, cityId, ct);
        if (access is null) return refusal!;
        var network = await ViewAsync(db, programmeId, cityId, access, ct);
        if (network.Person(personId) is not { } person) return AdminResult<PersonExport>.NotFound("There is no such person in this city's network.");
        var attended = network.Meetings.Where(m => m.People.Contains(personId)).OrderBy(m => m.Date).Select(m => new ExportedMeeting(m.Date, m.Title)).ToList();
        return AdminResult<PersonExport>.Done(new PersonExport(now, programmeId, cityId, network.CityName, network.Organisation(person.OrganisationId)!.Name,
            person, attended, ExportNote));
    }

    private static Dictionary<string, string[]> CheckMeeting(MeetingRequest request, DateTimeOffset now)
    {
        var errors = Errors(request, now);
        if (request.Date is null) Add(errors, "date", "Give the meeting's date.");
        if (string.IsNullOrWhiteSpace(request.Title)) Add(errors, "title", "Give the meeting a title.");
        return errors;
    }

    public static async Task<AdminResult<NetworkChange>> AddMeetingAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, string cityId,
        MeetingRequest request, DateTimeOffset now, CancellationToken ct)
    {
        var (access, refusal) = await EditAsync<NetworkChange>(db, user, programmeId, cityId, ct);
        if (access is null) return refusal!;
        if (CheckMeeting(request, now) is { Count: > 0 } errors) return AdminResult<NetworkChange>.Invalid(errors);
        var meeting = new SupportMeeting
        {
            ProgrammeId = programmeId, CityId = cityId, Date = request.Date!.Value, Title = request.Title!.Trim(), Notes = request.Notes?.Trim() ?? "",
            CreatedAt = now, UpdatedAt = now,
        };
        db.Set<SupportMeeting>().Add(meeting);
        return await AttendAsync(db, programmeId, cityId, meeting.Id, new AttendanceRequest(request.People, request.Organisations), ct) is { } bad
            ? bad
            : AdminResult<NetworkChange>.Done(new NetworkChange(meeting.Id, "meeting"));
    }

    public static async Task<AdminResult<NetworkChange>> UpdateMeetingAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, string cityId,
        Guid id, MeetingRequest request, DateTimeOffset now, CancellationToken ct)
    {
        var (access, refusal) = await EditAsync<NetworkChange>(db, user, programmeId, cityId, ct);
        if (access is null) return refusal!;
        var meeting = await db.Set<SupportMeeting>().SingleOrDefaultAsync(m => m.Id == id && m.ProgrammeId == programmeId && m.CityId == cityId, ct);
        if (meeting is null) return AdminResult<NetworkChange>.NotFound("There is no such meeting in this city's network.");
        if (CheckMeeting(request, now) is { Count: > 0 } errors) return AdminResult<NetworkChange>.Invalid(errors);
        meeting.Date = request.Date!.Value;
        meeting.Title = request.Title!.Trim();
        meeting.Notes = request.Notes?.Trim() ?? "";
        meeting.UpdatedAt = now;
        if (request.People is not null || request.Organisations is not null)
        {
            await db.Set<SupportAttendance>().Where(a => a.MeetingId == id).ExecuteDeleteAsync(ct);
            if (await AttendAsync(db, programmeId, cityId, id, new AttendanceRequest(request.People, request.Organisations), ct) is { } bad) return bad;
        }

        return AdminResult<NetworkChange>.Done(new NetworkChange(id, "meeting"));
    }

    /// <summary>Replaces who attended a meeting.</summary>
    public static async Task<AdminResult<NetworkChange>> SetAttendanceAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, string cityId,
        Guid id, AttendanceRequest request, CancellationToken ct)
    {
        var (access, refusal) = await EditAsync<NetworkChange>(db, user, programmeId, cityId, ct);
        if (access is null) return refusal!;
        if (!await db.Set<SupportMeeting>().AnyAsync(m => m.Id == id && m.ProgrammeId == programmeId && m.CityId == cityId, ct))
            return AdminResult<NetworkChange>.NotFound("There is no such meeting in this city's network.");
        await db.Set<SupportAttendance>().Where(a => a.MeetingId == id).ExecuteDeleteAsync(ct);
        return await AttendAsync(db, programmeId, cityId, id, request, ct) ?? AdminResult<NetworkChange>.Done(new NetworkChange(id, "attendance"));
    }

    private static async Task<AdminResult<NetworkChange>?> AttendAsync(MentoringDb db, string programmeId, string cityId, Guid meetingId,
        AttendanceRequest request, CancellationToken ct)
    {
        var people = (request.People ?? []).Distinct().ToList();
        var organisations = (request.Organisations ?? []).Distinct().ToList();
        var found = await db.Set<SupportPerson>().Where(p => people.Contains(p.Id) && p.ProgrammeId == programmeId && p.CityId == cityId)
            .Select(p => new { p.Id, p.OrganisationId }).ToListAsync(ct);
        if (people.FirstOrDefault(id => found.All(p => p.Id != id)) is var missing && missing != Guid.Empty)
            return AdminResult<NetworkChange>.Invalid("people", $"There is no person {missing} in this city's network.");
        var known = await db.Set<SupportOrganisation>().Where(o => organisations.Contains(o.Id) && o.ProgrammeId == programmeId && o.CityId == cityId)
            .Select(o => o.Id).ToListAsync(ct);
        if (organisations.FirstOrDefault(id => !known.Contains(id)) is var unknown && unknown != Guid.Empty)
            return AdminResult<NetworkChange>.Invalid("organisations", $"There is no organisation {unknown} in this city's network.");
        db.Set<SupportAttendance>().AddRange(found.Select(p => new SupportAttendance { MeetingId = meetingId, OrganisationId = p.OrganisationId, PersonId = p.Id }));
        // An organisation whose people are listed is there through them; one listed alone attended without names.
        db.Set<SupportAttendance>().AddRange(organisations.Where(o => found.All(p => p.OrganisationId != o))
            .Select(o => new SupportAttendance { MeetingId = meetingId, OrganisationId = o }));
        return null;
    }
}
