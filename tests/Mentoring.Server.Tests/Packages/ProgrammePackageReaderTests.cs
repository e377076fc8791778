using System.Text.Json.Nodes;
using Mentoring.Engine.Definitions;
using Mentoring.Server.Programme.Packages;
using Mentoring.Server.Workflows;

namespace Mentoring.Server.Tests.Packages;

/// <summary>The package reader on the shipped IncluCities package and on copies of it broken one way each: every bad
/// package is refused with the file, the JSON path and the problem. No database.</summary>
public class ProgrammePackageReaderTests
{
    private static readonly string Folder = Path.Combine(ContentPath.Resolve("workflows"), "inclucities");
    private static readonly DefinitionCatalog Workflows = DefinitionCatalog.LoadFolder(Folder, null);

    [Fact]
    public void The_inclucities_package_reads_with_its_eight_cities_four_pairs_and_people()
    {
        var package = ProgrammePackageReader.TryReadFolder(Folder, null, out var errors);

        Assert.Empty(errors);
        Assert.NotNull(package);
        Assert.Equal("inclucities", package.Id);
        Assert.Equal(8, package.Members.Count);
        Assert.Equal([1, 2, 3, 4], package.Groups.Select(g => g.Number));
        Assert.All(package.Groups, g => Assert.Equal("inclucities-pair", g.Workflow.Id));
        Assert.Equal(["schaerbeek"], package.Groups[3].Members["mentor"]);
        Assert.Equal("inclucities-programme", package.ProgrammeWorkflow?.Id);
        Assert.Equal("binôme", package.Terms.Group.In("fr").Text);
        var jelgava = package.People.Single(p => p.Email == "jelgava@inclucities.example");
        Assert.Equal(("lv", "Europe/Riga", "coordinator"), (jelgava.Language, jelgava.TimeZone, jelgava.Role));
        Assert.Equal(21, package.Settings.StuckAfterDays);
    }

    [Fact]
    public void The_hash_changes_with_the_package_text_and_only_with_it()
    {
        var json = Original().ToJsonString();

        var once = Read(json).Package!.Hash;
        var again = Read(json).Package!.Hash;
        var changed = Read(Changed(p => p["settings"]!["stuckAfterDays"] = 30)).Package!.Hash;

        Assert.Equal(once, again);
        Assert.NotEqual(once, changed);
    }

    public static TheoryData<string, string, string> BadPackages() => new()
    {
        { "unknown property", """{ "colour": "blue" }""", "$.colour" },
        { "wrong type", """{ "timeZone": 3 }""", "$.timeZone" },
        { "unknown time zone", """{ "timeZone": "Europe/Atlantis" }""", "$.timeZone" },
        { "unknown language", """{ "languages": ["en", "de"] }""", "$.languages[1]" },
        { "bad id", """{ "id": "IncluCities" }""", "$.id" },
    };

    [Theory]
    [MemberData(nameof(BadPackages))]
    public void A_package_not_matching_its_schema_is_refused_naming_the_path(string problem, string patch, string path)
    {
        var json = Original();
        foreach (var (key, value) in JsonNode.Parse(patch)!.AsObject()) json[key] = value?.DeepClone();

        var errors = Read(json.ToJsonString()).Errors;

        Assert.Contains(errors, e => e.File == "programme.json" && e.Path == path);
        Assert.True(errors.Count >= 1, problem);
    }

    [Fact]
    public void A_missing_required_field_is_refused_naming_its_parent() =>
        AssertRefused(p => p.AsObject().Remove("members"), "$", "missing 'members'");

    [Fact]
    public void An_unknown_workflow_is_refused() =>
        AssertRefused(p => p["groups"]![0]!["workflow"] = "inclucities-trio", "$.groups[0].workflow", "unknown workflow 'inclucities-trio'");

    [Fact]
    public void A_programme_workflow_that_runs_per_group_is_refused() =>
        AssertRefused(p => p["programmeWorkflow"] = "inclucities-pair", "$.programmeWorkflow", "must be of kind 'programme'");

    [Fact]
    public void An_unknown_shape_is_refused() =>
        AssertRefused(p => p["groups"]![1]!["shape"] = "cluster", "$.groups[1].shape", "unknown shape 'cluster'");

    [Fact]
    public void A_role_the_shape_does_not_have_is_refused() =>
        AssertRefused(p => p["groups"]![0]!["members"]!["host"] = new JsonArray("capaci"), "$.groups[0].members.host", "has no role 'host'");

    [Fact]
    public void A_shape_role_the_workflow_does_not_declare_is_refused() =>
        AssertRefused(p => p["shapes"]![0]!["roles"]!.AsArray().Add(JsonNode.Parse("""{ "role": "host", "min": 0 }""")),
            "$.groups[0].shape", "fills the role 'host', which the workflow 'inclucities-pair'");

    [Fact]
    public void A_shape_that_cannot_fill_a_role_the_workflow_gives_work_to_is_refused() =>
        AssertRefused(p =>
        {
            p["shapes"]![0]!["roles"]!.AsArray().RemoveAt(1);
            foreach (var group in p["groups"]!.AsArray()) group!["members"]!.AsObject().Remove("mentee");
        }, "$.groups[0].workflow", "gives work to 'mentee', which the shape 'pair' does not fill");

    [Fact]
    public void A_group_with_too_many_members_in_a_role_is_refused() =>
        AssertRefused(p => p["groups"]![0]!["members"]!["mentee"] = new JsonArray("saint-jean-de-la-ruelle", "capaci"),
            "$.groups[0].members.mentee", "takes 1 member(s) as 'mentee', not 2");

    [Fact]
    public void An_unknown_city_in_a_group_is_refused() =>
        AssertRefused(p => p["groups"]![2]!["members"]!["mentee"] = new JsonArray("lamia"), "$.groups[2].members.mentee[0]", "unknown member 'lamia'");

    [Fact]
    public void A_member_in_two_groups_of_a_one_group_per_member_shape_is_refused() =>
        AssertRefused(p => p["groups"]![1]!["members"]!["mentor"] = new JsonArray("brussels"),
            "$.groups[1].members.mentor[0]", "'brussels' is already in the group at $.groups[0]");

    [Fact]
    public void A_member_may_be_in_two_groups_when_the_shape_allows_it()
    {
        var json = Changed(p =>
        {
            p["shapes"]![0]!["oneGroupPerMember"] = false;
            p["groups"]![1]!["members"]!["mentor"] = new JsonArray("brussels");
        });

        Assert.Empty(Read(json).Errors);
    }

    [Fact]
    public void An_unknown_organisation_is_refused() =>
        AssertRefused(p => p["members"]![0]!["association"] = "vng", "$.members[0].association", "unknown organisation 'vng'");

    [Fact]
    public void An_unknown_time_zone_of_a_member_is_refused() =>
        AssertRefused(p => p["members"]![5]!["timeZone"] = "Europe/Livadeia", "$.members[5].timeZone", "unknown time zone 'Europe/Livadeia'");

    [Fact]
    public void An_unknown_language_of_a_person_is_refused() =>
        AssertRefused(p => p["people"]![0]!["language"] = "de", "$.people[0].language", "unknown language 'de'");

    [Fact]
    public void An_unknown_person_role_is_refused() =>
        AssertRefused(p => p["people"]![0]!["role"] = "coordination-team", "$.people[0].role", "must be one of facilitator, coordinator, observer");

    [Fact]
    public void A_coordinator_without_a_city_is_refused() =>
        AssertRefused(p => p["people"]![2]!.AsObject().Remove("city"), "$.people[2]", "a coordinator acts for one member city");

    [Fact]
    public void A_duplicate_member_id_is_refused() =>
        AssertRefused(p => p["members"]![1]!["id"] = "brussels", "$.members[1].id", "the member id 'brussels' is used twice");

    [Fact]
    public void A_duplicate_email_is_refused_whatever_its_capitals() =>
        AssertRefused(p => p["people"]![3]!["email"] = "Brussels@InclUCities.example", "$.people[3].email",
            "the email 'brussels@inclucities.example' is used already at $.people[2]");

    [Fact]
    public void A_duplicate_group_number_is_refused() =>
        AssertRefused(p => p["groups"]![3]!["number"] = 1, "$.groups[3].number", "the group number 1 is used already");

    [Fact]
    public void A_package_that_is_not_json_is_refused_naming_the_line()
    {
        var errors = Read("{ \"id\": \"inclucities\",\n  \"name\": }").Errors;

        Assert.Equal("programme.json", Assert.Single(errors).File);
        Assert.StartsWith("line 2", errors[0].Path);
    }

    [Fact]
    public void A_folder_without_programme_json_is_not_a_package()
    {
        var folder = Directory.CreateTempSubdirectory("mentoring-package-");
        try
        {
            Assert.Null(ProgrammePackageReader.TryReadFolder(folder.FullName, null, out var errors));
            Assert.Contains("no programme.json", Assert.Single(errors).Message);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Every_problem_of_a_package_is_reported_at_once()
    {
        var errors = Read(Changed(p =>
        {
            p["timeZone"] = "Mars/Olympus";
            p["groups"]![0]!["workflow"] = "nope";
            p["people"]![0]!["language"] = "xx";
        })).Errors;

        Assert.Equal(["$.groups[0].workflow", "$.people[0].language", "$.timeZone"], errors.Select(e => e.Path).Order());
    }

    private static JsonNode Original() => JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "programme.json")))!;

    private static string Changed(Action<JsonNode> change)
    {
        var json = Original();
        change(json);
        return json.ToJsonString();
    }

    private static (ProgrammePackage? Package, IReadOnlyList<DefinitionError> Errors) Read(string json)
    {
        var package = ProgrammePackageReader.TryRead("programme.json", json, Workflows, out var errors);
        return (package, errors);
    }

    private static void AssertRefused(Action<JsonNode> change, string path, string message)
    {
        var (package, errors) = Read(Changed(change));

        Assert.Null(package);
        var error = Assert.Single(errors, e => e.Path == path);
        Assert.Equal("programme.json", error.File);
        Assert.Contains(message, error.Message);
    }
}
