using Mentoring.Engine.Definitions;

namespace Mentoring.Server.Assessments;

/// <summary>A programme's needs-assessment questionnaire (<c>workflows/&lt;id&gt;/questionnaire.json</c>), read and checked
/// by <see cref="QuestionnaireReader"/>: every theme a question names is declared, and every question that counts in
/// matching has a level to count.</summary>
public sealed record Questionnaire(string Id, IReadOnlyList<QuestionnaireTheme> Themes, IReadOnlyList<QuestionnaireSection> Sections)
{
    public IEnumerable<Question> Questions => Sections.SelectMany(s => s.Questions);
}

public sealed record QuestionnaireTheme(string Id, LocalizedText Title);

public sealed record QuestionnaireSection(string Id, LocalizedText Title, IReadOnlyList<Question> Questions);

public enum QuestionKind { Scale, Choice, Choices, Text }

/// <summary>Need: the answer says how much the city needs it; Strength: how strong the city is at it;
/// Both: the answer is the city's level (0 nothing in place .. 4 well established): strength = level, need = 4 - level.</summary>
public enum Measures { None, Need, Strength, Both }

/// <param name="Weight">Whole points, default 1: how much the question counts beside the others of its themes.</param>
/// <param name="ScaleLabels">Five labels (0 to 4) for a scale, else empty.</param>
/// <param name="Options">A choice's options, else empty.</param>
public sealed record Question(string Id, QuestionKind Kind, LocalizedText Text, bool Required,
    IReadOnlyList<string> Themes, Measures Measures, int Weight,
    IReadOnlyList<LocalizedText> ScaleLabels,
    IReadOnlyList<QuestionOption> Options);

/// <param name="Level">0-4: lets a choice count in matching as a scale's point does.</param>
public sealed record QuestionOption(string Id, LocalizedText Text, int? Level);

/// <summary>A city's submitted assessment, its answers by question id.</summary>
public sealed record SubmittedAssessment(string CityId, DateTimeOffset SubmittedAt, IReadOnlyDictionary<string, AssessmentAnswer> Answers);

/// <param name="Level">A scale's point, 0-4.</param>
/// <param name="Options">The option ids chosen (one for a choice).</param>
public sealed record AssessmentAnswer(int? Level, IReadOnlyList<string> Options, string? Text);
