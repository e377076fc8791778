using System.Security.Claims;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Inputs;
using Mentoring.Server.Programme;
using Mentoring.Server.Setup;
using Mentoring.Server.Uploads;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Practices;

/// <summary>A practice as proposed or edited: the API's body and the form's fields alike.</summary>
public sealed record PracticeRequest(
    [property: Text(Limits.Line)] string? Title,
    [property: Text(Limits.Line)] string? City,
    [property: Text(Limits.Line)] string? Country,
    [property: Text(Limits.Line)] string? Language,
    [property: Text(Limits.Note, MultiLine = true)] string? Summary,
    [property: Text(Limits.Note, MultiLine = true)] string? Achieves,
    [property: Text(Limits.Comment, MultiLine = true)] string? RunBy,
    [property: Text(Limits.Comment, MultiLine = true)] string? Resources,
    [property: Text(Limits.Note, MultiLine = true)] string? Results,
    [property: Text(Limits.Comment, MultiLine = true)] string? Contact,
    [property: Text(Limits.Line, MaxItems = 10)] IReadOnlyList<string>? Languages,
    [property: Text(Limits.Link, MaxItems = 20)] IReadOnlyList<string>? Links,
    [property: Text(Limits.Line, MaxItems = 10)] IReadOnlyList<string>? Themes,
    [property: Text(Limits.Line, MaxItems = 20)] IReadOnlyList<string>? KeyFactors);

public sealed record PublishPracticeRequest(bool Shared);
public sealed record SendBackPracticeRequest([property: Text(Limits.Comment, MultiLine = true)] string? Reason);

public sealed record PracticeFileView(Guid Id, string FileName, int Size);

/// <summary>A practice as its reader sees it, with what they may do with it.</summary>
public sealed record PracticeView(Guid Id, string ProgrammeId, string Title, string City, string Country, string Language, string Summary,
    string Achieves, string RunBy, string Resources, string Results, string Contact, IReadOnlyList<string> Languages,
    IReadOnlyList<string> Links, IReadOnlyList<string> Themes, IReadOnlyList<string> KeyFactors, IReadOnlyList<PracticeFileView> Files,
    string Status, bool Shared, string? SendBackReason, DateTimeOffset ProposedAt, DateTimeOffset? PublishedAt, bool MayEdit, bool MayPublish);

public sealed record PracticeSummary(Guid Id, string ProgrammeId, string Title, string City, string Country, string Summary,
    IReadOnlyList<string> Themes, string Status, string? SendBackReason);

/// <summary>A page of the library with the themes and cities its filters offer.</summary>
public sealed record PracticeList(IReadOnlyList<PracticeSummary> Practices, IReadOnlyList<string> Themes, IReadOnlyList<string> Cities);

/// <summary>
/// The good-practice library: the one writer of practices, practice_themes, practice_key_factors, practice_files and
/// practice_shows. A practice belongs to the programme it was proposed in. Any city coordinator (and the facilitator)
/// of that programme proposes; its proposer and their city's coordinators follow and edit it until it is published; the
/// programme's facilitator publishes it (choosing whether other programmes may show it) or sends it back with a reason.
/// A published, shared practice appears in another programme's library only once that programme's facilitator shows
/// it there. Whoever cannot read a practice is told it does not exist (404); whoever reads but may not do something, 403.
/// Every method only adds to the caller's context; the caller writes it in one transaction.
/// </summary>
public static class PracticeLibrary
{
    /// <summary>Is the programme in the route the caller's current one (or are they an admin)? Otherwise it does not exist for them.</summary>
    public static async Task<bool> InProgrammeAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, CancellationToken ct) =>
        (user.ProgrammeId() == programmeId || user.IsAdmin()) && await db.Programmes.AnyAsync(p => p.Id == programmeId, ct);

    public static async Task<PracticeList> SearchAsync(MentoringDb db, string programmeId, PracticeQuery query, CancellationToken ct)
    {
        var (ids, themes, cities) = await PracticeSearch.SearchAsync(db, programmeId, query, ct);
        var practices = await SummariesAsync(db, db.Set<Practice>().Where(p => ids.Contains(p.Id)), ct);
        var order = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        return new PracticeList(practices.OrderBy(p => order[p.Id]).ToList(), themes.Order(StringComparer.Ordinal).ToList(),
            cities.Order(StringComparer.Ordinal).ToList());
    }

    /// <summary>The facilitator's queue: the programme's practices waiting to be published, and those sent back.</summary>
    public static Task<List<PracticeSummary>> QueueAsync(MentoringDb db, string programmeId, CancellationToken ct) =>
        SummariesAsync(db, db.Set<Practice>().Where(p => p.ProgrammeId == programmeId && p.Status != PracticeStatus.Published), ct);

    /// <summary>The caller's own proposals (their city's, for a coordinator) not published yet.</summary>
    public static Task<List<PracticeSummary>> MineAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, CancellationToken ct)
    {
        var me = user.PersonId();
        var city = user.IsInRole(PersonRoles.Coordinator) ? user.CityId() : null;
        return SummariesAsync(db, db.Set<Practice>().Where(p => p.ProgrammeId == programmeId && p.Status != PracticeStatus.Published
            && (p.ProposedBy == me || (city != null && p.ProposedByCity == city))), ct);
    }

    /// <summary>Other programmes' published, shared practices, for a facilitator to show in (or take out of) their library.</summary>
    public static async Task<List<(PracticeSummary Practice, bool Shown)>> OfferedAsync(MentoringDb db, string programmeId, CancellationToken ct)
    {
        var offered = await SummariesAsync(db, db.Set<Practice>().Where(p => p.ProgrammeId != programmeId && p.Status == PracticeStatus.Published && p.Shared), ct);
        var shown = await db.Set<PracticeShow>().Where(s => s.ProgrammeId == programmeId).Select(s => s.PracticeId).ToListAsync(ct);
        return offered.Select(p => (p, shown.Contains(p.Id))).ToList();
    }

    public static async Task<PracticeView?> GetAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, Guid id, CancellationToken ct)
    {
        var practice = await db.Set<Practice>().AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, ct);
        if (practice is null || !await MayReadAsync(db, user, programmeId, practice, ct)) return null;
        return await ViewAsync(db, user, programmeId, practice, ct);
    }

    public static AdminResult<PracticeView> Propose(MentoringDb db, ClaimsPrincipal user, string programmeId, PracticeRequest request,
        DateTimeOffset now)
    {
        if (!user.SeesWholeProgramme() && !user.IsInRole(PersonRoles.Coordinator))
            return Forbidden<PracticeView>("Only a city coordinator or the facilitator proposes a practice.");
        if (Check(request) is { Count: > 0 } errors) return AdminResult<PracticeView>.Invalid(errors);
        var practice = new Practice
        {
            ProgrammeId = programmeId, Title = "", City = "", Country = "", Language = "", Status = PracticeStatus.Proposed,
            ProposedBy = user.PersonId(), ProposedByCity = user.IsInRole(PersonRoles.Coordinator) ? user.CityId() : null,
            ProposedAt = now, UpdatedAt = now,
        };
        Apply(db, practice, request, isNew: true);
        db.Set<Practice>().Add(practice);
        return AdminResult<PracticeView>.Done(ViewOf(practice, request, [], mayEdit: true, mayPublish: user.SeesWholeProgramme()));
    }

    public static async Task<AdminResult<PracticeView>> UpdateAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, Guid id,
        PracticeRequest request, DateTimeOffset now, CancellationToken ct)
    {
        var (practice, refused) = await ForChangeAsync<PracticeView>(db, user, programmeId, id, ct);
        if (refused is not null) return refused;
        if (!MayEdit(user, programmeId, practice!))
            return practice!.ProgrammeId != programmeId ? Forbidden<PracticeView>("Only the programme that owns this practice edits it.")
                : practice.Status == PracticeStatus.Published ? AdminResult<PracticeView>.Conflict("This practice is published: the facilitator edits it now.")
                : Forbidden<PracticeView>("Only its proposer, their city's coordinators and the facilitator edit this practice.");
        if (Check(request) is { Count: > 0 } errors) return AdminResult<PracticeView>.Invalid(errors);
        Apply(db, practice!, request, isNew: false, await db.Set<PracticeTheme>().Where(t => t.PracticeId == id).ToListAsync(ct),
            await db.Set<PracticeKeyFactor>().Where(k => k.PracticeId == id).ToListAsync(ct));
        if (practice!.Status == PracticeStatus.SentBack)
        {
            // Edited after being sent back: it is proposed again, back in the facilitator's queue.
            practice.Status = PracticeStatus.Proposed;
            practice.SendBackReason = null;
            practice.ProposedAt = now;
        }

        Touch(practice, now);
        return AdminResult<PracticeView>.Done(ViewOf(practice, request, await FilesAsync(db, id, ct), true, user.SeesWholeProgramme()));
    }

    public static async Task<AdminResult<PracticeView>> PublishAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, Guid id,
        PublishPracticeRequest request, DateTimeOffset now, CancellationToken ct)
    {
        var (practice, refused) = await ForDecisionAsync(db, user, programmeId, id, ct);
        if (refused is not null) return refused;
        if (practice!.Status != PracticeStatus.Published)
        {
            practice.Status = PracticeStatus.Published;
            practice.SendBackReason = null;
            practice.PublishedBy = user.PersonId();
            practice.PublishedAt = now;
        }

        practice.Shared = request.Shared;
        Touch(practice, now);
        return AdminResult<PracticeView>.Done(await ViewAsync(db, user, programmeId, practice, ct));
    }

    public static async Task<AdminResult<PracticeView>> SendBackAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, Guid id,
        SendBackPracticeRequest request, DateTimeOffset now, CancellationToken ct)
    {
        var (practice, refused) = await ForDecisionAsync(db, user, programmeId, id, ct);
        if (refused is not null) return refused;
        if (string.IsNullOrWhiteSpace(request.Reason))
            return AdminResult<PracticeView>.Invalid("reason", "Say why the practice goes back to its proposer.");
        // Sending back a published practice takes it out of every library until it is published again.
        practice!.Status = PracticeStatus.SentBack;
        practice.SendBackReason = request.Reason.Trim();
        practice.PublishedAt = null;
        practice.PublishedBy = null;
        Touch(practice, now);
        return AdminResult<PracticeView>.Done(await ViewAsync(db, user, programmeId, practice, ct));
    }

    /// <summary>Shows (or, <paramref name="show"/> false, no longer shows) another programme's shared practice in this
    /// programme's library: its facilitator's decision alone.</summary>
    public static async Task<AdminResult<PracticeSummary>> ShowAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, Guid id,
        bool show, DateTimeOffset now, CancellationToken ct)
    {
        var practice = await db.Set<Practice>().AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, ct);
        if (practice is null || practice.ProgrammeId == programmeId || practice.Status != PracticeStatus.Published || !practice.Shared)
            return AdminResult<PracticeSummary>.NotFound("There is no such practice shared by another programme.");
        if (!user.SeesWholeProgramme()) return Forbidden<PracticeSummary>("Only the facilitator decides what the library shows.");
        var existing = await db.Set<PracticeShow>().SingleOrDefaultAsync(s => s.PracticeId == id && s.ProgrammeId == programmeId, ct);
        if (show && existing is null)
            db.Set<PracticeShow>().Add(new PracticeShow { PracticeId = id, ProgrammeId = programmeId, ShownBy = user.PersonId(), ShownAt = now });
        if (!show && existing is not null) db.Set<PracticeShow>().Remove(existing);
        var summary = (await SummariesAsync(db, db.Set<Practice>().Where(p => p.Id == id), ct)).Single();
        return AdminResult<PracticeSummary>.Done(summary);
    }

    /// <summary>Attaches a checked upload; the file is stored by Uploads/ in the same transaction.</summary>
    public static async Task<AdminResult<PracticeFileView>> AttachAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, Guid id,
        PendingUpload upload, DateTimeOffset now, CancellationToken ct)
    {
        var (practice, refused) = await ForChangeAsync<PracticeFileView>(db, user, programmeId, id, ct);
        if (refused is not null) return refused;
        if (!MayEdit(user, programmeId, practice!)) return Forbidden<PracticeFileView>("Only those who may edit this practice add files to it.");
        UploadedFiles.AddUnattached(db, upload, user.PersonId(), now);
        db.Set<PracticeFile>().Add(new PracticeFile { PracticeId = id, FileId = upload.Id });
        Touch(practice!, now);
        return AdminResult<PracticeFileView>.Done(new PracticeFileView(upload.Id, upload.FileName, upload.Content.Length));
    }

    /// <summary>For GET /files/{id}: null when the file is no practice's; else whether the reader may read that practice
    /// in their current programme.</summary>
    public static async Task<bool?> MayReadFileAsync(MentoringDb db, ClaimsPrincipal user, Guid fileId, CancellationToken ct)
    {
        var practiceId = await db.Set<PracticeFile>().Where(f => f.FileId == fileId).Select(f => (Guid?)f.PracticeId).SingleOrDefaultAsync(ct);
        if (practiceId is null) return null;
        var practice = await db.Set<Practice>().AsNoTracking().SingleAsync(p => p.Id == practiceId, ct);
        return await MayReadAsync(db, user, user.ProgrammeId(), practice, ct);
    }

    private static async Task<bool> MayReadAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, Practice practice, CancellationToken ct)
    {
        if (practice.ProgrammeId == programmeId)
            return practice.Status == PracticeStatus.Published || user.SeesWholeProgramme() || IsProposers(user, practice);
        return practice.Status == PracticeStatus.Published && practice.Shared
            && await db.Set<PracticeShow>().AnyAsync(s => s.PracticeId == practice.Id && s.ProgrammeId == programmeId, ct);
    }

    private static bool IsProposers(ClaimsPrincipal user, Practice practice) =>
        practice.ProposedBy == user.PersonId()
        || (user.IsInRole(PersonRoles.Coordinator) && practice.ProposedByCity is { } city && user.CityId() == city);

    private static bool MayEdit(ClaimsPrincipal user, string programmeId, Practice practice) =>
        practice.ProgrammeId == programmeId
        && (user.SeesWholeProgramme() || (practice.Status != PracticeStatus.Published && IsProposers(user, practice)));

    private static async Task<(Practice?, AdminResult<T>?)> ForChangeAsync<T>(MentoringDb db, ClaimsPrincipal user, string programmeId,
        Guid id, CancellationToken ct)
    {
        var practice = await db.Set<Practice>().SingleOrDefaultAsync(p => p.Id == id, ct);
        return practice is null || !await MayReadAsync(db, user, programmeId, practice, ct)
            ? (null, AdminResult<T>.NotFound("There is no such practice."))
            : (practice, null);
    }

    /// <summary>Publishing and sending back: the owner programme's facilitator (or an admin) only.</summary>
    private static async Task<(Practice?, AdminResult<PracticeView>?)> ForDecisionAsync(MentoringDb db, ClaimsPrincipal user,
        string programmeId, Guid id, CancellationToken ct)
    {
        var (practice, refused) = await ForChangeAsync<PracticeView>(db, user, programmeId, id, ct);
        if (refused is not null) return (null, refused);
        if (!user.SeesWholeProgramme() || practice!.ProgrammeId != programmeId)
            return (null, Forbidden<PracticeView>("Only the facilitator of the programme that owns this practice publishes it or sends it back."));
        return (practice, null);
    }

    private static AdminResult<T> Forbidden<T>(string detail) => new(AdminOutcome.Forbidden, Detail: detail);

    private static void Touch(Practice practice, DateTimeOffset now)
    {
        practice.UpdatedAt = now;
        practice.Version++;
    }

    /// <summary>Every field's problem, in English (the keys of their translations); empty when the request is fine.</summary>
    public static Dictionary<string, string[]> Check(PracticeRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Title)) errors["title"] = ["Give the practice a title."];
        if (string.IsNullOrWhiteSpace(request.City)) errors["city"] = ["Say which city runs the practice."];
        if (request.Country?.Trim() is not { Length: 2 } country || !country.All(char.IsAsciiLetterUpper))
            errors["country"] = ["The country is a two-letter code in capitals, such as BE or GR."];
        if (request.Language is { } language && !PracticeSearch.Configurations.ContainsKey(language))
            errors["language"] = ["The language of the description is one of en, el, fr, nl, it, es, lv."];
        if ((request.Links ?? []).Any(l => !Uri.TryCreate(l.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            errors["links"] = ["Each link is a web address starting with http:// or https://."];
        if ((request.Languages ?? []).Any(l => l.Trim() is not { Length: 2 or 3 } code || !code.All(char.IsAsciiLetterLower)))
            errors["languages"] = ["Each language is a two- or three-letter code in small letters, such as fr."];
        return errors;
    }

    private static List<string> Clean(IReadOnlyList<string>? values) =>
        (values ?? []).Select(v => v.Trim()).Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Sets the practice's fields from the request; its themes and key factors become the request's, changing
    /// the rows given (<paramref name="themes"/>, <paramref name="factors"/>: tracked, those it has now) only where they differ.</summary>
    internal static void Apply(MentoringDb db, Practice practice, PracticeRequest request, bool isNew,
        IReadOnlyList<PracticeTheme>? themes = null, IReadOnlyList<PracticeKeyFactor>? factors = null)
    {
        practice.Title = request.Title!.Trim();
        practice.City = request.City!.Trim();
        practice.Country = request.Country!.Trim();
        practice.Language = request.Language ?? "en";
        practice.Summary = request.Summary?.Trim() ?? "";
        practice.Achieves = request.Achieves?.Trim() ?? "";
        practice.RunBy = request.RunBy?.Trim() ?? "";
        practice.Resources = request.Resources?.Trim() ?? "";
        practice.Results = request.Results?.Trim() ?? "";
        practice.Contact = request.Contact?.Trim() ?? "";
        practice.Languages = Clean(request.Languages);
        practice.Links = Clean(request.Links);
        var wanted = Clean(request.Themes);
        themes ??= [];
        db.Set<PracticeTheme>().RemoveRange(themes.Where(t => !wanted.Contains(t.Theme)));
        foreach (var theme in wanted.Where(w => themes.All(t => t.Theme != w)))
            db.Set<PracticeTheme>().Add(new PracticeTheme { PracticeId = practice.Id, Theme = theme });
        var names = Clean(request.KeyFactors);
        factors ??= [];
        for (var position = 0; position < names.Count; position++)
        {
            if (factors.FirstOrDefault(k => k.Position == position) is { } factor) factor.Name = names[position];
            else db.Set<PracticeKeyFactor>().Add(new PracticeKeyFactor { PracticeId = practice.Id, Position = position, Name = names[position] });
        }

        db.Set<PracticeKeyFactor>().RemoveRange(factors.Where(k => k.Position >= names.Count));
        if (isNew) practice.Version = 1;
    }

    /// <summary>Whether the practice already says what the request says (a package imported again changes nothing).</summary>
    internal static bool Same(Practice p, PracticeRequest r, IEnumerable<string> themes, IEnumerable<string> factors) =>
        p.Title == r.Title?.Trim() && p.City == r.City?.Trim() && p.Country == r.Country?.Trim() && p.Language == (r.Language ?? "en")
        && p.Summary == (r.Summary?.Trim() ?? "") && p.Achieves == (r.Achieves?.Trim() ?? "") && p.RunBy == (r.RunBy?.Trim() ?? "")
        && p.Resources == (r.Resources?.Trim() ?? "") && p.Results == (r.Results?.Trim() ?? "") && p.Contact == (r.Contact?.Trim() ?? "")
        && p.Languages.SequenceEqual(Clean(r.Languages)) && p.Links.SequenceEqual(Clean(r.Links))
        && themes.Order(StringComparer.Ordinal).SequenceEqual(Clean(r.Themes).Order(StringComparer.Ordinal))
        && factors.SequenceEqual(Clean(r.KeyFactors));

    private static PracticeView ViewOf(Practice p, PracticeRequest request, IReadOnlyList<PracticeFileView> files, bool mayEdit, bool mayPublish) =>
        new(p.Id, p.ProgrammeId, p.Title, p.City, p.Country, p.Language, p.Summary, p.Achieves, p.RunBy, p.Resources, p.Results, p.Contact,
            p.Languages, p.Links, Clean(request.Themes), Clean(request.KeyFactors), files, p.Status, p.Shared, p.SendBackReason, p.ProposedAt,
            p.PublishedAt, mayEdit, mayPublish);

    private static async Task<PracticeView> ViewAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, Practice p, CancellationToken ct)
    {
        var themes = await db.Set<PracticeTheme>().Where(t => t.PracticeId == p.Id).Select(t => t.Theme).OrderBy(t => t).ToListAsync(ct);
        var factors = await db.Set<PracticeKeyFactor>().Where(k => k.PracticeId == p.Id).OrderBy(k => k.Position).Select(k => k.Name).ToListAsync(ct);
        var request = new PracticeRequest(null, null, null, null, null, null, null, null, null, null, null, null, themes, factors);
        return ViewOf(p, request, await FilesAsync(db, p.Id, ct), MayEdit(user, programmeId, p),
            user.SeesWholeProgramme() && p.ProgrammeId == programmeId);
    }

    private static Task<List<PracticeFileView>> FilesAsync(MentoringDb db, Guid id, CancellationToken ct) =>
        db.Set<UploadedFile>().Where(u => db.Set<PracticeFile>().Any(f => f.PracticeId == id && f.FileId == u.Id))
            .OrderBy(u => u.FileName).Select(u => new PracticeFileView(u.Id, u.FileName, u.Size)).ToListAsync(ct);

    private static async Task<List<PracticeSummary>> SummariesAsync(MentoringDb db, IQueryable<Practice> practices, CancellationToken ct)
    {
        // The themes in the same query (one round trip), not a second one by the practices' ids.
        var rows = await practices.AsNoTracking().OrderBy(p => p.Title)
            .Select(p => new
            {
                p.Id, p.ProgrammeId, p.Title, p.City, p.Country, p.Summary, p.Status, p.SendBackReason,
                Themes = db.Set<PracticeTheme>().Where(t => t.PracticeId == p.Id).Select(t => t.Theme).ToList(),
            }).ToListAsync(ct);
        return rows.Select(r => new PracticeSummary(r.Id, r.ProgrammeId, r.Title, r.City, r.Country, r.Summary,
            r.Themes.Order(StringComparer.Ordinal).ToList(), r.Status, r.SendBackReason)).ToList();
    }
}
