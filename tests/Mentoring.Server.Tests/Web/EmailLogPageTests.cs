using System.Net;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Web;

[Collection(DatabaseCollection.Name)]
public sealed class EmailLogPageTests(DatabaseFixture database)
{
    [Fact]
    public async Task Only_the_facilitator_and_admin_see_the_email_log()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);

        var anonymous = await WebClient.For(app).GetAsync("/dashboard/email");
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.StartsWith("/signin", anonymous.Headers.Location!.OriginalString.Replace("http://localhost", ""));

        foreach (var email in new[] { People.Coordinator("jelgava"), People.Observer("LPS") })
        {
            var client = await WebClient.SignedInAsync(app, email);
            var get = await client.GetAsync("/dashboard/email");
            Assert.Contains("/forbidden", get.Headers.Location!.OriginalString);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync(get.Headers.Location!.OriginalString)).StatusCode);
            var post = await client.PostAsync("/dashboard/email?handler=Resend",
                new Dictionary<string, string> { ["id"] = Guid.NewGuid().ToString(), ["key"] = "k" });
            Assert.Contains("/forbidden", post.Headers.Location!.OriginalString);
        }

        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);
        Assert.Equal(HttpStatusCode.OK, (await facilitator.GetAsync("/dashboard/email")).StatusCode);
        await facilitator.GetAsync("/dashboard");
        Assert.Contains("href=\"/dashboard/email\"", facilitator.LastPage);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_dead_message_is_listed_with_its_reason_and_one_resend_makes_it_pending_once(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var dead = await AddAsync(app, OutboxStatus.Dead, 5, "550 5.1.1 mailbox unavailable", minutesAgo: 10);
        var failing = await AddAsync(app, OutboxStatus.Pending, 2, "421 try again later", minutesAgo: 5);
        var queued = await AddAsync(app, OutboxStatus.Pending, 0, null, minutesAgo: 1);
        var sent = await AddAsync(app, OutboxStatus.Sent, 1, null, minutesAgo: 20);
        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);

        await facilitator.GetAsync("/dashboard/email");
        var page = facilitator.LastPage;
        Assert.Contains("550 5.1.1 mailbox unavailable", page);
        Assert.Contains("421 try again later", page);
        Assert.DoesNotContain(queued.ToString(), page);
        // newest first: the failing one (5 min ago), then the dead one (10), then the sent one (20)
        Assert.True(page.IndexOf("421 try again later", StringComparison.Ordinal) < page.IndexOf("550 5.1.1", StringComparison.Ordinal));
        Assert.True(page.IndexOf(dead.ToString(), StringComparison.Ordinal) < page.IndexOf(sent.ToString(), StringComparison.Ordinal));
        Assert.DoesNotContain($"name=\"id\" value=\"{failing}\"", page);
        Assert.Contains($"name=\"id\" value=\"{dead}\"", page);

        var form = new Dictionary<string, string> { ["id"] = dead.ToString(), ["key"] = $"{facilitator.Hidden("key").Split('-')[0]}-{dead}" };
        var first = await facilitator.PostAsync("/dashboard/email?handler=Resend", form);
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal("/dashboard/email", first.Headers.Location!.OriginalString);

        await using (var db = app.Db())
        {
            var message = await db.Outbox.SingleAsync(m => m.Id == dead);
            Assert.Equal((OutboxStatus.Pending, 0, null), (message.Status, message.Attempts, message.LastError));
            // the dispatcher fails it again before the second click arrives
            message.Status = OutboxStatus.Dead;
            message.Attempts = 5;
            message.LastError = "still failing";
            await db.SaveChangesAsync();
        }

        var again = await facilitator.PostAsync("/dashboard/email?handler=Resend", form);
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
        await using var check = app.Db();
        Assert.Equal(OutboxStatus.Dead, await check.Outbox.Where(m => m.Id == dead).Select(m => m.Status).SingleAsync());
        Assert.Equal(1, await check.IdempotencyKeys.CountAsync(k => k.Key == form["key"]));
        Assert.Equal(4, await check.Outbox.CountAsync());

        await facilitator.GetAsync("/dashboard/email");
        Assert.Contains("still failing", facilitator.LastPage);
    }

    [Fact]
    public async Task Resending_a_sent_message_queues_one_copy_and_the_page_says_so()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var sent = await AddAsync(app, OutboxStatus.Sent, 1, null, minutesAgo: 3);
        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);
        facilitator.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("el");
        await facilitator.GetAsync("/dashboard/email");
        Assert.Contains("Αρχείο email", facilitator.LastPage);
        var form = new Dictionary<string, string> { ["id"] = sent.ToString(), ["key"] = "resend-sent-1" };

        await facilitator.PostAsync("/dashboard/email?handler=Resend", form);
        await facilitator.PostAsync("/dashboard/email?handler=Resend", form);

        await using var db = app.Db();
        Assert.Equal(1, await db.Outbox.CountAsync(m => m.Status == OutboxStatus.Pending));
        await facilitator.GetAsync("/dashboard/email");
        Assert.Contains("Το email μπήκε στην ουρά για νέα αποστολή.", facilitator.LastPage);
    }

    internal static async Task<Guid> AddAsync(MentoringApp app, string status, int attempts, string? error, int minutesAgo)
    {
        await using var db = app.Db();
        var person = await db.People.FirstAsync(p => p.Email == People.Coordinator("jelgava"));
        var at = app.Clock.GetUtcNow().AddMinutes(-minutesAgo);
        var message = new OutboxMessage
        {
            MessageId = $"<{Guid.NewGuid():N}@mentoring.test>", Template = "task-reminder", Language = "lv", RecipientId = person.Id,
            RecipientName = person.Name, RecipientEmail = person.Email, Model = "{}", Status = status, Attempts = attempts,
            LastError = error, NextAttemptAt = at, CreatedAt = at, SentAt = status == OutboxStatus.Sent ? at : null,
        };
        db.Outbox.Add(message);
        await db.SaveChangesAsync();
        return message.Id;
    }
}
