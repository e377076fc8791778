using System.Net;
using Mentoring.Server.Dashboard;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Scheduling;
using Mentoring.Server.Tests.Email;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Tests.Scheduling;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;
using static Mentoring.Server.Tests.Web.WebAccessTests;

namespace Mentoring.Server.Tests.Web;

/// <summary>The facilitator's view of what needs them beyond tasks (issue 15): a faulted instance shown as stopped with
/// its error and retried from the page, groups gone quiet, and addresses whose email bounced.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class IncidentPageTests(DatabaseFixture database)
{
    /// <summary>Faults Jelgava's pair as DefinitionsAndOperationsTests does: stage 2 opens with an email step to both
    /// coordinators, and Jelgava's has no address.</summary>
    internal static Task<Guid> FaultJelgavaAsync(MentoringApp app) => FaultJelgavaAsync(app.ClientForAsync, app.Db);

    internal static async Task<Guid> FaultJelgavaAsync(Func<string, Task<HttpClient>> clientFor, Func<MentoringDb> database)
    {
        var mentor = await clientFor(People.Coordinator("schaerbeek"));
        var mentee = await clientFor(People.Coordinator("jelgava"));
        var facilitator = await clientFor(People.Facilitator);
        var pair = await mentee.PairOfAsync("jelgava");
        await using (var db = database())
            await db.People.Where(p => db.ProgrammePeople.Any(c => c.PersonId == p.Id && c.CityId == "jelgava"))
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.Email, (string?)null));
        await mentee.CompleteAsync(pair.Id, (await facilitator.OpenItemAsync(pair.Id, "mentee-needs-self-assessment")).Id);
        await mentor.CompleteAsync(pair.Id, (await mentor.OpenItemAsync(pair.Id, "mentor-strengths-on-theme")).Id);
        await facilitator.CommandAsync($"/api/pairs/{pair.Id}/approvals/{(await facilitator.OpenItemAsync(pair.Id, "approve-matching")).Id}/approve");
        Assert.Equal("faulted", (await facilitator.PairAsync(pair.Id)).Pair.Status);
        return pair.Id;
    }

    internal static async Task MendJelgavaAsync(Func<MentoringDb> database)
    {
        await using var db = database();
        await db.People.Where(p => db.ProgrammePeople.Any(c => c.PersonId == p.Id && c.CityId == "jelgava"))
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Email, "jelgava@inclucities.example"));
    }

    private static async Task<Guid> InstanceOfAsync(MentoringApp app, Guid groupId)
    {
        await using var db = app.Db();
        return await db.Groups.Where(g => g.Id == groupId).Select(g => g.InstanceId).SingleAsync();
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_faulted_instance_shows_as_stopped_with_its_error_and_goes_on_when_retried_from_the_page(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var pair = await FaultJelgavaAsync(app);
        var instance = await InstanceOfAsync(app, pair);
        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);

        await facilitator.GetAsync("/dashboard");
        Assert.Contains("state-stoppedbyerror", facilitator.LastPage);
        Assert.Contains("Stopped (error)", facilitator.LastPage);
        Assert.Contains($"id=\"incident-{instance}\"", facilitator.LastPage);
        Assert.Contains("Nobody can be emailed", facilitator.LastPage);
        Assert.DoesNotContain("   at Mentoring", facilitator.LastPage); // an error in words, no stack trace
        await facilitator.GetAsync($"/pairs/{pair}");
        Assert.Contains("This workflow has stopped", facilitator.LastPage);
        Assert.Contains("Nobody can be emailed", facilitator.LastPage);
        Assert.Contains("handler=Retry", facilitator.LastPage);
        var key = RetryKey(facilitator, instance);

        // Retried before the cause is fixed: it faults again, and the page says so.
        var tooEarly = await facilitator.PostAsync("/dashboard/incidents?handler=Retry",
            new Dictionary<string, string> { ["instanceId"] = instance.ToString(), ["key"] = key, ["back"] = $"/pairs/{pair}" });
        Assert.Equal(HttpStatusCode.Redirect, tooEarly.StatusCode);
        await facilitator.GetAsync($"/pairs/{pair}");
        Assert.Contains("the step failed again", facilitator.LastPage);

        await MendJelgavaAsync(app.Db);
        var retryKey = RetryKey(facilitator, instance);
        var form = new Dictionary<string, string> { ["instanceId"] = instance.ToString(), ["key"] = retryKey, ["back"] = $"/pairs/{pair}" };
        var retried = await facilitator.PostAsync("/dashboard/incidents?handler=Retry", form);
        var doubleSubmit = await facilitator.PostAsync("/dashboard/incidents?handler=Retry", form);

        Assert.True(retried.StatusCode == HttpStatusCode.Redirect, $"{retried.StatusCode}: {WebClient.Alert(facilitator.LastPage)}");
        Assert.Equal($"/pairs/{pair}", retried.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, doubleSubmit.StatusCode); // the same key: the first retry's answer again
        var api = await app.ClientForAsync(People.Facilitator);
        var resumed = await api.PairAsync(pair);
        Assert.Equal(("running", 2), (resumed.Pair.Status, resumed.Pair.CurrentStep));
        Assert.Contains(resumed.OpenItems, i => i.StepId == "collect-good-practices");
        await using (var db = app.Db())
            Assert.Equal(2, await db.Journal.CountAsync(j => j.InstanceId == instance && j.Type == "retried"));
        await facilitator.GetAsync("/dashboard");
        Assert.DoesNotContain($"id=\"incident-{instance}\"", facilitator.LastPage);
        Assert.DoesNotContain("state-stoppedbyerror", facilitator.LastPage);

        // Not faulted any more: a retry is refused, with problem details on the API and in words on the page.
        var again = await api.CommandAsync($"/api/instances/{instance}/retry", new { });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType!.MediaType);
        Assert.Contains("Only a faulted workflow can be retried", await again.Content.ReadAsStringAsync());
        await facilitator.GetAsync("/dashboard/incidents");
        var page = await facilitator.PostAsync("/dashboard/incidents?handler=Retry",
            new Dictionary<string, string> { ["instanceId"] = instance.ToString(), ["key"] = Guid.NewGuid().ToString() });
        Assert.Equal(HttpStatusCode.Conflict, page.StatusCode);
        Assert.Contains("nothing to retry", facilitator.LastPage);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_city_coordinator_sees_the_incident_but_neither_the_buttons_nor_may_post_them(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        // Signed in first: the fault takes Jelgava's coordinator's address away.
        var jelgava = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        var pair = await FaultJelgavaAsync(app);
        var instance = await InstanceOfAsync(app, pair);

        await jelgava.GetAsync($"/pairs/{pair}");
        Assert.Contains("This workflow has stopped", jelgava.LastPage);
        Assert.Contains("The facilitator sees this on the dashboard", jelgava.LastPage);
        Assert.DoesNotContain("handler=Retry", jelgava.LastPage);
        Assert.DoesNotContain("handler=Suspend", jelgava.LastPage);
        Assert.DoesNotContain("handler=Cancel\"", jelgava.LastPage);
        foreach (var handler in new[] { "Retry", "Suspend", "Cancel" })
        {
            var posted = await jelgava.PostAsync($"/dashboard/incidents?handler={handler}",
                new Dictionary<string, string> { ["instanceId"] = instance.ToString(), ["key"] = Guid.NewGuid().ToString() });
            Assert.True(posted.StatusCode == HttpStatusCode.Forbidden
                        || (posted.StatusCode == HttpStatusCode.Redirect && posted.Headers.Location!.OriginalString.Contains("/forbidden")),
                $"{handler}: {posted.StatusCode} {posted.Headers.Location}");
        }

        Assert.Contains("/forbidden", (await jelgava.GetAsync("/dashboard/incidents")).Headers.Location!.OriginalString);
        // Another pair's coordinator does not see this pair's page at all.
        var livadeia = await WebClient.SignedInAsync(app, People.Coordinator("livadeia"));
        Assert.Contains("/forbidden", (await livadeia.GetAsync($"/pairs/{pair}")).Headers.Location!.OriginalString);
        var api = await app.ClientForAsync(People.Facilitator);
        Assert.Equal("faulted", (await api.PairAsync(pair)).Pair.Status);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_group_quiet_for_the_programmes_stuckAfterDays_shows_on_the_dashboard_and_in_the_digest(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        await using (var db = app.Db())
            await db.Programmes.Where(p => p.Id == "inclucities").ExecuteUpdateAsync(s => s.SetProperty(p => p.Settings, """{"stuckAfterDays":10}"""));
        var mentee = await app.ClientForAsync(People.Coordinator("jelgava"));
        var jelgava = (await mentee.PairOfAsync("jelgava")).Id;

        // Nine days on nothing is stuck; on day 9 Jelgava completes a task; on day 11 the other three pairs are stuck.
        app.Clock.Advance(TimeSpan.FromDays(9));
        await using (var db = app.Db())
            Assert.Empty((await StuckGroups.ListAsync(db, app.Service<Mentoring.Server.Workflows.DefinitionStore>().Catalog, "inclucities", app.Clock.GetUtcNow(), CancellationToken.None)).Groups);
        await mentee.CompleteAsync(jelgava, (await mentee.OpenItemAsync(jelgava, "mentee-needs-self-assessment")).Id);
        app.Clock.Advance(TimeSpan.FromDays(2));

        // Signed in now: a session started eleven days ago by the app's clock has ended.
        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);
        await facilitator.GetAsync("/dashboard");
        Assert.Contains("No activity for 10 days or more", facilitator.LastPage);
        var section = facilitator.LastPage[facilitator.LastPage.IndexOf("id=\"stuck-groups\"", StringComparison.Ordinal)..];
        section = section[..section.IndexOf("</section>", StringComparison.Ordinal)];
        Assert.DoesNotContain($"/pairs/{jelgava}", section);
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Count(section, "href=\"/pairs/"));
        Assert.Contains("11 days ago", section);
        await using (var db = app.Db())
        {
            var (days, stuck) = await StuckGroups.ListAsync(db, app.Service<Mentoring.Server.Workflows.DefinitionStore>().Catalog, "inclucities", app.Clock.GetUtcNow(), CancellationToken.None);
            Assert.Equal(10, days);
            Assert.Equal(3, stuck.Count);
            Assert.All(stuck, s => Assert.Equal(11, s.Days));
        }

        await app.Service<FacilitatorDigest>().WriteAsync(CancellationToken.None);
        var mail = Assert.Single(await app.MailAsync(null, "facilitator-digest"));
        var lines = mail.Model["stuck"]!.AsArray();
        Assert.Equal(3, lines.Count);
        Assert.DoesNotContain(lines, l => l!["group"]!.GetValue<string>() == "Schaerbeek – Jelgava");
        Assert.All(lines, l => Assert.Equal(11, l!["days"]!.GetValue<int>()));
        Assert.All(lines, l => Assert.False(string.IsNullOrWhiteSpace(l!["what"]!.GetValue<string>())));
        Assert.DoesNotContain(lines, l => l!["what"]!.GetValue<string>().StartsWith("journal-", StringComparison.Ordinal));
        var rendered = app.Service<Mentoring.Engine.Templates.TemplateCatalog>().Render("facilitator-digest", "en", mail.Model);
        Assert.Contains("no activity for 11 days", rendered.Text);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task An_address_refused_by_the_mail_server_flags_its_person_until_dismissed_or_changed(DatabaseProvider provider)
    {
        // MailDev accepts every recipient, so a scripted SMTP server (a real socket, MailKit talks SMTP to it) refuses one.
        await using var server = new ScriptedSmtpServer
        {
            RecipientReply = address => address == "livadeia@inclucities.example" ? "550 5.1.1 <livadeia@inclucities.example>: mailbox unavailable" : "250 2.1.5 OK",
        };
        await using var app = await StartAsync(database, provider, server.Settings());
        var refused = Assert.Single(await app.QueueReminderAsync("livadeia"));
        var delivered = Assert.Single(await app.QueueReminderAsync("jelgava"));
        Assert.Equal(1, await app.Service<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None));
        Assert.Equal(OutboxStatus.Dead, (await app.RowAsync(refused.Id)).Status);
        Assert.Equal(OutboxStatus.Sent, (await app.RowAsync(delivered.Id)).Status);

        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);
        await facilitator.GetAsync("/dashboard");
        var section = Section(facilitator.LastPage, "email-bounces");
        Assert.Contains("livadeia@inclucities.example", section);
        Assert.Contains("550 5.1.1", section);
        Assert.DoesNotContain("jelgava@inclucities.example", section);

        // Dismissed: gone, until the address bounces again.
        var dismissed = await facilitator.PostAsync("/dashboard/email?handler=DismissBounce",
            new Dictionary<string, string> { ["personId"] = refused.RecipientId!.Value.ToString() });
        Assert.Equal(HttpStatusCode.Redirect, dismissed.StatusCode);
        await facilitator.GetAsync("/dashboard");
        Assert.DoesNotContain("livadeia@inclucities.example", Section(facilitator.LastPage, "email-bounces"));

        await app.QueueReminderAsync("livadeia", "Second reminder");
        await app.Service<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None);
        await facilitator.GetAsync("/dashboard");
        Assert.Contains("livadeia@inclucities.example", Section(facilitator.LastPage, "email-bounces"));
        // A corrected address ends the flag with nothing dismissed.
        await using (var db = app.Db())
            await db.People.Where(p => p.Id == refused.RecipientId).ExecuteUpdateAsync(s => s.SetProperty(p => p.Email, "integration@livadeia.example"));
        await facilitator.GetAsync("/dashboard");
        Assert.Contains("id=\"email-bounces\"", facilitator.LastPage);
        Assert.DoesNotContain("livadeia@inclucities.example", Section(facilitator.LastPage, "email-bounces"));

        // A coordinator cannot dismiss a flag.
        var coordinator = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        await coordinator.GetAsync($"/pairs/{await PairIdAsync(app, "jelgava")}");
        var refusedDismiss = await coordinator.PostAsync("/dashboard/email?handler=DismissBounce",
            new Dictionary<string, string> { ["personId"] = refused.RecipientId!.Value.ToString() });
        Assert.True(refusedDismiss.StatusCode == HttpStatusCode.Forbidden
                    || refusedDismiss.Headers.Location?.OriginalString.Contains("/forbidden") == true, refusedDismiss.StatusCode.ToString());
        await facilitator.GetAsync("/dashboard/email");
    }

    /// <summary>The hidden key of the incident's Retry form on the last page.</summary>
    private static string RetryKey(WebClient client, Guid instance)
    {
        var match = System.Text.RegularExpressions.Regex.Match(client.LastPage, $"name=\"key\" value=\"([^\"]*-retry-{instance})\"");
        Assert.True(match.Success, "no Retry form");
        return match.Groups[1].Value;
    }

    private static string Section(string page, string id)
    {
        var start = page.IndexOf($"id=\"{id}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section {id}");
        var rest = page[start..];
        return rest[..rest.IndexOf("</section>", StringComparison.Ordinal)];
    }
}
