using System.Diagnostics;
using Mentoring.Server.Matching;

// The exact matching solver on its own (pure code: no database, no web server): one solve per random instance,
// timed by Stopwatch, after a warm-up. The goal row is issue 11's: 25 x 25 cities with 5 locks and 10 forbids, the
// exact answer in at most 100 ms. Run through bench/matching.sh, which builds in Release first. See README.md.
// Enough solves for the JIT to tier the solver up before anything is timed.
const int warmup = 300;
var runs = 200;
var seed = 11;
for (var a = 0; a < args.Length; a++)
    switch (args[a])
    {
        case "--runs" when a + 1 < args.Length: runs = int.Parse(args[++a]); break;
        case "--seed" when a + 1 < args.Length: seed = int.Parse(args[++a]); break;
        default: Console.Error.WriteLine($"unknown argument {args[a]}; use --runs N, --seed N"); return 1;
    }

var cases = new[]
{
    new Case("25 x 25, 5 locks, 10 forbids, every mentee", 25, 25, 5, 10, EveryMentee: true, Proposal: false, GoalMs: 100),
    new Case("25 x 25, 5 locks, 10 forbids, most mentees, capacity 1-2", 25, 25, 5, 10, EveryMentee: false, Proposal: false, GoalMs: 100),
    new Case("25 x 25 proposal: 22 solves (with runners-up)", 25, 25, 5, 10, EveryMentee: true, Proposal: true, GoalMs: null),
    new Case("50 x 50, 10 locks, 20 forbids, every mentee", 50, 50, 10, 20, EveryMentee: true, Proposal: false, GoalMs: null),
    new Case("50 x 50, 10 locks, 20 forbids, most mentees, capacity 1-2", 50, 50, 10, 20, EveryMentee: false, Proposal: false, GoalMs: null),
};

Console.WriteLine($"{Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[..3].Aggregate((x, y) => x + " " + y)}; "
    + $"{runs} instances per row (seed {seed}), each solved once after {warmup} warm-up solves; scores 0-10,000 points");
Console.WriteLine();
Console.WriteLine($"{"measure",-58}  {"n",4}  {"median ms",9}  {"p95 ms",7}  {"max ms",7}  {"CPU ms",7}  {"goal",9}  result");
Console.WriteLine($"{new string('-', 58)}  ----  ---------  -------  -------  -------  ---------  ------");
foreach (var c in cases)
{
    var random = new Random(seed);
    for (var w = 0; w < warmup; w++)
        c.Run(c.Instance(random));

    var problems = Enumerable.Range(0, runs).Select(_ => c.Instance(random)).ToArray();
    var samples = new double[runs];
    var process = Process.GetCurrentProcess();
    var cpuBefore = process.TotalProcessorTime;
    for (var r = 0; r < runs; r++)
    {
        var watch = Stopwatch.StartNew();
        c.Run(problems[r]);
        samples[r] = watch.Elapsed.TotalMilliseconds;
    }
    process.Refresh();
    var cpuPerRun = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / runs;
    Array.Sort(samples);
    var median = NearestRank(samples, 0.50);
    var p95 = NearestRank(samples, 0.95);
    var goal = c.GoalMs is { } g ? $"<= {g} ms" : "-";
    var result = c.GoalMs is { } limit ? (median <= limit && p95 <= limit ? "PASS" : "MISS") : "info";
    Console.WriteLine($"{c.Name,-58}  {runs,4}  {median,9:N3}  {p95,7:N3}  {samples[^1],7:N3}  {cpuPerRun,7:N3}  {goal,9}  {result}");
}
Console.WriteLine();
Console.WriteLine("Wall-clock time of each run by Stopwatch, median and p95 by nearest rank; CPU ms: the process's CPU time over the row");
Console.WriteLine("divided by its runs (less moved by other processes on the machine than the p95 is). PASS: median and p95 both within");
Console.WriteLine("the goal. Every instance is feasible (checked). A proposal solves the problem, the same without locks and forbids");
Console.WriteLine("(what they cost) and once per unlocked mentee with its proposed pair forbidden (its runner-up).");
return 0;

static double NearestRank(double[] sorted, double share) => sorted[Math.Max(0, (int)Math.Ceiling(share * sorted.Length) - 1)];

/// <summary>One row: random instances of a size, with locks on distinct mentors and mentees and forbids elsewhere, so
/// every instance has an answer and the solver does all of its work (an infeasible one returns early).</summary>
internal sealed record Case(string Name, int Mentors, int Mentees, int Locks, int Forbids, bool EveryMentee, bool Proposal, int? GoalMs)
{
    public AssignmentProblem Instance(Random random)
    {
        var scores = new long[Mentors, Mentees];
        for (var i = 0; i < Mentors; i++)
            for (var j = 0; j < Mentees; j++)
                scores[i, j] = random.Next(10_001);
        var capacity = Enumerable.Range(0, Mentors).Select(_ => EveryMentee ? 1 : random.Next(1, 3)).ToArray();
        var lockMentors = Enumerable.Range(0, Mentors).OrderBy(_ => random.Next()).Take(Locks).ToArray();
        var lockMentees = Enumerable.Range(0, Mentees).OrderBy(_ => random.Next()).Take(Locks).ToArray();
        var locks = lockMentors.Zip(lockMentees).ToHashSet();
        var forbids = new HashSet<(int, int)>();
        while (forbids.Count < Forbids)
        {
            var pairing = (random.Next(Mentors), random.Next(Mentees));
            if (!locks.Contains(pairing))
                forbids.Add(pairing);
        }
        return new AssignmentProblem(scores, capacity, [.. locks], [.. forbids], EveryMentee);
    }

    /// <summary>Solves (a proposal: with its unconstrained optimum and each mentee's runner-up) and returns the total.
    /// </summary>
    public long Run(AssignmentProblem problem)
    {
        var best = Solved(problem);
        if (!Proposal)
            return best.Total;
        var total = best.Total + Solved(problem with { Locks = [], Forbids = [] }).Total;
        foreach (var pair in best.Pairs)
        {
            // Forbidding a locked pair would clash with its lock: a locked mentee's runner-up is another question.
            if (problem.Locks.Contains(pair))
                continue;
            var runnerUp = AssignmentSolver.Solve(problem with { Forbids = [.. problem.Forbids, pair] });
            total += runnerUp.Assignment?.Total ?? 0;
        }
        return total;
    }

    private static Assignment Solved(AssignmentProblem problem) =>
        AssignmentSolver.Solve(problem).Assignment
        ?? throw new InvalidOperationException("A benchmark instance has no answer; the generator must make feasible ones.");
}
