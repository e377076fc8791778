using System.Net;
using System.Text;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Accounts;
using Mentoring.Server.Uploads;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;
using static Mentoring.Server.Tests.Web.WebAccessTests;

namespace Mentoring.Server.Tests.Web;

[Collection(DatabaseCollection.Name)]
public sealed class PairPageTests(DatabaseFixture database)
{
    private static readonly byte[] PdfBytes = Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n");

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_coordinator_completes_a_task_with_a_note_and_a_file_and_a_double_submit_is_one_change(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var pair = await PairIdAsync(app, "jelgava");
        var item = await OpenTaskAsync(app, pair, "mentee-needs-self-assessment");
        var jelgava = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        await jelgava.GetAsync($"/pairs/{pair}");
        var key = jelgava.Hidden("key");
        var form = new Dictionary<string, string> { ["itemId"] = item.ToString(), ["key"] = key, ["note"] = "<b>Needs</b> <script>alert(1)</script>" };

        var first = await jelgava.PostMultipartAsync($"/pairs/{pair}?handler=Complete", form, "needs.pdf", PdfBytes);
        Assert.True(first.StatusCode == HttpStatusCode.Redirect, $"{first.StatusCode}: {WebClient.Alert(jelgava.LastPage)}");
        var again = await jelgava.PostMultipartAsync($"/pairs/{pair}?handler=Complete", form, "needs.pdf", PdfBytes);

        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        await using var db = app.Db();
        Assert.Equal(WorkItemStatus.Completed, await db.WorkItems.Where(w => w.Id == item).Select(w => w.Status).SingleAsync());
        Assert.Equal(1, await db.Journal.CountAsync(j => j.Type == "task-completed"));

        await jelgava.GetAsync($"/pairs/{pair}");
        Assert.Contains("&lt;b&gt;Needs&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;", jelgava.LastPage);
        Assert.DoesNotContain("<script>alert(1)", jelgava.LastPage);

        var file = await db.Set<UploadedFile>().FirstAsync();
        var download = await jelgava.Http.GetAsync($"/files/{file.Id}");
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("application/octet-stream", download.Content.Headers.ContentType!.MediaType);
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains($"/files/{file.Id}", jelgava.LastPage);

        var lps = await WebClient.SignedInAsync(app, People.Observer("LPS"));
        Assert.Equal(HttpStatusCode.OK, (await lps.GetAsync($"/files/{file.Id}")).StatusCode);
        var kede = await WebClient.SignedInAsync(app, People.Observer("KEDE"));
        Assert.Contains("/forbidden", (await kede.GetAsync($"/files/{file.Id}")).Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_disguised_or_oversized_upload_is_refused_and_nothing_changes()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite, new Dictionary<string, string?> { ["Web:MaxUploadBytes"] = "1048576" });
        var pair = await PairIdAsync(app, "jelgava");
        var item = await OpenTaskAsync(app, pair, "mentee-needs-self-assessment");
        var jelgava = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));

        await jelgava.GetAsync($"/pairs/{pair}");
        var exe = new byte[] { 0x4D, 0x5A, 0x90, 0x00, 0x03, 0x00 };
        var disguised = await jelgava.PostMultipartAsync($"/pairs/{pair}?handler=Complete",
            new Dictionary<string, string> { ["itemId"] = item.ToString(), ["key"] = jelgava.Hidden("key"), ["note"] = "see file" }, "report.pdf", exe);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, disguised.StatusCode);
        Assert.Contains("This kind of file is not accepted", jelgava.LastPage);

        var big = new byte[1048577];
        PdfBytes.CopyTo(big, 0);
        var oversized = await jelgava.PostMultipartAsync($"/pairs/{pair}?handler=Complete",
            new Dictionary<string, string> { ["itemId"] = item.ToString(), ["key"] = jelgava.Hidden("key"), ["note"] = "see file" }, "report.pdf", big);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, oversized.StatusCode);
        Assert.Contains("The file is too large", jelgava.LastPage);

        await AssertStillOpenAsync(app, item);
        await using var db = app.Db();
        Assert.Equal(0, await db.Set<UploadedFile>().CountAsync());
    }

    [Fact]
    public async Task A_cross_site_post_without_the_antiforgery_token_is_refused()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var pair = await PairIdAsync(app, "jelgava");
        var item = await OpenTaskAsync(app, pair, "mentee-needs-self-assessment");
        var jelgava = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));

        var response = await jelgava.PostAsync($"/pairs/{pair}?handler=Complete",
            new Dictionary<string, string> { ["itemId"] = item.ToString(), ["key"] = "forged", ["note"] = "from elsewhere" }, withToken: false);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertStillOpenAsync(app, item);
    }

    [Fact]
    public async Task A_task_without_what_it_requires_is_refused_with_the_engines_message()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var pair = await PairIdAsync(app, "jelgava");
        var item = await OpenTaskAsync(app, pair, "mentee-needs-self-assessment");
        var jelgava = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        await jelgava.GetAsync($"/pairs/{pair}");

        var response = await jelgava.PostAsync($"/pairs/{pair}?handler=Complete",
            new Dictionary<string, string> { ["itemId"] = item.ToString(), ["key"] = jelgava.Hidden("key"), ["note"] = "no file" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("role=\"alert\"", jelgava.LastPage);
        await AssertStillOpenAsync(app, item);
    }

    [Fact]
    public async Task The_facilitator_nudges_an_overdue_task_once_per_click()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        app.Clock.Advance(TimeSpan.FromDays(30));
        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);
        await facilitator.GetAsync("/dashboard");
        Assert.Contains("handler=Nudge", facilitator.LastPage);
        var pair = await PairIdAsync(app, "jelgava");
        var item = await OpenTaskAsync(app, pair, "mentee-needs-self-assessment");

        var form = new Dictionary<string, string> { ["itemId"] = item.ToString(), ["key"] = "nudge-1" };
        await facilitator.PostAsync("/dashboard?handler=Nudge", form);
        await facilitator.GetAsync("/dashboard");
        await facilitator.PostAsync("/dashboard?handler=Nudge", form);

        await using var db = app.Db();
        var nudges = await db.Outbox.Where(m => m.Template == "task-reminder" && m.CreatedAt == app.Clock.GetUtcNow()).ToListAsync();
        var nudge = Assert.Single(nudges);
        Assert.Equal(People.Coordinator("jelgava"), nudge.RecipientEmail);
        Assert.Contains("\"daysLeft\":0", nudge.Model);
    }

    [Fact]
    public async Task Pages_follow_Accept_Language_and_the_language_cookie()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var client = WebClient.For(app);
        client.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("el-GR,el;q=0.9");
        await client.GetAsync("/signin");
        Assert.Contains("<html lang=\"el\">", client.LastPage);
        Assert.Contains("Σύνδεση", client.LastPage);

        var switched = await client.PostAsync("/language", new Dictionary<string, string> { ["culture"] = "en", ["returnUrl"] = "/signin" });
        Assert.Equal("/signin", switched.Headers.Location!.OriginalString);
        await client.GetAsync("/signin");
        Assert.Contains("<html lang=\"en\">", client.LastPage);
    }
}
