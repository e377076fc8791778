using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mentoring.Server.Assessments;
using Mentoring.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Matching;

public sealed record MatchingCity(string Id, string Name);
public sealed record MatchingTheme(string Id, string Title);
public sealed record Pairing(string Mentor, string Mentee);

/// <summary>The facilitator's constraints: pairings that must be made and must not, each mentor's capacity (the
/// settings' default for a mentor not listed), and whether every mentee must be matched.</summary>
public sealed record MatchingConstraints(IReadOnlyList<Pairing> Locks, IReadOnlyList<Pairing> Forbids, IReadOnlyDictionary<string, int> Capacity,
    bool EveryMenteeMatched);

public sealed record BreakdownLine(string Question, string Text, int Weight, int Need, int Strength, long Points);
public sealed record RunnerUp(string Mentor, string Theme, long Score, long Gap);
public sealed record ProposedPair(string Mentor, string Mentee, string Theme, long Score, long Possible, bool Locked,
    IReadOnlyList<BreakdownLine> Breakdown, RunnerUp? RunnerUp);
public sealed record MatrixCell(string Mentee, string Theme, long Score, long Possible, string? Constraint);
public sealed record MatrixRow(string Mentor, IReadOnlyList<MatrixCell> Cells);
public sealed record ScoredPair(string Mentor, string Mentee, string Theme, long Score);
public sealed record Unconstrained(IReadOnlyList<ScoredPair> Pairs, long Total);
/// <summary>A group of the matching's shape that runs already, scored as the proposal scores pairings.</summary>
public sealed record ExistingGroup(int Number, string Title, string Mentor, string Mentee, string Theme, long Score, bool InProposal);

/// <summary>
/// The proposal: the pairs with their theme, score and its breakdown by question and the runner-up for each mentee; the
/// full matrix; the total; what the locks and forbids cost against the unconstrained optimum (both solved); the groups
/// of the shape that already run, scored the same way. <see cref="Fingerprint"/> names this very proposal, so a
/// publication can say which one it came from.
/// </summary>
public sealed record MatchingProposal(string ProgrammeId, string Rule, string Shape, string Workflow, IReadOnlyList<MatchingCity> Mentors,
    IReadOnlyList<MatchingCity> Mentees, IReadOnlyList<MatchingTheme> Themes, IReadOnlyList<MatchingCity> Waiting, IReadOnlyList<MatrixRow> Matrix,
    IReadOnlyList<ProposedPair> Pairs, IReadOnlyList<string> Unmatched, long Total, MatchingConstraints Constraints, Unconstrained? Unconstrained,
    long Cost, IReadOnlyList<ExistingGroup> Existing, string? Note, string Fingerprint);

public enum MatchingOutcome { Done, Invalid, NotFound, Unprocessable, Conflict }

/// <summary>A matching answer, or why not (English texts, the keys of their translations; <see cref="Detail"/> is
/// already in words).</summary>
/// <remarks><see cref="Lines"/>, when given, say <see cref="Detail"/> for a page in the reader's language (it names cities).</remarks>
public sealed record MatchingResult<T>(MatchingOutcome Outcome, T? Value = default, IReadOnlyDictionary<string, string[]>? Errors = null,
    string? Detail = null, IReadOnlyList<Web.PageText>? Lines = null)
{
    public static MatchingResult<T> Done(T value) => new(MatchingOutcome.Done, value);
    public MatchingResult<TOther> As<TOther>() => new(Outcome, default, Errors, Detail, Lines);
}

/// <summary>Translates the matching's words: the pages pass the reader's <see cref="Web.Texts"/>, the API the English.</summary>
public readonly struct Words(Func<string, string> translate)
{
    public static readonly Words English = new(key => key);
    public string this[string key] => translate(key);
}

/// <summary>
/// Builds the proposal from the submitted assessments, the settings and the facilitator's constraints, with
/// <see cref="AssignmentSolver"/> (the exact optimum of whole-point scores). Reads only; constraints are written by
/// <see cref="MatchingConstraintsStore"/>, groups by <see cref="MatchingPublisher"/>.
/// </summary>
public static class MatchingProposals
{
    public const string Rule = "For each theme, each question of that theme adds weight × the smaller of the mentee's need and the mentor's strength " +
                               "(0-4 each): the part of the need the strength covers. A pairing's score is its best theme's; the pair works on that theme.";

    /// <summary>Everything a proposal is made of, before solving.</summary>
    internal sealed record Inputs(MatchingSettings Settings, Questionnaire Questionnaire, IReadOnlyList<MatchingCity> Mentors,
        IReadOnlyList<MatchingCity> Mentees, IReadOnlyList<MatchingCity> Waiting, PairingScore[,] Scores);

    internal static async Task<MatchingResult<Inputs>> InputsAsync(MentoringDb db, string programmeId, Words text, CancellationToken ct)
    {
        if (await MatchingSettingsStore.ReadAsync(db, programmeId, ct) is not { } settings)
            return new(MatchingOutcome.Unprocessable, Detail: text["This programme has no matching settings: its package needs a matching.json."]);
        if (await AssessmentQueries.QuestionnaireAsync(db, programmeId, ct) is not { } questionnaire)
            return new(MatchingOutcome.Unprocessable, Detail: text["This programme has no questionnaire: its package needs a questionnaire.json."]);
        var submitted = (await AssessmentQueries.SubmittedAsync(db, programmeId, ct)).ToDictionary(a => a.CityId);
        var members = await (from m in db.ProgrammeMembers.AsNoTracking()
                where m.ProgrammeId == programmeId
                join c in db.Cities.AsNoTracking() on m.CityId equals c.Id
                orderby c.Name
                select new MatchingCity(c.Id, c.Name)).ToListAsync(ct);
        var byId = members.ToDictionary(m => m.Id);
        List<MatchingCity> Side(IReadOnlyList<string>? ids) => ids is null ? members : ids.Where(byId.ContainsKey).Select(id => byId[id]).ToList();
        var mentorSide = Side(settings.Mentors);
        var menteeSide = Side(settings.Mentees);
        var waiting = mentorSide.Concat(menteeSide).DistinctBy(c => c.Id).Where(c => !submitted.ContainsKey(c.Id)).ToList();
        var mentors = mentorSide.Where(c => submitted.ContainsKey(c.Id)).ToList();
        var mentees = menteeSide.Where(c => submitted.ContainsKey(c.Id)).ToList();
        if (mentors.Count == 0 || mentees.Count == 0)
            return new(MatchingOutcome.Unprocessable, Detail: submitted.Count == 0
                ? text["No city has submitted its assessment yet: the proposal is made from the submitted assessments."]
                : string.Format(mentors.Count == 0
                    ? text["No mentor candidate has submitted its assessment yet: waiting for {0}."]
                    : text["No mentee candidate has submitted its assessment yet: waiting for {0}."], string.Join(", ", waiting.Select(w => w.Name))));

        var questions = MatchingInputs.Questions(questionnaire);
        var themes = questionnaire.Themes.Select(t => t.Id).ToList();
        var cities = submitted.Values.ToDictionary(a => a.CityId, a => MatchingInputs.City(questionnaire, a));
        var scores = new PairingScore[mentors.Count, mentees.Count];
        for (var i = 0; i < mentors.Count; i++)
        for (var j = 0; j < mentees.Count; j++)
            scores[i, j] = MatchingScores.Score(questions, themes, cities[mentors[i].Id], cities[mentees[j].Id]);
        return MatchingResult<Inputs>.Done(new Inputs(settings, questionnaire, mentors, mentees, waiting, scores));
    }

    public static async Task<MatchingResult<MatchingProposal>> ProposeAsync(MentoringDb db, string programmeId, string language, Words text,
        CancellationToken ct)
    {
        var inputs = await InputsAsync(db, programmeId, text, ct);
        if (inputs.Outcome != MatchingOutcome.Done) return inputs.As<MatchingProposal>();
        var constraints = await MatchingConstraintsStore.ReadAsync(db, programmeId, inputs.Value!.Settings, ct);
        var existing = await ExistingAsync(db, programmeId, inputs.Value.Settings, ct);
        return Propose(programmeId, inputs.Value, constraints, existing, language, text);
    }

    /// <summary>The groups of the matching's shape with one city on each side: what runs already.</summary>
    internal static async Task<List<(int Number, string Title, string Mentor, string Mentee)>> ExistingAsync(MentoringDb db, string programmeId,
        MatchingSettings settings, CancellationToken ct)
    {
        var groups = await db.Groups.AsNoTracking().Where(g => g.ProgrammeId == programmeId && g.Shape == settings.Shape).OrderBy(g => g.Number).ToListAsync(ct);
        var ids = groups.Select(g => g.Id).ToList();
        var members = (await db.GroupMembers.AsNoTracking().Where(m => ids.Contains(m.GroupId)).ToListAsync(ct)).ToLookup(m => m.GroupId);
        var found = new List<(int, string, string, string)>();
        foreach (var group in groups)
        {
            var mentor = members[group.Id].Where(m => m.Role == settings.MentorRole).Select(m => m.CityId).ToList();
            var mentee = members[group.Id].Where(m => m.Role == settings.MenteeRole).Select(m => m.CityId).ToList();
            if (mentor.Count == 1 && mentee.Count == 1) found.Add((group.Number, group.Title, mentor[0], mentee[0]));
        }

        return found;
    }

    /// <summary>Solves under the constraints, and without them when there are any, and explains the answer.</summary>
    internal static MatchingResult<MatchingProposal> Propose(string programmeId, Inputs inputs, MatchingConstraints constraints,
        IReadOnlyList<(int Number, string Title, string Mentor, string Mentee)> existing, string language, Words text)
    {
        var (mentors, mentees, scores) = (inputs.Mentors, inputs.Mentees, inputs.Scores);
        var mentorIndex = mentors.Select((m, i) => (m.Id, i)).ToDictionary();
        var menteeIndex = mentees.Select((m, i) => (m.Id, i)).ToDictionary();
        List<(int, int)> Indices(IEnumerable<Pairing> pairings) => pairings
            .Where(p => mentorIndex.ContainsKey(p.Mentor) && menteeIndex.ContainsKey(p.Mentee))
            .Select(p => (mentorIndex[p.Mentor], menteeIndex[p.Mentee])).ToList();
        var self = Enumerable.Range(0, mentors.Count).Where(i => menteeIndex.ContainsKey(mentors[i].Id)).Select(i => (i, menteeIndex[mentors[i].Id])).ToList();
        var points = new long[mentors.Count, mentees.Count];
        for (var i = 0; i < mentors.Count; i++)
        for (var j = 0; j < mentees.Count; j++)
            points[i, j] = scores[i, j].Points;
        var capacity = mentors.Select(m => constraints.Capacity.TryGetValue(m.Id, out var c) ? c : inputs.Settings.Capacity).ToList();
        var locks = Indices(constraints.Locks);
        var forbids = Indices(constraints.Forbids);

        var solved = AssignmentSolver.Solve(new AssignmentProblem(points, capacity, locks, [.. forbids, .. self], constraints.EveryMenteeMatched));
        if (solved.Assignment is not { } assignment)
            return new(MatchingOutcome.Unprocessable, Detail: Infeasible(solved, mentors, mentees, text));
        Unconstrained? free = null;
        if (locks.Count + forbids.Count > 0
            && AssignmentSolver.Solve(new AssignmentProblem(points, capacity, [], self, constraints.EveryMenteeMatched)).Assignment is { } best)
            free = new Unconstrained(best.Pairs.Select(p => Scored(mentors, mentees, scores, p)).ToList(), best.Total);

        var titles = inputs.Questionnaire.Themes.ToDictionary(t => t.Id, t => t.Title.In(language).Text);
        var questionTexts = inputs.Questionnaire.Questions.ToDictionary(q => q.Id, q => q.Text.In(language).Text);
        var forbidden = forbids.Concat(self).ToHashSet();
        var lockSet = locks.ToHashSet();
        var pairs = assignment.Pairs.OrderBy(p => mentees[p.Mentee].Name, StringComparer.Ordinal).Select(p =>
        {
            var score = scores[p.Mentor, p.Mentee];
            var runner = Enumerable.Range(0, mentors.Count).Where(i => i != p.Mentor && !forbidden.Contains((i, p.Mentee)))
                .Select(i => (i, Score: scores[i, p.Mentee])).OrderByDescending(r => r.Score.Points).ThenBy(r => r.i).Select(r => ((int, PairingScore)?)r)
                .FirstOrDefault();
            return new ProposedPair(mentors[p.Mentor].Id, mentees[p.Mentee].Id, score.Best.Theme, score.Points, score.Best.Possible, lockSet.Contains(p),
                score.Best.Contributions.OrderByDescending(c => c.Points).Select(c =>
                    new BreakdownLine(c.Question, questionTexts[c.Question], c.Weight, c.Need, c.Strength, c.Points)).ToList(),
                runner is { } r ? new RunnerUp(mentors[r.Item1].Id, r.Item2.Best.Theme, r.Item2.Points, score.Points - r.Item2.Points) : null);
        }).ToList();
        var matrix = Enumerable.Range(0, mentors.Count).Select(i => new MatrixRow(mentors[i].Id, Enumerable.Range(0, mentees.Count).Select(j =>
            new MatrixCell(mentees[j].Id, scores[i, j].Best.Theme, scores[i, j].Points, scores[i, j].Best.Possible,
                self.Contains((i, j)) ? "self" : lockSet.Contains((i, j)) ? "lock" : forbidden.Contains((i, j)) ? "forbid" : null)).ToList())).ToList();
        var proposed = pairs.Select(p => (p.Mentor, p.Mentee)).ToHashSet();
        var groups = existing.Select(g => mentorIndex.TryGetValue(g.Mentor, out var i) && menteeIndex.TryGetValue(g.Mentee, out var j)
                ? new ExistingGroup(g.Number, g.Title, g.Mentor, g.Mentee, scores[i, j].Best.Theme, scores[i, j].Points, proposed.Contains((g.Mentor, g.Mentee)))
                : new ExistingGroup(g.Number, g.Title, g.Mentor, g.Mentee, "", 0, proposed.Contains((g.Mentor, g.Mentee))))
            .ToList();
        var note = inputs.Settings.Note is { } n ? n.GetValueOrDefault(language) ?? n.GetValueOrDefault("en") : null;
        var proposal = new MatchingProposal(programmeId, Rule, inputs.Settings.Shape, inputs.Settings.Workflow, mentors, mentees,
            inputs.Questionnaire.Themes.Select(t => new MatchingTheme(t.Id, titles[t.Id])).ToList(), inputs.Waiting, matrix, pairs,
            mentees.Where(m => pairs.All(p => p.Mentee != m.Id)).Select(m => m.Id).ToList(), assignment.Total, constraints, free,
            free is null ? 0 : free.Total - assignment.Total, groups, note, "");
        return MatchingResult<MatchingProposal>.Done(proposal with { Fingerprint = Fingerprint(proposal) });
    }

    private static ScoredPair Scored(IReadOnlyList<MatchingCity> mentors, IReadOnlyList<MatchingCity> mentees, PairingScore[,] scores, (int Mentor, int Mentee) p) =>
        new(mentors[p.Mentor].Id, mentees[p.Mentee].Id, scores[p.Mentor, p.Mentee].Best.Theme, scores[p.Mentor, p.Mentee].Points);

    /// <summary>The pairs, their themes and scores, and the constraints they were solved under: equal when the proposal is,
    /// in whatever language it was read. Only ids and points count: a breakdown's question texts are in the reader's
    /// language, and a proposal read on a French page must be the one the publisher solves again in English.</summary>
    private static string Fingerprint(MatchingProposal proposal)
    {
        var text = JsonSerializer.Serialize(new
        {
            Pairs = proposal.Pairs.Select(p => new { p.Mentor, p.Mentee, p.Theme, p.Score, p.Possible, p.Locked }),
            proposal.Constraints,
            Matrix = proposal.Matrix.Select(row => new { row.Mentor, Cells = row.Cells }),
        });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    /// <summary>The solver's reason, in words, naming the cities concerned.</summary>
    public static string Infeasible(AssignmentResult result, IReadOnlyList<MatchingCity> mentors, IReadOnlyList<MatchingCity> mentees, Words text)
    {
        var mentorNames = string.Join(", ", result.Mentors.Select(i => mentors[i].Name));
        var menteeNames = string.Join(", ", result.Mentees.Select(i => mentees[i].Name));
        return result.Reason switch
        {
            Infeasibility.LockAndForbidSamePairing => string.Format(text["{0} → {1} is both locked and forbidden: lift one of the two."], mentorNames, menteeNames),
            Infeasibility.MenteeLockedTwice => string.Format(text["{0} is locked to more than one mentor ({1}): a mentee has one mentor."], menteeNames, mentorNames),
            Infeasibility.LocksExceedCapacity => string.Format(text["{0} has more locked mentees than its capacity: raise the capacity or lift a lock."], mentorNames),
            Infeasibility.MenteeWithoutAllowedMentor => string.Format(text["{0} has no mentor it may be paired with: lift a forbid, raise a capacity or match as many mentees as possible."], menteeNames),
            _ => string.Format(text["The mentors' capacities are too small to match every mentee ({0}): raise a capacity, lift a forbid or match as many mentees as possible."], menteeNames),
        };
    }
}
