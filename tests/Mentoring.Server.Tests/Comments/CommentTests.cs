using System.Net;
using System.Net.Http.Json;
using Mentoring.Server.Comments;
using Mentoring.Server.Data;
using Mentoring.Server.Programme.Packages;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Tests.Web;
using WebClient = Mentoring.Server.Tests.Web.WebClient;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Comments;

/// <summary>
/// Comments on a group: whoever may read it writes them, observer members too, who may not act. The fixture package
/// <c>comment-cluster/</c> beside this file has two thematic clusters, each of a core city and an observer city
/// (a role the workflow declares <c>"acts": false</c>), beside the seeded IncluCities.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class CommentTests(DatabaseFixture database) : IDisposable
{
    private const string Network = "comment-cluster";
    private const string Facilitator = "facilitator@comment-cluster.example";
    private const string Ghent = "ghent@comment-cluster.example";   // core city of cluster 1
    private const string Lille = "lille@comment-cluster.example";   // observer city of cluster 1
    private const string Tartu = "tartu@comment-cluster.example";   // core city of cluster 2

    private readonly string _workflows = CopyOfWorkflows();

    public void Dispose() => Directory.Delete(_workflows, recursive: true);

    private async Task<(MentoringApp App, Guid Cluster1, Guid Cluster2)> StartAsync(DatabaseProvider provider)
    {
        var package = Path.Combine(_workflows, Network);
        Directory.CreateDirectory(package);
        foreach (var file in Directory.GetFiles(ContentPath.Resolve(Path.Combine("tests", "Mentoring.Server.Tests", "Comments", Network))))
            File.Copy(file, Path.Combine(package, Path.GetFileName(file)));
        var app = await MentoringApp.StartAsync(database, provider, new Dictionary<string, string?> { ["Workflows:DefinitionsPath"] = _workflows });
        await using var db = app.Db();
        var outcome = await app.Service<ProgrammeImporter>().ImportFolderAsync(db, package, new ImportOptions(), CancellationToken.None);
        Assert.False(outcome.Refused, string.Join("; ", outcome.Errors));
        var groups = await db.Groups.Where(g => g.ProgrammeId == Network).OrderBy(g => g.Number).Select(g => g.Id).ToListAsync();
        return (app, groups[0], groups[1]);
    }

    private static Task<HttpResponseMessage> CommentAsync(HttpClient client, Guid group, string? text, string? key = null) =>
        client.CommandAsync($"/api/pairs/{group}/comments", new { text }, key);

    private static async Task<List<CommentView>> CommentsAsync(HttpClient client, Guid group) =>
        (await client.GetFromJsonAsync<List<CommentView>>($"/api/pairs/{group}/comments", Api.Json))!;

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task An_observer_member_comments_but_cannot_complete_a_task(DatabaseProvider provider)
    {
        var (app, cluster, _) = await StartAsync(provider);
        await using var _ = app;
        var lille = await app.ClientForAsync(Lille);
        var item = await WebAccessTests.OpenTaskAsync(app, cluster, "cluster-plan");

        var posted = await CommentAsync(lille, cluster, "Lille follows this closely.\nWe can share our rent guarantee scheme.");
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        var comment = (await posted.Content.ReadFromJsonAsync<CommentView>(Api.Json))!;
        Assert.Equal("Lille coordinator", comment.Author);
        Assert.Equal(HttpStatusCode.Forbidden, (await lille.CompleteAsync(cluster, item, new { note = "We observe." })).StatusCode);
        await WebAccessTests.AssertStillOpenAsync(app, item);

        // The core city and the facilitator read it, on the API and on the group page.
        Assert.Equal([comment.Id], (await CommentsAsync(await app.ClientForAsync(Ghent), cluster)).Select(c => c.Id));
        Assert.Equal([comment.Id], (await CommentsAsync(await app.ClientForAsync(Facilitator), cluster)).Select(c => c.Id));
        var ghentPage = await WebClient.SignedInAsync(app, Ghent);
        await ghentPage.GetAsync($"/pairs/{cluster}");
        Assert.Contains("We can share our rent guarantee scheme.", WebUtility.HtmlDecode(ghentPage.LastPage));

        // The observer's page: the comment form, and no form for the task.
        var lillePage = await WebClient.SignedInAsync(app, Lille);
        Assert.Equal(HttpStatusCode.OK, (await lillePage.GetAsync($"/pairs/{cluster}")).StatusCode);
        Assert.DoesNotContain($"name=\"itemId\" value=\"{item}\"", lillePage.LastPage);
        Assert.Contains("id=\"comment-text\"", lillePage.LastPage);
        var section = lillePage.LastPage[lillePage.LastPage.IndexOf("id=\"comments\"", StringComparison.Ordinal)..];
        var key = System.Text.RegularExpressions.Regex.Match(section, "name=\"key\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(key);
        var form = new Dictionary<string, string> { ["key"] = key, ["text"] = "Thank you, Ghent." };
        var saved = await lillePage.PostAsync($"/pairs/{cluster}/comments", form);
        Assert.True(saved.StatusCode == HttpStatusCode.Redirect, $"{saved.StatusCode}: {WebClient.Alert(lillePage.LastPage)}");
        Assert.Equal($"/pairs/{cluster}#comments", saved.Headers.Location!.OriginalString);
        // The same form sent twice (a double click) is one comment.
        await lillePage.PostAsync($"/pairs/{cluster}/comments", form);
        Assert.Equal(["Lille follows this closely.\nWe can share our rent guarantee scheme.", "Thank you, Ghent."],
            (await CommentsAsync(lille, cluster)).Select(c => c.Text));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_member_of_another_group_or_programme_may_not_read_or_comment(DatabaseProvider provider)
    {
        var (app, cluster1, cluster2) = await StartAsync(provider);
        await using var _ = app;
        var ghent = await app.ClientForAsync(Ghent);
        Assert.Equal(HttpStatusCode.Created, (await CommentAsync(ghent, cluster1, "Our plan, first draft.")).StatusCode);
        var comment = Assert.Single(await CommentsAsync(ghent, cluster1));

        // Tartu, in the other cluster of the same network: 403, as for the group itself.
        var tartu = await app.ClientForAsync(Tartu);
        Assert.Equal(HttpStatusCode.Forbidden, (await tartu.GetAsync($"/api/pairs/{cluster1}/comments")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await CommentAsync(tartu, cluster1, "Let us in.")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden,
            (await tartu.PatchAsJsonAsync($"/api/pairs/{cluster1}/comments/{comment.Id}", new { text = "Changed." })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await tartu.DeleteAsync($"/api/pairs/{cluster1}/comments/{comment.Id}")).StatusCode);
        var tartuPage = await WebClient.SignedInAsync(app, Tartu);
        Assert.Contains("/forbidden", (await tartuPage.GetAsync($"/pairs/{cluster1}/comments")).Headers.Location!.OriginalString);
        await tartuPage.GetAsync($"/pairs/{cluster2}");
        Assert.Contains("/forbidden", (await tartuPage.PostAsync($"/pairs/{cluster1}/comments",
            new Dictionary<string, string> { ["key"] = "k1", ["text"] = "Let us in." })).Headers.Location!.OriginalString);

        // IncluCities' facilitator and a city of IncluCities: another programme's group is not there (404).
        foreach (var email in new[] { People.Facilitator, People.Coordinator("jelgava") })
        {
            var other = await app.ClientForAsync(email);
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/pairs/{cluster1}/comments")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await CommentAsync(other, cluster1, "Hello from elsewhere.")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/api/pairs/{cluster1}/comments/{comment.Id}")).StatusCode);
        }

        Assert.Equal(["Our plan, first draft."], (await CommentsAsync(ghent, cluster1)).Select(c => c.Text));
        Assert.Empty(await CommentsAsync(tartu, cluster2));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task An_empty_or_too_long_comment_is_refused_and_markup_is_shown_as_text(DatabaseProvider provider)
    {
        var (app, cluster, _) = await StartAsync(provider);
        await using var _ = app;
        var ghent = await app.ClientForAsync(Ghent);

        foreach (var text in new[] { null, "", "   \n ", new string('x', 4001) })
        {
            var refused = await CommentAsync(ghent, cluster, text);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.True((await refused.ProblemAsync()).GetProperty("errors").TryGetProperty("text", out var field), text);
        }

        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/pairs/{cluster}/comments") { Content = JsonContent.Create(new { text = "No key." }) };
        Assert.Equal(HttpStatusCode.BadRequest, (await ghent.SendAsync(request)).StatusCode);
        Assert.Empty(await CommentsAsync(ghent, cluster));

        Assert.Equal(HttpStatusCode.Created, (await CommentAsync(ghent, cluster, "<script>alert('x')</script> <b>bold</b>")).StatusCode);
        var page = await WebClient.SignedInAsync(app, Lille);
        await page.GetAsync($"/pairs/{cluster}");
        Assert.DoesNotContain("<script>alert", page.LastPage);
        Assert.DoesNotContain("<b>bold</b>", page.LastPage);
        Assert.Contains("&lt;script&gt;", page.LastPage);

        // The page says what is wrong, in the reader's words, and keeps nothing.
        var empty = await page.PostAsync($"/pairs/{cluster}/comments", new Dictionary<string, string> { ["key"] = "k2", ["text"] = " " });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.StatusCode);
        Assert.Contains("Write the comment first.", WebClient.Alert(page.LastPage));
        Assert.Single(await CommentsAsync(ghent, cluster));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Only_its_author_edits_a_comment_and_the_facilitator_may_remove_it(DatabaseProvider provider)
    {
        var (app, cluster, _) = await StartAsync(provider);
        await using var _ = app;
        var ghent = await app.ClientForAsync(Ghent);
        var key = Guid.NewGuid().ToString();
        var first = await CommentAsync(ghent, cluster, "Meeting on Monday.", key);
        var again = await CommentAsync(ghent, cluster, "Meeting on Monday.", key);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        var comment = (await first.Content.ReadFromJsonAsync<CommentView>(Api.Json))!;
        Assert.Single(await CommentsAsync(ghent, cluster));

        var lille = await app.ClientForAsync(Lille);
        Assert.Equal(HttpStatusCode.Forbidden,
            (await lille.PatchAsJsonAsync($"/api/pairs/{cluster}/comments/{comment.Id}", new { text = "Tuesday." })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await lille.DeleteAsync($"/api/pairs/{cluster}/comments/{comment.Id}")).StatusCode);

        app.Clock.Advance(TimeSpan.FromHours(1));
        var edited = await ghent.PatchAsJsonAsync($"/api/pairs/{cluster}/comments/{comment.Id}", new { text = "Meeting on Tuesday." });
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        var now = Assert.Single(await CommentsAsync(lille, cluster));
        Assert.Equal(("Meeting on Tuesday.", comment.CreatedAt.AddHours(1)), (now.Text, now.EditedAt!.Value));

        var facilitator = await app.ClientForAsync(Facilitator);
        Assert.Equal(HttpStatusCode.NoContent, (await facilitator.DeleteAsync($"/api/pairs/{cluster}/comments/{comment.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ghent.DeleteAsync($"/api/pairs/{cluster}/comments/{comment.Id}")).StatusCode);
        Assert.Empty(await CommentsAsync(ghent, cluster));

        var openApi = await app.CreateClient().GetStringAsync("/openapi/v1.json");
        Assert.Contains("\"/api/pairs/{pairId}/comments\"", openApi);
        Assert.Contains("\"/api/pairs/{pairId}/comments/{commentId}\"", openApi);
    }
}
