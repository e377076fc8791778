using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mentoring.Server.Data;
using Mentoring.Server.Setup;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Tests.Web;
using Mentoring.Server.Web;
using WebClient = Mentoring.Server.Tests.Web.WebClient;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Packages;

/// <summary>A whole package uploaded as a zip to <c>POST /api/programmes</c> and to the set-up page: checked, imported
/// through the command line's reader and importer, its workflows (not in the server's workflows/ folder) run by every
/// node and kept over a restart; unsafe or bad zips are refused whole with a 400 naming file and path.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class PackageUploadTests(DatabaseFixture database)
{
    private const string Uploaded = "upload-network";

    /// <summary>The Greek package with its programme and workflow ids renamed, so its workflows are nowhere on the server.</summary>
    internal static Dictionary<string, string> RenamedGreekPackage()
    {
        var folder = Path.Combine(ContentPath.Resolve("workflows"), "cities-network-for-integration");
        return Directory.EnumerateFiles(folder, "*.json").ToDictionary(file => Path.GetFileName(file), file => File.ReadAllText(file)
            .Replace("\"cities-network-for-integration\"", $"\"{Uploaded}\"")
            .Replace("cities-network-membership", "upload-membership").Replace("cities-network-programme", "upload-programme")
            .Replace("../programme.schema.json", "programme.schema.json").Replace("../workflow.schema.json", "workflow.schema.json"));
    }

    internal static byte[] Zip(IEnumerable<KeyValuePair<string, string>> files)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, text) in files)
            {
                using var entry = archive.CreateEntry(name).Open();
                entry.Write(Encoding.UTF8.GetBytes(text));
            }

        return buffer.ToArray();
    }

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, byte[] zip, bool dryRun = false, string? key = null)
    {
        var content = new ByteArrayContent(zip);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/programmes" + (dryRun ? "?dryRun=true" : "")) { Content = content };
        if (!dryRun) request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return await client.SendAsync(request);
    }

    private static async Task<List<(string File, string Path, string Message)>> ErrorsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ProblemAsync();
        return problem.GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("file").GetString()!, e.GetProperty("path").GetString()!, e.GetProperty("message").GetString()!)).ToList();
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task An_uploaded_package_is_planned_imported_once_and_its_workflows_run_on_every_node_and_after_a_restart(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        await using var second = app.StartAnotherNode();
        var admin = await app.ClientForAsync(People.Cemr);
        var zip = Zip(RenamedGreekPackage());

        var plan = await UploadAsync(admin, zip, dryRun: true);
        Assert.Equal(HttpStatusCode.OK, plan.StatusCode);
        var planned = (await plan.Content.ReadFromJsonAsync<PackageImportView>(Api.Json))!;
        Assert.True(planned.DryRun && planned.Created);
        Assert.Contains(planned.Changes, c => c.ToString() == "workflow upload-membership v1: record on this server, for every node");
        Assert.Contains(planned.Changes, c => c.ToString() == "group 25: create (member: serres) and start 'upload-membership' v1");
        await using (var db = app.Db())
        {
            Assert.False(await db.Programmes.AnyAsync(p => p.Id == Uploaded));
            Assert.False(await db.Definitions.AnyAsync(d => d.Id == "upload-membership"));
        }

        var key = Guid.NewGuid().ToString();
        var imported = await UploadAsync(admin, zip, key: key);
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        Assert.True((await imported.Content.ReadFromJsonAsync<PackageImportView>(Api.Json))!.Created);
        var replayed = await UploadAsync(admin, zip, key: key);
        Assert.Equal("true", replayed.Headers.GetValues(HttpIdempotency.ReplayedHeader).Single());
        var again = (await (await UploadAsync(admin, zip)).Content.ReadFromJsonAsync<PackageImportView>(Api.Json))!;
        Assert.True(again.Unchanged);
        await using (var db = app.Db())
        {
            Assert.Equal(25, await db.Groups.CountAsync(g => g.ProgrammeId == Uploaded));
            Assert.Equal(2, await db.Definitions.CountAsync(d => d.Id.StartsWith("upload-")));
            Assert.Equal(1, await db.GroupShapes.CountAsync(s => s.ProgrammeId == Uploaded));
        }

        // The other node, started before the upload, runs the uploaded workflow: a member completes a task there, and the
        // programme's facilitator forms a new group on it there.
        var athens = await second.ClientForAsync("athens@citiesnetwork.example");
        var member = Assert.Single(await athens.PairsAsync());
        var memorandum = await athens.OpenItemAsync(member.Id, "sign-memorandum");
        Assert.Equal(HttpStatusCode.OK, (await athens.CompleteAsync(member.Id, memorandum.Id)).StatusCode);
        await using (var db = app.Db())
        {
            db.Cities.Add(new Programme.City { Id = "naxos", Name = "Naxos", Country = "GR", TimeZone = "Europe/Athens", Language = "el" });
            db.ProgrammeMembers.Add(new Programme.ProgrammeMember { ProgrammeId = Uploaded, CityId = "naxos" });
            await db.SaveChangesAsync();
        }

        var secondAdmin = await second.ClientForAsync(People.Cemr);
        var formed = await secondAdmin.CommandAsync($"/api/programmes/{Uploaded}/groups", new
        {
            shape = "member", workflow = "upload-membership", title = "Naxos", members = new Dictionary<string, string[]> { ["member"] = ["naxos"] },
        });
        Assert.Equal(HttpStatusCode.OK, formed.StatusCode);

        // A restart (a third node on the same database) has the uploaded workflows from the database.
        await using var restarted = app.StartAnotherNode();
        Assert.NotNull(restarted.Service<DefinitionStore>().Catalog.Find("upload-membership", 1));
        var afterRestart = await restarted.ClientForAsync("athens@citiesnetwork.example");
        Assert.Equal(HttpStatusCode.OK, (await afterRestart.GetAsync($"/api/pairs/{member.Id}")).StatusCode);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_workflow_version_that_exists_with_other_content_is_refused_and_nothing_is_written(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var admin = await app.ClientForAsync(People.Cemr);
        Assert.Equal(HttpStatusCode.OK, (await UploadAsync(admin, Zip(RenamedGreekPackage()))).StatusCode);

        // The same id and version with another task title, in a package of another id.
        var files = RenamedGreekPackage().ToDictionary(f => f.Key, f => f.Value.Replace($"\"{Uploaded}\"", "\"upload-network-two\""));
        var membership = files.Keys.Single(k => k.Contains("membership"));
        files[membership] = files[membership].Replace("\"Memorandum of cooperation\"", "\"Memorandum of understanding\"");
        var errors = await ErrorsAsync(await UploadAsync(admin, Zip(files)));
        var clash = Assert.Single(errors);
        Assert.Equal((membership, "$.version"), (clash.File, clash.Path));
        Assert.Contains("'upload-membership' version 1 exists on this server with other content", clash.Message);
        await using var db = app.Db();
        Assert.False(await db.Programmes.AnyAsync(p => p.Id == "upload-network-two"));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Unsafe_and_bad_zips_are_refused_with_400_naming_what_is_wrong_and_nothing_is_written(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var admin = await app.ClientForAsync(People.Cemr);
        var package = RenamedGreekPackage();

        Assert.Contains("not a zip archive", Assert.Single(await ErrorsAsync(await UploadAsync(admin, "not a zip"u8.ToArray()))).Message);
        var traversal = await ErrorsAsync(await UploadAsync(admin, Zip(package.Append(KeyValuePair.Create("../../evil.json", "{}")))));
        Assert.Contains(traversal, e => e.Path == "../../evil.json" && e.Message.StartsWith("unsafe path"));
        var many = Enumerable.Range(0, 201).Select(i => KeyValuePair.Create($"notes/{i}.json", "{}"));
        Assert.Contains("at most 200", Assert.Single(await ErrorsAsync(await UploadAsync(admin, Zip(package.Concat(many))))).Message);
        var bomb = package.Append(KeyValuePair.Create("padding.txt", new string(' ', 17 * 1024 * 1024)));
        Assert.Contains("unpacks to more than", Assert.Single(await ErrorsAsync(await UploadAsync(admin, Zip(bomb)))).Message);
        Assert.Contains("only .json", Assert.Single(await ErrorsAsync(await UploadAsync(admin, Zip(package.Append(KeyValuePair.Create("run.sh", "rm -rf /")))))).Message);
        Assert.Contains("no programme.json", Assert.Single(await ErrorsAsync(await UploadAsync(admin, Zip(package.Where(f => f.Key != "programme.json"))))).Message);

        // A package that breaks its schema: each error names its file and JSON path, in one pass.
        var broken = new Dictionary<string, string>(package) { ["programme.json"] = package["programme.json"]
            .Replace("\"shape\": \"member\"", "\"shape\": \"committee\"").Replace("\"timeZone\": \"Europe/Athens\"", "\"timeZone\": \"Europe/Atlantis\"") };
        var schema = await ErrorsAsync(await UploadAsync(admin, Zip(broken), dryRun: true));
        Assert.Contains(schema, e => e is { File: "programme.json", Path: "$.groups[0].shape" } && e.Message.Contains("unknown shape 'committee'"));
        Assert.Contains(schema, e => e.File == "programme.json" && e.Message.Contains("unknown time zone 'Europe/Atlantis'"));
        // The same zipped inside a folder of its own reads the same.
        var nested = await ErrorsAsync(await UploadAsync(admin, Zip(broken.Select(f => KeyValuePair.Create("my-network/" + f.Key, f.Value)))));
        Assert.Contains(nested, e => e is { File: "programme.json", Path: "$.groups[0].shape" });

        var noKey = new ByteArrayContent(Zip(package)) { Headers = { ContentType = new MediaTypeHeaderValue("application/zip") } };
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync("/api/programmes", noKey)).StatusCode);
        var facilitator = await app.ClientForAsync(People.Facilitator);
        Assert.Equal(HttpStatusCode.Forbidden, (await UploadAsync(facilitator, Zip(package))).StatusCode);
        await using var db = app.Db();
        Assert.False(await db.Programmes.AnyAsync(p => p.Id == Uploaded));
        Assert.False(await db.Definitions.AnyAsync(d => d.Id.StartsWith("upload-")));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task An_admin_uploads_a_package_on_the_set_up_page_checks_it_then_imports_it(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var page = await WebClient.SignedInAsync(app, People.Cemr);
        await page.GetAsync("/setup/programmes");
        var package = RenamedGreekPackage();
        var checkedOnly = await page.PostMultipartAsync("/setup/programmes?handler=Upload", new Dictionary<string, string> { ["dryRun"] = "true" },
            "network.zip", Zip(package), field: "package");
        Assert.Equal(HttpStatusCode.OK, checkedOnly.StatusCode);
        Assert.Contains("group 25: create (member: serres) and start &#x27;upload-membership&#x27; v1", page.LastPage);
        await using (var db = app.Db()) Assert.False(await db.Programmes.AnyAsync(p => p.Id == Uploaded));

        var broken = new Dictionary<string, string>(package) { ["programme.json"] = package["programme.json"].Replace("\"shape\": \"member\"", "\"shape\": \"committee\"") };
        var refused = await page.PostMultipartAsync("/setup/programmes?handler=Upload", new Dictionary<string, string>(), "network.zip", Zip(broken), field: "package");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("<code>programme.json</code> <code>$.groups[0].shape</code>", page.LastPage);

        var imported = await page.PostMultipartAsync("/setup/programmes?handler=Upload", new Dictionary<string, string>(), "network.zip", Zip(package), field: "package");
        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        Assert.Contains($"href=\"/setup/programmes/{Uploaded}\"", page.LastPage);
        await using (var db = app.Db()) Assert.Equal(25, await db.Groups.CountAsync(g => g.ProgrammeId == Uploaded));

        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);
        await facilitator.GetAsync("/setup/programmes");
        var denied = await facilitator.PostMultipartAsync("/setup/programmes?handler=Upload", new Dictionary<string, string>(),
            "network.zip", Zip(package.ToDictionary(f => f.Key, f => f.Value.Replace($"\"{Uploaded}\"", "\"not-theirs\""))), field: "package");
        Assert.True(denied.Headers.Location?.OriginalString.Contains("/forbidden") == true, $"{denied.StatusCode}");
        await using (var db = app.Db()) Assert.False(await db.Programmes.AnyAsync(p => p.Id == "not-theirs"));
    }
}
