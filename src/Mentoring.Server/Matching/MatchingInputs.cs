using Mentoring.Server.Assessments;

namespace Mentoring.Server.Matching;

/// <summary>The questionnaire and its submitted answers, as the scoring rule reads them.</summary>
public static class MatchingInputs
{
    /// <summary>The questions that count: those speaking to a theme and measuring a need, a strength or both, with a
    /// level to read (a 0-4 scale, or choices whose options carry a level).</summary>
    public static IReadOnlyList<ScoringQuestion> Questions(Questionnaire questionnaire) =>
        questionnaire.Questions.Where(Counts).Select(q => new ScoringQuestion(q.Id, q.Themes, q.Weight)).ToList();

    private static bool Counts(Question q) =>
        q.Themes.Count > 0 && q.Measures != Measures.None
                           && (q.Kind == QuestionKind.Scale || q.Kind is QuestionKind.Choice or QuestionKind.Choices && q.Options.Any(o => o.Level is not null));

    public static ScoredCity City(Questionnaire questionnaire, SubmittedAssessment assessment)
    {
        var levels = new Dictionary<string, QuestionLevels>();
        foreach (var question in questionnaire.Questions.Where(Counts))
        {
            if (!assessment.Answers.TryGetValue(question.Id, out var answer) || Level(question, answer) is not { } level) continue;
            levels[question.Id] = question.Measures switch
            {
                Measures.Need => new QuestionLevels(level, null),
                Measures.Strength => new QuestionLevels(null, level),
                _ => new QuestionLevels(MatchingScores.MaxLevel - level, level),
            };
        }

        return new ScoredCity(assessment.CityId, levels);
    }

    /// <summary>A scale's level, or the highest level among the options chosen.</summary>
    private static int? Level(Question question, AssessmentAnswer answer)
    {
        var level = question.Kind == QuestionKind.Scale
            ? answer.Level
            : question.Options.Where(o => answer.Options.Contains(o.Id)).Max(o => o.Level);
        return level is { } l ? Math.Clamp(l, 0, MatchingScores.MaxLevel) : null;
    }
}
