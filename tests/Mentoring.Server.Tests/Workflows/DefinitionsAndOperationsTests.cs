using System.Diagnostics;
using System.Net;
using Mentoring.Engine.Definitions;
using Mentoring.Server.Data;
using Mentoring.Server.Data.Migrations;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Workflows;

/// <summary>Definition versions, start-up refusal on bad files, faults and operator controls, migrations, commands.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class DefinitionsAndOperationsTests(DatabaseFixture database) : IDisposable
{
    private readonly string _workflows = CopyOfWorkflows();

    public void Dispose() => Directory.Delete(_workflows, recursive: true);

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Running_instances_stay_on_their_version_when_a_new_one_is_added(DatabaseProvider provider)
    {
        var settings = new Dictionary<string, string?> { ["Workflows:DefinitionsPath"] = _workflows };
        await using var app = await StartAsync(database, provider, settings);
        // The pairs started on the highest shipped version, 2; a version 3 is added.
        var version3 = File.ReadAllText(Path.Combine(_workflows, "inclucities", "inclucities-pair.v2.json"))
            .Replace("\"version\": 2", "\"version\": 3")
            .Replace("Complete the needs self-assessment", "Complete the revised needs self-assessment");
        File.WriteAllText(Path.Combine(_workflows, "inclucities-pair.v3.json"), version3);

        await using var restarted = app.StartAnotherNode();
        var host = restarted.Service<WorkflowHost>();
        await using var db = restarted.Db();
        var started = await host.StartAsync(db, restarted.Service<DefinitionStore>().Catalog.Latest("inclucities-pair")!,
            "inclucities", await db.Groups.FirstAsync(), Engine.Runtime.Actor.System, CancellationToken.None, Guid.CreateVersion7());

        Assert.Equal(3, started.DefinitionVersion);
        Assert.All(await db.Instances.Where(i => i.GroupId != null && i.Id != started.Id).ToListAsync(),
            i => Assert.Equal(2, i.DefinitionVersion));
        var facilitator = await restarted.ClientForAsync(People.Facilitator);
        var pair = await facilitator.PairOfAsync("jelgava");
        Assert.Equal("Complete the needs self-assessment", (await facilitator.OpenItemAsync(pair.Id, "mentee-needs-self-assessment")).Title);
    }

    [Fact]
    public async Task A_version_edited_in_place_after_it_ran_stops_the_server()
    {
        var settings = new Dictionary<string, string?> { ["Workflows:DefinitionsPath"] = _workflows };
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite, settings);
        var file = Path.Combine(_workflows, "inclucities", "inclucities-pair.v2.json");
        File.WriteAllText(file, File.ReadAllText(file).Replace("Collect good practices", "Collect some practices"));

        var error = Assert.Throws<DefinitionException>(() => app.StartAnotherNode());

        Assert.Contains("inclucities-pair' version 2 was changed", error.Message);
        Assert.Contains("raise its version", error.Message);
    }

    [Fact]
    public async Task A_version_whose_file_is_gone_still_runs_from_its_snapshot()
    {
        var settings = new Dictionary<string, string?> { ["Workflows:DefinitionsPath"] = _workflows };
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite, settings);
        var v2 = Path.Combine(_workflows, "inclucities", "inclucities-pair.v2.json");
        File.WriteAllText(Path.Combine(_workflows, "inclucities-pair.v3.json"), File.ReadAllText(v2).Replace("\"version\": 2", "\"version\": 3"));
        File.Delete(v2);

        await using var restarted = app.StartAnotherNode();
        var jelgava = await restarted.ClientForAsync(People.Coordinator("jelgava"));
        var pair = await jelgava.PairOfAsync("jelgava");
        var response = await jelgava.CompleteAsync(pair.Id, (await jelgava.OpenItemAsync(pair.Id, "mentee-needs-self-assessment")).Id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_server_refuses_to_start_on_a_bad_definition_and_lists_every_error()
    {
        File.WriteAllText(Path.Combine(_workflows, "broken.v1.json"), """
            { "id": "broken", "version": 1, "name": "Broken", "kind": "pair",
              "stages": [ { "id": "s", "number": 1, "name": "S", "steps": [
                { "type": "task", "id": "t", "title": "No assignee" },
                { "type": "dance", "id": "d", "title": "Unknown" },
                { "type": "email", "id": "e", "title": "Mail", "template": "no-such-template", "to": ["both"] } ] } ] }
            """);

        var error = await Assert.ThrowsAsync<DefinitionException>(() => StartAsync(database, DatabaseProvider.Sqlite,
            new Dictionary<string, string?> { ["Workflows:DefinitionsPath"] = _workflows }));

        Assert.Equal(3, error.Errors.Count);
        Assert.All(error.Errors, e => Assert.EndsWith("broken.v1.json", e.File));
        Assert.Contains(error.Errors, e => e.Path == "$.stages[0].steps[0]" && e.Message.Contains("assignee"));
        Assert.Contains(error.Errors, e => e.Path == "$.stages[0].steps[1].type" && e.Message.Contains("dance"));
        Assert.Contains(error.Errors, e => e.Path == "$.stages[0].steps[2].template" && e.Message.Contains("no-such-template"));
    }

    [Fact]
    public async Task A_bad_definition_stops_the_server_process_with_every_error_and_exit_code_1_not_a_stack_trace()
    {
        File.WriteAllText(Path.Combine(_workflows, "broken.v1.json"), """
            { "id": "broken", "version": 1, "name": "Broken", "kind": "pair",
              "stages": [ { "id": "s", "number": 1, "name": "S", "steps": [
                { "type": "task", "id": "t", "title": "No assignee" },
                { "type": "dance", "id": "d", "title": "Unknown" } ] } ] }
            """);

        var (exit, output) = await RunServerAsync(ServerArgs($"Data Source={Path.Combine(_workflows, "mentoring.db")}"));

        Assert.Equal(1, exit);
        Assert.Contains("broken.v1.json: $.stages[0].steps[0]: missing 'assignee'", output);
        Assert.Contains("broken.v1.json: $.stages[0].steps[1].type: unknown step type 'dance'", output);
        Assert.Contains("2 error(s).", output);
        Assert.Contains("The server did not start.", output);
        AssertNoStackTrace(output);
    }

    [Fact]
    public async Task A_version_edited_in_place_stops_the_server_process_with_exit_code_1_not_a_stack_trace()
    {
        var settings = new Dictionary<string, string?> { ["Workflows:DefinitionsPath"] = _workflows };
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite, settings);
        var file = Path.Combine(_workflows, "inclucities", "inclucities-pair.v2.json");
        File.WriteAllText(file, File.ReadAllText(file).Replace("Collect good practices", "Collect some practices"));

        var (exit, output) = await RunServerAsync(ServerArgs(app.Setting("Database:ConnectionString")));

        Assert.Equal(1, exit);
        Assert.Contains("inclucities-pair.v2.json: $.version: 'inclucities-pair' version 2 was changed", output);
        Assert.Contains("raise its version", output);
        AssertNoStackTrace(output);
    }

    [Fact]
    public async Task Tokens_create_and_the_server_on_an_unmigrated_database_say_how_to_migrate_and_exit_1()
    {
        var unmigrated = $"Data Source={Path.Combine(_workflows, "unmigrated.db")}";

        var (tokens, tokensOutput) = await RunServerAsync(
            ["tokens", "create", "--email", People.Coordinator("jelgava"), .. ServerArgs(unmigrated)]);
        var (server, serverOutput) = await RunServerAsync(ServerArgs(unmigrated, "--Database:MigrateOnStartup=false"));

        Assert.Equal(1, tokens);
        Assert.Contains("The database is not migrated", tokensOutput);
        Assert.Contains("-- migrate", tokensOutput);
        AssertNoStackTrace(tokensOutput);
        Assert.False(File.Exists(Path.Combine(_workflows, "unmigrated.db")), "checking must not create the database");
        Assert.Equal(1, server);
        Assert.Contains("The database is not migrated", serverOutput);
        Assert.Contains("The server did not start.", serverOutput);
        AssertNoStackTrace(serverOutput);
    }

    [Fact]
    public async Task Validate_warns_of_a_wait_for_an_event_nothing_raises_naming_the_file_path_and_event()
    {
        File.WriteAllText(Path.Combine(_workflows, "stuck.v1.json"), """
            { "id": "stuck", "version": 1, "name": "Stuck", "kind": "pair",
              "stages": [ { "id": "s", "number": 1, "name": "S", "steps": [
                { "type": "task", "id": "t", "title": "T", "assignee": "mentor" },
                { "type": "waitForEvent", "id": "w", "title": "Wait", "event": "mentoring-trainig-held" } ] } ] }
            """);

        var (exit, output) = await RunServerAsync("validate", _workflows);

        Assert.Equal(0, exit);
        Assert.Contains("warning: ", output);
        Assert.Contains("stuck.v1.json: $.stages[0].steps[1].event: no signal step in the programme raises the event 'mentoring-trainig-held'", output);
        Assert.DoesNotContain("inclucities-pair.v1.json: $.", output);
        Assert.DoesNotContain("inclucities-pair.v2.json: $.", output);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_faulted_instance_keeps_its_error_and_goes_on_when_retried(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var mentor = await app.ClientForAsync(People.Coordinator("schaerbeek"));
        var mentee = await app.ClientForAsync(People.Coordinator("jelgava"));
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var pair = await mentee.PairOfAsync("jelgava");
        // Stage 2 opens with an email step to both coordinators: make Jelgava's coordinator unreachable.
        await using (var db = app.Db())
            await db.People.Where(p => db.ProgrammePeople.Any(c => c.PersonId == p.Id && c.CityId == "jelgava"))
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.Email, (string?)null));
        await mentee.CompleteAsync(pair.Id, (await facilitator.OpenItemAsync(pair.Id, "mentee-needs-self-assessment")).Id);
        await mentor.CompleteAsync(pair.Id, (await mentor.OpenItemAsync(pair.Id, "mentor-strengths-on-theme")).Id);
        await facilitator.CommandAsync($"/api/pairs/{pair.Id}/approvals/{(await facilitator.OpenItemAsync(pair.Id, "approve-matching")).Id}/approve");

        var faulted = await facilitator.PairAsync(pair.Id);
        Assert.Equal("faulted", faulted.Pair.Status);
        Assert.Contains("benchmark-started-mail", faulted.Fault);
        Assert.Contains("Jelgava", faulted.Fault);
        var retryTooEarly = await facilitator.CommandAsync($"/api/instances/{InstanceOf(app, pair.Id)}/retry", new { });
        Assert.Equal(HttpStatusCode.OK, retryTooEarly.StatusCode); // retried, and faulted again: the cause is not fixed
        Assert.Equal("faulted", (await facilitator.PairAsync(pair.Id)).Pair.Status);

        await using (var db = app.Db())
            await db.People.Where(p => db.ProgrammePeople.Any(c => c.PersonId == p.Id && c.CityId == "jelgava"))
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.Email, "jelgava@inclucities.example"));
        var retry = await facilitator.CommandAsync($"/api/instances/{InstanceOf(app, pair.Id)}/retry", new { });

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        var resumed = await facilitator.PairAsync(pair.Id);
        Assert.Equal(("running", 2), (resumed.Pair.Status, resumed.Pair.CurrentStep));
        Assert.Null(resumed.Fault);
        Assert.Contains(resumed.OpenItems, i => i.StepId == "collect-good-practices");
        Assert.Equal(HttpStatusCode.Forbidden, (await mentee.CommandAsync($"/api/instances/{InstanceOf(app, pair.Id)}/retry", new { })).StatusCode);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task An_operator_can_suspend_resume_and_cancel(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var mentee = await app.ClientForAsync(People.Coordinator("jelgava"));
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var pair = await mentee.PairOfAsync("jelgava");
        var instance = InstanceOf(app, pair.Id);
        var task = await mentee.OpenItemAsync(pair.Id, "mentee-needs-self-assessment");

        (await facilitator.CommandAsync($"/api/instances/{instance}/suspend", new { reason = "Elections in Jelgava" })).EnsureSuccessStatusCode();
        var whileSuspended = await mentee.CompleteAsync(pair.Id, task.Id);
        (await facilitator.CommandAsync($"/api/instances/{instance}/resume", new { })).EnsureSuccessStatusCode();
        var afterResume = await mentee.CompleteAsync(pair.Id, task.Id);
        (await facilitator.CommandAsync($"/api/instances/{instance}/cancel", new { reason = "The pair withdrew" })).EnsureSuccessStatusCode();
        var cancelledAgain = await facilitator.CommandAsync($"/api/instances/{instance}/cancel", new { reason = "again" });

        Assert.Equal(HttpStatusCode.Conflict, whileSuspended.StatusCode);
        Assert.Equal(HttpStatusCode.OK, afterResume.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, cancelledAgain.StatusCode);
        var detail = await mentee.PairAsync(pair.Id);
        Assert.Equal("cancelled", detail.Pair.Status);
        Assert.Empty(detail.OpenItems);
        await using var db = app.Db();
        Assert.Equal(0, await db.Timers.CountAsync(t => t.InstanceId == instance));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Two_nodes_migrating_at_once_apply_each_migration_once(DatabaseProvider provider)
    {
        var connectionString = await database.ResetAsync(provider);
        var options = new DatabaseOptions { Provider = provider, ConnectionString = connectionString };
        var runners = Enumerable.Range(0, 2).Select(_ => new MigrationRunner(options, NullLogger<MigrationRunner>.Instance)).ToList();

        var applied = await Task.WhenAll(runners.Select(r => Task.Run(() => r.MigrateAsync())));

        Assert.Equal(MigrationRunner.All.Count, applied.Sum(a => a.Count));
        await using var app = await StartAsync(database, provider);
        await using var db = app.Db();
        Assert.Equal(MigrationRunner.All.Count,
            await db.Database.SqlQueryRaw<int>("SELECT COUNT(*) AS \"Value\" FROM schema_migrations").SingleAsync());
    }

    [Fact]
    public async Task Validate_names_each_bad_file_with_its_path_and_problem()
    {
        File.WriteAllText(Path.Combine(_workflows, "typo.v1.json"), """
            { "id": "typo", "version": 1, "name": "Typo", "kind": "pair",
              "stages": [ { "id": "s", "number": 1, "name": "S", "steps": [
                { "type": "task", "id": "t", "title": "T", "assignee": "mentor", "reminder": {} } ] } ] }
            """);
        File.WriteAllText(Path.Combine(_workflows, "not-json.v1.json"), "{ \"id\": ");

        var (good, goodOutput) = await RunServerAsync("validate", CopyOfWorkflows());
        var (bad, badOutput) = await RunServerAsync("validate", _workflows);

        Assert.Equal(0, good);
        Assert.Contains("inclucities-pair v1 (pair), 7 stages", goodOutput);
        Assert.Contains("inclucities-pair v2 (pair), 7 stages", goodOutput);
        Assert.Equal(1, bad);
        Assert.Contains("typo.v1.json: $.stages[0].steps[0].reminder: unknown property 'reminder'", badOutput);
        Assert.Contains("not-json.v1.json: line 1, column", badOutput);
    }

    private static Guid InstanceOf(MentoringApp app, Guid pairId)
    {
        using var db = app.Db();
        return db.Groups.Single(p => p.Id == pairId).InstanceId;
    }

    /// <summary>Runs the built server as a process, as an operator does; one that has not exited after a minute (it
    /// started serving when it should have refused) is killed, and the test fails.</summary>
    private static async Task<(int ExitCode, string Output)> RunServerAsync(params string[] args)
    {
        var server = Path.Combine(AppContext.BaseDirectory, "Mentoring.Server.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(server);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The server did not exit within a minute: {string.Join(' ', args)}");
        }

        return (process.ExitCode, await output + await error);
    }

    /// <summary>The settings that start the server on this test's files and database, with no web port to clash.</summary>
    private string[] ServerArgs(string connectionString, params string[] more) =>
    [
        $"--Workflows:DefinitionsPath={_workflows}", $"--Workflows:TemplatesPath={ContentPath.Resolve("templates")}",
        "--Database:Provider=Sqlite", $"--Database:ConnectionString={connectionString}", "--Scheduling:Enabled=false",
        $"--Email:PickupDirectory={Path.Combine(_workflows, "mail")}", "--urls=http://127.0.0.1:0", "--environment=Testing", .. more,
    ];

    /// <summary>What an operator must not see when the server refuses to start: a crash and its stack trace.</summary>
    private static void AssertNoStackTrace(string output)
    {
        Assert.DoesNotContain("Unhandled exception", output);
        Assert.DoesNotContain("Exception", output);
        Assert.DoesNotContain("   at ", output);
    }
}
