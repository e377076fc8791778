using System.Text.Json;
using Mentoring.Server.Data;
using Mentoring.Server.Programme.Packages;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Assessments;

/// <summary>The import's part for the needs assessment, in the importer's transaction: the package's questionnaire
/// stored (or replaced when the file changed), and on the demo's first start its cities' submitted assessments.</summary>
public static class AssessmentImport
{
    /// <summary>Stores the package's questionnaire; the plan's lines for it. Answers to questions a new version of the
    /// file drops stay stored but are no longer read (<see cref="AssessmentQueries"/>).</summary>
    public static async Task<IReadOnlyList<PlannedChange>> UpsertQuestionnaireAsync(MentoringDb db, ProgrammePackage package, DateTimeOffset now,
        CancellationToken ct)
    {
        if (package.Assessments is not { } wanted) return [];
        var stored = await db.Set<QuestionnaireRecord>().SingleOrDefaultAsync(q => q.ProgrammeId == package.Id, ct);
        var questions = wanted.Questionnaire.Questions.Count();
        if (stored is null)
        {
            db.Set<QuestionnaireRecord>().Add(new QuestionnaireRecord
            {
                ProgrammeId = package.Id, QuestionnaireId = wanted.Questionnaire.Id, Source = wanted.Source, Hash = wanted.Hash, ImportedAt = now,
            });
            return [new PlannedChange("questionnaire", wanted.Questionnaire.Id, $"create ({questions} questions)")];
        }

        if (stored.Hash == wanted.Hash) return [];
        stored.QuestionnaireId = wanted.Questionnaire.Id;
        stored.Source = wanted.Source;
        stored.Hash = wanted.Hash;
        stored.ImportedAt = now;
        return [new PlannedChange("questionnaire", wanted.Questionnaire.Id, $"update ({questions} questions)")];
    }

    /// <summary>The demo's submitted assessments (<c>assessments.json</c>), for the cities that have none yet, so a
    /// newcomer sees the profiles and a matching on the first start.</summary>
    public static async Task SeedDemoAsync(MentoringDb db, ProgrammePackage package, CancellationToken ct)
    {
        if (package.Assessments is not { Demo.Count: > 0 } assessments) return;
        var existing = await db.Set<AssessmentRecord>().Where(a => a.ProgrammeId == package.Id).Select(a => a.CityId).ToListAsync(ct);
        foreach (var demo in assessments.Demo.Where(d => !existing.Contains(d.CityId)))
        {
            var record = new AssessmentRecord
            {
                ProgrammeId = package.Id, CityId = demo.CityId, Status = AssessmentStatus.Submitted, Revision = 1, UpdatedAt = demo.SubmittedAt,
                UpdatedBy = "import", SubmittedAt = demo.SubmittedAt, SubmittedBy = "import",
            };
            db.Set<AssessmentRecord>().Add(record);
            db.Set<AssessmentAnswerRecord>().AddRange(AnswerRows(record.Id, demo.Answers));
        }

        await db.SaveChangesAsync(ct);
    }

    /// <summary>The rows of answers that say something (an empty answer is no row).</summary>
    internal static IEnumerable<AssessmentAnswerRecord> AnswerRows(Guid assessmentId, IReadOnlyDictionary<string, AssessmentAnswer> answers) =>
        answers.Where(a => AssessmentRules.IsAnswered(a.Value)).Select(a => new AssessmentAnswerRecord
        {
            AssessmentId = assessmentId, QuestionId = a.Key, Level = a.Value.Level,
            Options = a.Value.Options.Count > 0 ? JsonSerializer.Serialize(a.Value.Options) : null,
            Text = string.IsNullOrWhiteSpace(a.Value.Text) ? null : a.Value.Text,
        });

    internal static AssessmentAnswer Answer(AssessmentAnswerRecord row) =>
        new(row.Level, row.Options is null ? [] : JsonSerializer.Deserialize<List<string>>(row.Options) ?? [], row.Text);
}
