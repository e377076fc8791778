using System.Globalization;
using Mentoring.Engine.Definitions;
using Mentoring.Server.Inputs;
using Mentoring.Server.Matching;

namespace Mentoring.Server.Benchmarks.Scores;

/// <summary>A PUT of one moment's scores: the whole sheet, every key factor scored listed (one not listed has no score
/// at that moment). <see cref="BenchmarkVersion"/>, when given, is the benchmark's version the scores were entered
/// against: a benchmark changed since is refused (409) rather than scored blind. (Not named "...Request": the texts
/// test would then want a translated label for each of its properties, which no page shows.)</summary>
public sealed record ScoreSheetBody(int? BenchmarkVersion, IReadOnlyList<ScoreEntry>? Scores);

/// <summary>One key factor's score, 0-4, with a comment.</summary>
public sealed record ScoreEntry(Guid? Factor, int? Score, [property: Text(Limits.Comment, MultiLine = true)] string? Comment);

/// <summary>
/// The rules of a self-score, apart from the database: which role enters them, the range, and what a sheet must hold
/// to be taken (every factor one of the benchmark's, once, with a score 0-4 and a comment within the input rules).
/// Messages are English templates, the keys of their translations.
/// </summary>
public static class ScoreRules
{
    public const int Lowest = 0, Highest = 4;

    /// <summary>The texts that say what each point of the scale means, 0 to 4 (resource keys).</summary>
    public static readonly IReadOnlyList<string> LevelTexts =
        ["benchmark-level-0", "benchmark-level-1", "benchmark-level-2", "benchmark-level-3", "benchmark-level-4"];

    public const string ScoresMissing = "Give the scores: a list of key factors, each with its score and a comment.";
    public const string FactorMissing = "Name the key factor.";
    public const string FactorUnknown = "{0} is not a key factor of this benchmark.";
    public const string FactorTwice = "The key factor {0} is scored twice.";
    public const string ScoreMissing = "Give a score from 0 to 4.";
    public const string ScoreOutOfRange = "A score must be between 0 and 4; {0} is not.";

    /// <summary>The group role that enters the self-scores: the need side the programme's matching.json names
    /// (<c>sides.need</c>), or a pair's <c>mentee</c> in a programme without one.</summary>
    public static string NeedRole(MatchingSettings? settings) => settings?.MenteeRole ?? Role.Mentee.Id;

    /// <summary>The moment in a path (<c>baseline</c>, <c>review</c>, any case), or null.</summary>
    public static ScoreMoment? Moment(string? text) => text?.ToLowerInvariant() switch
    {
        "baseline" => ScoreMoment.Baseline,
        "review" => ScoreMoment.Review,
        _ => null,
    };

    public static string Name(this ScoreMoment moment) => moment == ScoreMoment.Baseline ? "baseline" : "review";

    /// <summary>Everything wrong with the sheet, by field (<c>scores[2].score</c>), translated by <paramref name="words"/>;
    /// empty when it may be taken.</summary>
    public static Dictionary<string, string[]> Check(BenchmarkView benchmark, ScoreSheetBody request, DateTimeOffset now,
        Func<string, string> words)
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string field, string message) =>
            (errors.TryGetValue(field, out var list) ? list : errors[field] = []).Add(message);
        string Say(string template, params object[] args) => string.Format(CultureInfo.CurrentCulture, words(template), args);

        if (request.Scores is null)
        {
            Add("scores", words(ScoresMissing));
            return Flat(errors);
        }

        var factors = benchmark.Factors.Select(f => f.Id).ToHashSet();
        var seen = new HashSet<Guid>();
        for (var i = 0; i < request.Scores.Count; i++)
        {
            var entry = request.Scores[i];
            var at = $"scores[{i}]";
            if (entry is null)
            {
                Add(at, words(FactorMissing));
                continue;
            }

            if (entry.Factor is not { } factor) Add($"{at}.factor", words(FactorMissing));
            else if (!factors.Contains(factor)) Add($"{at}.factor", Say(FactorUnknown, factor));
            else if (!seen.Add(factor)) Add($"{at}.factor", Say(FactorTwice, factor));
            if (entry.Score is not { } score) Add($"{at}.score", words(ScoreMissing));
            else if (score is < Lowest or > Highest) Add($"{at}.score", Say(ScoreOutOfRange, score));
            var input = new List<InputError>();
            Input.Check(input, entry, now);
            foreach (var error in input) Add($"{at}.{error.Field}", error.Format(words));
        }

        return Flat(errors);
    }

    private static Dictionary<string, string[]> Flat(Dictionary<string, List<string>> errors) =>
        errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
}
