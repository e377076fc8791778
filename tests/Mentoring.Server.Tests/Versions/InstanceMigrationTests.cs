using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Versions;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Versions;

/// <summary>
/// Running IncluCities pairs move from the shipped inclucities-pair v2 (the version new pairs start on) to a test-only v3
/// made from it when the test runs: v3 renames the mentor's strengths task (mentor-strengths-on-theme ->
/// mentor-strengths-and-practices, due after 28 days instead of 21), adds a facilitator task as a third branch of the first
/// stage's parallel, and removes collect-good-practices from stage 2. (The shipped v1 -> v2 move, the benchmark gate, is
/// tested in BenchmarkTests.)
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class InstanceMigrationTests(DatabaseFixture database) : IDisposable
{
    private const string Renamed = "mentor-strengths-on-theme";
    private const string NewName = "mentor-strengths-and-practices";
    private const string Path = "/api/programmes/inclucities/migrations";
    private const int From = 2, To = 3;
    private static readonly Dictionary<string, string> Rename = new() { [Renamed] = NewName };

    private readonly string _workflows = CopyOfWorkflows();

    public void Dispose() => Directory.Delete(_workflows, recursive: true);

    private Dictionary<string, string?> Settings => new() { ["Workflows:DefinitionsPath"] = _workflows };

    /// <summary>The pairs start on v2; then v3 is added and a node that knows it starts.</summary>
    private async Task<(MentoringApp First, MentoringApp WithV3)> StartAsync(DatabaseProvider provider, Func<MentoringApp, Task>? onV2 = null)
    {
        var app = await MentoringApp.StartAsync(database, provider, Settings);
        if (onV2 is not null) await onV2(app);
        File.WriteAllText(System.IO.Path.Combine(_workflows, $"inclucities-pair.v{To}.json"), NextVersion(
            File.ReadAllText(System.IO.Path.Combine(_workflows, "inclucities", $"inclucities-pair.v{From}.json"))));
        return (app, app.StartAnotherNode());
    }

    /// <summary>The shipped version with the three changes this class moves instances across.</summary>
    private static string NextVersion(string shipped)
    {
        var definition = JsonNode.Parse(shipped)!.AsObject();
        definition["version"] = To;
        var stages = definition["stages"]!.AsArray();
        var branches = stages[0]!["steps"]![0]!["branches"]!.AsArray();
        var strengths = branches[1]![0]!.AsObject();
        Assert.Equal(Renamed, strengths["id"]!.GetValue<string>());
        strengths["id"] = NewName;
        strengths["due"] = new JsonObject { ["daysAfterStageStart"] = 28 };
        branches.Add(new JsonArray(new JsonObject
        {
            ["type"] = "task", ["id"] = "facilitator-matching-notes",
            ["title"] = new JsonObject
            {
                ["en"] = "Write down what the matching must take into account",
                ["el"] = "Καταγράψτε τι πρέπει να λάβει υπόψη η αντιστοίχιση",
                ["fr"] = "Consigner ce dont l'appariement doit tenir compte",
                ["nl"] = "Noteren waarmee de koppeling rekening moet houden",
                ["it"] = "Annotare ciò di cui l'abbinamento deve tenere conto",
                ["es"] = "Anotar lo que el emparejamiento debe tener en cuenta",
                ["lv"] = "Pierakstiet, kas jāņem vērā, veidojot pārus",
            },
            ["assignee"] = "facilitator", ["due"] = new JsonObject { ["daysAfterOpen"] = 14 }, ["requires"] = new JsonArray("note"),
        }));
        var stage2 = stages[1]!["steps"]!.AsArray();
        Assert.Equal(1, stage2.Count(step => step!["id"]!.GetValue<string>() == "collect-good-practices"));
        stage2.Remove(stage2.Single(step => step!["id"]!.GetValue<string>() == "collect-good-practices"));
        return definition.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static object Body(bool dryRun, Dictionary<string, string>? mapping = null, string[]? drop = null) => new
    {
        workflow = "inclucities-pair", fromVersion = From, toVersion = To, mapping = mapping ?? Rename, drop = drop ?? [], dryRun,
    };

    private static async Task<MigrationReport> ReportAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<MigrationReport>(Api.Json))!;
    }

    /// <summary>Rows whose count a dry run must leave as they are.</summary>
    private static async Task<(int Items, int Timers, int Journal, int Outbox, string Versions)> CountsAsync(MentoringDb db) =>
        (await db.WorkItems.CountAsync(), await db.Timers.CountAsync(), await db.Journal.CountAsync(), await db.Outbox.CountAsync(),
            string.Join(",", await db.Instances.OrderBy(i => i.Id).Select(i => i.DefinitionVersion).ToListAsync()));

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_running_pair_moves_to_a_new_version_without_running_its_finished_steps_again(DatabaseProvider provider)
    {
        Guid pairId = default, doneItem = default, renamedItem = default;
        var (first, node) = await StartAsync(provider, async app =>
        {
            var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
            pairId = (await jelgava.PairOfAsync("jelgava")).Id;
            doneItem = (await jelgava.OpenItemAsync(pairId, "mentee-needs-self-assessment")).Id;
            Assert.Equal(HttpStatusCode.OK, (await jelgava.CompleteAsync(pairId, doneItem)).StatusCode);
            renamedItem = (await jelgava.OpenItemAsync(pairId, Renamed)).Id;
        });
        await using var _ = first;
        await using var __ = node;
        var facilitator = await node.ClientForAsync(People.Facilitator);
        await using var db = node.Db();
        var instanceId = (await db.WorkItems.SingleAsync(w => w.Id == renamedItem)).InstanceId;
        var timersBefore = await db.Timers.Where(t => t.InstanceId == instanceId && t.StepId == Renamed).Select(t => t.DueAt).ToListAsync();
        var before = await CountsAsync(db);

        var dryRun = await ReportAsync(await facilitator.PostAsJsonAsync(Path, Body(dryRun: true)));

        Assert.Equal(before, await CountsAsync(db));
        Assert.True(dryRun.DryRun);
        Assert.All(dryRun.Instances, i => Assert.Equal("would-move", i.Result));
        var planned = Assert.Single(dryRun.Instances, i => i.InstanceId == instanceId);
        var move = Assert.Single(planned.Moves);
        Assert.Equal((Renamed, NewName, true), (move.From, move.To, move.TimersRecomputed));
        Assert.Equal(7, (move.DueAfter!.Value - move.DueBefore!.Value).TotalDays, precision: 0);
        Assert.Equal(["facilitator-matching-notes"], planned.Opens);

        var applied = await ReportAsync(await facilitator.PostAsJsonAsync(Path, Body(dryRun: false)));

        Assert.All(applied.Instances, i => Assert.Equal("moved", i.Result));
        db.ChangeTracker.Clear();
        var instance = await db.Instances.SingleAsync(i => i.Id == instanceId);
        Assert.Equal(To, instance.DefinitionVersion);
        // The open task is the same row under its new id, due a week later, its reminders set anew.
        var item = await db.WorkItems.SingleAsync(w => w.Id == renamedItem);
        Assert.Equal((NewName, WorkItemStatus.Open), (item.StepId, item.Status));
        Assert.Equal(move.DueAfter!.Value, item.DueAt!.Value, TimeSpan.FromMilliseconds(1));
        var timersAfter = await db.Timers.Where(t => t.InstanceId == instanceId && t.StepId == NewName).Select(t => t.DueAt).ToListAsync();
        Assert.NotEmpty(timersAfter);
        Assert.NotEqual(timersBefore.Order(), timersAfter.Order());
        Assert.False(await db.Timers.AnyAsync(t => t.InstanceId == instanceId && t.StepId == Renamed));
        // The finished task stays finished, once.
        Assert.Equal(WorkItemStatus.Completed, Assert.Single(await db.WorkItems
            .Where(w => w.InstanceId == instanceId && w.StepId == "mentee-needs-self-assessment").ToListAsync()).Status);
        var journal = await db.Journal.Where(j => j.InstanceId == instanceId && j.Type == "migrated").SingleAsync();
        var moved = JsonDocument.Parse(journal.Data).RootElement.GetProperty("moved").EnumerateArray()
            .Select(m => (m.GetProperty("from").GetString(), m.GetProperty("to").GetString()));
        Assert.Contains((Renamed, NewName), moved);
        Assert.NotEqual("system", journal.ActorId);

        // The runner goes on on v3: the renamed and the new task done, the approval opens; stage 2 has no good practices task.
        var mentor = await node.ClientForAsync(People.Coordinator("schaerbeek"));
        Assert.Equal(HttpStatusCode.OK, (await mentor.CompleteAsync(pairId, renamedItem)).StatusCode);
        var notes = await facilitator.OpenItemAsync(pairId, "facilitator-matching-notes");
        Assert.Equal(HttpStatusCode.OK, (await facilitator.CompleteAsync(pairId, notes.Id)).StatusCode);
        var approval = await facilitator.OpenItemAsync(pairId, "approve-matching");
        Assert.Equal(HttpStatusCode.OK,
            (await facilitator.CommandAsync($"/api/pairs/{pairId}/approvals/{approval.Id}/approve", new { comment = "Good." })).StatusCode);
        var open = (await facilitator.PairAsync(pairId)).OpenItems.Select(i => i.StepId).ToList();
        Assert.Contains("draft-key-factors", open);
        Assert.DoesNotContain("collect-good-practices", open);
        Assert.Single(await db.WorkItems.Where(w => w.InstanceId == instanceId && w.StepId == "mentee-needs-self-assessment").ToListAsync());
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_mapping_that_leaves_an_open_task_without_a_place_is_refused_in_the_dry_run(DatabaseProvider provider)
    {
        var (first, node) = await StartAsync(provider);
        await using var _ = first;
        await using var __ = node;
        var facilitator = await node.ClientForAsync(People.Facilitator);
        await using var db = node.Db();
        var before = await CountsAsync(db);

        foreach (var dryRun in new[] { true, false })
        {
            var response = await facilitator.PostAsJsonAsync(Path, Body(dryRun, mapping: []));

            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            var problem = await response.ProblemAsync();
            Assert.Contains(Renamed, problem.GetProperty("detail").GetString());
            var refused = problem.GetProperty("report").GetProperty("instances").EnumerateArray()
                .Where(i => i.GetProperty("result").GetString() == "refused").ToList();
            Assert.Equal(4, refused.Count);
            Assert.All(refused, i => Assert.Contains(i.GetProperty("instanceId").GetString()!, problem.GetProperty("detail").GetString()));
            Assert.All(refused, i => Assert.Equal(Renamed, i.GetProperty("refusals")[0].GetProperty("step").GetString()));
        }

        Assert.Equal(before, await CountsAsync(db));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_same_migration_applied_twice_at_once_and_again_later_moves_each_instance_once(DatabaseProvider provider)
    {
        var (first, node) = await StartAsync(provider);
        await using var _ = first;
        await using var __ = node;
        await using var other = node.StartAnotherNode();
        var one = await node.ClientForAsync(People.Facilitator);
        var two = await other.ClientForAsync(People.Facilitator);

        var posts = new[] { one.PostAsJsonAsync(Path, Body(dryRun: false)), two.PostAsJsonAsync(Path, Body(dryRun: false)) };
        var reports = await Task.WhenAll((await Task.WhenAll(posts)).Select(ReportAsync));
        var again = await ReportAsync(await one.PostAsJsonAsync(Path, Body(dryRun: false)));

        await using var db = node.Db();
        var instances = await db.Instances.Where(i => i.DefinitionId == "inclucities-pair").Select(i => i.Id).ToListAsync();
        Assert.All(instances, id => Assert.Single(db.Journal.Where(j => j.InstanceId == id && j.Type == "migrated")));
        Assert.All(instances, id => Assert.Single(db.WorkItems.Where(w => w.InstanceId == id && w.StepId == "facilitator-matching-notes")));
        Assert.Equal(instances.Count, reports.SelectMany(r => r.Instances).Count(i => i.Result == "moved"));
        Assert.All(again.Instances, i => Assert.Equal(("skipped", $"already on v{To}"), (i.Result, i.Reason)));
    }

    [Fact]
    public async Task Only_the_programmes_facilitator_moves_instances_and_bad_requests_get_problem_details()
    {
        var (first, node) = await StartAsync(DatabaseProvider.Sqlite);
        await using var _ = first;
        await using var __ = node;
        var facilitator = await node.ClientForAsync(People.Facilitator);
        var coordinator = await node.ClientForAsync(People.Coordinator("jelgava"));

        Assert.Equal(HttpStatusCode.Forbidden, (await coordinator.PostAsJsonAsync(Path, Body(dryRun: true))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound,
            (await facilitator.PostAsJsonAsync("/api/programmes/another-network/migrations", Body(dryRun: true))).StatusCode);
        var unknownWorkflow = await facilitator.PostAsJsonAsync(Path, new { workflow = "nope", fromVersion = From, toVersion = To });
        Assert.Equal(HttpStatusCode.NotFound, unknownWorkflow.StatusCode);
        var unknownVersion = await facilitator.PostAsJsonAsync(Path, new { workflow = "inclucities-pair", fromVersion = From, toVersion = 9 });
        Assert.Equal(HttpStatusCode.BadRequest, unknownVersion.StatusCode);
        Assert.Contains("no version 9", (await unknownVersion.ProblemAsync()).GetProperty("errors").GetProperty("toVersion")[0].GetString());
        var badMapping = await facilitator.PostAsJsonAsync(Path, Body(dryRun: true, mapping: new() { [Renamed] = "no-such-step" }));
        Assert.Equal(HttpStatusCode.BadRequest, badMapping.StatusCode);
        Assert.Contains("no-such-step", (await badMapping.ProblemAsync()).GetProperty("errors").GetProperty($"mapping.{Renamed}")[0].GetString());
        var openApi = await facilitator.GetStringAsync("/openapi/v1.json");
        Assert.Contains("/api/programmes/{id}/migrations", openApi);
    }

    [Fact]
    public async Task The_command_line_moves_instances_only_with_apply()
    {
        var (first, node) = await StartAsync(DatabaseProvider.Sqlite);
        await using var _ = first;
        await using var __ = node;
        string[] args = ["migrate", "--programme", "inclucities", "--workflow", "inclucities-pair", "--from", $"{From}", "--to", $"{To}",
            "--map", $"{Renamed}={NewName}"];
        await using var db = node.Db();

        Assert.Equal(0, await MigrateCommand.RunAsync(node.Services, args));
        Assert.True(await db.Instances.Where(i => i.DefinitionId == "inclucities-pair").AllAsync(i => i.DefinitionVersion == From));
        Assert.Equal(1, await MigrateCommand.RunAsync(node.Services, args[..^2]));
        Assert.Equal(0, await MigrateCommand.RunAsync(node.Services, [.. args, "--apply"]));
        Assert.True(await db.Instances.Where(i => i.DefinitionId == "inclucities-pair").AllAsync(i => i.DefinitionVersion == To));
    }
}
