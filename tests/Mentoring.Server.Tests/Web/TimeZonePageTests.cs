using System.Net;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;
using static Mentoring.Server.Tests.Web.WebAccessTests;

namespace Mentoring.Server.Tests.Web;

[Collection(DatabaseCollection.Name)]
public sealed class TimeZonePageTests(DatabaseFixture database)
{
    /// <summary>22:30 UTC on Monday 12 January 2026: already Tuesday in Riga (UTC+2), still Monday in Brussels (UTC+1).</summary>
    private static readonly DateTimeOffset Due = new(2026, 1, 12, 22, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_Jelgava_coordinator_sees_the_due_date_and_times_in_Riga_time_and_the_facilitator_in_Brussels_time()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var pair = await PairIdAsync(app, "jelgava");
        var item = await OpenTaskAsync(app, pair, "mentee-needs-self-assessment");
        await using (var db = app.Db())
        {
            await db.WorkItems.Where(w => w.Id == item).ExecuteUpdateAsync(s => s.SetProperty(w => w.DueAt, Due));
            // The coordinator's own zone says Brussels; they act for Jelgava, so the city's zone wins.
            var coordinator = await db.People.SingleAsync(p => p.Email == People.Coordinator("jelgava"));
            coordinator.TimeZone = "Europe/Brussels";
            await db.SaveChangesAsync();
        }

        var jelgava = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        await jelgava.GetAsync($"/pairs/{pair}");
        var page = WebUtility.HtmlDecode(jelgava.LastPage); // the encoder writes '+' as &#x2B;
        Assert.Contains("datetime=\"2026-01-13T00:30+02:00\"", page);
        Assert.Contains("13 Jan 2026 00:30 Europe/Riga (UTC+02:00)", page);
        Assert.Contains(">13 Jan 2026</time>", page);
        Assert.DoesNotContain(">12 Jan 2026</time>", page);
        // the history shows when the pair started (08:00 UTC) in Riga time
        Assert.Contains("5 Jan 2026 10:00 Europe/Riga (UTC+02:00)", page);
        Assert.DoesNotContain(" UTC<", page);

        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);
        await facilitator.GetAsync($"/pairs/{pair}");
        page = WebUtility.HtmlDecode(facilitator.LastPage);
        Assert.Contains("datetime=\"2026-01-12T23:30+01:00\"", page);
        Assert.Contains(">12 Jan 2026</time>", page);
        Assert.Contains("5 Jan 2026 09:00 Europe/Brussels (UTC+01:00)", page);
    }

    [Fact]
    public async Task Summer_time_shows_the_summer_offset()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite, start: new DateTimeOffset(2026, 7, 1, 8, 0, 0, TimeSpan.Zero));
        var pair = await PairIdAsync(app, "livadeia");
        var livadeia = await WebClient.SignedInAsync(app, People.Coordinator("livadeia"));

        await livadeia.GetAsync($"/pairs/{pair}");

        Assert.Contains("1 Jul 2026 11:00 Europe/Athens (UTC+03:00)", WebUtility.HtmlDecode(livadeia.LastPage));
    }
}
