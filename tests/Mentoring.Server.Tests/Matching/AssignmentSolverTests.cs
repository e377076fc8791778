using Mentoring.Server.Matching;

namespace Mentoring.Server.Tests.Matching;

/// <summary>The solver is pure code: these tests need no database. Its optimum is checked against exhaustive
/// enumeration on every size up to 8 × 8 and against an independent Hungarian method up to 40 × 40, on seeded random
/// instances with capacities, locks, forbids and both modes.</summary>
public sealed class AssignmentSolverTests
{
    public static TheoryData<int, int> SmallSizes()
    {
        var sizes = new TheoryData<int, int>();
        for (var mentors = 0; mentors <= 8; mentors++)
            for (var mentees = 0; mentees <= 8; mentees++)
                sizes.Add(mentors, mentees);
        return sizes;
    }

    [Theory, MemberData(nameof(SmallSizes))]
    public void Matches_brute_force_on_every_size_up_to_8_by_8(int mentors, int mentees)
    {
        var random = new Random(1000 * mentors + mentees);
        var instances = mentors * mentees <= 16 ? 200 : 80;
        for (var k = 0; k < instances; k++)
        {
            var problem = RandomProblem(random, mentors, mentees, highestScore: k % 2 == 0 ? 5 : 1000);
            var label = $"{mentors}x{mentees} #{k}";
            var expected = BruteForce.Best(problem);
            AssertSolves(problem, expected, label);
        }
    }

    [Fact]
    public void Matches_the_Hungarian_method_on_random_instances_up_to_40_by_40()
    {
        var random = new Random(4040);
        for (var k = 0; k < 100; k++)
        {
            var mentors = random.Next(9, 41);
            var mentees = random.Next(9, 41);
            var problem = RandomProblem(random, mentors, mentees, highestScore: k % 3 == 0 ? 10 : 100_000);
            var expected = Hungarian.Best(problem);
            AssertSolves(problem, expected, $"{mentors}x{mentees} #{k}");
        }
    }

    [Fact]
    public void A_mentor_of_capacity_two_takes_two_mentees_when_that_scores_highest()
    {
        var result = AssignmentSolver.Solve(Problem(new long[,] { { 9, 8 }, { 1, 1 } }, [2, 1], everyMentee: true));

        Assert.Equal([(0, 0), (0, 1)], result.Assignment!.Pairs);
        Assert.Equal(17, result.Assignment.Total);
    }

    [Fact]
    public void A_lock_is_kept_even_when_it_lowers_the_total()
    {
        var scores = new long[,] { { 10, 0 }, { 0, 10 } };

        var result = AssignmentSolver.Solve(Problem(scores, [1, 1], locks: [(0, 1)]));

        Assert.Equal([(0, 1), (1, 0)], result.Assignment!.Pairs);
        Assert.Equal(0, result.Assignment.Total);
    }

    [Fact]
    public void The_most_mentees_mode_prefers_more_pairs_over_a_higher_total()
    {
        // Mentor 0 alone on mentee 0 scores 100; two pairs of 1 each match both mentees and win.
        var scores = new long[,] { { 100, 1 }, { 1, 0 } };

        var result = AssignmentSolver.Solve(Problem(scores, [1, 1], forbids: [(1, 1)]));

        Assert.Equal([(0, 1), (1, 0)], result.Assignment!.Pairs);
        Assert.Equal(2, result.Assignment.Total);
    }

    [Fact]
    public void The_most_mentees_mode_leaves_a_mentee_unmatched_when_capacity_runs_out()
    {
        var result = AssignmentSolver.Solve(Problem(new long[,] { { 3, 7, 5 } }, [2]));

        Assert.Equal([(0, 1), (0, 2)], result.Assignment!.Pairs);
        Assert.Equal(12, result.Assignment.Total);
    }

    [Fact]
    public void No_mentors_and_no_mentees_is_an_empty_assignment()
    {
        var result = AssignmentSolver.Solve(Problem(new long[0, 0], [], everyMentee: true));

        Assert.Empty(result.Assignment!.Pairs);
        Assert.Equal(0, result.Assignment.Total);
        Assert.Null(result.Reason);
    }

    [Fact]
    public void A_lock_and_a_forbid_on_the_same_pairing_is_impossible_naming_both_cities()
    {
        var result = AssignmentSolver.Solve(Problem(new long[3, 3], [1, 1, 1], locks: [(0, 0), (2, 1)], forbids: [(2, 1)]));

        AssertImpossible(result, Infeasibility.LockAndForbidSamePairing, mentors: [2], mentees: [1]);
    }

    [Fact]
    public void A_mentee_locked_to_two_mentors_is_impossible_naming_both_mentors()
    {
        var result = AssignmentSolver.Solve(Problem(new long[3, 3], [1, 1, 1], locks: [(0, 2), (1, 2)]));

        AssertImpossible(result, Infeasibility.MenteeLockedTwice, mentors: [0, 1], mentees: [2]);
    }

    [Fact]
    public void Locks_beyond_a_mentors_capacity_are_impossible_naming_its_mentees()
    {
        var result = AssignmentSolver.Solve(Problem(new long[2, 3], [1, 2], locks: [(0, 0), (0, 2), (1, 1)]));

        AssertImpossible(result, Infeasibility.LocksExceedCapacity, mentors: [0], mentees: [0, 2]);
    }

    [Fact]
    public void Every_mentee_matched_with_too_little_capacity_in_all_is_impossible_naming_everyone()
    {
        var result = AssignmentSolver.Solve(Problem(new long[2, 4], [1, 2], everyMentee: true));

        AssertImpossible(result, Infeasibility.NotEnoughCapacity, mentors: [0, 1], mentees: [0, 1, 2, 3]);
    }

    [Fact]
    public void Every_mentee_matched_with_a_mentee_whose_mentors_are_all_forbidden_is_impossible_naming_it()
    {
        var result = AssignmentSolver.Solve(
            Problem(new long[3, 3], [1, 1, 1], forbids: [(0, 1), (1, 1), (2, 1)], everyMentee: true));

        AssertImpossible(result, Infeasibility.MenteeWithoutAllowedMentor, mentors: [0, 1, 2], mentees: [1]);
    }

    [Fact]
    public void Every_mentee_matched_when_forbids_leave_two_mentees_one_mentor_names_those_three_cities()
    {
        // Mentees 0 and 1 may only have mentor 0 (capacity 1); mentee 2 may have anyone. Capacity 3 in all.
        var result = AssignmentSolver.Solve(
            Problem(new long[3, 3], [1, 1, 1], forbids: [(1, 0), (2, 0), (1, 1), (2, 1)], everyMentee: true));

        AssertImpossible(result, Infeasibility.NotEnoughCapacity, mentors: [0], mentees: [0, 1]);
    }

    [Fact]
    public void Every_mentee_matched_when_locks_fill_the_only_allowed_mentor_names_the_locked_mentee_too()
    {
        // Mentee 1 may only have mentor 0, whose one place the lock on mentee 0 takes.
        var result = AssignmentSolver.Solve(
            Problem(new long[2, 3], [1, 2], locks: [(0, 0)], forbids: [(1, 1)], everyMentee: true));

        AssertImpossible(result, Infeasibility.NotEnoughCapacity, mentors: [0], mentees: [0, 1]);
    }

    [Fact]
    public void The_same_problem_gives_the_same_pairs_when_totals_tie()
    {
        var problem = Problem(new long[4, 4], [1, 1, 1, 1], everyMentee: true);

        var first = AssignmentSolver.Solve(problem);
        var second = AssignmentSolver.Solve(problem);

        Assert.Equal(first.Assignment!.Pairs, second.Assignment!.Pairs);
    }

    [Fact]
    public void A_capacity_list_of_the_wrong_length_throws_naming_both_sizes()
    {
        var error = Assert.Throws<ArgumentException>(() => AssignmentSolver.Solve(Problem(new long[2, 2], [1])));
        Assert.Contains("Capacity has 1 entries but Scores has 2 mentor rows", error.Message);
    }

    [Fact]
    public void A_negative_score_throws_naming_its_cell()
    {
        var error = Assert.Throws<ArgumentException>(
            () => AssignmentSolver.Solve(Problem(new long[,] { { 1, 2 }, { 3, -4 } }, [1, 1])));
        Assert.Contains("Scores[1, 1] is -4", error.Message);
    }

    [Fact]
    public void A_negative_capacity_throws_naming_its_mentor()
    {
        var error = Assert.Throws<ArgumentException>(() => AssignmentSolver.Solve(Problem(new long[2, 2], [1, -1])));
        Assert.Contains("Capacity[1] is -1", error.Message);
    }

    [Fact]
    public void A_lock_or_forbid_out_of_range_throws_naming_the_index()
    {
        var lockError = Assert.Throws<ArgumentException>(
            () => AssignmentSolver.Solve(Problem(new long[2, 2], [1, 1], locks: [(2, 0)])));
        Assert.Contains("Locks has mentor 2", lockError.Message);

        var forbidError = Assert.Throws<ArgumentException>(
            () => AssignmentSolver.Solve(Problem(new long[2, 2], [1, 1], forbids: [(0, -1)])));
        Assert.Contains("Forbids has mentee -1", forbidError.Message);
    }

    [Fact]
    public void Scores_too_large_to_add_up_exactly_throw()
    {
        var error = Assert.Throws<ArgumentException>(
            () => AssignmentSolver.Solve(Problem(new long[,] { { long.MaxValue / 2 } }, [1])));
        Assert.Contains("Scores reach", error.Message);
    }

    private static AssignmentProblem Problem(long[,] scores, int[] capacity, (int, int)[]? locks = null,
        (int, int)[]? forbids = null, bool everyMentee = false) =>
        new(scores, capacity, locks ?? [], forbids ?? [], everyMentee);

    private static void AssertImpossible(AssignmentResult result, Infeasibility reason, int[] mentors, int[] mentees)
    {
        Assert.Null(result.Assignment);
        Assert.Equal(reason, result.Reason);
        Assert.Equal(mentors, result.Mentors);
        Assert.Equal(mentees, result.Mentees);
    }

    /// <summary>Capacities mostly 1, some 2 and some 0; forbids on up to a third of the pairings; up to five locks
    /// that fit (distinct mentees, within capacity, not forbidden), and in one instance of four a lock drawn at
    /// random, which may clash with another lock, a forbid or a capacity; either mode.</summary>
    private static AssignmentProblem RandomProblem(Random random, int mentors, int mentees, long highestScore)
    {
        var scores = new long[mentors, mentees];
        for (var i = 0; i < mentors; i++)
            for (var j = 0; j < mentees; j++)
                scores[i, j] = random.NextInt64(highestScore + 1);
        var capacity = Enumerable.Range(0, mentors)
            .Select(_ => random.Next(10) switch { 0 => 0, < 7 => 1, _ => 2 })
            .ToArray();
        var locks = new List<(int, int)>();
        var forbids = new HashSet<(int, int)>();
        if (mentors > 0 && mentees > 0)
        {
            for (var n = random.Next(mentors * mentees / 3 + 1); n > 0; n--)
                forbids.Add((random.Next(mentors), random.Next(mentees)));
            var left = capacity.ToArray();
            foreach (var mentee in Enumerable.Range(0, mentees).OrderBy(_ => random.Next()).Take(random.Next(Math.Min(mentees, 5) + 1)))
            {
                var mentor = random.Next(mentors);
                if (left[mentor] == 0)
                    continue;
                left[mentor]--;
                locks.Add((mentor, mentee));
                forbids.Remove((mentor, mentee));
            }
            if (random.Next(4) == 0)
                locks.Add((random.Next(mentors), random.Next(mentees)));
        }
        return new AssignmentProblem(scores, capacity, locks, [.. forbids], EveryMenteeMatched: random.Next(2) == 0);
    }

    /// <summary>What a second method says: no assignment at all, or the best one's size and total.</summary>
    private sealed record Optimum(bool Feasible, int Pairs, long Total);

    private static void AssertSolves(AssignmentProblem problem, Optimum expected, string label)
    {
        var result = AssignmentSolver.Solve(problem);
        if (!expected.Feasible)
        {
            if (result.Assignment is not null)
                Assert.Fail($"{label}: the solver found {Show(result.Assignment)} where none exists.");
            AssertReasonHolds(problem, result, label);
            return;
        }

        if (result.Assignment is not { } assignment)
        {
            Assert.Fail($"{label}: the solver said {result.Reason} (mentors [{string.Join(", ", result.Mentors)}], "
                + $"mentees [{string.Join(", ", result.Mentees)}]) where {expected} exists.");
            return;
        }
        AssertRespectsEveryConstraint(problem, assignment, label);
        if (assignment.Pairs.Count != expected.Pairs || assignment.Total != expected.Total)
            Assert.Fail($"{label}: the solver found {Show(assignment)}; the best is {expected}.");
    }

    private static void AssertRespectsEveryConstraint(AssignmentProblem problem, Assignment assignment, string label)
    {
        var pairs = assignment.Pairs;
        var mentees = problem.Scores.GetLength(1);
        var forbids = problem.Forbids.ToHashSet();
        if (pairs.Select(p => p.Mentee).Distinct().Count() != pairs.Count)
            Assert.Fail($"{label}: a mentee has two mentors in {Show(assignment)}.");
        if (pairs.GroupBy(p => p.Mentor).FirstOrDefault(g => g.Count() > problem.Capacity[g.Key]) is { } full)
            Assert.Fail($"{label}: mentor {full.Key} is over its capacity {problem.Capacity[full.Key]} in {Show(assignment)}.");
        foreach (var forbidden in pairs.Where(forbids.Contains))
            Assert.Fail($"{label}: forbidden pairing {forbidden} made in {Show(assignment)}.");
        foreach (var missing in problem.Locks.Where(l => !pairs.Contains(l)))
            Assert.Fail($"{label}: locked pairing {missing} missing from {Show(assignment)}.");
        if (problem.EveryMenteeMatched && pairs.Count != mentees)
            Assert.Fail($"{label}: every mentee must be matched, but {Show(assignment)} has {pairs.Count} of {mentees}.");
        if (pairs.Sum(p => problem.Scores[p.Mentor, p.Mentee]) != assignment.Total)
            Assert.Fail($"{label}: the pairs of {Show(assignment)} do not add up to its total.");
        if (!pairs.SequenceEqual(pairs.OrderBy(p => p.Mentor).ThenBy(p => p.Mentee)))
            Assert.Fail($"{label}: {Show(assignment)} is not ordered by mentor, then mentee.");
    }

    /// <summary>The reason must be a true statement about the cities it names, and one that rules every assignment out.
    /// </summary>
    private static void AssertReasonHolds(AssignmentProblem problem, AssignmentResult result, string label)
    {
        var locks = problem.Locks.ToHashSet();
        var forbids = problem.Forbids.ToHashSet();
        var mentors = problem.Scores.GetLength(0);
        var named = $"{label}: {result.Reason} naming mentors [{string.Join(", ", result.Mentors)}], mentees [{string.Join(", ", result.Mentees)}]";
        var holds = result.Reason switch
        {
            Infeasibility.LockAndForbidSamePairing =>
                result.Mentees.All(j => locks.Intersect(forbids).Any(p => p.Mentee == j && result.Mentors.Contains(p.Mentor))),
            Infeasibility.MenteeLockedTwice =>
                result.Mentees.All(j => locks.Count(p => p.Mentee == j && result.Mentors.Contains(p.Mentor)) >= 2),
            Infeasibility.LocksExceedCapacity =>
                result.Mentors.All(i => locks.Count(p => p.Mentor == i && result.Mentees.Contains(p.Mentee)) > problem.Capacity[i]),
            // Each mentee named can only have a mentor named (its lock's, or any it is not forbidden with), and
            // together they need more places than those mentors have.
            Infeasibility.NotEnoughCapacity =>
                problem.EveryMenteeMatched
                && result.Mentees.All(j => locks.Any(p => p.Mentee == j)
                    ? locks.Where(p => p.Mentee == j).All(p => result.Mentors.Contains(p.Mentor))
                    : Enumerable.Range(0, mentors).All(i => result.Mentors.Contains(i) || problem.Capacity[i] == 0 || forbids.Contains((i, j))))
                && result.Mentors.Sum(i => problem.Capacity[i]) < result.Mentees.Count,
            Infeasibility.MenteeWithoutAllowedMentor =>
                problem.EveryMenteeMatched && result.Mentees.Count > 0
                && result.Mentees.All(j => Enumerable.Range(0, mentors).All(i => problem.Capacity[i] == 0 || forbids.Contains((i, j)))),
            _ => false,
        };
        if (!holds || result.Mentees.Count == 0 && result.Mentors.Count == 0)
            Assert.Fail($"{named}: that reason does not hold.");
    }

    private static string Show(Assignment assignment) =>
        $"[{string.Join(" ", assignment.Pairs.Select(p => $"{p.Mentor}->{p.Mentee}"))}] total {assignment.Total}";

    /// <summary>Tries every way to give each mentee one allowed mentor or none, within capacities and locks. Past
    /// 6 × 6 the number of ways grows too fast for a quick test (an 8 × 8 with a few mentors of capacity 2 has tens
    /// of millions), so there the best way to finish from a mentee on is remembered by the capacity left, the only
    /// thing it depends on: still every choice for every mentee, without walking the same subtree twice.</summary>
    private static class BruteForce
    {
        public static Optimum Best(AssignmentProblem problem)
        {
            var scores = problem.Scores;
            int mentors = scores.GetLength(0), mentees = scores.GetLength(1);
            var forbidden = new bool[mentors, mentees];
            foreach (var (i, j) in problem.Forbids)
                forbidden[i, j] = true;
            // A mentee's options: its locks' mentors if it has any (two different ones leave no option), else
            // every mentor, or none (-1) unless every mentee must be matched.
            var options = new List<int>[mentees];
            for (var j = 0; j < mentees; j++)
            {
                var locked = problem.Locks.Where(p => p.Mentee == j).Select(p => p.Mentor).Distinct().ToList();
                options[j] = locked.Count switch
                {
                    0 when problem.EveryMenteeMatched => [.. Enumerable.Range(0, mentors)],
                    0 => [-1, .. Enumerable.Range(0, mentors)],
                    1 => locked,
                    _ => [],
                };
                options[j].RemoveAll(i => i >= 0 && forbidden[i, j]);
            }
            var left = problem.Capacity.ToArray();
            var digit = left.DefaultIfEmpty(0).Max() + 1L;
            var remembered = mentors * mentees > 36 ? new Dictionary<long, (int Pairs, long Total)?>() : null;
            return Rest(0) is { } best ? new Optimum(true, best.Pairs, best.Total) : new Optimum(false, 0, 0);

            // The best (most pairs, then highest total) for mentees from this one on, or null if none is allowed.
            (int Pairs, long Total)? Rest(int mentee)
            {
                if (mentee == mentees)
                    return (0, 0);
                var key = (long)mentee;
                foreach (var c in left)
                    key = key * digit + c;
                if (remembered is not null && remembered.TryGetValue(key, out var known))
                    return known;

                (int Pairs, long Total)? best = null;
                foreach (var mentor in options[mentee])
                {
                    (int Pairs, long Total)? way;
                    if (mentor < 0)
                        way = Rest(mentee + 1);
                    else if (left[mentor] == 0)
                        continue;
                    else
                    {
                        left[mentor]--;
                        way = Rest(mentee + 1) is { } rest ? (rest.Pairs + 1, rest.Total + scores[mentor, mentee]) : null;
                        left[mentor]++;
                    }
                    if (way is { } w && (best is not { } b || w.Pairs > b.Pairs || w.Pairs == b.Pairs && w.Total > b.Total))
                        best = w;
                }
                remembered?.Add(key, best);
                return best;
            }
        }
    }

    /// <summary>The Hungarian method (Kuhn-Munkres with potentials, O(n²m)) on a square matrix: one row per place of
    /// a mentor (capacity-expanded), one column per mentee, padded with empty rows and columns. A pairing weighs a
    /// large bonus plus its score, so the most pairs come first and the total second; a forbidden pairing weighs 0
    /// and counts as no pair. Locks are made beforehand.</summary>
    private static class Hungarian
    {
        public static Optimum Best(AssignmentProblem problem)
        {
            var scores = problem.Scores;
            int mentors = scores.GetLength(0), mentees = scores.GetLength(1);
            var locks = problem.Locks.Distinct().ToList();
            var forbids = problem.Forbids.ToHashSet();
            var left = problem.Capacity.ToArray();
            foreach (var (mentor, _) in locks)
                left[mentor]--;
            if (locks.Any(forbids.Contains) || left.Any(c => c < 0) || locks.GroupBy(p => p.Mentee).Any(g => g.Count() > 1))
                return new Optimum(false, 0, 0);

            var lockedMentees = locks.Select(p => p.Mentee).ToHashSet();
            var free = Enumerable.Range(0, mentees).Where(j => !lockedMentees.Contains(j)).ToList();
            var places = Enumerable.Range(0, mentors).SelectMany(i => Enumerable.Repeat(i, left[i])).ToList();
            var size = Math.Max(places.Count, free.Count);
            var bonus = 1L;
            foreach (var s in scores)
                bonus += s;
            var weight = new long[size, size];
            for (var r = 0; r < places.Count; r++)
                for (var c = 0; c < free.Count; c++)
                    if (!forbids.Contains((places[r], free[c])))
                        weight[r, c] = bonus + scores[places[r], free[c]];

            var columnOfRow = MaximumWeight(weight, size);
            var pairs = locks.Count;
            var total = locks.Sum(p => scores[p.Mentor, p.Mentee]);
            for (var r = 0; r < size; r++)
                if (weight[r, columnOfRow[r]] > 0)
                {
                    pairs++;
                    total += weight[r, columnOfRow[r]] - bonus;
                }
            if (problem.EveryMenteeMatched && pairs < mentees)
                return new Optimum(false, 0, 0);
            return new Optimum(true, pairs, total);
        }

        private static int[] MaximumWeight(long[,] weight, int n)
        {
            // Rows and columns 1-based, column 0 the virtual start; minimises the negated weights.
            var u = new long[n + 1];
            var v = new long[n + 1];
            var rowOfColumn = new int[n + 1];
            var way = new int[n + 1];
            for (var row = 1; row <= n; row++)
            {
                rowOfColumn[0] = row;
                var column = 0;
                var least = new long[n + 1];
                Array.Fill(least, long.MaxValue);
                var used = new bool[n + 1];
                do
                {
                    used[column] = true;
                    int current = rowOfColumn[column], next = 0;
                    var delta = long.MaxValue;
                    for (var c = 1; c <= n; c++)
                    {
                        if (used[c])
                            continue;
                        var reduced = -weight[current - 1, c - 1] - u[current] - v[c];
                        if (reduced < least[c])
                        {
                            least[c] = reduced;
                            way[c] = column;
                        }
                        if (least[c] < delta)
                        {
                            delta = least[c];
                            next = c;
                        }
                    }
                    for (var c = 0; c <= n; c++)
                        if (used[c])
                        {
                            u[rowOfColumn[c]] += delta;
                            v[c] -= delta;
                        }
                        else
                        {
                            least[c] -= delta;
                        }
                    column = next;
                }
                while (rowOfColumn[column] != 0);
                do
                {
                    var previous = way[column];
                    rowOfColumn[column] = rowOfColumn[previous];
                    column = previous;
                }
                while (column != 0);
            }
            var columnOfRow = new int[n];
            for (var c = 1; c <= n; c++)
                columnOfRow[rowOfColumn[c] - 1] = c - 1;
            return columnOfRow;
        }
    }
}
