namespace Mentoring.Server.Matching;

/// <summary>A matching of mentor cities (rows) to mentee cities (columns). Scores are whole points (the caller
/// scales), so the optimum is exact.</summary>
/// <param name="Scores">[mentor, mentee], each at least 0.</param>
/// <param name="Capacity">Per mentor, at least 0: how many mentees it may take (a city may mentor two).</param>
/// <param name="Locks">Pairings that must be made.</param>
/// <param name="Forbids">Pairings that must not be made.</param>
/// <param name="EveryMenteeMatched">True: impossible unless every mentee is matched. False: as many mentees as
/// possible, then the highest total.</param>
public sealed record AssignmentProblem(
    long[,] Scores,
    IReadOnlyList<int> Capacity,
    IReadOnlyCollection<(int Mentor, int Mentee)> Locks,
    IReadOnlyCollection<(int Mentor, int Mentee)> Forbids,
    bool EveryMenteeMatched);

/// <summary>The pairs made (ordered by mentor, then mentee) and the sum of their scores.</summary>
public sealed record Assignment(IReadOnlyList<(int Mentor, int Mentee)> Pairs, long Total);

/// <summary>Why a problem has no assignment.</summary>
public enum Infeasibility
{
    /// <summary>A pairing is both locked and forbidden.</summary>
    LockAndForbidSamePairing,

    /// <summary>A mentee is locked to two or more mentors.</summary>
    MenteeLockedTwice,

    /// <summary>A mentor is locked to more mentees than its capacity.</summary>
    LocksExceedCapacity,

    /// <summary>Every mentee must be matched, but the mentors concerned cannot take all the mentees concerned: the
    /// capacities of all mentors fall short of the number of mentees, or (after the forbids) the mentees concerned
    /// can only be mentored by the mentors concerned, whose capacity is smaller than their number.</summary>
    NotEnoughCapacity,

    /// <summary>Every mentee must be matched, but every mentor able to take anyone is forbidden for the mentees
    /// concerned.</summary>
    MenteeWithoutAllowedMentor,
}

/// <summary>Either an assignment or why none exists, with the mentors and mentees concerned (indices, ascending).
/// </summary>
public sealed record AssignmentResult(
    Assignment? Assignment,
    Infeasibility? Reason,
    IReadOnlyList<int> Mentors,
    IReadOnlyList<int> Mentees);

/// <summary>An exact solver for <see cref="AssignmentProblem"/>. Pure: the same problem always gives the same
/// result, with no I/O, clock or shared state.</summary>
/// <remarks>
/// Method: min-cost max-flow by successive shortest paths with Johnson potentials (Dijkstra on reduced costs),
/// in whole numbers throughout, so the optimum is exact, not approximate.
/// <para>
/// Locks are made first: each locked mentee leaves the problem and its mentor's capacity shrinks by one. The rest
/// is a flow network source → mentor (capacity: what is left of the mentor's) → mentee (1, for every pairing not
/// forbidden) → sink (1). A pairing costs <c>M - score</c>, M the highest score, so every cost is at least 0 and
/// Dijkstra needs no negative-edge start. Every unit of flow crosses exactly one pairing, so a flow of k units costs
/// <c>k·M - total</c>: among flows of the same size, the cheapest is the one with the highest total. Successive
/// shortest paths keep the flow the cheapest of its size after every augmentation and stop at the maximum flow,
/// which is therefore "as many mentees as possible, then the highest total". In the every-mentee mode the same
/// flow is the answer when it covers every mentee; when it does not, the unmatched mentee and the alternating
/// paths from it give a set of mentees whose only possible mentors are full (Hall's condition fails), which is the
/// reason given back.
/// </para>
/// <para>
/// Why not the Hungarian method on capacity-expanded mentors: it needs a square matrix and a way to leave mentees
/// unmatched (dummy rows), and a mentor's copies make ties between identical rows; the flow network takes
/// capacities and "at most one mentor" as they are. With V = mentors + mentees + 2 nodes and a dense array
/// Dijkstra (O(V²)) per augmentation, at most min(mentees, total capacity) augmentations: 25 × 25 is some 25 runs
/// over 52 nodes.
/// </para>
/// </remarks>
public static class AssignmentSolver
{
    public static AssignmentResult Solve(AssignmentProblem problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        var (scores, capacity, locks, forbids) = Validate(problem);
        int mentors = scores.GetLength(0), mentees = scores.GetLength(1);

        var conflict = locks.Intersect(forbids).ToList();
        if (conflict.Count > 0)
            return Impossible(Infeasibility.LockAndForbidSamePairing, conflict.Select(p => p.Mentor), conflict.Select(p => p.Mentee));

        var lockedTwice = locks.GroupBy(p => p.Mentee).Where(g => g.Count() > 1).SelectMany(g => g).ToList();
        if (lockedTwice.Count > 0)
            return Impossible(Infeasibility.MenteeLockedTwice, lockedTwice.Select(p => p.Mentor), lockedTwice.Select(p => p.Mentee));

        var overLocked = locks.GroupBy(p => p.Mentor).Where(g => g.Count() > capacity[g.Key]).SelectMany(g => g).ToList();
        if (overLocked.Count > 0)
            return Impossible(Infeasibility.LocksExceedCapacity, overLocked.Select(p => p.Mentor), overLocked.Select(p => p.Mentee));

        if (problem.EveryMenteeMatched)
        {
            if (capacity.Sum(c => (long)c) < mentees)
                return Impossible(Infeasibility.NotEnoughCapacity, Enumerable.Range(0, mentors), Enumerable.Range(0, mentees));

            // A mentor of capacity 0 can take no one, so forbidding every other mentor leaves the mentee alone.
            var alone = Enumerable.Range(0, mentees)
                .Where(j => Enumerable.Range(0, mentors).All(i => capacity[i] == 0 || forbids.Contains((i, j))))
                .ToList();
            if (alone.Count > 0)
            {
                var forbidding = forbids.Where(p => alone.Contains(p.Mentee) && capacity[p.Mentor] > 0).Select(p => p.Mentor);
                return Impossible(Infeasibility.MenteeWithoutAllowedMentor, forbidding, alone);
            }
        }

        var flow = new Network(scores, capacity, locks, forbids);
        flow.Run();

        if (problem.EveryMenteeMatched && flow.FirstUnmatchedMentee() is { } unmatched)
        {
            var (hallMentors, hallMentees) = flow.MenteesOnlyFullMentorsCanTake(unmatched);
            // The locked mentees of those mentors use up part of their capacity: they belong to the shortfall too.
            var lockedToThem = locks.Where(p => hallMentors.Contains(p.Mentor)).Select(p => p.Mentee);
            return Impossible(Infeasibility.NotEnoughCapacity, hallMentors, hallMentees.Concat(lockedToThem));
        }

        var pairs = locks.Concat(flow.Pairs()).OrderBy(p => p.Mentor).ThenBy(p => p.Mentee).ToList();
        long total = 0;
        foreach (var (mentor, mentee) in pairs)
            total += scores[mentor, mentee];
        return new AssignmentResult(new Assignment(pairs, total), null, [], []);
    }

    private static AssignmentResult Impossible(Infeasibility reason, IEnumerable<int> mentors, IEnumerable<int> mentees) =>
        new(null, reason, mentors.Distinct().Order().ToList(), mentees.Distinct().Order().ToList());

    /// <summary>Malformed input is a caller's bug and throws; well-formed input the solver cannot satisfy is an
    /// <see cref="Infeasibility"/>. Locks and forbids given twice count once.</summary>
    private static (long[,] Scores, IReadOnlyList<int> Capacity, HashSet<(int Mentor, int Mentee)> Locks,
        HashSet<(int Mentor, int Mentee)> Forbids) Validate(AssignmentProblem problem)
    {
        var scores = problem.Scores ?? throw new ArgumentException("Scores is missing.", nameof(problem));
        var capacity = problem.Capacity ?? throw new ArgumentException("Capacity is missing.", nameof(problem));
        int mentors = scores.GetLength(0), mentees = scores.GetLength(1);
        if (capacity.Count != mentors)
            throw new ArgumentException(
                $"Capacity has {capacity.Count} entries but Scores has {mentors} mentor rows.", nameof(problem));

        for (var i = 0; i < mentors; i++)
            if (capacity[i] < 0)
                throw new ArgumentException($"Capacity[{i}] is {capacity[i]}; a capacity must be at least 0.", nameof(problem));

        long highest = 0;
        for (var i = 0; i < mentors; i++)
            for (var j = 0; j < mentees; j++)
            {
                if (scores[i, j] < 0)
                    throw new ArgumentException(
                        $"Scores[{i}, {j}] is {scores[i, j]}; a score must be at least 0.", nameof(problem));
                highest = Math.Max(highest, scores[i, j]);
            }

        // Path costs and potentials stay within (4V + 4)·M, V the number of nodes: this keeps them in a long.
        var bound = 4L * (mentors + mentees + 2) + 4;
        if (highest > long.MaxValue / bound)
            throw new ArgumentException(
                $"Scores reach {highest}; with {mentors} mentors and {mentees} mentees a score must be at most {long.MaxValue / bound}.",
                nameof(problem));

        return (scores, capacity, Pairings(problem.Locks, "Locks"), Pairings(problem.Forbids, "Forbids"));

        HashSet<(int Mentor, int Mentee)> Pairings(IReadOnlyCollection<(int Mentor, int Mentee)>? given, string name)
        {
            if (given is null)
                throw new ArgumentException($"{name} is missing.", nameof(problem));
            foreach (var (mentor, mentee) in given)
            {
                if (mentor < 0 || mentor >= mentors)
                    throw new ArgumentException(
                        $"{name} has mentor {mentor} (with mentee {mentee}); mentors are 0 to {mentors - 1}.", nameof(problem));
                if (mentee < 0 || mentee >= mentees)
                    throw new ArgumentException(
                        $"{name} has mentee {mentee} (with mentor {mentor}); mentees are 0 to {mentees - 1}.", nameof(problem));
            }
            return [.. given];
        }
    }

    /// <summary>The flow network of the unlocked part of the problem, with its residual capacities. Nodes: 0 the
    /// source, 1..m the mentors, m+1..m+n the mentees, m+n+1 the sink.</summary>
    private sealed class Network
    {
        private readonly int _mentors;
        private readonly int _mentees;
        private readonly int _sink;
        private readonly int[] _head;
        private readonly List<int> _to = [];
        private readonly List<int> _next = [];
        private readonly List<int> _residual = [];
        private readonly List<long> _cost = [];
        private readonly int[] _pairingEdge; // [mentor * mentees + mentee] -> forward edge, or -1
        private readonly bool[] _possible;   // [mentor * mentees + mentee]: not forbidden, mentor of capacity > 0

        public Network(long[,] scores, IReadOnlyList<int> capacity, HashSet<(int Mentor, int Mentee)> locks,
            HashSet<(int Mentor, int Mentee)> forbids)
        {
            _mentors = scores.GetLength(0);
            _mentees = scores.GetLength(1);
            _sink = _mentors + _mentees + 1;
            _head = new int[_sink + 1];
            Array.Fill(_head, -1);
            _pairingEdge = new int[_mentors * _mentees];
            Array.Fill(_pairingEdge, -1);
            _possible = new bool[_mentors * _mentees];

            long highest = 0;
            foreach (var s in scores)
                highest = Math.Max(highest, s);

            var left = capacity.ToArray();
            var locked = new bool[_mentees];
            foreach (var (mentor, mentee) in locks)
            {
                left[mentor]--;
                locked[mentee] = true;
            }

            for (var i = 0; i < _mentors; i++)
                if (left[i] > 0)
                    AddEdge(0, MentorNode(i), left[i], 0);
            for (var j = 0; j < _mentees; j++)
                if (!locked[j])
                    AddEdge(MenteeNode(j), _sink, 1, 0);
            for (var i = 0; i < _mentors; i++)
                for (var j = 0; j < _mentees; j++)
                {
                    _possible[i * _mentees + j] = capacity[i] > 0 && !forbids.Contains((i, j));
                    if (_possible[i * _mentees + j] && left[i] > 0 && !locked[j])
                        _pairingEdge[i * _mentees + j] = AddEdge(MentorNode(i), MenteeNode(j), 1, highest - scores[i, j]);
                }
        }

        private int MentorNode(int mentor) => 1 + mentor;

        private int MenteeNode(int mentee) => 1 + _mentors + mentee;

        private int AddEdge(int from, int to, int capacity, long cost)
        {
            var edge = _to.Count;
            _to.Add(to); _residual.Add(capacity); _cost.Add(cost); _next.Add(_head[from]); _head[from] = edge;
            _to.Add(from); _residual.Add(0); _cost.Add(-cost); _next.Add(_head[to]); _head[to] = edge + 1;
            return edge;
        }

        /// <summary>Augments along cheapest paths until the sink is out of reach.</summary>
        public void Run()
        {
            var nodes = _sink + 1;
            var potential = new long[nodes];
            var distance = new long[nodes];
            var via = new int[nodes];
            var done = new bool[nodes];
            while (true)
            {
                Array.Fill(distance, long.MaxValue);
                Array.Fill(via, -1);
                Array.Fill(done, false);
                distance[0] = 0;
                for (var round = 0; round < nodes; round++)
                {
                    // Dense Dijkstra: the network is nearly complete between mentors and mentees, so an array scan
                    // beats a heap; ties go to the lowest node, which keeps the result deterministic.
                    var u = -1;
                    for (var v = 0; v < nodes; v++)
                        if (!done[v] && distance[v] != long.MaxValue && (u < 0 || distance[v] < distance[u]))
                            u = v;
                    if (u < 0)
                        break;
                    done[u] = true;
                    for (var e = _head[u]; e >= 0; e = _next[e])
                    {
                        if (_residual[e] == 0)
                            continue;
                        var v = _to[e];
                        var reduced = _cost[e] + potential[u] - potential[v];
                        if (distance[u] + reduced < distance[v])
                        {
                            distance[v] = distance[u] + reduced;
                            via[v] = e;
                        }
                    }
                }
                if (distance[_sink] == long.MaxValue)
                    return;

                // Nodes out of reach stay out of reach (new residual edges only join reached nodes), so their
                // potentials are never read again.
                for (var v = 0; v < nodes; v++)
                    if (distance[v] != long.MaxValue)
                        potential[v] += distance[v];

                // Every path ends with a mentee → sink edge of capacity 1: one unit per augmentation.
                for (var v = _sink; v != 0; v = _to[via[v] ^ 1])
                {
                    _residual[via[v]]--;
                    _residual[via[v] ^ 1]++;
                }
            }
        }

        public IEnumerable<(int Mentor, int Mentee)> Pairs()
        {
            for (var i = 0; i < _mentors; i++)
                for (var j = 0; j < _mentees; j++)
                    if (IsMade(i, j))
                        yield return (i, j);
        }

        private bool IsMade(int mentor, int mentee)
        {
            var edge = _pairingEdge[mentor * _mentees + mentee];
            return edge >= 0 && _residual[edge] == 0;
        }

        /// <summary>The lowest unlocked mentee the flow leaves unmatched, if any.</summary>
        public int? FirstUnmatchedMentee()
        {
            for (var j = 0; j < _mentees; j++)
                for (var e = _head[MenteeNode(j)]; e >= 0; e = _next[e])
                    if (_to[e] == _sink && _residual[e] > 0)
                        return j;
            return null;
        }

        /// <summary>From an unmatched mentee of a maximum flow: every mentor it could have is full (else the flow
        /// would have a path to it), and so is every mentor the mentees of those mentors could have, and so on. Those
        /// mentees (the unmatched one included) outnumber what the locks leave of those mentors' capacity, whatever
        /// the assignment (Hall's condition). Mentors the locks have filled count too: their locks are the reason.
        /// </summary>
        public (HashSet<int> Mentors, HashSet<int> Mentees) MenteesOnlyFullMentorsCanTake(int unmatched)
        {
            var mentors = new HashSet<int>();
            var mentees = new HashSet<int> { unmatched };
            var queue = new Queue<int>([unmatched]);
            while (queue.TryDequeue(out var mentee))
                for (var i = 0; i < _mentors; i++)
                {
                    if (!_possible[i * _mentees + mentee] || !mentors.Add(i))
                        continue;
                    for (var j = 0; j < _mentees; j++)
                        if (IsMade(i, j) && mentees.Add(j))
                            queue.Enqueue(j);
                }
            return (mentors, mentees);
        }
    }
}
