using System.Net;
using System.Net.Http.Json;
using Mentoring.Server.Data;
using Mentoring.Server.Outputs;
using Mentoring.Server.Programme.Packages;
using Mentoring.Server.Workflows;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Tests.Web;
using WebClient = Mentoring.Server.Tests.Web.WebClient;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Outputs;

/// <summary>
/// The outputs register on both databases: a coordinator files their city's one-stop-shop with its checklist, the
/// facilitator the programme's guide and edits any output; another city's coordinator may not touch it; another
/// programme's people see nothing; bad input is a 400 naming each field and writes nothing; the page lists and filters.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class OutputsRegisterTests(DatabaseFixture database)
{
    public const string Outputs = "/api/programmes/inclucities/outputs";

    public static object OneStopShop(string owner = "jelgava") => new
    {
        title = "Jelgava welcome desk", kind = "one-stop-shop", ownedBy = owner, status = "in-progress", link = "https://www.jelgava.lv/welcome",
        languages = new[] { "lv", "en", "ru", "uk" }, checklist = new[] { "language-courses", "health", "housing" },
    };

    public static async Task<Guid> IdAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<OutputChange>(Api.Json))!.Id;
    }

    /// <summary>Imports the Greek Cities Network for Integration beside IncluCities: another programme's people.</summary>
    public static async Task<HttpClient> AnotherProgrammesCoordinatorAsync(MentoringApp app)
    {
        await using (var db = app.Db())
        {
            var outcome = await app.Service<ProgrammeImporter>().ImportFolderAsync(db,
                Path.Combine(ContentPath.Resolve("workflows"), "cities-network-for-integration"), new ImportOptions(), CancellationToken.None);
            Assert.False(outcome.Refused, string.Join("; ", outcome.Errors));
        }

        return await app.ClientForAsync("athens@citiesnetwork.example");
    }

    private static async Task<OutputRegisterView> ListAsync(HttpClient client, string query = "") =>
        (await client.GetFromJsonAsync<OutputRegisterView>(Outputs + query, Api.Json))!;

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Coordinators_file_their_own_citys_outputs_the_facilitator_any_and_nobody_else_touches_them(DatabaseProvider provider)
    {
        await using var app = await MentoringApp.StartAsync(database, provider);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var capaci = await app.ClientForAsync(People.Coordinator("capaci"));
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var athens = await AnotherProgrammesCoordinatorAsync(app);

        var shop = await IdAsync(await jelgava.CommandAsync(Outputs, OneStopShop()));
        var guide = await IdAsync(await facilitator.CommandAsync(Outputs, new
        {
            title = "IncluCities methodological guide", kind = "methodological-guide", ownedBy = "programme", status = "planned", languages = new[] { "en" },
        }));

        var all = await ListAsync(capaci);
        Assert.Equal([guide, shop], all.Outputs.Select(o => o.Id));
        var view = all.Outputs.Single(o => o.Id == shop);
        Assert.Equal(("jelgava", "Jelgava", "in-progress", false), (view.Owner, view.OwnerName, view.Status, view.MayEdit));
        Assert.Equal(["lv", "en", "ru", "uk"], view.Languages);
        Assert.Equal([("language-courses", true), ("legal-advice", false), ("health", true), ("housing", true), ("work", false), ("schools", false)],
            view.Checklist!.Select(c => (c.Item, c.Present)));
        Assert.Null(all.Outputs.Single(o => o.Id == guide).Checklist);
        Assert.Equal([shop], (await ListAsync(facilitator, "?kind=one-stop-shop")).Outputs.Select(o => o.Id));
        Assert.Equal([guide], (await ListAsync(facilitator, "?city=programme")).Outputs.Select(o => o.Id));
        Assert.Equal([shop], (await ListAsync(facilitator, "?city=jelgava&status=in-progress")).Outputs.Select(o => o.Id));
        Assert.Empty((await ListAsync(facilitator, "?status=published")).Outputs);
        Assert.All((await ListAsync(facilitator)).Outputs, o => Assert.True(o.MayEdit));

        // Another city's coordinator: not their output, not their city, not the programme's.
        Assert.Equal(HttpStatusCode.Forbidden, (await capaci.PutAsJsonAsync($"{Outputs}/{shop}", OneStopShop("capaci"), Api.Json)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await capaci.PutAsJsonAsync($"{Outputs}/{guide}", OneStopShop("capaci"), Api.Json)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await capaci.CommandAsync(Outputs, OneStopShop("jelgava"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await jelgava.CommandAsync(Outputs, OneStopShop("programme"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await jelgava.PutAsJsonAsync($"{Outputs}/{shop}", OneStopShop("capaci"), Api.Json)).StatusCode);

        // The facilitator publishes the city's output.
        var published = new { title = "Jelgava welcome desk", kind = "one-stop-shop", ownedBy = "jelgava", status = "published", languages = new[] { "lv" }, checklist = new[] { "work" } };
        Assert.Equal(HttpStatusCode.OK, (await facilitator.PutAsJsonAsync($"{Outputs}/{shop}", published, Api.Json)).StatusCode);
        var now = (await jelgava.GetFromJsonAsync<OutputView>($"{Outputs}/{shop}", Api.Json))!;
        Assert.Equal(("published", true, (string?)null), (now.Status, now.MayEdit, now.Link));
        Assert.Equal(["work"], now.Checklist!.Where(c => c.Present).Select(c => c.Item));

        // A file for the output, read by the programme's people, not by another programme's.
        var file = new MultipartFormDataContent { { new ByteArrayContent(Api.Pdf), "file", "welcome-desk.pdf" } };
        var upload = new HttpRequestMessage(HttpMethod.Post, $"{Outputs}/{shop}/file") { Content = file };
        upload.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.OK, (await jelgava.SendAsync(upload)).StatusCode);
        Assert.Equal(Api.Pdf, await capaci.GetByteArrayAsync($"{Outputs}/{shop}/file"));

        // Another programme's people: nothing there.
        foreach (var status in new[]
                 {
                     (await athens.GetAsync(Outputs)).StatusCode, (await athens.GetAsync($"{Outputs}/{shop}")).StatusCode,
                     (await athens.GetAsync($"{Outputs}/{shop}/file")).StatusCode,
                     (await athens.PutAsJsonAsync($"{Outputs}/{shop}", published, Api.Json)).StatusCode,
                     (await athens.CommandAsync(Outputs, OneStopShop())).StatusCode,
                 })
            Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(HttpStatusCode.NotFound, (await jelgava.GetAsync("/api/programmes/cities-network-for-integration/outputs")).StatusCode);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Bad_input_is_a_problem_naming_each_field_and_nothing_is_written_and_the_page_files_and_filters(DatabaseProvider provider)
    {
        await using var app = await MentoringApp.StartAsync(database, provider);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));

        async Task<string[]> FieldsAsync(object body)
        {
            var response = await jelgava.CommandAsync(Outputs, body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.StartsWith("application/problem+json", response.Content.Headers.ContentType!.ToString());
            return (await response.ProblemAsync()).GetProperty("errors").EnumerateObject().Select(p => p.Name).Order().ToArray();
        }

        Assert.Equal(["kind"], await FieldsAsync(new { title = "Poster", kind = "poster", ownedBy = "jelgava", status = "planned" }));
        Assert.Equal(["checklist"], await FieldsAsync(new { title = "Poster", kind = "infographic", ownedBy = "jelgava", status = "planned", checklist = new[] { "health" } }));
        Assert.Equal(["checklist"], await FieldsAsync(new { title = "Desk", kind = "one-stop-shop", ownedBy = "jelgava", status = "planned", checklist = new[] { "parking" } }));
        Assert.Equal(["languages"], await FieldsAsync(new { title = "Poster", kind = "infographic", ownedBy = "jelgava", status = "planned", languages = new[] { "lv", "english" } }));
        Assert.Equal(["link"], await FieldsAsync(new { title = "Poster", kind = "infographic", ownedBy = "jelgava", status = "planned", link = "javascript:alert(1)" }));
        Assert.Equal(["link"], await FieldsAsync(new { title = "Poster", kind = "infographic", ownedBy = "jelgava", status = "planned", link = "ftp://files.example/poster.pdf" }));
        Assert.Equal(["ownedBy", "status", "title"], await FieldsAsync(new { title = " ", kind = "toolkit", ownedBy = "athens", status = "done" }));
        await using (var db = app.Db())
            Assert.Equal(0, await db.Set<OutputRecord>().CountAsync());

        // The page: the coordinator files an output through the form; a bad link is refused on the page; the filter lists it.
        var page = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        Assert.Equal(HttpStatusCode.OK, (await page.GetAsync("/programmes/inclucities/outputs")).StatusCode);
        var form = new Dictionary<string, string>
        {
            ["key"] = page.Hidden("key"), ["title"] = "Jelgava infographic on services", ["kind"] = "infographic", ["ownedBy"] = "jelgava",
            ["status"] = "published", ["link"] = "ftp://bad.example", ["languages"] = "lv, en",
        };
        Assert.Equal(HttpStatusCode.BadRequest, (await page.PostAsync("/programmes/inclucities/outputs", form)).StatusCode);
        Assert.True(page.LastPage.Contains("http:// or https://"), WebClient.Alert(page.LastPage));
        form["link"] = "https://www.jelgava.lv/infographic";
        form["key"] = page.Hidden("key");
        Assert.Equal(HttpStatusCode.Redirect, (await page.PostAsync("/programmes/inclucities/outputs", form)).StatusCode);
        await page.GetAsync("/programmes/inclucities/outputs?kind=infographic&status=published&city=jelgava");
        Assert.Contains("Jelgava infographic on services", page.LastPage);
        Assert.Contains("/edit\"", page.LastPage);
        await page.GetAsync("/programmes/inclucities/outputs?kind=toolkit");
        Assert.DoesNotContain("Jelgava infographic on services", page.LastPage);
        var capaci = await WebClient.SignedInAsync(app, People.Coordinator("capaci"));
        await using var read = app.Db();
        var id = await read.Set<OutputRecord>().Select(o => o.Id).SingleAsync();
        var edit = await capaci.GetAsync($"/programmes/inclucities/outputs/{id}/edit");
        Assert.True(edit.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Redirect, edit.StatusCode.ToString());
        Assert.Equal(["lv", "en"], (await read.Set<OutputRecord>().SingleAsync()).Languages.Split(','));

        // Its file, attached on the edit page: a text file is refused there, a PDF is kept and downloads from the register.
        Assert.Equal(HttpStatusCode.OK, (await page.GetAsync($"/programmes/inclucities/outputs/{id}/edit")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await page.PostMultipartAsync($"/programmes/inclucities/outputs/{id}/edit?handler=File",
            new Dictionary<string, string>(), "notes.txt", "plain text"u8.ToArray())).StatusCode);
        Assert.Contains("upload a PDF", WebClient.Alert(page.LastPage));
        Assert.Equal(HttpStatusCode.Redirect, (await page.PostMultipartAsync($"/programmes/inclucities/outputs/{id}/edit?handler=File",
            new Dictionary<string, string>(), "infographic.pdf", Api.Pdf)).StatusCode);
        Assert.Equal(Api.Pdf, await (await jelgava.GetAsync($"/api/programmes/inclucities/outputs/{id}/file")).Content.ReadAsByteArrayAsync());
    }
}
