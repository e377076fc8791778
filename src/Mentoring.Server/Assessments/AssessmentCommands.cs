using System.Security.Claims;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Assessments;

public enum AssessmentOutcome { Done, Invalid, NotFound, Forbidden, Conflict }

/// <summary>What an assessment command or read came to; each transport says it its own way (problem details, a page
/// message).</summary>
public sealed record AssessmentResult<T>(AssessmentOutcome Outcome, T? Value = default, string? Title = null, string? Detail = null,
    IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public static AssessmentResult<T> Done(T value) => new(AssessmentOutcome.Done, value);

    public static AssessmentResult<T> Fail(AssessmentOutcome outcome, string title, string? detail = null,
        IReadOnlyDictionary<string, string[]>? errors = null) => new(outcome, default, title, detail, errors);

    public AssessmentResult<TOther> As<TOther>() => new(Outcome, default, Title, Detail, Errors);
}

/// <summary>An answer as the API and the page send it: a scale's level, a choice's option id(s), or a text.</summary>
public sealed record AnswerRequest(int? Level, List<string>? Options, string? Text)
{
    public AssessmentAnswer ToAnswer() => new(Level, Options ?? [], Text);
}

public sealed record SaveAssessmentRequest(Dictionary<string, AnswerRequest>? Answers)
{
    public Dictionary<string, AssessmentAnswer> ToAnswers() =>
        (Answers ?? []).ToDictionary(a => a.Key, a => a.Value?.ToAnswer() ?? new AssessmentAnswer(null, [], null), StringComparer.Ordinal);
}

public sealed record ShareRequest(bool? Shared);

/// <summary>One city's assessment as its reader may see it. <see cref="Status"/>: none (nothing saved yet), draft or
/// submitted; <see cref="Profile"/> once submitted.</summary>
public sealed record AssessmentView(string ProgrammeId, string CityId, string CityName, string Status, bool Editable, bool Shared,
    DateTimeOffset? UpdatedAt, string? UpdatedBy, DateTimeOffset? SubmittedAt, string? SubmittedBy,
    IReadOnlyDictionary<string, AssessmentAnswer> Answers, IReadOnlyList<ThemeProfile> Profile);

/// <summary>The facilitator's view of every member city's assessment.</summary>
public sealed record AssessmentOverview(string ProgrammeId, string QuestionnaireId, bool Shared, DateTimeOffset? SharedAt,
    IReadOnlyList<QuestionnaireTheme> Themes, IReadOnlyList<CityAssessmentSummary> Cities);

public sealed record CityAssessmentSummary(string CityId, string CityName, string Status, DateTimeOffset? SubmittedAt, string? SubmittedBy,
    IReadOnlyList<ThemeProfile> Profile);

/// <summary>Who may do what with one city's assessment.</summary>
public enum AssessmentAccess { Own, Facilitator, Shared }

/// <summary>The caller's access to one city's assessment, with the programme's questionnaire and the city's name.</summary>
public sealed record AccessGrant(AssessmentAccess Access, Questionnaire Questionnaire, string CityName);

/// <summary>
/// The one writer of <c>assessments</c> and <c>assessment_answers</c> (and of a questionnaire's sharing): a city saves
/// its draft and submits it, the facilitator reopens a submitted one and shares the submitted answers with every city.
/// Each change is one transaction, checked against the row's revision, so two requests at once (two nodes) cannot
/// both win; nothing is written when a command is refused. Typed and transport-free: the API and the pages map the
/// outcome their own way.
/// </summary>
public sealed class AssessmentCommands(IDbContextFactory<MentoringDb> dbs, TimeProvider clock)
{
    public const string AnsweredRequired = "Required: not answered.";

    /// <summary>Who the caller is for this city's assessment, with the questionnaire; another programme, one without a
    /// questionnaire or a city that is not its member is not there (404); another city's, before the facilitator
    /// shared the answers, is 403.</summary>
    public static async Task<AccessGrant?> AccessAsync(MentoringDb db, ClaimsPrincipal user,
        string programmeId, string cityId, CancellationToken ct, Action<AssessmentOutcome, string, string>? refused = null)
    {
        void Refuse(AssessmentOutcome outcome, string title, string detail) => refused?.Invoke(outcome, title, detail);
        if (programmeId != user.ProgrammeId() && !(user.IsAdmin() && await db.Programmes.AnyAsync(p => p.Id == programmeId, ct)))
        {
            Refuse(AssessmentOutcome.NotFound, "No such programme", $"There is no programme '{programmeId}' here.");
            return null;
        }

        if (await AssessmentQueries.QuestionnaireAsync(db, programmeId, ct) is not { } questionnaire)
        {
            Refuse(AssessmentOutcome.NotFound, "No questionnaire", $"The programme '{programmeId}' has no needs-assessment questionnaire.");
            return null;
        }

        var city = await (from m in db.ProgrammeMembers
                          join c in db.Cities on m.CityId equals c.Id
                          where m.ProgrammeId == programmeId && m.CityId == cityId
                          select c.Name).SingleOrDefaultAsync(ct);
        if (city is null)
        {
            Refuse(AssessmentOutcome.NotFound, "No such city", $"'{cityId}' is not a member city of the programme '{programmeId}'.");
            return null;
        }

        if (user.SeesWholeProgramme()) return new AccessGrant(AssessmentAccess.Facilitator, questionnaire, city);
        if (user.IsInRole(PersonRoles.Coordinator) && user.CityId() == cityId) return new AccessGrant(AssessmentAccess.Own, questionnaire, city);
        var shared = await db.Set<QuestionnaireRecord>().AnyAsync(q => q.ProgrammeId == programmeId && q.SharedAt != null, ct);
        var submitted = await db.Set<AssessmentRecord>()
            .AnyAsync(a => a.ProgrammeId == programmeId && a.CityId == cityId && a.Status == AssessmentStatus.Submitted, ct);
        if (shared && submitted) return new AccessGrant(AssessmentAccess.Shared, questionnaire, city);
        Refuse(AssessmentOutcome.Forbidden, "Not your city's assessment",
            shared ? $"{city} has not submitted its assessment yet." : "You see other cities' answers once they are submitted and the facilitator shares them.");
        return null;
    }

    public async Task<AssessmentResult<AssessmentView>> GetAsync(ClaimsPrincipal user, string programmeId, string cityId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        AssessmentResult<AssessmentView>? refusal = null;
        var access = await AccessAsync(db, user, programmeId, cityId, ct, (o, t, d) => refusal = AssessmentResult<AssessmentView>.Fail(o, t, d));
        if (access is not { } found) return refusal!;
        return AssessmentResult<AssessmentView>.Done(await ViewAsync(db, programmeId, cityId, found.CityName, found.Access, found.Questionnaire, ct));
    }

    private static async Task<AssessmentView> ViewAsync(MentoringDb db, string programmeId, string cityId, string cityName, AssessmentAccess access,
        Questionnaire questionnaire, CancellationToken ct)
    {
        var shared = await db.Set<QuestionnaireRecord>().AnyAsync(q => q.ProgrammeId == programmeId && q.SharedAt != null, ct);
        var record = await db.Set<AssessmentRecord>().AsNoTracking().SingleOrDefaultAsync(a => a.ProgrammeId == programmeId && a.CityId == cityId, ct);
        if (record is null)
            return new AssessmentView(programmeId, cityId, cityName, "none", access == AssessmentAccess.Own, shared, null, null, null, null,
                new Dictionary<string, AssessmentAnswer>(), []);
        var known = questionnaire.Questions.Select(q => q.Id).ToHashSet(StringComparer.Ordinal);
        var answers = (await db.Set<AssessmentAnswerRecord>().AsNoTracking().Where(a => a.AssessmentId == record.Id).ToListAsync(ct))
            .Where(a => known.Contains(a.QuestionId)).ToDictionary(a => a.QuestionId, AssessmentImport.Answer, StringComparer.Ordinal);
        var submitted = record.Status == AssessmentStatus.Submitted;
        return new AssessmentView(programmeId, cityId, cityName, record.Status, access == AssessmentAccess.Own && !submitted, shared,
            record.UpdatedAt, record.UpdatedBy, record.SubmittedAt, record.SubmittedBy, answers,
            submitted ? AssessmentRules.Profile(questionnaire, answers) : []);
    }

    /// <summary>Saves the city's draft: its answers replace the draft's. Only the city's own coordinator; a submitted
    /// assessment is read-only (409) until the facilitator reopens it.</summary>
    public Task<AssessmentResult<AssessmentView>> SaveAsync(ClaimsPrincipal user, string programmeId, string cityId, SaveAssessmentRequest request,
        CancellationToken ct) => ChangeAsync(user, programmeId, cityId, ct, (db, found) => SaveAsync(db, user, programmeId, cityId, found, request.ToAnswers(), false, ct));

    /// <summary>Submits the city's assessment, with <paramref name="request"/>'s answers saved first when it has any;
    /// refused (400) while a required question is unanswered, listing them.</summary>
    public Task<AssessmentResult<AssessmentView>> SubmitAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, string cityId,
        SaveAssessmentRequest? request, CancellationToken ct) =>
        InAsync(db, user, programmeId, cityId, ct, found => SaveAsync(db, user, programmeId, cityId, found, request?.Answers is null ? null : request.ToAnswers(), true, ct));

    private async Task<AssessmentResult<AssessmentView>> SaveAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, string cityId,
        AccessGrant found, Dictionary<string, AssessmentAnswer>? answers, bool submit,
        CancellationToken ct)
    {
        if (found.Access != AssessmentAccess.Own)
            return AssessmentResult<AssessmentView>.Fail(AssessmentOutcome.Forbidden, "Not your city's assessment",
                "Only the city's own coordinator fills in and submits its assessment.");
        if (answers is not null && AssessmentRules.Check(found.Questionnaire, answers) is { Count: > 0 } errors)
            return AssessmentResult<AssessmentView>.Fail(AssessmentOutcome.Invalid, "The answers do not fit the questionnaire.", errors: errors);

        var now = clock.GetUtcNow();
        var name = user.Identity?.Name ?? user.PersonId().ToString();
        var record = await db.Set<AssessmentRecord>().SingleOrDefaultAsync(a => a.ProgrammeId == programmeId && a.CityId == cityId, ct);
        if (record is null)
        {
            record = new AssessmentRecord { ProgrammeId = programmeId, CityId = cityId, Revision = 0, UpdatedAt = now, UpdatedBy = name };
            db.Set<AssessmentRecord>().Add(record);
            // Written now, so two first saves at once meet at the unique index and one of them is retried.
            await db.SaveChangesAsync(ct);
        }
        else if (record.Status == AssessmentStatus.Submitted)
            return AssessmentResult<AssessmentView>.Fail(AssessmentOutcome.Conflict, "Already submitted",
                $"{found.CityName}'s assessment was submitted on {record.SubmittedAt:yyyy-MM-dd HH:mm} UTC by {record.SubmittedBy}; " +
                "it is read-only unless the facilitator reopens it.");

        var stored = (await db.Set<AssessmentAnswerRecord>().AsNoTracking().Where(a => a.AssessmentId == record.Id).ToListAsync(ct))
            .ToDictionary(a => a.QuestionId, AssessmentImport.Answer, StringComparer.Ordinal);
        var final = answers ?? stored;
        if (submit && AssessmentRules.Unanswered(found.Questionnaire, final) is { Count: > 0 } missing)
            return AssessmentResult<AssessmentView>.Fail(AssessmentOutcome.Invalid, "Required questions are not answered.",
                $"Answer {string.Join(", ", missing.Select(q => q.Id))} before submitting.",
                missing.ToDictionary(q => "answers." + q.Id, _ => new[] { AnsweredRequired }));

        // The revision guard: whoever changed the row since it was read (a submit, a reopen, another save) wins, this loses.
        var revision = record.Revision;
        var changed = await db.Set<AssessmentRecord>()
            .Where(a => a.Id == record.Id && a.Revision == revision && a.Status == AssessmentStatus.Draft)
            .ExecuteUpdateAsync(set => set.SetProperty(a => a.Revision, revision + 1).SetProperty(a => a.UpdatedAt, now)
                .SetProperty(a => a.UpdatedBy, name)
                .SetProperty(a => a.Status, submit ? AssessmentStatus.Submitted : AssessmentStatus.Draft)
                .SetProperty(a => a.SubmittedAt, a => submit ? now : a.SubmittedAt)
                .SetProperty(a => a.SubmittedBy, a => submit ? name : a.SubmittedBy), ct);
        if (changed == 0)
            return AssessmentResult<AssessmentView>.Fail(AssessmentOutcome.Conflict, "Changed meanwhile",
                "The assessment was changed by another request at the same time; load it again and retry.");
        if (answers is not null)
        {
            await db.Set<AssessmentAnswerRecord>().Where(a => a.AssessmentId == record.Id).ExecuteDeleteAsync(ct);
            db.Set<AssessmentAnswerRecord>().AddRange(AssessmentImport.AnswerRows(record.Id, answers));
        }

        db.Entry(record).State = EntityState.Detached;
        await db.SaveChangesAsync(ct);
        return AssessmentResult<AssessmentView>.Done(await ViewAsync(db, programmeId, cityId, found.CityName, found.Access, found.Questionnaire, ct));
    }

    /// <summary>The facilitator reopens a submitted assessment: a draft again, for its city to change and submit.</summary>
    public Task<AssessmentResult<AssessmentView>> ReopenAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, string cityId, CancellationToken ct) =>
        InAsync(db, user, programmeId, cityId, ct, async found =>
        {
            if (found.Access != AssessmentAccess.Facilitator)
                return AssessmentResult<AssessmentView>.Fail(AssessmentOutcome.Forbidden, "Facilitator only", "Only the facilitator reopens an assessment.");
            var now = clock.GetUtcNow();
            var changed = await db.Set<AssessmentRecord>()
                .Where(a => a.ProgrammeId == programmeId && a.CityId == cityId && a.Status == AssessmentStatus.Submitted)
                .ExecuteUpdateAsync(set => set.SetProperty(a => a.Status, AssessmentStatus.Draft).SetProperty(a => a.Revision, a => a.Revision + 1)
                    .SetProperty(a => a.ReopenedAt, now), ct);
            if (changed == 0)
                return AssessmentResult<AssessmentView>.Fail(AssessmentOutcome.Conflict, "Not submitted",
                    $"{found.CityName} has not submitted its assessment, so there is nothing to reopen.");
            return AssessmentResult<AssessmentView>.Done(await ViewAsync(db, programmeId, cityId, found.CityName, found.Access, found.Questionnaire, ct));
        });

    /// <summary>The facilitator shares (or stops sharing) the submitted answers with every city of the programme.</summary>
    public async Task<AssessmentResult<AssessmentOverview>> ShareAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, bool share, CancellationToken ct)
    {
        var overview = await OverviewAsync(db, user, programmeId, ct);
        if (overview.Outcome != AssessmentOutcome.Done) return overview;
        var now = clock.GetUtcNow();
        await db.Set<QuestionnaireRecord>().Where(q => q.ProgrammeId == programmeId)
            .ExecuteUpdateAsync(set => set.SetProperty(q => q.SharedAt, q => share ? (q.SharedAt ?? now) : null), ct);
        return await OverviewAsync(db, user, programmeId, ct);
    }

    /// <summary>Every member city's assessment with its status and, once submitted, its profile: the facilitator's (and an admin's).</summary>
    public static async Task<AssessmentResult<AssessmentOverview>> OverviewAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, CancellationToken ct)
    {
        if (programmeId != user.ProgrammeId() && !(user.IsAdmin() && await db.Programmes.AnyAsync(p => p.Id == programmeId, ct)))
            return AssessmentResult<AssessmentOverview>.Fail(AssessmentOutcome.NotFound, "No such programme", $"There is no programme '{programmeId}' here.");
        if (!user.SeesWholeProgramme())
            return AssessmentResult<AssessmentOverview>.Fail(AssessmentOutcome.Forbidden, "Facilitator only",
                "Only the facilitator sees every city's assessment.");
        if (await AssessmentQueries.QuestionnaireAsync(db, programmeId, ct) is not { } questionnaire)
            return AssessmentResult<AssessmentOverview>.Fail(AssessmentOutcome.NotFound, "No questionnaire",
                $"The programme '{programmeId}' has no needs-assessment questionnaire.");
        var stored = await db.Set<QuestionnaireRecord>().AsNoTracking().SingleAsync(q => q.ProgrammeId == programmeId, ct);
        var cities = await (from m in db.ProgrammeMembers
                            join c in db.Cities on m.CityId equals c.Id
                            where m.ProgrammeId == programmeId
                            orderby c.Name
                            select new { c.Id, c.Name }).ToListAsync(ct);
        var records = await db.Set<AssessmentRecord>().AsNoTracking().Where(a => a.ProgrammeId == programmeId).ToDictionaryAsync(a => a.CityId, ct);
        var submitted = (await AssessmentQueries.SubmittedAsync(db, programmeId, ct)).ToDictionary(a => a.CityId);
        var summaries = cities.Select(c =>
        {
            var record = records.GetValueOrDefault(c.Id);
            return new CityAssessmentSummary(c.Id, c.Name, record?.Status ?? "none", record?.Status == AssessmentStatus.Submitted ? record.SubmittedAt : null,
                record?.Status == AssessmentStatus.Submitted ? record.SubmittedBy : null,
                submitted.TryGetValue(c.Id, out var s) ? AssessmentRules.Profile(questionnaire, s.Answers) : []);
        }).ToList();
        return AssessmentResult<AssessmentOverview>.Done(new AssessmentOverview(programmeId, questionnaire.Id, stored.SharedAt is not null, stored.SharedAt,
            questionnaire.Themes, summaries));
    }

    private async Task<AssessmentResult<AssessmentView>> ChangeAsync(ClaimsPrincipal user, string programmeId, string cityId, CancellationToken ct,
        Func<MentoringDb, AccessGrant, Task<AssessmentResult<AssessmentView>>> change)
    {
        // One retry: two first saves of one city at once meet at the unique index, and the loser then finds the row.
        for (var attempt = 0; ; attempt++)
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                var result = await InAsync(db, user, programmeId, cityId, ct, found => change(db, found));
                if (result.Outcome == AssessmentOutcome.Done) await transaction.CommitAsync(ct);
                return result;
            }
            catch (DbUpdateException) when (attempt == 0)
            {
            }
        }
    }

    private static async Task<AssessmentResult<AssessmentView>> InAsync(MentoringDb db, ClaimsPrincipal user, string programmeId, string cityId,
        CancellationToken ct, Func<AccessGrant, Task<AssessmentResult<AssessmentView>>> change)
    {
        AssessmentResult<AssessmentView>? refusal = null;
        var access = await AccessAsync(db, user, programmeId, cityId, ct, (o, t, d) => refusal = AssessmentResult<AssessmentView>.Fail(o, t, d));
        return access is { } found ? await change(found) : refusal!;
    }
}
