using System.Net;
using System.Text.RegularExpressions;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Web;

/// <summary>The dashboard, the pair page and the CSV follow the steps of the definition each pair runs: a four-stage
/// workflow shows four columns, "step 1 of 4", and its own stage names, with nothing of IncluCities' seven.</summary>
[Collection(DatabaseCollection.Name)]
public sealed partial class DashboardStepsTests(DatabaseFixture database) : IDisposable
{
    private readonly string _workflows = CopyOfWorkflows();

    public void Dispose() => Directory.Delete(_workflows, recursive: true);

    /// <summary>A test-only workflow of four stages, its names in English and French only.</summary>
    private const string FourStages = """
        {
          "id": "four-stage-test",
          "version": 1,
          "name": { "en": "Four-stage test workflow", "fr": "Parcours d'essai en quatre étapes" },
          "kind": "pair",
          "stages": [
            { "id": "s1", "number": 1, "name": { "en": "Kick-off meeting", "fr": "Réunion de lancement" },
              "steps": [ { "type": "task", "id": "t1", "title": "Hold the kick-off", "assignee": "mentee", "due": { "daysAfterStageStart": 10 } } ] },
            { "id": "s2", "number": 2, "name": "Local survey",
              "steps": [ { "type": "task", "id": "t2", "title": "Run the survey", "assignee": "mentee", "due": { "daysAfterStageStart": 10 } } ] },
            { "id": "s3", "number": 3, "name": "Joint proposal",
              "steps": [ { "type": "task", "id": "t3", "title": "Write the proposal", "assignee": "mentor", "due": { "daysAfterStageStart": 10 } } ] },
            { "id": "s4", "number": 4, "name": "Closing report",
              "steps": [ { "type": "task", "id": "t4", "title": "Write the closing report", "assignee": "mentee", "due": { "daysAfterStageStart": 10 } } ] }
          ]
        }
        """;

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_programme_whose_pairs_run_a_four_stage_workflow_shows_four_columns_and_step_N_of_4(DatabaseProvider provider)
    {
        await using var app = await StartFourStageAsync(provider);
        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);

        Assert.Equal(HttpStatusCode.OK, (await facilitator.GetAsync("/dashboard")).StatusCode);
        var table = Regex.Match(facilitator.LastPage, "<table class=\"grid\">.*?</table>", RegexOptions.Singleline).Value;
        Assert.Single(Regex.Matches(facilitator.LastPage, "<table class=\"grid\">"));
        Assert.Equal(["1", "2", "3", "4"], ColumnHeaders(table));
        Assert.Equal(4, Regex.Matches(table, "<tr>\\s*<th scope=\"row\">").Count);
        Assert.Contains("Kick-off meeting", table);
        Assert.Contains("Four-stage test workflow", facilitator.LastPage);
        Assert.Contains("Step 1 of 4", facilitator.LastPage);
        Assert.DoesNotContain("of 7", facilitator.LastPage);
        Assert.DoesNotContain("seven", facilitator.LastPage);
        Assert.Contains("4. Closing report", facilitator.LastPage);

        var pair = await db(app).GroupMembers.Where(m => m.CityId == "jelgava" && m.Role == "mentee").Select(m => m.GroupId).SingleAsync();
        await facilitator.GetAsync($"/pairs/{pair}");
        Assert.Contains("Step 1 of 4", facilitator.LastPage);

        await facilitator.GetAsync("/dashboard/export.csv");
        var lines = facilitator.LastPage.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("group,mentor,mentee,theme,step,steps,stage,status,next_due,overdue_items", lines[0]);
        Assert.All(lines.Skip(1), line => Assert.Contains(",1,4,\"Kick-off meeting\",running,", line));
    }

    [Fact]
    public async Task The_steps_are_named_in_the_readers_language_from_the_definition_with_English_as_fallback()
    {
        await using var app = await StartFourStageAsync(DatabaseProvider.Sqlite);
        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);
        await facilitator.GetAsync("/dashboard");
        await facilitator.PostAsync("/language", new Dictionary<string, string> { ["culture"] = "fr", ["returnUrl"] = "/dashboard" });

        await facilitator.GetAsync("/dashboard");
        var page = WebUtility.HtmlDecode(facilitator.LastPage);
        Assert.Contains("Réunion de lancement", page);
        Assert.Contains("Étape 1 sur 4", page);
        Assert.Contains("<span lang=\"en\">Local survey</span> <span class=\"fallback\">", page);

        await facilitator.GetAsync("/dashboard/export.csv");
        Assert.Contains(",1,4,\"Réunion de lancement\",", facilitator.LastPage);
    }

    [Fact]
    public async Task Pairs_of_one_programme_on_two_workflows_get_one_table_each_with_its_own_steps()
    {
        await using var app = await StartFourStageAsync(DatabaseProvider.Sqlite, onlyJelgava: true);
        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);

        await facilitator.GetAsync("/dashboard");
        var tables = Regex.Matches(facilitator.LastPage, "<table class=\"grid\">.*?</table>", RegexOptions.Singleline).Select(m => m.Value).ToList();
        Assert.Equal(2, tables.Count);
        var seven = tables.Single(t => t.Contains("Schaerbeek – Jelgava") is false);
        var four = tables.Single(t => t.Contains("Schaerbeek – Jelgava"));
        Assert.Equal(["1", "2", "3", "4", "5", "6", "7"], ColumnHeaders(seven));
        Assert.Equal(["1", "2", "3", "4"], ColumnHeaders(four));
        Assert.Contains("Step 1 of 7", facilitator.LastPage);
        Assert.Contains("Step 1 of 4", facilitator.LastPage);
    }

    private static List<string> ColumnHeaders(string table) =>
        HeaderPattern().Matches(table).Select(m => m.Groups[1].Value).ToList();

    [GeneratedRegex("<th scope=\"col\"><abbr title=\"[^\"]*\">([^<]*)</abbr></th>")]
    private static partial Regex HeaderPattern();

    private static MentoringDb db(MentoringApp app) => app.Db();

    /// <summary>The demo programme with the four-stage workflow loaded, and its pairs (or Jelgava's only) moved onto it:
    /// each pair gets a new instance of it, started as the seed starts one.</summary>
    private async Task<MentoringApp> StartFourStageAsync(DatabaseProvider provider, bool onlyJelgava = false)
    {
        File.WriteAllText(Path.Combine(_workflows, "four-stage-test.v1.json"), FourStages);
        var app = await StartAsync(database, provider, new Dictionary<string, string?> { ["Workflows:DefinitionsPath"] = _workflows });
        var definition = app.Service<DefinitionStore>().Catalog.Get("four-stage-test", 1);
        await using var db = app.Db();
        var pairs = await db.Groups.Where(g => !onlyJelgava || db.GroupMembers.Any(m => m.GroupId == g.Id && m.CityId == "jelgava" && m.Role == "mentee")).ToListAsync();
        foreach (var pair in pairs)
        {
            var instance = await app.Service<WorkflowHost>().StartAsync(db, definition, pair.ProgrammeId, pair, Engine.Runtime.Actor.System,
                CancellationToken.None, Guid.CreateVersion7());
            pair.InstanceId = instance.Id;
            await db.SaveChangesAsync();
        }

        return app;
    }
}
