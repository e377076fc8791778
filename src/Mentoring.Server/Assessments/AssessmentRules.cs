using Mentoring.Server.Inputs;

namespace Mentoring.Server.Assessments;

/// <summary>What an answer must be to fit its question, and what submitted answers say of a city's needs and strengths
/// per theme. The API, the page and the demo's file are checked by the same rules.</summary>
public static class AssessmentRules
{
    public const int TextLimit = Limits.Note;
    private static readonly TextAttribute TextRule = new(TextLimit) { MultiLine = true };

    /// <summary>Field errors (<c>answers.&lt;question&gt;</c>) for answers that do not fit: an unknown question, a level
    /// out of 0-4, an unknown option, one option too many, a text too long. Empty answers are not errors (unanswered).</summary>
    public static Dictionary<string, string[]> Check(Questionnaire questionnaire, IReadOnlyDictionary<string, AssessmentAnswer> answers,
        string prefix = "answers.")
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var questions = questionnaire.Questions.ToDictionary(q => q.Id, StringComparer.Ordinal);
        foreach (var (id, answer) in answers)
        {
            var field = prefix + id;
            if (!questions.TryGetValue(id, out var question))
            {
                errors[field] = [$"There is no question '{id}' in the questionnaire '{questionnaire.Id}'."];
                continue;
            }

            if (Problem(question, answer) is { } problem) errors[field] = [problem];
        }

        return errors;
    }

    private static string? Problem(Question question, AssessmentAnswer answer)
    {
        var options = answer.Options;
        switch (question.Kind)
        {
            case QuestionKind.Scale:
                if (options.Count > 0 || answer.Text is not null) return "This question is a scale: answer it with a level from 0 to 4.";
                if (answer.Level is { } level && level is < 0 or > 4) return $"The level must be between 0 and 4, not {level}.";
                return null;
            case QuestionKind.Choice or QuestionKind.Choices:
                if (answer.Level is not null || answer.Text is not null) return "This question is a choice: answer it with the id of an option.";
                if (question.Kind == QuestionKind.Choice && options.Count > 1) return "Choose one option only.";
                if (options.FirstOrDefault(o => question.Options.All(q => q.Id != o)) is { } unknown)
                    return $"'{unknown}' is not an option of this question; its options are {string.Join(", ", question.Options.Select(o => o.Id))}.";
                if (options.Distinct().Count() != options.Count) return "An option is chosen twice.";
                return null;
            default:
                if (answer.Level is not null || options.Count > 0) return "This question is answered with a text.";
                var errors = new List<InputError>();
                Input.CheckText(errors, "text", "The answer", answer.Text, TextRule);
                return errors.FirstOrDefault()?.English;
        }
    }

    public static bool IsAnswered(AssessmentAnswer? answer) =>
        answer is not null && (answer.Level is not null || answer.Options.Count > 0 || !string.IsNullOrWhiteSpace(answer.Text));

    /// <summary>The required questions without an answer, in the questionnaire's order.</summary>
    public static List<Question> Unanswered(Questionnaire questionnaire, IReadOnlyDictionary<string, AssessmentAnswer> answers) =>
        questionnaire.Questions.Where(q => q.Required && !IsAnswered(answers.GetValueOrDefault(q.Id))).ToList();

    /// <summary>The level (0-4) an answer counts as: a scale's point, a choice's option level, the highest of several.</summary>
    public static int? LevelOf(Question question, AssessmentAnswer? answer)
    {
        if (answer is null) return null;
        if (question.Kind == QuestionKind.Scale) return answer.Level;
        var levels = answer.Options.Select(o => question.Options.FirstOrDefault(q => q.Id == o)?.Level).OfType<int>().ToList();
        return levels.Count > 0 ? levels.Max() : null;
    }

    /// <summary>A city's need and strength on each theme, as a share (0-100) of the most its answered questions could
    /// say, weighted by the questions' weights; null where it answered nothing that measures it.</summary>
    public static IReadOnlyList<ThemeProfile> Profile(Questionnaire questionnaire, IReadOnlyDictionary<string, AssessmentAnswer> answers)
    {
        var profile = new List<ThemeProfile>();
        foreach (var theme in questionnaire.Themes)
        {
            long need = 0, needMax = 0, strength = 0, strengthMax = 0;
            foreach (var question in questionnaire.Questions.Where(q => q.Measures != Measures.None && q.Themes.Contains(theme.Id)))
            {
                if (LevelOf(question, answers.GetValueOrDefault(question.Id)) is not { } level) continue;
                if (question.Measures is Measures.Need) { need += question.Weight * level; needMax += question.Weight * 4; }
                if (question.Measures is Measures.Strength or Measures.Both) { strength += question.Weight * level; strengthMax += question.Weight * 4; }
                if (question.Measures is Measures.Both) { need += question.Weight * (4 - level); needMax += question.Weight * 4; }
            }

            profile.Add(new ThemeProfile(theme.Id, Share(need, needMax), Share(strength, strengthMax)));
        }

        return profile;
    }

    private static int? Share(long value, long max) => max == 0 ? null : (int)Math.Round(100.0 * value / max, MidpointRounding.AwayFromZero);
}

/// <summary>A city's need and strength on one theme, 0-100 (null: nothing answered measures it).</summary>
public sealed record ThemeProfile(string Theme, int? Need, int? Strength);
