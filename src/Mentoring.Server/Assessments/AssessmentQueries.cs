using System.Collections.Concurrent;
using Mentoring.Engine.Definitions;
using Mentoring.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Assessments;

/// <summary>What other features read of the needs assessment: the programme's questionnaire and the submitted
/// assessments (answers to questions the questionnaire no longer has are left out).</summary>
public static class AssessmentQueries
{
    // A stored questionnaire is read once per version of its text: it changes only when a package is imported.
    private static readonly ConcurrentDictionary<string, Questionnaire> Read = new(StringComparer.Ordinal);

    public static async Task<Questionnaire?> QuestionnaireAsync(MentoringDb db, string programmeId, CancellationToken ct)
    {
        var stored = await db.Set<QuestionnaireRecord>().AsNoTracking().Where(q => q.ProgrammeId == programmeId)
            .Select(q => new { q.Hash, q.Source }).SingleOrDefaultAsync(ct);
        return stored is null ? null : Parse(programmeId, stored.Hash, stored.Source);
    }

    internal static Questionnaire Parse(string programmeId, string hash, string source) =>
        Read.GetOrAdd(hash, _ => QuestionnaireReader.TryRead($"the questionnaire of {programmeId}", source, out var errors)
                                 ?? throw new DefinitionException(errors));

    /// <summary>The status of a city's assessment (none, draft, submitted) for the links to its page; null when the
    /// programme has no questionnaire.</summary>
    public static async Task<string?> StatusAsync(MentoringDb db, string programmeId, string cityId, CancellationToken ct)
    {
        if (!await HasQuestionnaireAsync(db, programmeId, ct)) return null;
        return await db.Set<AssessmentRecord>().AsNoTracking().Where(a => a.ProgrammeId == programmeId && a.CityId == cityId)
            .Select(a => a.Status).SingleOrDefaultAsync(ct) ?? "none";
    }

    public static Task<bool> HasQuestionnaireAsync(MentoringDb db, string programmeId, CancellationToken ct) =>
        db.Set<QuestionnaireRecord>().AnyAsync(q => q.ProgrammeId == programmeId, ct);

    public static async Task<IReadOnlyList<SubmittedAssessment>> SubmittedAsync(MentoringDb db, string programmeId, CancellationToken ct)
    {
        var questionnaire = await QuestionnaireAsync(db, programmeId, ct);
        if (questionnaire is null) return [];
        var assessments = await db.Set<AssessmentRecord>().AsNoTracking()
            .Where(a => a.ProgrammeId == programmeId && a.Status == AssessmentStatus.Submitted)
            .OrderBy(a => a.CityId).ToListAsync(ct);
        var ids = assessments.Select(a => a.Id).ToList();
        var answers = (await db.Set<AssessmentAnswerRecord>().AsNoTracking().Where(a => ids.Contains(a.AssessmentId)).ToListAsync(ct))
            .ToLookup(a => a.AssessmentId);
        var known = questionnaire.Questions.Select(q => q.Id).ToHashSet(StringComparer.Ordinal);
        return assessments.Select(a => new SubmittedAssessment(a.CityId, a.SubmittedAt!.Value,
            answers[a.Id].Where(r => known.Contains(r.QuestionId))
                .ToDictionary(r => r.QuestionId, AssessmentImport.Answer, StringComparer.Ordinal))).ToList();
    }
}
