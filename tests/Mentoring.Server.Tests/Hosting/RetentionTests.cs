using System.Net;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Retention;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Accounts;
using Mentoring.Server.Uploads;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Hosting;

[Collection(DatabaseCollection.Name)]
public sealed class RetentionTests(DatabaseFixture database)
{
    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Clean_up_erases_what_outlived_its_retention_time_and_keeps_the_rest(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider, new Dictionary<string, string?>
        {
            ["Retention:JournalPayloadsFor"] = "730.00:00:00", ["Retention:UploadsFor"] = "365.00:00:00", ["Email:KeepSentFor"] = "90.00:00:00",
        });
        var now = app.Clock.GetUtcNow();
        Guid[] pairs;
        Guid programme;
        await using (var db = app.Db())
        {
            pairs = await db.Groups.OrderBy(p => p.Number).Select(p => p.InstanceId).ToArrayAsync();
            programme = await db.Instances.Where(i => i.GroupId == null).Select(i => i.Id).SingleAsync();
            var jelgava = await db.People.SingleAsync(p => p.Email == People.Coordinator("jelgava"));
            var pair = await db.Groups.FirstAsync(p => p.Number == 1);
            db.Set<UploadedFile>().Add(new UploadedFile
            {
                UploadedBy = jelgava.Id, GroupId = pair.Id, FileName = "needs.pdf", ContentType = "application/pdf", Size = 5,
                Content = "%PDF-"u8.ToArray(), UploadedAt = now,
            });
            foreach (var instance in pairs.Take(2))
                db.Journal.Add(new JournalEntry
                {
                    InstanceId = instance, At = now, Type = "task-completed", ActorId = jelgava.Id.ToString(), ActorName = jelgava.Name,
                    Data = """{"note":"Our needs, with the names of the people we spoke to"}""",
                });
            foreach (var instance in pairs.Take(2))
                (await db.WorkItems.FirstAsync(w => w.InstanceId == instance)).Result = """{"note":"Our needs"}""";
            await db.SaveChangesAsync();
        }

        // Pair 1 finished 800 days ago (past the 730), pair 2 finished 100 days ago; the others and the programme run on.
        await FinishAsync(app, pairs[0], now - TimeSpan.FromDays(800));
        await FinishAsync(app, pairs[1], now - TimeSpan.FromDays(100));
        var first = await app.Service<RetentionCleanup>().RunAsync(CancellationToken.None);

        Assert.True(first.JournalPayloads > 0);
        Assert.Equal(1, first.TaskResults);
        await using (var db = app.Db())
        {
            Assert.All(await db.Journal.Where(j => j.InstanceId == pairs[0]).ToListAsync(), j => Assert.Equal("{}", j.Data));
            Assert.Contains(await db.Journal.Where(j => j.InstanceId == pairs[1]).Select(j => j.Data).ToListAsync(), d => d.Contains("Our needs"));
            Assert.All(await db.WorkItems.Where(w => w.InstanceId == pairs[0]).ToListAsync(), w => Assert.Null(w.Result));
            Assert.Contains(await db.WorkItems.Where(w => w.InstanceId == pairs[1]).Select(w => w.Result).ToListAsync(), r => r != null);
            Assert.Equal(1, await db.Set<UploadedFile>().CountAsync());
        }

        // The erased history still reads: who did what, and when.
        var facilitator = await app.ClientForAsync(People.Facilitator);
        await using (var db = app.Db())
        {
            var pairId = await db.Groups.Where(p => p.InstanceId == pairs[0]).Select(p => p.Id).SingleAsync();
            Assert.Equal(HttpStatusCode.OK, (await facilitator.GetAsync($"/api/pairs/{pairId}/history")).StatusCode);
        }

        // The programme finished 400 days ago: its files go (past the 365); a second run finds nothing more to erase.
        await FinishAsync(app, programme, now - TimeSpan.FromDays(400));
        var second = await app.Service<RetentionCleanup>().RunAsync(CancellationToken.None);
        Assert.Equal(1, second.Uploads);
        Assert.Equal(new RetentionResult(0, 0, 0, 0), await app.Service<RetentionCleanup>().RunAsync(CancellationToken.None));
        await using (var db = app.Db()) Assert.Equal(0, await db.Set<UploadedFile>().CountAsync());
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_zero_retention_time_keeps_that_data(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider, new Dictionary<string, string?>
        {
            ["Retention:JournalPayloadsFor"] = "00:00:00", ["Retention:UploadsFor"] = "00:00:00",
        });
        await using (var db = app.Db())
            foreach (var instance in await db.Instances.Select(i => i.Id).ToListAsync())
                await FinishAsync(app, instance, app.Clock.GetUtcNow() - TimeSpan.FromDays(5000));

        Assert.Equal(new RetentionResult(0, 0, 0, 0), await app.Service<RetentionCleanup>().RunAsync(CancellationToken.None));
    }

    private static async Task FinishAsync(MentoringApp app, Guid instance, DateTimeOffset at)
    {
        await using var db = app.Db();
        await db.Instances.Where(i => i.Id == instance)
            .ExecuteUpdateAsync(set => set.SetProperty(i => i.Status, "completed").SetProperty(i => i.UpdatedAt, at));
    }
}
