namespace Mentoring.Server.Matching;

/// <summary>A question as scoring sees it: the themes it speaks to and its weight (whole points, the questionnaire's).</summary>
public sealed record ScoringQuestion(string Id, IReadOnlyList<string> Themes, int Weight);

/// <summary>What one answer says of a city: how much it needs the thing (0-4) and how strong it is at it (0-4); null
/// where the question does not measure that side or the city left it blank.</summary>
public sealed record QuestionLevels(int? Need, int? Strength);

public sealed record ScoredCity(string CityId, IReadOnlyDictionary<string, QuestionLevels> Levels);

/// <summary>One question's part in a pairing's theme score: the mentee's need, the mentor's strength, the weight, and
/// <see cref="Points"/> = weight × min(need, strength), the part of the need the strength covers.</summary>
public sealed record Contribution(string Question, int Weight, int Need, int Strength, long Points);

/// <summary>A pairing's score on one theme: its points, out of <see cref="Possible"/> (the mentee's whole weighted need
/// on the theme, what a mentor as strong as the need could cover), with every question's contribution.</summary>
public sealed record ThemeScore(string Theme, long Points, long Possible, IReadOnlyList<Contribution> Contributions);

/// <summary>A mentor → mentee pairing: its score is its best theme's (a pair works on one theme).</summary>
public sealed record PairingScore(string Mentor, string Mentee, ThemeScore Best, IReadOnlyList<ThemeScore> Themes)
{
    public long Points => Best.Points;
}

/// <summary>
/// The scoring rule, pure and whole-numbered so the solver's optimum is exact. For each theme, each question of that
/// theme adds weight × min(mentee's need, mentor's strength): the part of the mentee's need the mentor's strength
/// covers, counted with the question's weight. A question either side left blank adds nothing. A pairing's score is its
/// best theme's; a tie goes to the theme listed first.
/// </summary>
public static class MatchingScores
{
    public const int MaxLevel = 4;

    public static PairingScore Score(IReadOnlyList<ScoringQuestion> questions, IReadOnlyList<string> themes, ScoredCity mentor, ScoredCity mentee)
    {
        var scores = themes.Select(theme => ThemeScore(questions.Where(q => q.Themes.Contains(theme)), theme, mentor, mentee)).ToList();
        var best = scores.Count == 0 ? new ThemeScore("", 0, 0, []) : scores.Aggregate((a, b) => b.Points > a.Points ? b : a);
        return new PairingScore(mentor.CityId, mentee.CityId, best, scores);
    }

    private static ThemeScore ThemeScore(IEnumerable<ScoringQuestion> questions, string theme, ScoredCity mentor, ScoredCity mentee)
    {
        var contributions = new List<Contribution>();
        long possible = 0;
        foreach (var question in questions)
        {
            var need = mentee.Levels.GetValueOrDefault(question.Id)?.Need;
            if (need is not { } n) continue;
            var strength = mentor.Levels.GetValueOrDefault(question.Id)?.Strength ?? 0;
            possible += (long)question.Weight * n;
            contributions.Add(new Contribution(question.Id, question.Weight, n, strength, (long)question.Weight * Math.Min(n, strength)));
        }

        return new ThemeScore(theme, contributions.Sum(c => c.Points), possible, contributions);
    }
}
