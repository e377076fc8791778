using Mentoring.Server.Programme.Packages;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Mentoring.Server.Workflows;
using Mentoring.Server.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Bench;

/// <summary>
/// The runtime's side of the benchmark, through the same services the server uses: <see cref="WorkflowHost"/>
/// starts and resumes instances of the IncluCities pair workflow, on pairs made from the seeded cities.
/// </summary>
internal sealed class RuntimeWorkloads(IDbContextFactory<MentoringDb> dbs, WorkflowHost host, DefinitionStore definitions,
    IOptions<SchedulingOptions> scheduling, TimeProvider clock)
{
    private static readonly Actor Starter = new("bench", "Benchmark set-up", ActorRole.System);

    private WorkflowDefinition _pairWorkflow = null!;
    private BenchPair[] _seededPairs = [];
    private Dictionary<string, Person> _coordinators = [];
    private int _nextPairNumber;
    private readonly ConcurrentQueue<BenchPair> _unstarted = new();
    // Started instances whose open tasks are not lined up as resumes yet (PlanResumesAsync takes them).
    private readonly ConcurrentQueue<Guid> _started = new();
    private readonly List<Guid> _planned = [];
    private Resume[] _resumes = [];
    private int _nextResume = -1;
    private Guid[] _loadable = [];

    public int ResumesLeft => Math.Max(0, _resumes.Length - (Volatile.Read(ref _nextResume) + 1));

    /// <summary>Pair rows made and not started yet.</summary>
    public int Unstarted => _unstarted.Count;

    public async Task PrepareAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var programme = await db.Programmes.AsNoTracking().SingleAsync(p => p.Id == DemoProgramme.ProgrammeId, ct);
        var groups = await db.Groups.AsNoTracking().Where(p => p.ProgrammeId == programme.Id).OrderBy(p => p.Number)
            .Take(4).ToArrayAsync(ct);
        _pairWorkflow = definitions.Catalog.Latest(groups[0].WorkflowId)
                        ?? throw new InvalidOperationException($"The pair workflow '{groups[0].WorkflowId}' is not loaded.");
        _seededPairs = await BenchPair.LoadAsync(db, groups, ct);
        _coordinators = await (from place in db.ProgrammePeople.AsNoTracking()
                where place.ProgrammeId == programme.Id && place.Role == PersonRoles.Coordinator && place.CityId != null
                join p in db.People on place.PersonId equals p.Id
                select new { place.CityId, Person = p })
            .ToDictionaryAsync(p => p.CityId!, p => p.Person, ct);
        _nextPairNumber = await db.Groups.Where(p => p.ProgrammeId == programme.Id).MaxAsync(p => p.Number, ct) + 1;
    }

    /// <summary>Pair rows, written in bulk and not timed: a start is timed from the instance on.</summary>
    public async Task AddPairsAsync(int count, CancellationToken ct)
    {
        const int batch = 2_000;
        for (var done = 0; done < count; done += batch)
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            var pairs = Enumerable.Range(0, Math.Min(batch, count - done)).Select(_ =>
            {
                var model = _seededPairs[_nextPairNumber % _seededPairs.Length];
                return model with
                {
                    Group = new Group
                    {
                        ProgrammeId = model.Group.ProgrammeId, Number = _nextPairNumber++, Shape = model.Group.Shape,
                        Title = model.Group.Title, Notes = model.Group.Notes, WorkflowId = model.Group.WorkflowId,
                        InstanceId = Guid.CreateVersion7(),
                    },
                };
            }).ToList();
            foreach (var pair in pairs) pair.AddTo(db);
            await db.SaveChangesAsync(ct);
            foreach (var pair in pairs) _unstarted.Enqueue(pair);
        }
    }

    /// <summary>One start: the pair's instance created and run to its first waits, in a transaction of its own.</summary>
    public async Task<bool> StartOneAsync(CancellationToken ct)
    {
        if (!_unstarted.TryDequeue(out var pair)) return false;
        await using var db = await dbs.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var instance = await host.StartAsync(db, _pairWorkflow, pair.Group.ProgrammeId, pair.Group, Starter, ct);
        await transaction.CommitAsync(ct);
        _started.Enqueue(instance.Id);
        return true;
    }

    /// <summary>Instances that only supply open tasks for the resume phases: many per transaction, not timed.</summary>
    public async Task StartInBulkAsync(int count, CancellationToken ct)
    {
        const int batch = 250;
        for (var done = 0; done < count; done += batch)
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            for (var i = 0; i < Math.Min(batch, count - done) && _unstarted.TryDequeue(out var pair); i++)
                _started.Enqueue((await host.StartAsync(db, _pairWorkflow, pair.Group.ProgrammeId, pair.Group, Starter, ct)).Id);
            await transaction.CommitAsync(ct);
        }
    }

    /// <summary>
    /// Makes sure at least <paramref name="resumes"/> open tasks are lined up, starting instances in bulk (untimed, each
    /// leaves two) and pair rows for them as needed, so that a phase cannot run out of work before its end.
    /// </summary>
    public async Task TopUpAsync(int resumes, CancellationToken ct)
    {
        var missing = resumes - ResumesLeft;
        if (missing <= 0) return;
        var instances = (missing + 1) / 2;
        if (_unstarted.Count < instances) await AddPairsAsync(instances - _unstarted.Count, ct);
        await StartInBulkAsync(instances, ct);
        await PlanResumesAsync(ct);
    }

    /// <summary>
    /// Lines up the open tasks of the instances started since the last call as resumes (after those still left), in an
    /// order where no two resumes near each other touch the same instance: first tasks of instance k, then (64 places
    /// later) the other task of instance k. So half the resumes end one branch of the first stage's parallel step, and
    /// half end the other and open the facilitator's approval (with its email), and no client waits on another's row.
    /// </summary>
    public async Task PlanResumesAsync(CancellationToken ct)
    {
        const int spacing = 64;
        await using var db = await dbs.CreateDbContextAsync(ct);
        var fresh = new List<Guid>();
        while (_started.TryDequeue(out var id)) fresh.Add(id);
        var instanceIds = fresh.ToArray();
        var pairs = (await BenchPair.LoadAsync(db,
                await db.Groups.AsNoTracking().Where(p => instanceIds.Contains(p.InstanceId)).ToArrayAsync(ct), ct))
            .ToDictionary(p => p.Group.InstanceId);
        var tasks = await db.WorkItems.AsNoTracking()
            .Where(w => instanceIds.Contains(w.InstanceId) && w.Status == WorkItemStatus.Open && w.Kind == "task")
            .OrderBy(w => w.InstanceId).ThenBy(w => w.StepId)
            .ToListAsync(ct);
        var byInstance = tasks.GroupBy(t => t.InstanceId).Select(g => g.ToList()).ToList();
        var firsts = byInstance.Select(g => g[0]).ToList();
        var seconds = byInstance.Where(g => g.Count > 1).Select(g => g[1]).ToList();

        var left = Math.Max(0, _resumes.Length - (_nextResume + 1));
        var plan = new List<Resume>(left + tasks.Count);
        plan.AddRange(_resumes.AsSpan(_resumes.Length - left));
        for (var i = 0; i < firsts.Count + spacing; i++)
        {
            if (i < firsts.Count) plan.Add(Plan(firsts[i], pairs[firsts[i].InstanceId]));
            if (i >= spacing && i - spacing < seconds.Count) plan.Add(Plan(seconds[i - spacing], pairs[seconds[i - spacing].InstanceId]));
        }

        _resumes = [.. plan];
        _nextResume = -1;
        _planned.AddRange(instanceIds);
        _loadable = [.. _planned];
    }

    /// <summary>One resume: a coordinator completes an open task with a fresh Idempotency-Key, as the pair API does.</summary>
    public async Task<bool> ResumeOneAsync(CancellationToken ct)
    {
        var index = Interlocked.Increment(ref _nextResume);
        if (index >= _resumes.Length) return false;
        var resume = _resumes[index];
        var outcome = await host.ExecuteAsync(resume.InstanceId, resume.Command, NewKey(resume), ct);
        if (outcome.Kind != OutcomeKind.Applied)
            throw new InvalidOperationException(
                $"Resume of {resume.InstanceId} ({resume.Command.StepId}) was {outcome.Kind}: {outcome.Rejection?.Message}");
        return true;
    }

    /// <summary>One load: an instance read by id, untracked, and its durable state deserialized.</summary>
    public async Task<bool> LoadOneAsync(CancellationToken ct)
    {
        var id = _loadable[Random.Shared.Next(_loadable.Length)];
        await using var db = await dbs.CreateDbContextAsync(ct);
        var instance = await db.Instances.AsNoTracking().SingleAsync(i => i.Id == id, ct);
        var state = JsonSerializer.Deserialize<InstanceState>(instance.State, WorkflowHost.StateJson);
        if (state is not { Active.Count: > 0 }) throw new InvalidOperationException($"Instance {id} has no open steps.");
        return true;
    }

    /// <summary>
    /// The pure part of the first planned resume (call it before resuming), repeated in memory: state JSON read, the engine's run, state JSON
    /// written. What a resume costs beyond this is the host's database work (EF Core, Npgsql, PostgreSQL).
    /// </summary>
    public async Task<double> EngineOnlyMsAsync(int iterations, CancellationToken ct)
    {
        var next = _resumes[0];
        await using var db = await dbs.CreateDbContextAsync(ct);
        var instance = await db.Instances.AsNoTracking().SingleAsync(i => i.Id == next.InstanceId, ct);
        var context = await InstanceContext.LoadAsync(db, instance, scheduling.Value.WorkingHours(), ct);
        var definition = definitions.Get(instance.DefinitionId, instance.DefinitionVersion);
        var runner = new WorkflowRunner();
        var now = clock.GetUtcNow();

        double Run(int count)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            for (var i = 0; i < count; i++)
            {
                var state = JsonSerializer.Deserialize<InstanceState>(instance.State, WorkflowHost.StateJson);
                var result = runner.Run(definition, state, next.Command, context, now);
                if (!result.Applied) throw new InvalidOperationException($"The engine rejected the resume: {result.Rejection?.Message}");
                _ = JsonSerializer.Serialize(result.State, WorkflowHost.StateJson);
            }

            return System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds / count;
        }

        Run(Math.Max(1, iterations / 4)); // JIT
        return Run(iterations);
    }

    private Resume Plan(WorkItem item, BenchPair pair)
    {
        var step = (TaskStep)_pairWorkflow.Locate(item.StepId).Step;
        var cityId = step.Assignee == Role.Mentee ? pair.MenteeCityId : pair.MentorCityId;
        var person = _coordinators[cityId];
        var actor = new Actor(person.Id.ToString(), person.Name, step.Assignee == Role.Mentee ? ActorRole.Mentee : ActorRole.Mentor);
        var command = new CompleteTask(actor, item.StepId, item.Activation,
            Note: $"{person.Name}: done for pair {pair.Group.Number}; the details are in the attached document.",
            Link: step.Requires.Contains(Requirement.Link) ? $"https://docs.example/pairs/{pair.Group.Number}/{item.StepId}" : null,
            FileId: step.Requires.Contains(Requirement.File) ? $"file-{Guid.NewGuid():N}" : null);
        return new Resume(pair.Group.Id, item.InstanceId, item.Id, command);
    }

    /// <summary>A fresh key per request, fingerprinted as <c>Idempotency.For</c> does from user, operation and body.</summary>
    private static IdempotencyKey NewKey(Resume resume)
    {
        var fingerprint = $"{resume.Command.By.Id}\nPOST /api/pairs/{resume.PairId}/tasks/{resume.ItemId}/complete\n" +
                          $"{resume.Command.Note}|{resume.Command.Link}|{resume.Command.FileId}";
        return new IdempotencyKey(Guid.NewGuid().ToString(), Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fingerprint))));
    }

    private sealed record Resume(Guid PairId, Guid InstanceId, Guid ItemId, CompleteTask Command);

    /// <summary>A pair as the benchmark makes them: the group and its mentor and mentee cities.</summary>
    private sealed record BenchPair(Group Group, string MentorCityId, string MenteeCityId)
    {
        public static async Task<BenchPair[]> LoadAsync(MentoringDb db, Group[] groups, CancellationToken ct)
        {
            var ids = groups.Select(g => g.Id).ToList();
            var members = await db.GroupMembers.AsNoTracking().Where(m => ids.Contains(m.GroupId)).ToListAsync(ct);
            return groups.Select(g => new BenchPair(g, members.Single(m => m.GroupId == g.Id && m.Role == "mentor").CityId,
                members.Single(m => m.GroupId == g.Id && m.Role == "mentee").CityId)).ToArray();
        }

        public void AddTo(MentoringDb db)
        {
            db.Groups.Add(Group);
            db.GroupMembers.Add(new GroupMember { GroupId = Group.Id, CityId = MentorCityId, Role = "mentor" });
            db.GroupMembers.Add(new GroupMember { GroupId = Group.Id, CityId = MenteeCityId, Role = "mentee" });
        }
    }
}
