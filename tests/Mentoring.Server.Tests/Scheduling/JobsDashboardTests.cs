using System.Net;
using System.Text.RegularExpressions;
using Hangfire;
using Hangfire.Storage;
using Mentoring.Server.Data;
using Mentoring.Server.Scheduling;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Tests.Web;
using WebClient = Mentoring.Server.Tests.Web.WebClient;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Scheduling;

/// <summary>The Hangfire dashboard at /hangfire: admins may act, the facilitator may look, nobody else gets in.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class JobsDashboardTests(DatabaseFixture database)
{
    private static readonly Dictionary<string, string?> Scheduling = new() { ["Scheduling:Enabled"] = "true" };

    [Fact]
    public async Task Somebody_not_signed_in_is_sent_to_sign_in()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var response = await WebClient.For(app).GetAsync("/hangfire/recurring");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/signin?ReturnUrl=%2Fhangfire%2Frecurring", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task An_api_token_does_not_open_the_dashboard()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var client = await app.ClientForAsync(People.Cemr);
        var response = await client.GetAsync("/hangfire"); // the client follows the redirect

        Assert.Equal("/signin", response.RequestMessage!.RequestUri!.AbsolutePath);
    }

    [Theory]
    [InlineData("jelgava@inclucities.example")]
    [InlineData("lps@associations.example")]
    public async Task Coordinators_and_associations_are_refused(string email)
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var client = await WebClient.SignedInAsync(app, email);

        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/hangfire")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/hangfire/recurring")).StatusCode);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_facilitator_sees_the_recurring_jobs_but_cannot_trigger_them(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider, Scheduling);
        var client = await WebClient.SignedInAsync(app, People.Facilitator);

        var page = await client.GetAsync("/hangfire/recurring");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains(CleanUpJob.Id, client.LastPage);
        Assert.DoesNotContain("js-jobs-list-command", client.LastPage); // read-only: no trigger or delete buttons

        var trigger = await TriggerAsync(client, CleanUpJob.Id);
        Assert.False(trigger.IsSuccessStatusCode, $"a read-only trigger answered {trigger.StatusCode}");
        Assert.Null(LastJobId(app, CleanUpJob.Id));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task An_admin_may_trigger_a_recurring_job(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider, Scheduling);
        var client = await WebClient.SignedInAsync(app, People.Cemr);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/hangfire/recurring")).StatusCode);
        Assert.Contains("js-jobs-list-command", client.LastPage);
        Assert.Contains("csrf-token", client.LastPage);

        var trigger = await TriggerAsync(client, CleanUpJob.Id);
        Assert.True(trigger.IsSuccessStatusCode, $"the admin's trigger answered {trigger.StatusCode}");
        Assert.NotNull(LastJobId(app, CleanUpJob.Id));
    }

    [Fact]
    public async Task The_facilitator_dashboard_links_to_it()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var client = await WebClient.SignedInAsync(app, People.Facilitator);
        await client.GetAsync("/dashboard");
        Assert.Contains("<a href=\"/hangfire\">Scheduled work</a>", client.LastPage);
    }

    /// <summary>Presses "Trigger now" as the dashboard's script does: a form post with the page's antiforgery header.</summary>
    private static async Task<HttpResponseMessage> TriggerAsync(WebClient client, string jobId)
    {
        var header = Regex.Match(client.LastPage, "<meta name=\"csrf-header\" content=\"([^\"]*)\"").Groups[1].Value;
        var token = Regex.Match(client.LastPage, "<meta name=\"csrf-token\" content=\"([^\"]*)\"").Groups[1].Value;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hangfire/recurring/trigger")
        {
            Content = new FormUrlEncodedContent([new KeyValuePair<string, string>("jobs[]", jobId)]),
        };
        if (header.Length > 0) request.Headers.Add(header, token);
        return await client.Http.SendAsync(request);
    }

    private static string? LastJobId(MentoringApp app, string recurringJobId)
    {
        using var connection = app.Service<JobStorage>().GetConnection();
        return connection.GetRecurringJobs([recurringJobId]).Single().LastJobId;
    }
}
