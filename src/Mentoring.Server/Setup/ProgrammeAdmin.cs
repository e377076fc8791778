using System.Net.Mail;
using System.Security.Claims;
using System.Text.Json;
using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Accounts;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Mentoring.Server.Web;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Setup;

public sealed record ProgrammeSummary(string Id, string Name, IReadOnlyList<string> Languages, string TimeZone);
public sealed record MemberView(string Id, string Name, string Country, string TimeZone, string Language, string? Association);
public sealed record GroupMemberView(string CityId, string Name, string Role);
public sealed record GroupView(Guid Id, int Number, string Shape, string Title, string? Notes, string Workflow, Guid InstanceId,
    string Status, IReadOnlyList<GroupMemberView> Members);
public sealed record ProgrammePersonView(Guid Id, string Name, string? Email, string Role, string? CityId, string? Organisation, string Language);

/// <summary>A bare programme, until a package's programme.json is imported over it.</summary>
public sealed record CreateProgrammeRequest(string? Id, string? Name, IReadOnlyList<string>? Languages, string? TimeZone, JsonElement? Terms);

/// <summary>Adds a member city: an existing installation-wide city by <see cref="CityId"/> alone, or a new one with its
/// name, country, time zone and language.</summary>
public sealed record AddMemberRequest([property: Inputs.Text(Inputs.Limits.Line)] string? CityId, [property: Inputs.Text(Inputs.Limits.Line)] string? Name,
    string? Country, string? TimeZone, string? Language, string? Association);
public sealed record UpdateMemberRequest(string? TimeZone, string? Language, string? Association);
public sealed record FormGroupRequest(string? Shape, string? Workflow, [property: Inputs.Text(Inputs.Limits.Line)] string? Title,
    [property: Inputs.Text(Inputs.Limits.Note, MultiLine = true)] string? Notes, IReadOnlyDictionary<string, IReadOnlyList<string>>? Members);
public sealed record UpdateGroupRequest([property: Inputs.Text(Inputs.Limits.Line)] string? Title,
    [property: Inputs.Text(Inputs.Limits.Note, MultiLine = true)] string? Notes);
public sealed record AddProgrammePersonRequest([property: Inputs.Text(Inputs.Limits.Line)] string? Name,
    [property: Inputs.Text(Inputs.Limits.Email)] string? Email, string? Role, string? CityId, string? Organisation, string? Language, bool Invite);
public sealed record UpdateProgrammePersonRequest(string? Role, string? CityId, string? Language);

public enum AdminOutcome { Done, Invalid, NotFound, Forbidden, Conflict }

/// <summary>What a set-up change came to: done with its answer, or refused with every field's problem (English texts,
/// the keys of their translations) or a conflict's detail. Nothing is written when it is refused. <see cref="Lines"/>,
/// when given, say the refusal for a page when it names data (a city, a count), which no English key could.</summary>
public sealed record AdminResult<T>(AdminOutcome Outcome, T? Value = default, IReadOnlyDictionary<string, string[]>? Errors = null,
    string? Detail = null, IReadOnlyList<PageText>? Lines = null)
{
    public static AdminResult<T> Done(T value) => new(AdminOutcome.Done, value);
    public static AdminResult<T> Invalid(string field, string error) => new(AdminOutcome.Invalid, Errors: new Dictionary<string, string[]> { [field] = [error] });
    public static AdminResult<T> Invalid(IReadOnlyDictionary<string, string[]> errors) => new(AdminOutcome.Invalid, Errors: errors);
    public static AdminResult<T> NotFound(string detail) => new(AdminOutcome.NotFound, Detail: detail);
    public static AdminResult<T> Conflict(string detail) => new(AdminOutcome.Conflict, Detail: detail);

    /// <summary>The same refusal for another answer type.</summary>
    public AdminResult<TOther> As<TOther>() => new(Outcome, default, Errors, Detail, Lines);
}

public enum ProgrammeAccess { Allowed, Forbidden, NotFound }

/// <summary>
/// Setting up any programme: its member cities, groups and people, for the API under /api/programmes/{id} and the
/// set-up pages alike. Admins may set up every programme, a facilitator the programmes they facilitate; everybody else
/// is refused, and a facilitator is told another programme does not exist (404), so ids of other networks do not leak.
/// Each change is written by the caller in one transaction; the methods only add to the context.
/// </summary>
public sealed class ProgrammeAdmin(DefinitionStore definitions, WorkflowHost host, AccountService accounts)
{
    public const string Running = "running";

    /// <summary>Makes a change in one transaction; nothing is written when it is refused.</summary>
    public static async Task<AdminResult<T>> InTransactionAsync<T>(IDbContextFactory<MentoringDb> dbs, Func<MentoringDb, Task<AdminResult<T>>> change,
        CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var result = await change(db);
        if (result.Outcome != AdminOutcome.Done) return result;
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return result;
    }

    public static async Task<ProgrammeAccess> AccessAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, CancellationToken ct)
    {
        if (user.Identity?.IsAuthenticated != true) return ProgrammeAccess.Forbidden;
        var exists = await db.Programmes.AnyAsync(p => p.Id == programmeId, ct);
        if (user.IsAdmin()) return exists ? ProgrammeAccess.Allowed : ProgrammeAccess.NotFound;
        var me = user.PersonId();
        var roles = await db.ProgrammePeople.AsNoTracking().Where(p => p.PersonId == me).Select(p => new { p.ProgrammeId, p.Role }).ToListAsync(ct);
        if (roles.Any(r => r.ProgrammeId == programmeId && r.Role == PersonRoles.Facilitator)) return ProgrammeAccess.Allowed;
        return roles.Any(r => r.Role == PersonRoles.Facilitator) ? ProgrammeAccess.NotFound : ProgrammeAccess.Forbidden;
    }

    /// <summary>The programmes this person sets up: every one for an admin, those they facilitate for a facilitator.</summary>
    public static async Task<List<ProgrammeSummary>> ProgrammesAsync(MentoringDb db, ClaimsPrincipal user, CancellationToken ct)
    {
        var me = user.PersonId();
        var query = db.Programmes.AsNoTracking();
        if (!user.IsAdmin())
            query = query.Where(p => db.ProgrammePeople.Any(pp => pp.ProgrammeId == p.Id && pp.PersonId == me && pp.Role == PersonRoles.Facilitator));
        var rows = await query.OrderBy(p => p.Name).ToListAsync(ct);
        return rows.Select(Summary).ToList();
    }

    public static ProgrammeSummary Summary(ProgrammeRecord p) =>
        new(p.Id, p.Name, JsonSerializer.Deserialize<List<string>>(p.Languages) ?? [], p.TimeZone);

    public static bool IsZone(string? zone) => zone is { Length: > 0 } && TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _);
    public static bool IsLanguage(string? language) => ProgrammeSetup.Languages.Contains(language);

    private static bool IsId(string? id) => id is { Length: > 0 and <= 100 } && id.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-');

    public static async Task<AdminResult<ProgrammeSummary>> CreateProgrammeAsync(MentoringDb db, CreateProgrammeRequest request,
        DateTimeOffset now, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (!IsId(request.Id)) errors["id"] = ["Give an id of small letters, digits and hyphens, such as cities-network."];
        if (string.IsNullOrWhiteSpace(request.Name)) errors["name"] = ["Give the programme's name."];
        var languages = request.Languages?.Distinct().ToList() ?? [];
        if (languages.Count == 0 || !languages.All(IsLanguage)) errors["languages"] = ["Choose one of the listed languages."];
        if (!IsZone(request.TimeZone)) errors["timeZone"] = ["Unknown time zone: use a name such as Europe/Athens."];
        if (request.Terms is { } terms && terms.ValueKind != JsonValueKind.Object) errors["terms"] = ["The terms are an object of words per language."];
        if (errors.Count > 0) return AdminResult<ProgrammeSummary>.Invalid(errors);
        if (await db.Programmes.AnyAsync(p => p.Id == request.Id, ct))
            return AdminResult<ProgrammeSummary>.Conflict($"There is already a programme {request.Id}.");
        var programme = new ProgrammeRecord
        {
            Id = request.Id!, Name = request.Name!.Trim(), Languages = JsonSerializer.Serialize(languages), TimeZone = request.TimeZone!,
            Terms = request.Terms?.GetRawText() ?? "{}", CreatedAt = now,
        };
        db.Programmes.Add(programme);
        return AdminResult<ProgrammeSummary>.Done(Summary(programme));
    }

    // Members -------------------------------------------------------------------------------------------------

    public static Task<List<MemberView>> MembersAsync(MentoringDb db, string programmeId, CancellationToken ct) =>
        (from m in db.ProgrammeMembers.AsNoTracking()
            where m.ProgrammeId == programmeId
            join c in db.Cities.AsNoTracking() on m.CityId equals c.Id
            orderby c.Name
            select new MemberView(c.Id, c.Name, c.Country, c.TimeZone, c.Language, m.Association)).ToListAsync(ct);

    private static async Task<string?> AssociationErrorAsync(MentoringDb db, string programmeId, string? association, CancellationToken ct) =>
        association is null || await db.Organisations.AnyAsync(o => o.ProgrammeId == programmeId && o.Id == association, ct)
            ? null
            : "There is no such organisation in this programme.";

    /// <summary>Adds a member: the installation-wide city of that id when there is one (another programme's city joins
    /// as it is), else a new city.</summary>
    public static async Task<AdminResult<MemberView>> AddMemberAsync(MentoringDb db, string programmeId, AddMemberRequest request,
        CancellationToken ct)
    {
        var association = string.IsNullOrWhiteSpace(request.Association) ? null : request.Association.Trim();
        if (await AssociationErrorAsync(db, programmeId, association, ct) is { } bad) return AdminResult<MemberView>.Invalid("association", bad);
        var id = request.CityId?.Trim();
        var city = id is null ? null : await db.Cities.SingleOrDefaultAsync(c => c.Id == id, ct);
        if (city is null)
        {
            var errors = new Dictionary<string, string[]>();
            if (!IsId(id)) errors["cityId"] = ["Give an id of small letters, digits and hyphens, such as cities-network."];
            if (string.IsNullOrWhiteSpace(request.Name)) errors["name"] = ["Give the city's name."];
            if (request.Country is not { Length: 2 } country || !country.All(char.IsAsciiLetterUpper)) errors["country"] = ["Give the country as two capital letters, such as GR."];
            if (!IsZone(request.TimeZone)) errors["timeZone"] = ["Unknown time zone: use a name such as Europe/Athens."];
            if (!IsLanguage(request.Language)) errors["language"] = ["Choose one of the listed languages."];
            if (errors.Count > 0) return AdminResult<MemberView>.Invalid(errors);
            city = new City { Id = id!, Name = request.Name!.Trim(), Country = request.Country!, TimeZone = request.TimeZone!, Language = request.Language! };
            db.Cities.Add(city);
        }
        else if (await db.ProgrammeMembers.AnyAsync(m => m.ProgrammeId == programmeId && m.CityId == city.Id, ct))
            return AdminResult<MemberView>.Conflict($"{city.Name} is already a member of this programme.");

        db.ProgrammeMembers.Add(new ProgrammeMember { ProgrammeId = programmeId, CityId = city.Id, Association = association });
        return AdminResult<MemberView>.Done(new MemberView(city.Id, city.Name, city.Country, city.TimeZone, city.Language, association));
    }

    /// <summary>Changes a member's time zone and language (the city's, in every programme it is in) and its association
    /// here; a field left out stays as it is.</summary>
    public static async Task<AdminResult<MemberView>> UpdateMemberAsync(MentoringDb db, string programmeId, string cityId,
        UpdateMemberRequest request, CancellationToken ct)
    {
        var member = await db.ProgrammeMembers.SingleOrDefaultAsync(m => m.ProgrammeId == programmeId && m.CityId == cityId, ct);
        if (member is null) return AdminResult<MemberView>.NotFound("There is no such city.");
        var city = await db.Cities.SingleAsync(c => c.Id == cityId, ct);
        var errors = new Dictionary<string, string[]>();
        if (request.TimeZone is not null && !IsZone(request.TimeZone)) errors["timeZone"] = ["Unknown time zone: use a name such as Europe/Athens."];
        if (request.Language is not null && !IsLanguage(request.Language)) errors["language"] = ["Choose one of the listed languages."];
        var association = request.Association is null ? member.Association : request.Association.Trim() is { Length: > 0 } a ? a : null;
        if (await AssociationErrorAsync(db, programmeId, association, ct) is { } bad) errors["association"] = [bad];
        if (errors.Count > 0) return AdminResult<MemberView>.Invalid(errors);
        if (request.TimeZone is not null) city.TimeZone = request.TimeZone;
        if (request.Language is not null) city.Language = request.Language;
        member.Association = association;
        return AdminResult<MemberView>.Done(new MemberView(city.Id, city.Name, city.Country, city.TimeZone, city.Language, association));
    }

    /// <summary>Removes a city from the programme; refused (409, naming them) while it is in running groups, whose
    /// workflows would lose a member. The city stays in the installation and in its other programmes.</summary>
    public static async Task<AdminResult<string>> RemoveMemberAsync(MentoringDb db, string programmeId, string cityId, CancellationToken ct)
    {
        var member = await db.ProgrammeMembers.SingleOrDefaultAsync(m => m.ProgrammeId == programmeId && m.CityId == cityId, ct);
        if (member is null) return AdminResult<string>.NotFound("There is no such city.");
        var running = await (from g in db.Groups
                where g.ProgrammeId == programmeId && db.GroupMembers.Any(m => m.GroupId == g.Id && m.CityId == cityId)
                join i in db.Instances on g.InstanceId equals i.Id
                where i.Status == Running
                orderby g.Number
                select new { g.Number, g.Title }).ToListAsync(ct);
        if (running.Count > 0)
            return AdminResult<string>.Conflict("The city is in running groups: "
                                                + string.Join("; ", running.Select(g => $"group {g.Number} ({g.Title})")) + ".");
        db.ProgrammeMembers.Remove(member);
        return AdminResult<string>.Done(cityId);
    }

    // Groups --------------------------------------------------------------------------------------------------

    public static async Task<List<GroupView>> GroupsAsync(MentoringDb db, string programmeId, Guid? only, CancellationToken ct)
    {
        var groups = await (from g in db.Groups.AsNoTracking()
                where g.ProgrammeId == programmeId && (only == null || g.Id == only)
                join i in db.Instances.AsNoTracking() on g.InstanceId equals i.Id into instances
                from i in instances.DefaultIfEmpty()
                orderby g.Number
                select new { Group = g, Status = i == null ? null : i.Status }).ToListAsync(ct);
        var ids = groups.Select(g => g.Group.Id).ToList();
        var members = await (from m in db.GroupMembers.AsNoTracking()
                where ids.Contains(m.GroupId)
                join c in db.Cities.AsNoTracking() on m.CityId equals c.Id
                orderby m.Role, c.Name
                select new { m.GroupId, View = new GroupMemberView(c.Id, c.Name, m.Role) }).ToListAsync(ct);
        return groups.Select(g => new GroupView(g.Group.Id, g.Group.Number, g.Group.Shape, g.Group.Title, g.Group.Notes, g.Group.WorkflowId,
            g.Group.InstanceId, g.Status ?? "none", members.Where(m => m.GroupId == g.Group.Id).Select(m => m.View).ToList())).ToList();
    }

    /// <summary>The per-group workflows a group may run (their latest versions), packages imported on other nodes included.</summary>
    public async Task<IReadOnlyList<WorkflowDefinition>> GroupWorkflowsAsync(MentoringDb db, CancellationToken ct)
    {
        await definitions.RefreshAsync(db, ct);
        return GroupWorkflows();
    }

    private IReadOnlyList<WorkflowDefinition> GroupWorkflows() =>
        definitions.Catalog.All.Where(d => d.IsPerGroup).GroupBy(d => d.Id).Select(g => g.MaxBy(d => d.Version)!).OrderBy(d => d.Id).ToList();

    /// <summary>
    /// Forms a group and starts its workflow, in the caller's transaction. Checked as a package's group is: the workflow
    /// runs per group, every member is a city of the programme in one of the workflow's group roles, and every role the
    /// workflow's work goes to (its acting group roles) has a member; and the programme's stored shape holds (its roles'
    /// min and max, one group per member), checked under the programme's lock.
    /// </summary>
    public async Task<AdminResult<GroupView>> FormGroupAsync(MentoringDb db, string programmeId, FormGroupRequest request, Actor by,
        CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (!IsId(request.Shape)) errors["shape"] = ["Choose a shape, such as pair, cluster or member."];
        if (string.IsNullOrWhiteSpace(request.Title)) errors["title"] = ["Give the group's title."];
        await definitions.RefreshAsync(db, ct);
        var workflow = request.Workflow is null ? null : definitions.Catalog.Latest(request.Workflow);
        if (workflow is not { IsPerGroup: true }) errors["workflow"] = ["Choose a workflow that runs per group."];
        var members = (request.Members ?? new Dictionary<string, IReadOnlyList<string>>())
            .SelectMany(r => r.Value.Where(c => !string.IsNullOrWhiteSpace(c)).Select(c => (Role: r.Key, CityId: c.Trim()))).ToList();
        if (workflow is { IsPerGroup: true })
        {
            var groupRoles = workflow.Roles.Where(r => r.Scope == RoleScope.Group).Select(r => r.Id).ToHashSet();
            foreach (var unknown in members.Select(m => m.Role).Where(r => !groupRoles.Contains(r)).Distinct())
                errors[$"members.{unknown}"] = [$"The workflow has no group role {unknown}."];
            foreach (var empty in workflow.ActingGroupRoles.Where(r => members.All(m => m.Role != r.Id)))
                errors[$"members.{empty.Id}"] = [$"Choose a city for the role {empty.Id}."];
        }

        // Checked after the lock, so a group formed at the same moment on another node is seen.
        await GroupShapes.LockProgrammeAsync(db, programmeId, ct);
        var shapes = await GroupShapes.OfAsync(db, programmeId, ct);
        var shape = shapes.FirstOrDefault(s => s.Id == request.Shape)?.ToPackageShape();
        if (shapes.Count > 0 && shape is null && IsId(request.Shape))
            errors["shape"] = [$"The programme has no shape '{request.Shape}'; its shapes are {string.Join(", ", shapes.Select(s => s.Id))}."];
        // A programme set up by hand, with no package's shapes, keeps the one rule there was before shapes were stored.
        if (shapes.Count == 0 && request.Shape == "pair"
            && (members.Count(m => m.Role == "mentor") != 1 || members.Count(m => m.Role == "mentee") != 1))
            errors["members"] = ["A pair has one mentor and one mentee."];
        if (members.GroupBy(m => m.CityId).Any(g => g.Count() > 1)) errors["members"] = ["A city has one role in a group."];
        var cityIds = members.Select(m => m.CityId).Distinct().ToList();
        var known = await db.ProgrammeMembers.Where(m => m.ProgrammeId == programmeId && cityIds.Contains(m.CityId)).Select(m => m.CityId).ToListAsync(ct);
        var strangers = cityIds.Except(known).Select(stranger => (stranger, Line: new PageText("{0} is not a member of this programme.", stranger))).ToList();
        foreach (var (stranger, line) in strangers) errors[$"members.{stranger}"] = [line.English];
        if (errors.Count > 0)
            return AdminResult<GroupView>.Invalid(errors) with { Lines = strangers.Count == errors.Count ? strangers.Select(s => s.Line).ToList() : null };
        var names = await db.Cities.Where(c => cityIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        if (shape is not null)
        {
            var byRole = members.GroupBy(m => m.Role).ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(m => m.CityId).ToList());
            var violations = GroupShapes.Check(shape, request.Title!.Trim(), byRole, await GroupShapes.PlacedAsync(db, programmeId, ct), names);
            // What the request itself gets wrong (400) comes before what it collides with (409).
            if (violations.Where(v => !v.IsConflict).ToList() is { Count: > 0 } invalid)
                return AdminResult<GroupView>.Invalid(invalid.GroupBy(v => $"members.{v.Role}").ToDictionary(g => g.Key, g => g.Select(v => v.Message).ToArray()))
                    with { Lines = invalid.Select(v => v.Text).ToList() };
            if (violations.FirstOrDefault() is { } taken) return AdminResult<GroupView>.Conflict(taken.Message) with { Lines = [taken.Text] };
        }

        var number = (await db.Groups.Where(g => g.ProgrammeId == programmeId).MaxAsync(g => (int?)g.Number, ct) ?? 0) + 1;
        var group = new Group
        {
            ProgrammeId = programmeId, Number = number, Shape = request.Shape!, Title = request.Title!.Trim(),
            Notes = string.IsNullOrWhiteSpace(request.Notes) ? null : request.Notes.Trim(), WorkflowId = workflow!.Id, InstanceId = Guid.CreateVersion7(),
        };
        db.Groups.Add(group);
        db.GroupMembers.AddRange(members.Select(m => new GroupMember { GroupId = group.Id, CityId = m.CityId, Role = m.Role }));
        await db.SaveChangesAsync(ct);
        await host.StartAsync(db, workflow, programmeId, group, by, ct);
        return AdminResult<GroupView>.Done(new GroupView(group.Id, group.Number, group.Shape, group.Title, group.Notes, group.WorkflowId,
            group.InstanceId, Running, members.Select(m => new GroupMemberView(m.CityId, names[m.CityId], m.Role)).ToList()));
    }

    public static async Task<AdminResult<Guid>> UpdateGroupAsync(MentoringDb db, string programmeId, Guid groupId, UpdateGroupRequest request,
        CancellationToken ct)
    {
        var group = await db.Groups.SingleOrDefaultAsync(g => g.ProgrammeId == programmeId && g.Id == groupId, ct);
        if (group is null) return AdminResult<Guid>.NotFound("There is no such group.");
        if (request.Title is not null && string.IsNullOrWhiteSpace(request.Title)) return AdminResult<Guid>.Invalid("title", "Give the group's title.");
        if (request.Title is not null) group.Title = request.Title.Trim();
        if (request.Notes is not null) group.Notes = request.Notes.Trim() is { Length: > 0 } notes ? notes : null;
        return AdminResult<Guid>.Done(group.Id);
    }

    /// <summary>Removes a group whose workflow is not running (finished, or never started); a running group is refused,
    /// so no work in progress loses its group. Its instance and journal stay, as history.</summary>
    public static async Task<AdminResult<Guid>> RemoveGroupAsync(MentoringDb db, string programmeId, Guid groupId, CancellationToken ct)
    {
        var group = await db.Groups.SingleOrDefaultAsync(g => g.ProgrammeId == programmeId && g.Id == groupId, ct);
        if (group is null) return AdminResult<Guid>.NotFound("There is no such group.");
        if (await db.Instances.AnyAsync(i => i.Id == group.InstanceId && i.Status == Running, ct))
            return AdminResult<Guid>.Conflict($"Group {group.Number} ({group.Title}) is running: it cannot be removed.");
        db.GroupMembers.RemoveRange(await db.GroupMembers.Where(m => m.GroupId == group.Id).ToListAsync(ct));
        db.Groups.Remove(group);
        return AdminResult<Guid>.Done(group.Id);
    }

    // People --------------------------------------------------------------------------------------------------

    public static Task<List<ProgrammePersonView>> PeopleAsync(MentoringDb db, string programmeId, CancellationToken ct) =>
        (from place in db.ProgrammePeople.AsNoTracking()
            where place.ProgrammeId == programmeId
            join p in db.People.AsNoTracking() on place.PersonId equals p.Id
            orderby place.Role, p.Name
            select new ProgrammePersonView(p.Id, p.Name, p.Email, place.Role, place.CityId, place.Organisation, p.Language)).ToListAsync(ct);

    private static readonly string[] PlaceRoles = [PersonRoles.Facilitator, PersonRoles.Coordinator, PersonRoles.Observer];

    /// <summary>A role a person may hold here: facilitator, coordinator, observer, or a programme-scope role one of the
    /// installation's workflows declares.</summary>
    private bool IsPlaceRole(string? role) =>
        role is not null && (PlaceRoles.Contains(role)
                             || definitions.Catalog.All.Any(d => d.Roles.Any(r => r.Scope == RoleScope.Programme && r.Id == role)));

    /// <summary>Checks a role with its city: a coordinator acts for a member city of the programme. Null when fine.</summary>
    private async Task<Dictionary<string, string[]>> PlaceErrorsAsync(MentoringDb db, string programmeId, string? role, string? cityId,
        string? language, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (!IsPlaceRole(role)) errors["role"] = ["Choose a role."];
        if (role == PersonRoles.Coordinator
            && (cityId is null || !await db.ProgrammeMembers.AnyAsync(m => m.ProgrammeId == programmeId && m.CityId == cityId, ct)))
            errors["cityId"] = ["A coordinator needs a city."];
        if (language is not null && !IsLanguage(language)) errors["language"] = ["Choose one of the listed languages."];
        return errors;
    }

    /// <summary>Adds a person to the programme, and invites them when asked. Somebody already in the installation with
    /// that address gets a place in this programme (the person is not made twice); somebody already in this programme
    /// is a conflict.</summary>
    public async Task<AdminResult<ProgrammePersonView>> AddPersonAsync(MentoringDb db, string programmeId, ClaimsPrincipal by,
        AddProgrammePersonRequest request, DateTimeOffset now, CancellationToken ct)
    {
        var cityId = string.IsNullOrWhiteSpace(request.CityId) ? null : request.CityId.Trim();
        var errors = await PlaceErrorsAsync(db, programmeId, request.Role, cityId, request.Language ?? "", ct);
        if (!MailAddress.TryCreate(request.Email?.Trim(), out _)) errors["email"] = ["Give a valid email address."];
        var email = EmailAddress.Normalise(request.Email);
        var person = errors.ContainsKey("email") ? null : await db.People.WithEmail(email).SingleOrDefaultAsync(ct);
        if (person is null && string.IsNullOrWhiteSpace(request.Name)) errors["name"] = ["Give the person's name."];
        var organisation = string.IsNullOrWhiteSpace(request.Organisation) ? null : request.Organisation.Trim();
        if (await AssociationErrorAsync(db, programmeId, organisation, ct) is { } bad) errors["organisation"] = [bad];
        if (errors.Count > 0) return AdminResult<ProgrammePersonView>.Invalid(errors);
        if (person is not null && await db.ProgrammePeople.AnyAsync(p => p.ProgrammeId == programmeId && p.PersonId == person.Id, ct))
            return AdminResult<ProgrammePersonView>.Conflict($"{email} is already in this programme.");
        var city = cityId is null || request.Role != PersonRoles.Coordinator ? null : await db.Cities.SingleAsync(c => c.Id == cityId, ct);
        if (city is not null && organisation is null)
            organisation = await db.ProgrammeMembers.Where(m => m.ProgrammeId == programmeId && m.CityId == city.Id).Select(m => m.Association).SingleAsync(ct);
        if (person is null)
        {
            person = new Person
            {
                Name = request.Name!.Trim(), Email = email, Language = request.Language!, TimeZone = city?.TimeZone ?? "Europe/Brussels",
                CurrentProgramme = programmeId, CreatedAt = now,
            };
            db.People.Add(person);
        }

        var place = new ProgrammePerson { ProgrammeId = programmeId, PersonId = person.Id, Role = request.Role!, CityId = city?.Id, Organisation = organisation };
        db.ProgrammePeople.Add(place);
        if (request.Invite)
        {
            var inviter = await db.People.AsNoTracking().SingleAsync(p => p.Id == by.PersonId(), ct);
            accounts.AddLink(db, person, LinkPurpose.Invitation, inviter, city is null ? place.Role : $"{place.Role}, {city.Name}");
        }

        return AdminResult<ProgrammePersonView>.Done(new ProgrammePersonView(person.Id, person.Name, person.Email, place.Role, place.CityId,
            place.Organisation, person.Language));
    }

    public async Task<AdminResult<ProgrammePersonView>> UpdatePersonAsync(MentoringDb db, string programmeId, Guid personId,
        UpdateProgrammePersonRequest request, CancellationToken ct)
    {
        var place = await db.ProgrammePeople.SingleOrDefaultAsync(p => p.ProgrammeId == programmeId && p.PersonId == personId, ct);
        if (place is null) return AdminResult<ProgrammePersonView>.NotFound("There is no such person in this programme.");
        var person = await db.People.SingleAsync(p => p.Id == personId, ct);
        var role = request.Role ?? place.Role;
        var cityId = request.CityId is null ? place.CityId : request.CityId.Trim() is { Length: > 0 } c ? c : null;
        var errors = await PlaceErrorsAsync(db, programmeId, role, cityId, request.Language, ct);
        if (errors.Count > 0) return AdminResult<ProgrammePersonView>.Invalid(errors);
        place.Role = role;
        place.CityId = role == PersonRoles.Coordinator ? cityId : null;
        if (request.Language is not null) person.Language = request.Language;
        return AdminResult<ProgrammePersonView>.Done(new ProgrammePersonView(person.Id, person.Name, person.Email, place.Role, place.CityId,
            place.Organisation, person.Language));
    }

    /// <summary>Takes a person out of this programme; they stay in their other programmes (and sign in to one of those
    /// next time).</summary>
    public static async Task<AdminResult<Guid>> RemovePersonAsync(MentoringDb db, string programmeId, Guid personId, CancellationToken ct)
    {
        var place = await db.ProgrammePeople.SingleOrDefaultAsync(p => p.ProgrammeId == programmeId && p.PersonId == personId, ct);
        if (place is null) return AdminResult<Guid>.NotFound("There is no such person in this programme.");
        db.ProgrammePeople.Remove(place);
        var person = await db.People.SingleAsync(p => p.Id == personId, ct);
        if (person.CurrentProgramme == programmeId) person.CurrentProgramme = null;
        return AdminResult<Guid>.Done(personId);
    }
}
