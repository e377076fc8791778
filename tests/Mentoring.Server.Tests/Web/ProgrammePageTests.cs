using System.Net;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Web;

/// <summary>The programme's own work has a page: its tasks with the facilitator's forms, its events, and who waits.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class ProgrammePageTests(DatabaseFixture database)
{
    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_facilitator_sees_and_completes_the_programme_tasks_and_sees_its_events(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);

        await facilitator.GetAsync("/dashboard");
        Assert.Contains("href=\"/programme\"", facilitator.LastPage);
        Assert.Equal(HttpStatusCode.OK, (await facilitator.GetAsync("/programme")).StatusCode);
        var page = WebUtility.HtmlDecode(facilitator.LastPage);
        Assert.Contains("Step 1 of 7", page);
        Assert.Contains("Send the needs assessment to the 8 cities", page);
        Assert.Contains("Mentoring training held", page);
        Assert.Contains("Training academy held", page);
        Assert.Contains("Not yet", page);

        Guid item;
        await using (var db = app.Db())
        {
            var instance = await db.Programmes.Select(p => p.ProgrammeInstanceId).SingleAsync();
            item = await db.WorkItems.Where(w => w.InstanceId == instance && w.StepId == "send-needs-questionnaire").Select(w => w.Id).SingleAsync();
        }

        var done = await facilitator.PostMultipartAsync("/programme?handler=Complete",
            new Dictionary<string, string> { ["itemId"] = item.ToString(), ["key"] = facilitator.Hidden("key"), ["note"] = "Sent to all eight cities." },
            "questionnaire.pdf", Api.Pdf);

        Assert.True(done.StatusCode == HttpStatusCode.Redirect, $"{done.StatusCode}: {WebClient.Alert(facilitator.LastPage)}");
        await using (var db = app.Db())
            Assert.Equal(WorkItemStatus.Completed, await db.WorkItems.Where(w => w.Id == item).Select(w => w.Status).SingleAsync());
        await facilitator.GetAsync("/programme");
        Assert.Contains("Migration Work (facilitator)", WebUtility.HtmlDecode(facilitator.LastPage));
    }

    [Fact]
    public async Task An_association_and_a_coordinator_may_not_open_the_programme_page_or_act_on_it()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        foreach (var email in new[] { People.Coordinator("jelgava"), People.Observer("LPS") })
        {
            var client = await WebClient.SignedInAsync(app, email);
            Assert.Contains("/forbidden", (await client.GetAsync("/programme")).Headers.Location!.OriginalString);
            await client.GetAsync("/pairs");
            var post = await client.PostAsync("/programme?handler=Complete",
                new Dictionary<string, string> { ["itemId"] = Guid.NewGuid().ToString(), ["key"] = "k", ["note"] = "x" });
            Assert.Contains("/forbidden", post.Headers.Location!.OriginalString);
        }
    }
}
