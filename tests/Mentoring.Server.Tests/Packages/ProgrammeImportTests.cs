using System.Net;
using System.Text.Json.Nodes;
using Mentoring.Server.Data;
using Mentoring.Server.Hosting;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;


namespace Mentoring.Server.Tests.Packages;

/// <summary>The shipped packages imported through the command line, as an operator would: both into one database,
/// a second import that changes nothing, a dry run that writes nothing, bad packages refused whole.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class ProgrammeImportTests(DatabaseFixture database) : IDisposable
{
    private const string Greek = "cities-network-for-integration";
    private readonly string _scratch = Directory.CreateTempSubdirectory("mentoring-packages-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    private static string Shipped(string id) => Path.Combine(ContentPath.Resolve("workflows"), id);

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Both_shipped_packages_import_into_one_database_and_a_Greek_member_and_an_IncluCities_pair_run_side_by_side(
        DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);

        var (exit, output, error) = await RunAsync(app, "programme", "import", Shipped(Greek));

        Assert.True(exit == 0, error);
        Assert.Contains($"Created the programme '{Greek}'", output);
        Assert.Contains("group 25: create (member: serres) and start 'cities-network-membership' v1", output);
        await using (var db = app.Db())
        {
            Assert.Equal([Greek, "inclucities"], await db.Programmes.Select(p => p.Id).OrderBy(id => id).ToListAsync());
            Assert.Equal(25, await db.Groups.CountAsync(g => g.ProgrammeId == Greek));
            Assert.Equal(1, await db.Cities.CountAsync(c => c.Id == "livadeia"));
            Assert.Equal(2, await db.ProgrammeMembers.CountAsync(m => m.CityId == "livadeia"));
            Assert.Equal(4 + 1 + 25 + 1, await db.Instances.CountAsync());
        }

        var athens = await app.ClientForAsync("athens@citiesnetwork.example");
        var member = Assert.Single(await athens.PairsAsync());
        var memorandum = await athens.OpenItemAsync(member.Id, "sign-memorandum");
        Assert.Equal(HttpStatusCode.OK, (await athens.CompleteAsync(member.Id, memorandum.Id)).StatusCode);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var pair = await jelgava.PairOfAsync("jelgava");
        var assessment = await jelgava.OpenItemAsync(pair.Id, "mentee-needs-self-assessment");
        Assert.Equal(HttpStatusCode.OK, (await jelgava.CompleteAsync(pair.Id, assessment.Id)).StatusCode);

        Assert.Equal("confirm-membership", Assert.Single((await athens.PairAsync(member.Id)).OpenItems).StepId);
        Assert.DoesNotContain((await jelgava.PairAsync(pair.Id)).OpenItems, i => i.StepId == "mentee-needs-self-assessment");
        Assert.DoesNotContain(await athens.PairsAsync(), p => p.Id == pair.Id);

        // The network's coordination team (a programme-scope role of its workflows) reads every member and signs off
        // the membership it is the approver of, from the member's page or the API.
        var team = await app.ClientForAsync("coordination@citiesnetwork.example");
        Assert.Equal(25, (await team.PairsAsync()).Count);
        var gate = Assert.Single((await team.PairAsync(member.Id)).OpenItems);
        var teamPage = await Web.WebClient.SignedInAsync(app, "coordination@citiesnetwork.example");
        Assert.Contains($"name=\"itemId\" value=\"{gate.Id}\"",
            await (await teamPage.GetAsync($"/pairs/{member.Id}")).Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK,
            (await team.CommandAsync($"/api/pairs/{member.Id}/approvals/{gate.Id}/approve", new { comment = "Welcome to the network." })).StatusCode);
        Assert.DoesNotContain((await athens.PairAsync(member.Id)).OpenItems, i => i.StepId == "confirm-membership");
        Assert.Equal(HttpStatusCode.NotFound, (await team.GetAsync($"/api/pairs/{pair.Id}")).StatusCode);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Importing_an_unchanged_package_again_changes_nothing(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var before = await CountsAsync(app);

        var (exit, output, _) = await RunAsync(app, "programme", "import", Shipped("inclucities"));

        Assert.Equal(0, exit);
        Assert.Contains("'inclucities' is up to date", output);
        Assert.Equal(before, await CountsAsync(app));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task An_edited_package_updates_the_programme_and_its_running_groups_keep_their_instances(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var package = CopyOfPackage("inclucities", p =>
        {
            p["groups"]![3]!["title"] = "Language learning, formal and informal";
            p["people"]!.AsArray().Add(JsonNode.Parse("""{ "name": "Jelgava deputy", "email": "deputy@jelgava.example", "role": "coordinator", "city": "jelgava" }"""));
        });
        var before = await CountsAsync(app);

        var (exit, output, error) = await RunAsync(app, "programme", "import", package);

        Assert.True(exit == 0, error);
        Assert.Contains("Updated the programme 'inclucities'", output);
        Assert.Contains("group 4: update title", output);
        Assert.Contains("person deputy@jelgava.example: create as coordinator of jelgava", output);
        Assert.Equal(before with { People = before.People + 1, Places = before.Places + 1 }, await CountsAsync(app));
        await using var db = app.Db();
        Assert.Equal("Language learning, formal and informal", (await db.Groups.SingleAsync(g => g.Number == 4 && g.ProgrammeId == "inclucities")).Title);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Check_prints_the_plan_and_writes_nothing(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var before = await CountsAsync(app);

        var (exit, output, error) = await RunAsync(app, "programme", "import", Shipped(Greek), "--check");

        Assert.True(exit == 0, error);
        Assert.Contains($"Importing would create the programme '{Greek}' (--check: nothing was written)", output);
        Assert.Contains("city athens: create", output);
        Assert.DoesNotContain("city livadeia: create", output);
        Assert.Contains("member livadeia: join the programme", output);
        Assert.Contains("programme workflow cities-network-programme: start v1", output);
        Assert.Equal(before, await CountsAsync(app));
    }

    public static TheoryData<string, string, string> BadPackages() => new()
    {
        { "schema", """{ "timeZone": 2 }""", "programme.json: $.timeZone: must be a non-empty string" },
        { "workflow", """{ "programmeWorkflow": "cities-network-forum" }""", "programme.json: $.programmeWorkflow: unknown workflow 'cities-network-forum'" },
        { "role", """{ "shapes": [ { "id": "member", "roles": [ { "role": "host" } ] } ] }""", "programme.json: $.groups[0].members.member: the shape 'member' has no role 'member'" },
        { "two groups", """{ "groups": [ { "number": 1, "shape": "member", "workflow": "cities-network-membership", "members": { "member": ["athens"] } }, { "number": 2, "shape": "member", "workflow": "cities-network-membership", "members": { "member": ["athens"] } } ] }""",
          "programme.json: $.groups[1].members.member[0]: 'athens' is already in the group at $.groups[0]" },
        { "time zone", """{ "timeZone": "Europe/Thessaloniki" }""", "programme.json: $.timeZone: unknown time zone 'Europe/Thessaloniki'" },
        { "language", """{ "languages": ["el", "de"] }""", "programme.json: $.languages[1]: unknown language 'de'" },
    };

    [Theory]
    [MemberData(nameof(BadPackages))]
    public async Task A_bad_package_is_refused_naming_file_and_path_and_changes_nothing(string problem, string patch, string expected)
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var package = CopyOfPackage(Greek, p =>
        {
            foreach (var (key, value) in JsonNode.Parse(patch)!.AsObject()) p[key] = value?.DeepClone();
        });
        var before = await CountsAsync(app);

        var (exit, _, error) = await RunAsync(app, "programme", "import", package);

        Assert.True(exit == 1, problem);
        Assert.Contains(expected, error);
        Assert.Contains("nothing was changed", error);
        Assert.Equal(before, await CountsAsync(app));
    }

    [Fact]
    public async Task A_package_whose_workflow_names_an_undeclared_role_is_refused_naming_the_workflow_file_and_path()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var package = CopyOfPackage(Greek, _ => { });
        var workflow = Path.Combine(package, "cities-network-membership.v1.json");
        File.WriteAllText(workflow, File.ReadAllText(workflow).Replace("\"assignee\": \"member\"", "\"assignee\": \"host\""));
        var before = await CountsAsync(app);

        var (exit, _, error) = await RunAsync(app, "programme", "import", package);

        Assert.Equal(1, exit);
        Assert.Contains("cities-network-membership.v1.json: $.stages[0].steps[0].assignee", error);
        Assert.Equal(before, await CountsAsync(app));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Admin_create_makes_the_first_admin_of_an_empty_installation_and_refuses_an_address_that_exists(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider, new Dictionary<string, string?> { ["Database:SeedDemoProgramme"] = "false" });

        var (exit, output, error) = await RunAsync(app, "admin", "create", "--email", "Eleni@Network.example", "--name", "Eleni Papadopoulou");
        var (again, _, refusal) = await RunAsync(app, "admin", "create", "--email", "eleni@network.example", "--name", "Someone Else");

        Assert.True(exit == 0, error);
        var link = output.Split('\n').Single(line => line.StartsWith("https://mentoring.test/invitations/accept?token=")).Trim();
        Assert.Equal(1, again);
        Assert.Contains("Eleni Papadopoulou already has the address eleni@network.example; nothing was changed", refusal);
        await using var db = app.Db();
        var admin = Assert.Single(await db.People.ToListAsync());
        Assert.Equal(("Eleni Papadopoulou", "eleni@network.example", true), (admin.Name, admin.Email, admin.IsAdmin));
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().GetAsync(link[link.IndexOf("/invitations", StringComparison.Ordinal)..])).StatusCode);
    }

    private string CopyOfPackage(string id, Action<JsonNode> change)
    {
        var target = Path.Combine(_scratch, id + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(Shipped(id))) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        var programme = Path.Combine(target, "programme.json");
        var json = JsonNode.Parse(File.ReadAllText(programme))!;
        change(json);
        File.WriteAllText(programme, json.ToJsonString());
        return target;
    }

    private sealed record Counts(int Programmes, int Cities, int Members, int Organisations, int Groups, int GroupMembers, int People,
        int Places, int Instances);

    private static async Task<Counts> CountsAsync(MentoringApp app)
    {
        await using var db = app.Db();
        return new Counts(await db.Programmes.CountAsync(), await db.Cities.CountAsync(), await db.ProgrammeMembers.CountAsync(),
            await db.Organisations.CountAsync(), await db.Groups.CountAsync(), await db.GroupMembers.CountAsync(), await db.People.CountAsync(),
            await db.ProgrammePeople.CountAsync(), await db.Instances.CountAsync());
    }

    internal static async Task<(int Exit, string Out, string Error)> RunAsync(MentoringApp app, params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var (oldOut, oldError) = (Console.Out, Console.Error);
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            return (await ServerCommands.RunAsync(app.Services, args), stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }
}
