using System.Globalization;
using System.Security.Claims;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Inputs;
using Mentoring.Server.Pairs;
using Mentoring.Server.Programme;
using Mentoring.Server.Setup;
using Mentoring.Server.SupportNetworks;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Visits;

/// <param name="Starts">Local time in the host city, "HH:mm".</param>
public sealed record VisitSessionRequest(DateOnly? Date, string? Starts, string? Ends, [property: Text(Limits.Line)] string? Title,
    [property: Text(Limits.Line)] string? Place, [property: Text(Limits.Link)] string? OnlineUrl);

public sealed record DelegateRequest([property: Text(Limits.Line)] string? Name, [property: Text(Limits.Line)] string? Role,
    [property: Text(Limits.Email)] string? Email);

/// <summary>A visit as it is proposed: the days, the format, the host city (the other city of the group visits), the
/// agenda, the sessions, the participants (ids of people of the two cities' support networks with a recorded consent)
/// and the visiting delegation.</summary>
public sealed record VisitPlanRequest(DateOnly? Start, DateOnly? End, string? Format, string? HostCity,
    [property: Text(Limits.Note, MultiLine = true)] string? Agenda, IReadOnlyList<VisitSessionRequest>? Sessions,
    IReadOnlyList<Guid>? Participants, IReadOnlyList<DelegateRequest>? Delegation);

/// <summary>A next step agreed at the visit: owned by one of the group's cities (<see cref="OwnerCity"/>) or by a person
/// with an account in the programme (<see cref="OwnerPerson"/>).</summary>
public sealed record NextStepRequest([property: Text(Limits.Comment)] string? Text, string? OwnerCity, Guid? OwnerPerson, DateOnly? Due);

public sealed record VisitReportRequest([property: Text(Limits.Note, MultiLine = true)] string? Seen,
    [property: Text(Limits.Note, MultiLine = true)] string? Learnt, IReadOnlyList<NextStepRequest>? NextSteps);

/// <summary>Proposes the visit with its plan: the engine gets the first day and the host city's name; the plan is written
/// in the same transaction (<see cref="StudyVisitRows"/>).</summary>
public sealed record ProposeStudyVisitCommand(Guid ItemId, VisitPlanRequest Plan) : WorkItemCommand(ItemId)
{
    /// <summary>The host city's name, as the engine and its emails say it; set by <see cref="StudyVisitRows"/>.</summary>
    internal string HostName { get; set; } = "";
    internal override string Kind => "study-visit";
    internal override object Fingerprint => Plan;
    internal override WorkflowCommand ToEngine(Actor actor, WorkItem item) =>
        new ProposeVisit(actor, item.StepId, item.Activation, Plan.Start ?? default, HostName);
}

/// <summary>Reports the visit with its structured report; the engine keeps a summary as the report's note.</summary>
public sealed record ReportStudyVisitCommand(Guid ItemId, VisitReportRequest Report) : WorkItemCommand(ItemId)
{
    internal override string Kind => "study-visit";
    internal override object Fingerprint => Report;
    internal override WorkflowCommand ToEngine(Actor actor, WorkItem item) =>
        new ReportVisit(actor, item.StepId, item.Activation, StudyVisit.Summary(Report), null);
}

public sealed record SessionView(int Number, DateOnly Date, string Starts, string Ends, string Title, string? Place, string? OnlineUrl);

/// <summary>A participant; a network person who withdrew their consent shows with no name.</summary>
public sealed record ParticipantView(Guid Id, string CityId, bool Delegation, Guid? SupportPersonId, string? Name, string? Role,
    string? Organisation, string? OrganisationKind);

public sealed record NextStepView(Guid Id, int Number, string Text, string? OwnerCityId, Guid? OwnerPersonId, string Owner, DateOnly Due,
    bool Done, DateTimeOffset? DoneAt, bool MayTick);

public sealed record VisitFileView(Guid Id, string FileName);

public sealed record VisitReportView(string Seen, string Learnt, DateTimeOffset ReportedAt);

/// <summary>A visit with what it really is; <see cref="Plan"/> fields are null for a visit proposed without a plan.</summary>
public sealed record VisitDetailView(Guid ItemId, Guid GroupId, string StepId, string Title, string? Phase, string Status,
    DateOnly? Start, DateOnly? End, string? Format, string? HostCityId, string? VisitingCityId, string? TimeZone, string Agenda,
    int Revision, IReadOnlyList<SessionView> Sessions, IReadOnlyList<ParticipantView> Participants, VisitReportView? Report,
    IReadOnlyList<NextStepView> NextSteps, IReadOnlyList<VisitFileView> Files, bool MayEdit);

/// <summary>The visit's group as its reader sees it.</summary>
public sealed record VisitScope(Group Group, IReadOnlyList<GroupMember> Members, WorkItem Item, bool MayEdit);

/// <summary>
/// Study visits as they really happen: the one writer of visit_plans, visit_sessions, visit_participants, visit_reports
/// and visit_next_steps. Only the group's cities and the facilitator see and plan a visit (another city is refused, 403;
/// another programme's group is not there, 404). Every method adds to the caller's context; the caller makes it one
/// transaction.
/// </summary>
public static class StudyVisit
{
    public const string VisitingDelegation = "visiting-delegation";

    public static string Summary(VisitReportRequest report) =>
        string.Join("\n\n", new[] { report.Seen, report.Learnt }.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t!.Trim()));

    /// <summary>The visit's group and item, or why the caller may not see it.</summary>
    public static async Task<(VisitScope? Scope, AdminResult<T>? Refusal)> ScopeAsync<T>(MentoringDb db, ClaimsPrincipal user, Guid pairId,
        Guid itemId, CancellationToken ct)
    {
        if (await PairQueries.FindAsync(db, pairId, user.ProgrammeId(), ct) is not { } found)
            return (null, AdminResult<T>.NotFound($"There is no group {pairId}."));
        var own = user.SeesWholeProgramme() || (user.IsInRole(PersonRoles.Coordinator) && found.Members.Any(m => m.CityId == user.CityId()));
        if (!own)
            return (null, new AdminResult<T>(AdminOutcome.Forbidden, Detail: "Only the group's cities and the facilitator see its study visits."));
        var item = await db.WorkItems.AsNoTracking()
            .SingleOrDefaultAsync(w => w.Id == itemId && w.InstanceId == found.Group.InstanceId && w.Kind == "study-visit", ct);
        return item is null ? (null, AdminResult<T>.NotFound($"This group has no study visit {itemId}."))
            : (new VisitScope(found.Group, found.Members, item, user.IsFacilitator() || user.IsInRole(PersonRoles.Coordinator)), null);
    }

    public static async Task<AdminResult<VisitDetailView>> GetAsync(MentoringDb db, ClaimsPrincipal user, Guid pairId, Guid itemId, CancellationToken ct)
    {
        var (scope, refusal) = await ScopeAsync<VisitDetailView>(db, user, pairId, itemId, ct);
        return scope is null ? refusal! : AdminResult<VisitDetailView>.Done(await ViewAsync(db, user, scope, ct));
    }

    public static async Task<VisitDetailView> ViewAsync(MentoringDb db, ClaimsPrincipal user, VisitScope scope, CancellationToken ct)
    {
        var item = scope.Item;
        var plan = await db.Set<VisitPlan>().AsNoTracking().SingleOrDefaultAsync(p => p.ItemId == item.Id, ct);
        var sessions = await db.Set<VisitSession>().AsNoTracking().Where(s => s.ItemId == item.Id).ToListAsync(ct);
        var participants = await (from p in db.Set<VisitParticipant>().AsNoTracking()
                                  where p.ItemId == item.Id
                                  join sp in db.Set<SupportPerson>() on p.SupportPersonId equals sp.Id into people
                                  from sp in people.DefaultIfEmpty()
                                  join o in db.Set<SupportOrganisation>() on sp.OrganisationId equals o.Id into organisations
                                  from o in organisations.DefaultIfEmpty()
                                  select new ParticipantView(p.Id, p.CityId, p.Delegation, p.SupportPersonId,
                                      p.SupportPersonId == null ? p.Name : sp.Name, p.SupportPersonId == null ? p.Role : sp.Role,
                                      o == null ? null : o.Name, o == null ? null : o.Kind)).ToListAsync(ct);
        var report = await db.Set<VisitReport>().AsNoTracking().Where(r => r.ItemId == item.Id)
            .Select(r => new VisitReportView(r.Seen, r.Learnt, r.ReportedAt)).SingleOrDefaultAsync(ct);
        var steps = await db.Set<VisitNextStep>().AsNoTracking().Where(s => s.ItemId == item.Id).ToListAsync(ct);
        var owners = steps.Where(s => s.OwnerPersonId != null).Select(s => s.OwnerPersonId!.Value).ToList();
        var names = await db.People.AsNoTracking().Where(p => owners.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Name, ct);
        var cities = await db.Cities.AsNoTracking().ToDictionaryAsync(c => c.Id, c => c, ct);
        var files = await db.Set<Uploads.UploadedFile>().AsNoTracking().Where(f => f.WorkItemId == item.Id)
            .OrderBy(f => f.UploadedAt).Select(f => new VisitFileView(f.Id, f.FileName)).ToListAsync(ct);
        return new VisitDetailView(item.Id, scope.Group.Id, item.StepId, item.Title, item.VisitPhase, item.Status, plan?.StartDate, plan?.EndDate,
            plan?.Format, plan?.HostCityId, plan?.VisitingCityId, plan is null ? null : cities[plan.HostCityId].TimeZone, plan?.Agenda ?? "",
            plan?.Revision ?? 0,
            sessions.OrderBy(s => s.Number).Select(View).ToList(),
            participants.OrderBy(p => p.Delegation).ThenBy(p => p.CityId).ThenBy(p => p.Name).ToList(), report,
            steps.OrderBy(s => s.Number).Select(s => new NextStepView(s.Id, s.Number, s.Text, s.OwnerCityId, s.OwnerPersonId,
                s.OwnerCityId is { } c ? cities[c].Name : names.GetValueOrDefault(s.OwnerPersonId!.Value, "?"), s.DueOn, s.DoneAt is not null,
                s.DoneAt, s.DoneAt is null && MayTick(user, s))).ToList(),
            files, scope.MayEdit && item.Status == WorkItemStatus.Open);
    }

    internal static SessionView View(VisitSession s) => new(s.Number, s.Date, Time(s.StartsAt), Time(s.EndsAt), s.Title, s.Place, s.OnlineUrl);

    public static string Time(TimeOnly t) => t.ToString("HH:mm", CultureInfo.InvariantCulture);

    /// <summary>The owner city's coordinator, the owner person, and the facilitator tick a step off.</summary>
    public static bool MayTick(ClaimsPrincipal user, VisitNextStep step) =>
        user.IsFacilitator() || (step.OwnerPersonId is { } person && person == user.PersonId())
        || (step.OwnerCityId is { } city && user.IsInRole(PersonRoles.Coordinator) && user.CityId() == city);

    /// <summary>Checks a plan against the group and the networks; adds its rows in place of any earlier plan of the item
    /// when it is valid. Returns the field errors, or none.</summary>
    public static async Task<Dictionary<string, string[]>> CheckAsync(MentoringDb db, VisitPlanRequest plan, Group group,
        IReadOnlyList<GroupMember> members, DateTimeOffset now, CancellationToken ct)
    {
        var found = Input.Check(plan, now);
        var errors = Input.Problem(found);
        void Add(string field, string message)
        {
            if (!errors.ContainsKey(field)) errors[field] = [message];
        }

        if (plan.Start is null) Add("start", "Give the first day of the visit (yyyy-mm-dd).");
        if (plan.End is null) Add("end", "Give the last day of the visit (yyyy-mm-dd).");
        if (plan is { Start: { } s, End: { } e } && e < s) Add("end", "The visit ends before it starts: the last day must be on or after the first.");
        if (plan.Format is null || !VisitFormats.All.Contains(plan.Format)) Add("format", "Choose the format: in-person, online or hybrid.");
        var cityIds = members.Select(m => m.CityId).ToList();
        if (plan.HostCity is null || !cityIds.Contains(plan.HostCity.Trim()))
            Add("hostCity", "Choose the host city among the group's cities.");
        var sessions = plan.Sessions ?? [];
        if (sessions.Count == 0) Add("sessions", "Plan at least one session.");
        if (sessions.Count > 50) Add("sessions", "A visit can have at most 50 sessions.");
        for (var i = 0; i < Math.Min(sessions.Count, 50); i++)
        {
            var session = sessions[i];
            var at = $"sessions[{i}].";
            foreach (var (field, messages) in Input.Problem(Input.Check(session, now))) errors.TryAdd(at + field, messages);
            if (session.Date is not { } date) Add(at + "date", "Give the session's day (yyyy-mm-dd).");
            else if (plan is { Start: { } first, End: { } last } && first <= last && (date < first || date > last))
                Add(at + "date", $"The session is outside the visit's days ({first:yyyy-MM-dd} to {last:yyyy-MM-dd}).");
            var starts = ParseTime(session.Starts);
            var ends = ParseTime(session.Ends);
            if (starts is null) Add(at + "starts", "Give the start time (HH:mm, the host city's local time).");
            if (ends is null) Add(at + "ends", "Give the end time (HH:mm, the host city's local time).");
            if (starts is { } a && ends is { } b && b <= a) Add(at + "ends", "The session ends before it starts.");
            if (string.IsNullOrWhiteSpace(session.Title)) Add(at + "title", "Give the session a title.");
            if (string.IsNullOrWhiteSpace(session.Place) && string.IsNullOrWhiteSpace(session.OnlineUrl))
                Add(at + "place", "Give the place or the online link.");
            if (!string.IsNullOrWhiteSpace(session.OnlineUrl) && !IsWebLink(session.OnlineUrl))
                Add(at + "onlineUrl", "The link must be an http or https address.");
        }

        var participants = (plan.Participants ?? []).Distinct().ToList();
        if (participants.Count > 500) Add("participants", "A visit can have at most 500 participants.");
        else if (participants.Count > 0)
        {
            var consenting = await (from p in db.Set<SupportPerson>()
                                    where participants.Contains(p.Id) && p.ProgrammeId == @group.ProgrammeId && cityIds.Contains(p.CityId)
                                          && p.WithdrawnAt == null
                                          && db.Set<SupportConsent>().Any(c => c.PersonId == p.Id && c.WithdrawnAt == null)
                                    select p.Id).ToListAsync(ct);
            var refused = participants.Except(consenting).ToList();
            if (refused.Count > 0)
                Add("participants", $"Not a person with a recorded consent in the two cities' support networks: {string.Join(", ", refused)}.");
        }

        var delegation = plan.Delegation ?? [];
        if (delegation.Count > 100) Add("delegation", "The delegation can have at most 100 members.");
        for (var i = 0; i < Math.Min(delegation.Count, 100); i++)
        {
            var member = delegation[i];
            var at = $"delegation[{i}].";
            foreach (var (field, messages) in Input.Problem(Input.Check(member, now))) errors.TryAdd(at + field, messages);
            if (string.IsNullOrWhiteSpace(member.Name)) Add(at + "name", "Give the delegation member's name.");
            if (!string.IsNullOrWhiteSpace(member.Email) && !member.Email.Contains('@')) Add(at + "email", "Give an email address.");
        }

        return errors;
    }

    /// <summary>Writes a checked plan (<see cref="CheckAsync"/>) for the item, in place of an earlier one; says whether
    /// the sessions changed and which were there before.</summary>
    public static async Task<(bool SessionsChanged, IReadOnlyList<VisitSession> Before)> WriteAsync(MentoringDb db, VisitPlanRequest plan, WorkItem item, Group group, IReadOnlyList<GroupMember> members,
        DateTimeOffset now, CancellationToken ct)
    {
        var host = plan.HostCity!.Trim();
        var visiting = members.FirstOrDefault(m => m.CityId != host)?.CityId ?? host;
        var row = await db.Set<VisitPlan>().SingleOrDefaultAsync(p => p.ItemId == item.Id, ct);
        if (row is null)
            db.Set<VisitPlan>().Add(row = new VisitPlan
            {
                ItemId = item.Id, GroupId = group.Id, ProgrammeId = group.ProgrammeId, Format = plan.Format!, HostCityId = host,
                VisitingCityId = visiting, CreatedAt = now,
            });
        row.StartDate = plan.Start!.Value;
        row.EndDate = plan.End!.Value;
        row.Format = plan.Format!;
        row.HostCityId = host;
        row.VisitingCityId = visiting;
        row.Agenda = plan.Agenda?.Trim() ?? "";
        row.UpdatedAt = now;
        var sessions = await ReplaceSessionsAsync(db, item.Id, plan.Sessions!, ct);
        db.Set<VisitParticipant>().RemoveRange(await db.Set<VisitParticipant>().Where(p => p.ItemId == item.Id).ToListAsync(ct));
        var ids = (plan.Participants ?? []).Distinct().ToList();
        var people = await db.Set<SupportPerson>().Where(p => ids.Contains(p.Id)).Select(p => new { p.Id, p.CityId }).ToListAsync(ct);
        foreach (var person in people)
            db.Set<VisitParticipant>().Add(new VisitParticipant { ItemId = item.Id, CityId = person.CityId, SupportPersonId = person.Id });
        foreach (var member in plan.Delegation ?? [])
            db.Set<VisitParticipant>().Add(new VisitParticipant
            {
                ItemId = item.Id, CityId = visiting, Delegation = true, Name = member.Name!.Trim(), Role = Blank(member.Role),
                Email = Blank(member.Email),
            });
        return sessions;
    }

    /// <summary>Replaces the sessions; true when they changed (a day, a time, a title, a place or a link), with the ones
    /// there were.</summary>
    public static async Task<(bool, IReadOnlyList<VisitSession>)> ReplaceSessionsAsync(MentoringDb db, Guid itemId, IReadOnlyList<VisitSessionRequest> sessions, CancellationToken ct)
    {
        var old = await db.Set<VisitSession>().Where(s => s.ItemId == itemId).OrderBy(s => s.Number).ToListAsync(ct);
        var fresh = sessions.Select((s, i) => new VisitSession
        {
            ItemId = itemId, Number = i + 1, Date = s.Date!.Value, StartsAt = ParseTime(s.Starts)!.Value, EndsAt = ParseTime(s.Ends)!.Value,
            Title = s.Title!.Trim(), Place = Blank(s.Place), OnlineUrl = Blank(s.OnlineUrl),
        }).ToList();
        var changed = old.Count != fresh.Count || old.Zip(fresh).Any(p => View(p.First) != View(p.Second));
        if (!changed) return (false, old);
        db.Set<VisitSession>().RemoveRange(old);
        db.Set<VisitSession>().AddRange(fresh);
        return (true, old);
    }

    public static TimeOnly? ParseTime(string? value) =>
        TimeOnly.TryParseExact(value?.Trim(), ["HH:mm", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : null;

    public static bool IsWebLink(string value) =>
        Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>Changes a proposed visit's plan (sessions, agenda, participants, delegation, last day, format) until it is
    /// reported. Its first day and host are the proposal's: changing them is proposing again. Once the visit is confirmed,
    /// a change of its sessions raises the revision and sends the invitations again.</summary>
    public static async Task<AdminResult<VisitDetailView>> UpdateAsync(MentoringDb db, ClaimsPrincipal user, Guid pairId, Guid itemId,
        VisitPlanRequest request, StudyVisitRows rows, DateTimeOffset now, CancellationToken ct)
    {
        var (scope, refusal) = await ScopeAsync<VisitDetailView>(db, user, pairId, itemId, ct);
        if (scope is null) return refusal!;
        if (!scope.MayEdit)
            return new AdminResult<VisitDetailView>(AdminOutcome.Forbidden, Detail: "Only the group's coordinators and the facilitator plan its visits.");
        var plan = await db.Set<VisitPlan>().SingleOrDefaultAsync(p => p.ItemId == itemId, ct);
        if (plan is null) return AdminResult<VisitDetailView>.Conflict("The visit is not proposed with a plan yet: propose it first.");
        if (scope.Item.Status != WorkItemStatus.Open || scope.Item.VisitPhase is "reported")
            return AdminResult<VisitDetailView>.Conflict("The visit is reported; its plan can no longer change.");
        var errors = await CheckAsync(db, request, scope.Group, scope.Members, now, ct);
        if (request.Start is { } start && start != plan.StartDate)
            errors.TryAdd("start", ["The first day is the proposal's: propose the visit again to change it."]);
        if (request.HostCity is { } host && host.Trim() != plan.HostCityId)
            errors.TryAdd("hostCity", ["The host city is the proposal's: propose the visit again to change it."]);
        if (errors.Count > 0) return AdminResult<VisitDetailView>.Invalid(errors);
        var (changed, before) = await WriteAsync(db, request, scope.Item, scope.Group, scope.Members, now, ct);
        if (changed && scope.Item.VisitPhase is "confirmed" or "held")
        {
            plan.Revision++;
            await rows.InviteAsync(db, scope.Item, before, ct);
        }

        await db.SaveChangesAsync(ct);
        return AdminResult<VisitDetailView>.Done(await ViewAsync(db, user, scope, ct));
    }

    /// <summary>Checks the report's next steps against the group; field errors, or none.</summary>
    public static async Task<Dictionary<string, string[]>> CheckReportAsync(MentoringDb db, VisitReportRequest report, Group group,
        IReadOnlyList<GroupMember> members, DateTimeOffset now, CancellationToken ct)
    {
        var errors = Input.Problem(Input.Check(report, now));
        if (string.IsNullOrWhiteSpace(report.Seen)) errors.TryAdd("seen", ["Say what was seen."]);
        if (string.IsNullOrWhiteSpace(report.Learnt)) errors.TryAdd("learnt", ["Say what was learnt."]);
        var steps = report.NextSteps ?? [];
        if (steps.Count > 100) errors.TryAdd("nextSteps", ["A report can have at most 100 next steps."]);
        var owners = steps.Where(s => s.OwnerPerson is not null).Select(s => s.OwnerPerson!.Value).Distinct().ToList();
        var people = await db.ProgrammePeople.Where(p => p.ProgrammeId == group.ProgrammeId && owners.Contains(p.PersonId))
            .Select(p => p.PersonId).ToListAsync(ct);
        for (var i = 0; i < Math.Min(steps.Count, 100); i++)
        {
            var step = steps[i];
            var at = $"nextSteps[{i}].";
            foreach (var (field, messages) in Input.Problem(Input.Check(step, now))) errors.TryAdd(at + field, messages);
            if (string.IsNullOrWhiteSpace(step.Text)) errors.TryAdd(at + "text", ["Say what is to be done."]);
            if (step.Due is null) errors.TryAdd(at + "due", ["Give the due date (yyyy-mm-dd)."]);
            if ((step.OwnerCity is null) == (step.OwnerPerson is null))
                errors.TryAdd(at + "ownerCity", ["Give the owner: one of the group's cities or a person of the programme."]);
            else if (step.OwnerCity is { } city && !members.Any(m => m.CityId == city))
                errors.TryAdd(at + "ownerCity", ["The owner city must be one of the group's cities."]);
            else if (step.OwnerPerson is { } person && !people.Contains(person))
                errors.TryAdd(at + "ownerPerson", ["The owner must be a person of the programme."]);
        }

        return errors;
    }

    public static void WriteReport(MentoringDb db, VisitReportRequest report, WorkItem item, Group group, Guid by, DateTimeOffset now)
    {
        db.Set<VisitReport>().Add(new VisitReport { ItemId = item.Id, Seen = report.Seen!.Trim(), Learnt = report.Learnt!.Trim(), ReportedBy = by, ReportedAt = now });
        var n = 0;
        foreach (var step in report.NextSteps ?? [])
            db.Set<VisitNextStep>().Add(new VisitNextStep
            {
                ItemId = item.Id, GroupId = group.Id, Number = ++n, Text = step.Text!.Trim(), OwnerCityId = step.OwnerCity,
                OwnerPersonId = step.OwnerPerson, DueOn = step.Due!.Value,
            });
    }

    /// <summary>Ticks a next step off (or on again), as its owner or the facilitator.</summary>
    public static async Task<AdminResult<NextStepView>> TickAsync(MentoringDb db, ClaimsPrincipal user, Guid pairId, Guid itemId, Guid stepId,
        bool done, DateTimeOffset now, CancellationToken ct)
    {
        var (scope, refusal) = await ScopeAsync<NextStepView>(db, user, pairId, itemId, ct);
        if (scope is null) return refusal!;
        var step = await db.Set<VisitNextStep>().SingleOrDefaultAsync(s => s.Id == stepId && s.ItemId == itemId, ct);
        if (step is null) return AdminResult<NextStepView>.NotFound($"This visit has no next step {stepId}.");
        if (!MayTick(user, step))
            return new AdminResult<NextStepView>(AdminOutcome.Forbidden, Detail: "Only the step's owner and the facilitator tick it off.");
        if (done && step.DoneAt is null) (step.DoneAt, step.DoneBy) = (now, user.PersonId());
        if (!done) (step.DoneAt, step.DoneBy) = (null, null);
        return AdminResult<NextStepView>.Done(new NextStepView(step.Id, step.Number, step.Text, step.OwnerCityId, step.OwnerPersonId, "",
            step.DueOn, step.DoneAt is not null, step.DoneAt, false));
    }
}
