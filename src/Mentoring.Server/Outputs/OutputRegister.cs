using System.Security.Claims;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Inputs;
using Mentoring.Server.Programme;
using Mentoring.Server.Setup;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Outputs;

/// <summary>An output as given: <see cref="OwnedBy"/> is a member city's id or "programme"; <see cref="Checklist"/> lists the
/// items of <see cref="OutputLists.Checklist"/> the one-stop-shop gives (only for that kind).</summary>
public sealed record OutputRequest([property: Text(Limits.Line)] string? Title, string? Kind, string? OwnedBy, string? Status,
    [property: Text(Limits.Line)] string? Link, [property: Text(8, MaxItems = 40)] IReadOnlyList<string>? Languages,
    [property: Text(40, MaxItems = 12)] IReadOnlyList<string>? Checklist);

public sealed record ChecklistItem(string Item, bool Present);

/// <summary>An output as its readers see it; <see cref="MayEdit"/> says whether the reader may change it.</summary>
public sealed record OutputView(Guid Id, string Kind, string Title, string Owner, string OwnerName, string Status, string? Link, Guid? FileId,
    string? FileName, IReadOnlyList<string> Languages, IReadOnlyList<ChecklistItem>? Checklist, bool MayEdit, DateTimeOffset UpdatedAt);

/// <summary>The owners a reader may file outputs under, with their names: what the page's form offers.</summary>
public sealed record OutputOwner(string Id, string Name);

public sealed record OutputRegisterView(string ProgrammeId, IReadOnlyList<OutputView> Outputs, IReadOnlyList<OutputOwner> Owners,
    IReadOnlyList<OutputOwner> EditableOwners);

public sealed record OutputFilter(string? Kind, string? Status, string? City);

public sealed record OutputChange(Guid Id);

/// <summary>
/// The outputs register, the one writer of <c>outputs</c>. Everybody of the programme reads it; a city's coordinator
/// adds and edits their own city's outputs; the facilitator (and an admin) every output, the programme's own included.
/// Another city's output is refused to a coordinator (403); another programme's register is not there (404). Each method
/// only adds to or updates in the caller's context; the caller makes it one transaction.
/// </summary>
public static class OutputRegister
{
    private static bool InProgramme(ClaimsPrincipal user, string programmeId) => programmeId == user.ProgrammeId();

    private static async Task<bool> ProgrammeIsVisibleAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, CancellationToken ct) =>
        InProgramme(user, programmeId) || (user.IsAdmin() && await db.Programmes.AnyAsync(p => p.Id == programmeId, ct));

    public static bool MayEdit(ClaimsPrincipal user, string owner) =>
        user.SeesWholeProgramme() || (user.IsInRole(PersonRoles.Coordinator) && owner != OutputLists.ProgrammeOwner && owner == user.CityId());

    private static string NotHere(string programmeId) => $"There is no programme '{programmeId}' among yours: switch to it first.";

    private static async Task<List<OutputOwner>> OwnersAsync(MentoringDb db, string programmeId, CancellationToken ct)
    {
        var cities = await (from m in db.ProgrammeMembers
                            join c in db.Cities on m.CityId equals c.Id
                            where m.ProgrammeId == programmeId
                            orderby c.Name
                            select new OutputOwner(c.Id, c.Name)).ToListAsync(ct);
        var name = await db.Programmes.Where(p => p.Id == programmeId).Select(p => p.Name).SingleAsync(ct);
        return [new OutputOwner(OutputLists.ProgrammeOwner, name), .. cities];
    }

    public static async Task<AdminResult<OutputRegisterView>> ListAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, OutputFilter filter,
        CancellationToken ct)
    {
        if (!await ProgrammeIsVisibleAsync(db, user, programmeId, ct)) return AdminResult<OutputRegisterView>.NotFound(NotHere(programmeId));
        var owners = await OwnersAsync(db, programmeId, ct);
        var query = db.Set<OutputRecord>().AsNoTracking().Where(o => o.ProgrammeId == programmeId);
        if (!string.IsNullOrEmpty(filter.Kind)) query = query.Where(o => o.Kind == filter.Kind);
        if (!string.IsNullOrEmpty(filter.Status)) query = query.Where(o => o.Status == filter.Status);
        if (filter.City == OutputLists.ProgrammeOwner) query = query.Where(o => o.CityId == null);
        else if (!string.IsNullOrEmpty(filter.City)) query = query.Where(o => o.CityId == filter.City);
        var rows = await (from o in query
                          join f in db.Set<Uploads.UploadedFile>() on o.FileId equals f.Id into files
                          from f in files.DefaultIfEmpty()
                          select new { o, FileName = f == null ? null : f.FileName }).ToListAsync(ct);
        var names = owners.ToDictionary(o => o.Id, o => o.Name);
        var outputs = rows.Select(r => View(r.o, r.FileName, names, user))
            .OrderBy(o => o.Owner == OutputLists.ProgrammeOwner ? 0 : 1).ThenBy(o => o.OwnerName, StringComparer.CurrentCultureIgnoreCase)
            .ThenBy(o => o.Title, StringComparer.CurrentCultureIgnoreCase).ThenBy(o => o.Id).ToList();
        return AdminResult<OutputRegisterView>.Done(new OutputRegisterView(programmeId, outputs, owners, owners.Where(o => MayEdit(user, o.Id)).ToList()));
    }

    public static async Task<AdminResult<OutputView>> GetAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, Guid id, CancellationToken ct)
    {
        var list = await ListAsync(db, user, programmeId, new OutputFilter(null, null, null), ct);
        if (list.Outcome != AdminOutcome.Done) return list.As<OutputView>();
        return list.Value!.Outputs.FirstOrDefault(o => o.Id == id) is { } found
            ? AdminResult<OutputView>.Done(found)
            : AdminResult<OutputView>.NotFound("There is no such output in this programme.");
    }

    private static OutputView View(OutputRecord o, string? fileName, IReadOnlyDictionary<string, string> names, ClaimsPrincipal user)
    {
        var owner = o.CityId ?? OutputLists.ProgrammeOwner;
        var present = Split(o.Checklist);
        return new OutputView(o.Id, o.Kind, o.Title, owner, names.GetValueOrDefault(owner, owner), o.Status, o.Link, o.FileId, fileName,
            Split(o.Languages), o.Checklist is null ? null : OutputLists.Checklist.Select(i => new ChecklistItem(i, present.Contains(i))).ToList(),
            MayEdit(user, owner), o.UpdatedAt);
    }

    private static List<string> Split(string? codes) => string.IsNullOrEmpty(codes) ? [] : codes.Split(',').ToList();

    private static void Add(Dictionary<string, string[]> errors, string field, string error) =>
        errors[field] = [.. errors.GetValueOrDefault(field) ?? [], error];

    private static Dictionary<string, string[]> Check(OutputRequest request, IReadOnlyList<OutputOwner> owners, DateTimeOffset now)
    {
        var errors = Input.Problem(Input.Check(request, now));
        if (string.IsNullOrWhiteSpace(request.Title)) Add(errors, "title", "Give the output's title.");
        if (request.Kind is null || !OutputLists.Kinds.Contains(request.Kind))
            Add(errors, "kind", "Choose the kind of output: " + string.Join(", ", OutputLists.Kinds) + ".");
        if (request.Status is null || !OutputLists.Statuses.Contains(request.Status))
            Add(errors, "status", "Choose the output's status: " + string.Join(", ", OutputLists.Statuses) + ".");
        if (request.OwnedBy is null || owners.All(o => o.Id != request.OwnedBy))
            Add(errors, "ownedBy", "Choose who owns the output: the programme or one of its member cities.");
        if (!string.IsNullOrWhiteSpace(request.Link)
            && !(Uri.TryCreate(request.Link.Trim(), UriKind.Absolute, out var link) && link.Scheme is "http" or "https"))
            Add(errors, "link", "A link is a web address beginning with http:// or https://.");
        if ((request.Languages ?? []).Any(l => l is null || !OutputLists.LanguageCodes.Contains(l)))
            Add(errors, "languages", "Give each language as its two-letter ISO 639-1 code, such as en, fr or ar.");
        if (request.Checklist is { } checklist)
        {
            if (request.Kind != OutputLists.OneStopShop) Add(errors, "checklist", "Only a one-stop-shop has a checklist of the information migrants need.");
            else if (checklist.Any(i => i is null || !OutputLists.Checklist.Contains(i)))
                Add(errors, "checklist", "The checklist's items are: " + string.Join(", ", OutputLists.Checklist) + ".");
        }

        return errors;
    }

    private static void Apply(OutputRecord output, OutputRequest request, DateTimeOffset now)
    {
        output.Title = request.Title!.Trim();
        output.Kind = request.Kind!;
        output.Status = request.Status!;
        output.CityId = request.OwnedBy == OutputLists.ProgrammeOwner ? null : request.OwnedBy;
        output.Link = string.IsNullOrWhiteSpace(request.Link) ? null : request.Link.Trim();
        output.Languages = string.Join(',', (request.Languages ?? []).Distinct());
        output.Checklist = request.Kind == OutputLists.OneStopShop
            ? string.Join(',', OutputLists.Checklist.Where(i => (request.Checklist ?? []).Contains(i)))
            : null;
        output.UpdatedAt = now;
    }

    private static AdminResult<OutputChange> NotYours() =>
        new(AdminOutcome.Forbidden, Detail: "A coordinator adds and edits their own city's outputs; the facilitator those of every city and the programme's.");

    public static async Task<AdminResult<OutputChange>> AddAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, OutputRequest request,
        DateTimeOffset now, CancellationToken ct)
    {
        if (!await ProgrammeIsVisibleAsync(db, user, programmeId, ct)) return AdminResult<OutputChange>.NotFound(NotHere(programmeId));
        if (!user.SeesWholeProgramme() && !user.IsInRole(PersonRoles.Coordinator)) return NotYours();
        var owners = await OwnersAsync(db, programmeId, ct);
        if (Check(request, owners, now) is { Count: > 0 } errors) return AdminResult<OutputChange>.Invalid(errors);
        if (!MayEdit(user, request.OwnedBy!)) return NotYours();
        var output = new OutputRecord { ProgrammeId = programmeId, CreatedBy = user.PersonId(), CreatedAt = now };
        Apply(output, request, now);
        db.Set<OutputRecord>().Add(output);
        return AdminResult<OutputChange>.Done(new OutputChange(output.Id));
    }

    /// <summary>An output of the programme the caller may change, or the refusal: another programme's or an unknown id
    /// is not there, another city's is not theirs.</summary>
    private static async Task<(OutputRecord? Output, AdminResult<OutputChange>? Refusal)> EditableAsync(MentoringDb db, ClaimsPrincipal user,
        string programmeId, Guid id, CancellationToken ct)
    {
        if (!await ProgrammeIsVisibleAsync(db, user, programmeId, ct)) return (null, AdminResult<OutputChange>.NotFound(NotHere(programmeId)));
        var output = await db.Set<OutputRecord>().SingleOrDefaultAsync(o => o.Id == id && o.ProgrammeId == programmeId, ct);
        if (output is null) return (null, AdminResult<OutputChange>.NotFound("There is no such output in this programme."));
        return MayEdit(user, output.CityId ?? OutputLists.ProgrammeOwner) ? (output, null) : (null, NotYours());
    }

    public static async Task<AdminResult<OutputChange>> UpdateAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, Guid id,
        OutputRequest request, DateTimeOffset now, CancellationToken ct)
    {
        var (output, refusal) = await EditableAsync(db, user, programmeId, id, ct);
        if (output is null) return refusal!;
        var owners = await OwnersAsync(db, programmeId, ct);
        if (Check(request, owners, now) is { Count: > 0 } errors) return AdminResult<OutputChange>.Invalid(errors);
        if (!MayEdit(user, request.OwnedBy!)) return NotYours();
        Apply(output, request, now);
        return AdminResult<OutputChange>.Done(new OutputChange(output.Id));
    }

    /// <summary>Attaches a checked upload to the output (replacing any earlier file's link to it).</summary>
    public static async Task<AdminResult<OutputChange>> AttachAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, Guid id,
        Uploads.PendingUpload upload, DateTimeOffset now, CancellationToken ct)
    {
        var (output, refusal) = await EditableAsync(db, user, programmeId, id, ct);
        if (output is null) return refusal!;
        Uploads.UploadedFiles.AddUnattached(db, upload, user.PersonId(), now);
        output.FileId = upload.Id;
        output.UpdatedAt = now;
        return AdminResult<OutputChange>.Done(new OutputChange(output.Id));
    }

    /// <summary>The output's file for whoever reads the register.</summary>
    public static async Task<AdminResult<Uploads.UploadedFile>> FileAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, Guid id,
        CancellationToken ct)
    {
        if (!await ProgrammeIsVisibleAsync(db, user, programmeId, ct)) return AdminResult<Uploads.UploadedFile>.NotFound(NotHere(programmeId));
        var file = await (from o in db.Set<OutputRecord>()
                          where o.Id == id && o.ProgrammeId == programmeId
                          join f in db.Set<Uploads.UploadedFile>() on o.FileId equals f.Id
                          select f).AsNoTracking().SingleOrDefaultAsync(ct);
        return file is null ? AdminResult<Uploads.UploadedFile>.NotFound("This output has no file.") : AdminResult<Uploads.UploadedFile>.Done(file);
    }

    /// <summary>The register's outputs counted by status, per owner: what the funder's report shows.</summary>
    public static async Task<List<(string Owner, string Kind, string Status)>> FiguresAsync(MentoringDb db, string programmeId, CancellationToken ct) =>
        (await db.Set<OutputRecord>().AsNoTracking().Where(o => o.ProgrammeId == programmeId).Select(o => new { o.CityId, o.Kind, o.Status }).ToListAsync(ct))
        .Select(o => (o.CityId ?? OutputLists.ProgrammeOwner, o.Kind, o.Status)).ToList();
}
