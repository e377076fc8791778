using System.Net;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Accounts;
using Mentoring.Server.Uploads;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;
using static Mentoring.Server.Tests.Web.WebAccessTests;

namespace Mentoring.Server.Tests.Web;

/// <summary>A file belongs to the pair and task it was uploaded for, with the completion it came with; who may read it
/// follows from that pair, and nobody attaches a file they did not upload.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class FileOwnershipTests(DatabaseFixture database)
{
    private const string NeedsTask = "mentee-needs-self-assessment";
    private const string StrengthsTask = "mentor-strengths-on-theme";

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Naming_another_pairs_file_when_completing_a_task_does_not_open_that_file_to_your_pair(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var capaciPair = await PairIdAsync(app, "capaci");
        var capaci = await WebClient.SignedInAsync(app, People.Coordinator("capaci"));
        await CompleteOnThePageAsync(capaci, capaciPair, await OpenTaskAsync(app, capaciPair, NeedsTask));
        var capacisFile = await SingleFileAsync(app);

        var jelgavaPair = await PairIdAsync(app, "jelgava");
        var jelgavaTask = await OpenTaskAsync(app, jelgavaPair, NeedsTask);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var attach = await jelgava.CompleteAsync(jelgavaPair, jelgavaTask, new { note = "Our needs", fileId = capacisFile.Id.ToString() });

        Assert.Equal(HttpStatusCode.BadRequest, attach.StatusCode);
        Assert.Equal("application/problem+json", attach.Content.Headers.ContentType?.MediaType);
        Assert.True((await attach.ProblemAsync()).GetProperty("errors").TryGetProperty("fileId", out _));
        await AssertStillOpenAsync(app, jelgavaTask);
        Assert.Equal(HttpStatusCode.Forbidden, (await jelgava.GetAsync($"/files/{capacisFile.Id}")).StatusCode);
        var lps = await app.ClientForAsync(People.Observer("LPS"));
        Assert.Equal(HttpStatusCode.Forbidden, (await lps.GetAsync($"/files/{capacisFile.Id}")).StatusCode);

        // The file's own pair still reads it: Capaci's mentor city, its association, and the facilitator.
        foreach (var reader in new[] { People.Coordinator("mechelen"), People.Observer("AICCRE"), People.Facilitator })
            Assert.Equal(HttpStatusCode.OK, (await (await app.ClientForAsync(reader)).GetAsync($"/files/{capacisFile.Id}")).StatusCode);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_file_uploaded_by_the_partner_city_cannot_be_attached_to_your_task(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var pair = await PairIdAsync(app, "jelgava");
        var schaerbeek = await app.ClientForAsync(People.Coordinator("schaerbeek"));
        var strengths = await OpenTaskAsync(app, pair, StrengthsTask);
        var upload = await schaerbeek.CompleteWithFileAsync($"/api/pairs/{pair}/tasks/{strengths}/complete", "Our practices", key: "s1");
        Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());
        var partnersFile = await SingleFileAsync(app);

        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var needs = await OpenTaskAsync(app, pair, NeedsTask);
        var attach = await jelgava.CompleteAsync(pair, needs, new { note = "Our needs", fileId = partnersFile.Id.ToString() });
        var notAFile = await jelgava.CompleteAsync(pair, needs, new { note = "Our needs", fileId = "questionnaire.pdf" });

        Assert.Equal(HttpStatusCode.BadRequest, attach.StatusCode);
        Assert.True((await attach.ProblemAsync()).GetProperty("errors").TryGetProperty("fileId", out _));
        Assert.Equal(HttpStatusCode.BadRequest, notAFile.StatusCode);
        Assert.True((await notAFile.ProblemAsync()).GetProperty("errors").TryGetProperty("fileId", out _));
        await AssertStillOpenAsync(app, needs);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_task_is_completed_over_the_API_with_its_file_which_then_belongs_to_the_pair(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var pair = await PairIdAsync(app, "jelgava");
        var needs = await OpenTaskAsync(app, pair, NeedsTask);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));

        var response = await jelgava.CompleteWithFileAsync($"/api/pairs/{pair}/tasks/{needs}/complete", "Our needs", key: "with-file");
        var replay = await jelgava.CompleteWithFileAsync($"/api/pairs/{pair}/tasks/{needs}/complete", "Our needs", key: "with-file");

        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        var file = await SingleFileAsync(app);
        Assert.Equal(pair, file.GroupId);
        Assert.Equal(needs, file.WorkItemId);
        var completed = (await jelgava.HistoryAsync(pair)).Single(h => h.Type == "task-completed");
        Assert.Equal(file.Id.ToString(), completed.Data.GetProperty("fileId").GetString());

        foreach (var reader in new[] { People.Coordinator("schaerbeek"), People.Observer("LPS"), People.Observer("Brulocalis") })
            Assert.Equal(HttpStatusCode.OK, (await (await app.ClientForAsync(reader)).GetAsync($"/files/{file.Id}")).StatusCode);
        foreach (var other in new[] { People.Coordinator("capaci"), People.Observer("KEDE") })
            Assert.Equal(HttpStatusCode.Forbidden, (await (await app.ClientForAsync(other)).GetAsync($"/files/{file.Id}")).StatusCode);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_multipart_completion_takes_a_note_of_several_lines_to_the_note_limit_as_the_JSON_body_does(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var pair = await PairIdAsync(app, "jelgava");
        var needs = await OpenTaskAsync(app, pair, NeedsTask);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var path = $"/api/pairs/{pair}/tasks/{needs}/complete";

        var tooLong = await jelgava.CompleteWithFileAsync(path, new string('x', Mentoring.Server.Inputs.Limits.Note + 1));
        var note = "Our needs, in three lines:\nlanguage courses for adults\n" + new string('x', 1000);
        var accepted = await jelgava.CompleteWithFileAsync(path, note);

        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.True((await tooLong.ProblemAsync()).GetProperty("errors").TryGetProperty("note", out _));
        Assert.True(accepted.IsSuccessStatusCode, await accepted.Content.ReadAsStringAsync());
        var completed = (await jelgava.HistoryAsync(pair)).Single(h => h.Type == "task-completed");
        Assert.Equal(note, completed.Data.GetProperty("note").GetString());
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_task_sent_back_can_be_completed_again_with_the_file_uploaded_for_it_before(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var pair = await PairIdAsync(app, "jelgava");
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var schaerbeek = await app.ClientForAsync(People.Coordinator("schaerbeek"));
        var facilitator = await app.ClientForAsync(People.Facilitator);
        (await jelgava.CompleteAsync(pair, await OpenTaskAsync(app, pair, NeedsTask))).EnsureSuccessStatusCode();
        (await schaerbeek.CompleteAsync(pair, await OpenTaskAsync(app, pair, StrengthsTask), new { note = "Our practices" }))
            .EnsureSuccessStatusCode();
        var file = await SingleFileAsync(app);
        var gate = await OpenTaskAsync(app, pair, "approve-matching");
        (await facilitator.CommandAsync($"/api/pairs/{pair}/approvals/{gate}/send-back", new { reason = "Say more about housing." }))
            .EnsureSuccessStatusCode();

        var again = await jelgava.CompleteAsync(pair, await OpenTaskAsync(app, pair, NeedsTask),
            new { note = "Our needs, housing too", fileId = file.Id.ToString() });

        Assert.True(again.IsSuccessStatusCode, await again.Content.ReadAsStringAsync());
        Assert.Equal(1, await FileCountAsync(app));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_page_upload_whose_completion_is_refused_leaves_no_file(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var pair = await PairIdAsync(app, "jelgava");
        var needs = await OpenTaskAsync(app, pair, NeedsTask);

        // Another side's task: Schaerbeek mentors, the needs assessment is Jelgava's.
        var schaerbeek = await WebClient.SignedInAsync(app, People.Coordinator("schaerbeek"));
        var notTheirs = await CompleteOnThePageAsync(schaerbeek, pair, needs, expectSaved: false);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, notTheirs.StatusCode);
        Assert.Contains("Not yours to do", WebClient.Alert(schaerbeek.LastPage));
        Assert.Equal(0, await FileCountAsync(app));

        // A task already done: the second upload, with a new form, is refused and not stored.
        var jelgava = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        await CompleteOnThePageAsync(jelgava, pair, needs);
        Assert.Equal(1, await FileCountAsync(app));
        var done = await CompleteOnThePageAsync(jelgava, pair, needs, expectSaved: false);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, done.StatusCode);
        Assert.Contains("Already done", WebClient.Alert(jelgava.LastPage));
        Assert.Equal(1, await FileCountAsync(app));

        // The API's multipart completion is the same path.
        var api = await app.ClientForAsync(People.Coordinator("jelgava"));
        var refused = await api.CompleteWithFileAsync($"/api/pairs/{pair}/tasks/{needs}/complete", "again");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal(1, await FileCountAsync(app));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Files_stored_before_owners_were_recorded_get_the_pair_whose_completion_by_their_uploader_attached_them(
        DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var jelgavaPair = await PairIdAsync(app, "jelgava");
        var capaciPair = await PairIdAsync(app, "capaci");
        var jelgavaNeeds = await OpenTaskAsync(app, jelgavaPair, NeedsTask);
        var capaciNeeds = await OpenTaskAsync(app, capaciPair, NeedsTask);
        (await (await app.ClientForAsync(People.Coordinator("jelgava"))).CompleteAsync(jelgavaPair, jelgavaNeeds)).EnsureSuccessStatusCode();
        (await (await app.ClientForAsync(People.Coordinator("capaci"))).CompleteAsync(capaciPair, capaciNeeds)).EnsureSuccessStatusCode();
        var strengths = await OpenTaskAsync(app, jelgavaPair, StrengthsTask);
        (await (await app.ClientForAsync(People.Coordinator("schaerbeek"))).CompleteAsync(jelgavaPair, strengths, new { note = "Ours" }))
            .EnsureSuccessStatusCode();
        await using var db = app.Db();
        var capacisFile = await db.Set<UploadedFile>().Where(f => f.GroupId == capaciPair).Select(f => f.Id).SingleAsync();
        // What the old code let Schaerbeek write: its own completion naming Capaci's file. Then the files as M003 left them.
        await db.WorkItems.Where(w => w.Id == strengths)
            .ExecuteUpdateAsync(u => u.SetProperty(w => w.Result, $"{{\"note\":\"Ours\",\"fileId\":\"{capacisFile}\"}}"));
        await db.Set<UploadedFile>().ExecuteUpdateAsync(u => u.SetProperty(f => f.GroupId, (Guid?)null).SetProperty(f => f.WorkItemId, (Guid?)null));

        // M007's backfill, with the names M014 gave its tables since.
        await db.Database.ExecuteSqlRawAsync(Mentoring.Server.Data.Migrations.M007_FileOwners.Backfill
            .Replace("JOIN pairs p", "JOIN \"groups\" p").Replace("SET pair_id", "SET group_id"));

        var owners = await db.Set<UploadedFile>().AsNoTracking().ToDictionaryAsync(f => f.Id, f => (f.GroupId, f.WorkItemId));
        Assert.Equal(((Guid?)capaciPair, (Guid?)capaciNeeds), owners[capacisFile]);
        Assert.Equal(((Guid?)jelgavaPair, (Guid?)jelgavaNeeds), owners.Single(o => o.Key != capacisFile).Value);
    }

    /// <summary>Posts the pair page's completion form for the item, with a fresh form key and a PDF.</summary>
    private static async Task<HttpResponseMessage> CompleteOnThePageAsync(WebClient client, Guid pair, Guid item, bool expectSaved = true)
    {
        await client.GetAsync($"/pairs/{pair}");
        var form = new Dictionary<string, string> { ["itemId"] = item.ToString(), ["key"] = Guid.NewGuid().ToString("N"), ["note"] = "Our needs" };
        var response = await client.PostMultipartAsync($"/pairs/{pair}?handler=Complete", form, "needs.pdf", Api.Pdf);
        if (expectSaved) Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{response.StatusCode}: {WebClient.Alert(client.LastPage)}");
        return response;
    }

    private static async Task<UploadedFile> SingleFileAsync(MentoringApp app)
    {
        await using var db = app.Db();
        return await db.Set<UploadedFile>().AsNoTracking().SingleAsync();
    }

    private static async Task<int> FileCountAsync(MentoringApp app)
    {
        await using var db = app.Db();
        return await db.Set<UploadedFile>().CountAsync();
    }
}
