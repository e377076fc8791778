using System.Net;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Web;

/// <summary>A package's shapes are stored at import and hold every group formed afterwards, through the API and the
/// set-up page alike: IncluCities' pair takes one mentor and one mentee, and a city is in one pair only.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class GroupShapeTests(DatabaseFixture database)
{
    private const string Groups = "/api/programmes/inclucities/groups";

    private static object Pair(string title, string[] mentors, string[] mentees) => new
    {
        shape = "pair", workflow = "inclucities-pair", title, members = new Dictionary<string, string[]> { ["mentor"] = mentors, ["mentee"] = mentees },
    };

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_imported_packages_shapes_are_stored(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        await using var db = app.Db();
        var pair = await db.GroupShapes.SingleAsync(s => s.ProgrammeId == "inclucities");
        Assert.Equal("pair", pair.Id);
        Assert.True(pair.OneGroupPerMember);
        Assert.Equal([("mentor", 1, (int?)1), ("mentee", 1, 1)], pair.ToPackageShape().Roles.Select(r => (r.Role, r.Min, r.Max)));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_group_formed_through_the_api_that_breaks_its_shape_is_refused_naming_the_rule_role_and_group(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        await using (var db = app.Db())
        {
            // Two cities of no pair yet, so only the rule under test is broken.
            db.Cities.AddRange(new Programme.City { Id = "ghent", Name = "Ghent", Country = "BE", TimeZone = "Europe/Brussels", Language = "nl" },
                new Programme.City { Id = "leuven", Name = "Leuven", Country = "BE", TimeZone = "Europe/Brussels", Language = "nl" });
            db.ProgrammeMembers.AddRange(new Programme.ProgrammeMember { ProgrammeId = "inclucities", CityId = "ghent" },
                new Programme.ProgrammeMember { ProgrammeId = "inclucities", CityId = "leuven" });
            await db.SaveChangesAsync();
        }

        var facilitator = await app.ClientForAsync(People.Facilitator);
        var tooMany = await facilitator.CommandAsync(Groups, Pair("Two mentors", ["ghent", "leuven"], ["capaci"]));
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        var message = (await tooMany.ProblemAsync()).GetProperty("errors").GetProperty("members.mentor")[0].GetString()!;
        Assert.Contains("rule: max", message);
        Assert.Contains("'mentor'", message);
        Assert.Contains("'Two mentors'", message);

        var taken = await facilitator.CommandAsync(Groups, Pair("Second pair for Capaci", ["ghent"], ["capaci"]));
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        var detail = (await taken.ProblemAsync()).GetProperty("detail").GetString()!;
        Assert.Contains("Capaci is already in group 2", detail);
        Assert.Contains("rule: oneGroupPerMember", detail);
        Assert.Contains("role 'mentee'", detail);

        var unknown = await facilitator.CommandAsync(Groups, new { shape = "cluster", workflow = "inclucities-pair", title = "A cluster",
            members = new Dictionary<string, string[]> { ["mentor"] = ["ghent"], ["mentee"] = ["leuven"] } });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("no shape 'cluster'", (await unknown.ProblemAsync()).GetProperty("errors").GetProperty("shape")[0].GetString());

        await using (var db = app.Db()) Assert.Equal(4, await db.Groups.CountAsync(g => g.ProgrammeId == "inclucities"));
        var fits = await facilitator.CommandAsync(Groups, Pair("Ghent mentors Leuven", ["ghent"], ["leuven"]));
        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);

        // Another programme's facilitator does not reach these groups at all.
        var network = await ProgrammesApiTests.CreateNetworkAsync(app);
        Assert.Equal(HttpStatusCode.NotFound, (await network.CommandAsync(Groups, Pair("Not theirs", ["ghent"], ["leuven"]))).StatusCode);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_set_up_page_refuses_a_group_that_breaks_its_shape_with_the_same_message(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var page = await WebClient.SignedInAsync(app, People.Facilitator);
        const string path = "/setup/programmes/inclucities";
        await page.GetAsync(path);
        var refused = await page.PostAsync($"{path}?handler=Group", new Dictionary<string, string>
        {
            ["shape"] = "pair", ["workflow"] = "inclucities-pair", ["title"] = "Again", ["members.mentor"] = "schaerbeek", ["members.mentee"] = "capaci",
        });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var alert = WebClient.Alert(page.LastPage);
        Assert.Contains("Schaerbeek is already in group 4", alert);
        Assert.Contains("rule: oneGroupPerMember", alert);
        Assert.DoesNotContain("<option value=\"cluster\"", page.LastPage);
        await using var db = app.Db();
        Assert.Equal(4, await db.Groups.CountAsync(g => g.ProgrammeId == "inclucities"));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_set_up_pages_shape_and_upload_refusals_read_in_the_readers_language(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var page = await WebClient.SignedInAsync(app, People.Facilitator);
        const string path = "/setup/programmes/inclucities";
        await page.GetAsync(path);
        await page.PostAsync("/language", new Dictionary<string, string> { ["culture"] = "nl", ["returnUrl"] = path });
        await page.GetAsync(path);
        var refused = await page.PostAsync($"{path}?handler=Group", new Dictionary<string, string>
        {
            ["shape"] = "pair", ["workflow"] = "inclucities-pair", ["title"] = "Again", ["members.mentor"] = "schaerbeek", ["members.mentee"] = "capaci",
        });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var alert = WebClient.Alert(page.LastPage);
        Assert.Contains("Schaerbeek zit al in groep 4", alert);
        Assert.Contains("regel: oneGroupPerMember", alert);

        // An admin's upload without a file, on /setup/programmes.
        var admin = await WebClient.SignedInAsync(app, People.Cemr);
        await admin.GetAsync("/setup/programmes");
        await admin.PostAsync("/language", new Dictionary<string, string> { ["culture"] = "nl", ["returnUrl"] = "/setup/programmes" });
        await admin.GetAsync("/setup/programmes");
        var empty = await admin.PostAsync("/setup/programmes?handler=Upload", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("kies de zip van een pakketmap", admin.LastPage);
    }
}
