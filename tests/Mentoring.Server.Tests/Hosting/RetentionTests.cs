using System.Net;
using System.Net.Http.Json;
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

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_removed_materials_file_revoked_feeds_and_a_finished_pairs_delegation_are_cleaned_up(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var now = app.Clock.GetUtcNow();
        var facilitator = await app.ClientForAsync(People.Facilitator);

        // The facilitator removes an event's slides: the file is unreadable at once and gone after the next clean-up.
        var start = now.AddDays(10);
        var academy = await Events.EventTests.IdAsync(await facilitator.CommandAsync("/api/programmes/inclucities/events", new
        {
            kind = "training-academy", title = "Training academy in Mechelen", eventStart = start.ToString("yyyy-MM-dd'T'09:00"),
            eventEnd = start.ToString("yyyy-MM-dd'T'17:00"), hostCity = "mechelen", eventVenue = "Mechelen city hall",
        }));
        var upload = new HttpRequestMessage(HttpMethod.Post, $"/api/programmes/inclucities/events/{academy}/materials/file")
        {
            Content = new MultipartFormDataContent { { new StringContent("Slides"), "title" }, { new ByteArrayContent(Api.Pdf), "file", "slides.pdf" } },
        };
        upload.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        Assert.True((await facilitator.SendAsync(upload)).IsSuccessStatusCode);
        var material = Assert.Single((await facilitator.GetFromJsonAsync<Mentoring.Server.Events.EventView>(
            $"/api/programmes/inclucities/events/{academy}", Api.Json))!.Materials);
        var file = material.FileId!.Value;
        Assert.Equal(HttpStatusCode.OK, (await facilitator.GetAsync($"/files/{file}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await facilitator.DeleteAsync($"/api/programmes/inclucities/events/{academy}/materials/{material.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await facilitator.GetAsync($"/files/{file}")).StatusCode);

        // A feed revoked 40 days ago goes, one revoked 5 days ago and one in use stay; pair 1's delegation, finished 800
        // days ago, loses its names, pair 2's (finished 100 days ago) keeps them.
        Guid[] pairs;
        await using (var db = app.Db())
        {
            var jelgava = await db.People.SingleAsync(p => p.Email == People.Coordinator("jelgava"));
            foreach (var (name, revoked) in new (string, DateTimeOffset?)[] { ("Old phone", now.AddDays(-40)), ("Laptop", now.AddDays(-5)), ("Phone", null) })
                db.CalendarFeeds.Add(new Mentoring.Server.Calendar.CalendarFeed
                    { PersonId = jelgava.Id, Name = name, Hash = Guid.NewGuid().ToString("N"), CreatedAt = now.AddDays(-60), RevokedAt = revoked });
            var groups = await db.Groups.OrderBy(g => g.Number).Take(2).ToListAsync();
            pairs = groups.Select(g => g.InstanceId).ToArray();
            foreach (var group in groups)
            {
                var item = await db.WorkItems.FirstAsync(w => w.InstanceId == group.InstanceId);
                db.Set<Mentoring.Server.Visits.VisitPlan>().Add(new Mentoring.Server.Visits.VisitPlan
                {
                    ItemId = item.Id, GroupId = group.Id, ProgrammeId = group.ProgrammeId, Format = "in-person", HostCityId = "mechelen",
                    VisitingCityId = "capaci", StartDate = new DateOnly(2021, 10, 4), EndDate = new DateOnly(2021, 10, 6), CreatedAt = now,
                });
                db.Set<Mentoring.Server.Visits.VisitParticipant>().Add(new Mentoring.Server.Visits.VisitParticipant
                    { ItemId = item.Id, CityId = "capaci", Delegation = true, Name = $"Delegate {group.Number}", Role = "Councillor", Email = "d@capaci.example" });
            }

            await db.SaveChangesAsync();
        }

        await FinishAsync(app, pairs[0], now - TimeSpan.FromDays(800));
        await FinishAsync(app, pairs[1], now - TimeSpan.FromDays(100));
        var result = await app.Service<RetentionCleanup>().RunAsync(CancellationToken.None);
        Assert.Equal((1, 1, 1), (result.RemovedUploads, result.DelegationMembers, result.RevokedFeeds));
        await using (var db = app.Db())
        {
            Assert.False(await db.Set<UploadedFile>().AnyAsync(f => f.Id == file));
            Assert.Equal(["Laptop", "Phone"], (await db.CalendarFeeds.Select(f => f.Name).ToListAsync()).Order());
            var delegates = await db.Set<Mentoring.Server.Visits.VisitParticipant>().Where(p => p.Delegation).ToListAsync();
            Assert.Equal(2, delegates.Count);
            Assert.Single(delegates, d => d is { Name: null, Role: null, Email: null });
            Assert.Single(delegates, d => d.Name == "Delegate 2");
        }

        var again = await app.Service<RetentionCleanup>().RunAsync(CancellationToken.None);
        Assert.Equal((0, 0, 0), (again.RemovedUploads, again.DelegationMembers, again.RevokedFeeds));
    }

    private static async Task FinishAsync(MentoringApp app, Guid instance, DateTimeOffset at)
    {
        await using var db = app.Db();
        await db.Instances.Where(i => i.Id == instance)
            .ExecuteUpdateAsync(set => set.SetProperty(i => i.Status, "completed").SetProperty(i => i.UpdatedAt, at));
    }
}
