using System.Text.RegularExpressions;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Web;

/// <summary>Dates and times in the reader's culture and time zone, the CSV export included.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class ReaderCultureTests(DatabaseFixture database)
{
    [Fact]
    public async Task The_CSV_export_gives_due_times_in_the_readers_zone_with_their_offset()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        await using (var db = app.Db())
            await db.People.Where(p => p.Email == People.Facilitator).ExecuteUpdateAsync(s => s.SetProperty(p => p.TimeZone, "Europe/Riga"));
        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);

        await facilitator.GetAsync("/dashboard/export.csv");

        var dues = facilitator.LastPage.Split("\r\n").Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')[^2]).Where(d => d.Length > 0).ToList();
        Assert.NotEmpty(dues);
        Assert.All(dues, due => Assert.Matches(new Regex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}\+0[23]:00$"), due));
    }

    [Fact]
    public async Task A_Latvian_email_carries_the_stage_name_in_Latvian_not_English()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var driver = await PairDriver.ForAsync(app, "schaerbeek", "jelgava");

        await driver.RunUntilOpenAsync("collect-good-practices");

        await using var db = app.Db();
        var started = await db.Outbox.Where(m => m.Template == "stage-started").ToListAsync();
        Assert.Contains(started, m => m.Language == "lv" && m.Model.Contains("Tematiskais etalons un galvenie faktori"));
        Assert.DoesNotContain(started, m => m.Language == "lv" && m.Model.Contains("Thematic benchmark and key factors"));
        Assert.All(started.Where(m => m.Language == "en"), m => Assert.Contains("Thematic benchmark and key factors", m.Model));
    }
}
