using Mentoring.Engine.Definitions;
using Mentoring.Server.Assessments;
using Mentoring.Server.Matching;

namespace Mentoring.Server.Tests.Matching;

/// <summary>The scoring rule and the proposal built on it, as pure code: no database.</summary>
public sealed class MatchingScoresTests
{
    private static LocalizedText En(string text) => new(new Dictionary<string, string> { ["en"] = text });

    private static Question Scale(string id, string theme, Measures measures, int weight = 1) =>
        new(id, QuestionKind.Scale, En(id), true, [theme], measures, weight, [En("0"), En("1"), En("2"), En("3"), En("4")], []);

    private static ScoredCity City(string id, params (string Question, int? Need, int? Strength)[] levels) =>
        new(id, levels.ToDictionary(l => l.Question, l => new QuestionLevels(l.Need, l.Strength)));

    [Fact]
    public void A_pairings_score_is_the_part_of_the_need_the_strength_covers_times_the_weight()
    {
        ScoringQuestion[] questions = [new("jobs", ["work"], 2), new("cafes", ["work"], 1), new("courses", ["language"], 3)];
        var mentor = City("fuenlabrada", ("jobs", null, 4), ("cafes", null, 1), ("courses", null, 1));
        var mentee = City("livadeia", ("jobs", 3, null), ("cafes", 4, null), ("courses", 4, null));

        var score = MatchingScores.Score(questions, ["language", "work"], mentor, mentee);

        // work: 2 × min(3, 4) + 1 × min(4, 1) = 7 of 2 × 3 + 1 × 4 = 10; language: 3 × min(4, 1) = 3 of 12.
        Assert.Equal(("work", 7L, 10L), (score.Best.Theme, score.Points, score.Best.Possible));
        Assert.Equal([6L, 1L], score.Best.Contributions.Select(c => c.Points));
        Assert.Equal(3, score.Themes.Single(t => t.Theme == "language").Points);
    }

    [Fact]
    public void A_question_measuring_both_reads_the_level_as_strength_and_four_minus_it_as_need()
    {
        var questionnaire = new Questionnaire("q", [new QuestionnaireTheme("language", En("Language"))],
            [new QuestionnaireSection("s", En("S"), [Scale("courses", "language", Measures.Both, 2), Scale("free", "language", Measures.None)])]);
        var city = MatchingInputs.City(questionnaire, new SubmittedAssessment("jelgava", DateTimeOffset.UnixEpoch,
            new Dictionary<string, AssessmentAnswer> { ["courses"] = new(1, [], null), ["free"] = new(4, [], null) }));

        Assert.Equal(new QuestionLevels(3, 1), city.Levels["courses"]);
        Assert.False(city.Levels.ContainsKey("free"));
        Assert.Equal(["courses"], MatchingInputs.Questions(questionnaire).Select(q => q.Id));
    }

    private static MatchingProposals.Inputs Inputs(long[,] points, int capacity = 1, bool every = true)
    {
        var questionnaire = new Questionnaire("q", [new QuestionnaireTheme("t", En("Theme"))], [new QuestionnaireSection("s", En("S"), [Scale("q1", "t", Measures.Both)])]);
        var settings = new MatchingSettings("pair", "inclucities-pair", "mentor", "mentee", null, null, capacity, every, true, null);
        MatchingCity[] mentors = [new("a", "Alpha"), new("b", "Beta")];
        MatchingCity[] mentees = [new("x", "Xanthi"), new("y", "Ypsilon")];
        var scores = new PairingScore[2, 2];
        for (var i = 0; i < 2; i++)
        for (var j = 0; j < 2; j++)
            scores[i, j] = new PairingScore(mentors[i].Id, mentees[j].Id, new ThemeScore("t", points[i, j], 16, []), []);
        return new MatchingProposals.Inputs(settings, questionnaire, mentors, mentees, [], scores);
    }

    private static MatchingConstraints Constraints(Pairing[]? locks = null, Pairing[]? forbids = null, Dictionary<string, int>? capacity = null, bool every = true) =>
        new(locks ?? [], forbids ?? [], capacity ?? new Dictionary<string, int>(), every);

    [Fact]
    public void A_lock_says_what_it_costs_against_the_unconstrained_optimum_and_each_mentee_has_its_runner_up()
    {
        var inputs = Inputs(new long[,] { { 10, 4 }, { 3, 8 } });

        var free = MatchingProposals.Propose("p", inputs, Constraints(), [], "en", Words.English).Value!;
        Assert.Equal(18, free.Total);
        Assert.Null(free.Unconstrained);
        var x = free.Pairs.Single(p => p.Mentee == "x");
        Assert.Equal(("a", "b", 3L, 7L), (x.Mentor, x.RunnerUp!.Mentor, x.RunnerUp.Score, x.RunnerUp.Gap));

        var locked = MatchingProposals.Propose("p", inputs, Constraints(locks: [new("a", "y")]), [(1, "Real", "a", "x")], "en", Words.English).Value!;
        Assert.Equal((7L, 18L, 11L), (locked.Total, locked.Unconstrained!.Total, locked.Cost));
        Assert.True(locked.Pairs.Single(p => p.Mentee == "y").Locked);
        Assert.Equal("lock", locked.Matrix[0].Cells[1].Constraint);
        Assert.NotEqual(free.Fingerprint, locked.Fingerprint);
        Assert.False(Assert.Single(locked.Existing).InProposal);
        var reasons = MatchingReasons.Overall(locked, Words.English);
        Assert.Contains(reasons, r => r.Contains("cost 11 points"));
        Assert.Contains(reasons, r => r.Contains("1 groups already run") && r.Contains("agrees with 0"));
        // x's runner-up, Alpha, scores more there (10 against 3) but is locked to Ypsilon: the reason says so.
        Assert.Contains(MatchingReasons.ForPair(locked, locked.Pairs.Single(p => p.Mentee == "x"), Words.English), r => r.Contains("Alpha would score 10 points with Xanthi, 7 more"));
    }

    [Fact]
    public void Capacity_that_makes_matching_impossible_is_refused_with_the_solvers_reason_naming_the_cities()
    {
        var inputs = Inputs(new long[,] { { 10, 4 }, { 3, 8 } });

        var refused = MatchingProposals.Propose("p", inputs, Constraints(capacity: new() { ["a"] = 0, ["b"] = 1 }), [], "en", Words.English);

        Assert.Equal(MatchingOutcome.Unprocessable, refused.Outcome);
        Assert.Contains("capacities are too small", refused.Detail);
        Assert.Contains("Xanthi", refused.Detail);
        var most = MatchingProposals.Propose("p", inputs, Constraints(capacity: new() { ["a"] = 0, ["b"] = 1 }, every: false), [], "en", Words.English).Value!;
        Assert.Equal((8L, "x"), (most.Total, Assert.Single(most.Unmatched)));
    }
}
