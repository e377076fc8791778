using System.Net;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Accounts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;
using static Mentoring.Server.Tests.Web.WebAccessTests;

namespace Mentoring.Server.Tests.Web;

/// <summary>Another site cannot make changes with a signed-in person's cookie: API changes must come from the app's own
/// origin, page forms carry an antiforgery token. API tokens are not sent by browsers, so token calls are left alone.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class CrossSiteRequestTests(DatabaseFixture database)
{
    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_cookie_authenticated_API_change_from_another_origin_is_refused(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);
        var jelgava = await PersonIdAsync(app, People.Coordinator("jelgava"));
        var invite = $"/api/setup/people/{jelgava}/invite";
        var before = await InvitationsAsync(app);

        foreach (var (header, value) in new[]
                 {
                     ("Origin", "https://evil.example"), ("Origin", "null"), ("Origin", "https://mentoring.test.evil.example"),
                     ("Origin", "http://mentoring.test"), ("Referer", "https://evil.example/page"), (null, null),
                 })
        {
            var refused = await SendAsync(facilitator.Http, HttpMethod.Post, invite, header, value);
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{header}: {value} -> {refused.StatusCode}");
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        var revoke = await SendAsync(facilitator.Http, HttpMethod.Delete, $"/api/tokens/{Guid.NewGuid()}", "Origin", "https://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, revoke.StatusCode);
        Assert.Equal(before, await InvitationsAsync(app));

        // The app's own origin: Email:PublicUrl's (behind a proxy), or the host the request came to; Referer when Origin is left out.
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(facilitator.Http, HttpMethod.Post, invite, "Origin", "https://mentoring.test")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(facilitator.Http, HttpMethod.Post, invite, "Origin", "http://localhost")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(facilitator.Http, HttpMethod.Post, invite, "Referer", "http://localhost/setup")).StatusCode);
        Assert.Equal(before + 3, await InvitationsAsync(app));

        var token = await app.ClientForAsync(People.Facilitator);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(token, HttpMethod.Post, invite, "Origin", "https://evil.example")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(token, HttpMethod.Post, invite, null, null)).StatusCode);
        Assert.Equal(before + 5, await InvitationsAsync(app));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_coordinators_cookie_cannot_complete_a_task_from_another_site(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var pair = await PairIdAsync(app, "jelgava");
        var task = await OpenTaskAsync(app, pair, "mentor-strengths-on-theme");
        var schaerbeek = await WebClient.SignedInAsync(app, People.Coordinator("schaerbeek"));
        var path = $"/api/pairs/{pair}/tasks/{task}/complete";

        var forged = await SendAsync(schaerbeek.Http, HttpMethod.Post, path, "Origin", "https://evil.example", new { note = "forged" });
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        await AssertStillOpenAsync(app, task);

        // Own origin, but the other city's pair: still refused by the pair's own access rule.
        var capaciPair = await PairIdAsync(app, "capaci");
        var capaciTask = await OpenTaskAsync(app, capaciPair, "mentor-strengths-on-theme");
        var otherPair = await SendAsync(schaerbeek.Http, HttpMethod.Post, $"/api/pairs/{capaciPair}/tasks/{capaciTask}/complete",
            "Origin", "https://mentoring.test", new { note = "not ours" });
        Assert.Equal(HttpStatusCode.Forbidden, otherPair.StatusCode);
        await AssertStillOpenAsync(app, capaciTask);

        var own = await SendAsync(schaerbeek.Http, HttpMethod.Post, path, "Origin", "https://mentoring.test", new { note = "Our practices" });
        Assert.True(own.IsSuccessStatusCode, await own.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Every_page_form_handler_refuses_a_post_without_the_antiforgery_token()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var pair = await PairIdAsync(app, "jelgava");
        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);
        var loader = app.Service<PageLoader>();
        var posts = new List<string>();
        foreach (var page in app.Service<IActionDescriptorCollectionProvider>().ActionDescriptors.Items.OfType<PageActionDescriptor>())
        {
            var compiled = await loader.LoadAsync(page, Microsoft.AspNetCore.Http.EndpointMetadataCollection.Empty);
            // Every route value filled, so the post reaches the page (a guid where the route wants one: the pair's, which
            // also serves as an unknown item, visit or event id; "inclucities" for a programme, "jelgava" for a city).
            var route = "/" + System.Text.RegularExpressions.Regex.Replace(page.AttributeRouteInfo!.Template!, @"\{(\w+)(:guid)?\??\}",
                m => m.Groups[2].Success ? pair.ToString() : m.Groups[1].Value is "city" or "cityId" ? "jelgava" : "inclucities");
            foreach (var handler in compiled.HandlerMethods.Where(h => HttpMethods.IsPost(h.HttpMethod)))
                posts.Add(handler.Name is null ? route : $"{route}?handler={handler.Name}");
        }

        Assert.True(posts.Count >= 15, string.Join(", ", posts));
        foreach (var post in posts)
        {
            var response = await facilitator.PostAsync(post, new Dictionary<string, string> { ["key"] = "k" }, withToken: false);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{post}: {response.StatusCode}");
        }

        Assert.Equal(HttpStatusCode.OK, (await facilitator.GetAsync("/dashboard")).StatusCode);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string? header, string? value,
        object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (header is not null) request.Headers.TryAddWithoutValidation(header, value);
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        if (body is not null) request.Content = System.Net.Http.Json.JsonContent.Create(body, options: Api.Json);
        return client.SendAsync(request);
    }

    private static async Task<Guid> PersonIdAsync(MentoringApp app, string email)
    {
        await using var db = app.Db();
        return await db.People.Where(p => p.Email == email).Select(p => p.Id).SingleAsync();
    }

    private static async Task<int> InvitationsAsync(MentoringApp app)
    {
        await using var db = app.Db();
        return await db.Set<AccountLink>().CountAsync(l => l.Purpose == LinkPurpose.Invitation);
    }
}
