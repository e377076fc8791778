using System.Net;
using System.Net.Http.Json;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Email;

[Collection(DatabaseCollection.Name)]
public sealed class OutboxDispatchTests(DatabaseFixture database)
{
    private MailDev? _mailDevInstance;

    /// <summary>Only the tests that talk SMTP need MailDev; they fail (not skip) without it.</summary>
    private MailDev MailCatcher => _mailDevInstance ??= MailDev.FromEnvironment();

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_Greek_reminder_arrives_by_SMTP_with_its_subject_bodies_and_Message_ID_intact(DatabaseProvider provider)
    {
        await MailCatcher.ClearAsync();
        await using var app = await StartAsync(database, provider, MailCatcher.Settings());
        var row = Assert.Single(await app.QueueReminderAsync("livadeia"));
        Assert.Equal("el", row.Language);

        Assert.Equal(1, await app.Service<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None));

        var mail = Assert.Single(await MailCatcher.WaitForAsync([row.MessageId], 1));
        var expected = app.Expected(row);
        Assert.Equal("el", expected.Language);
        Assert.Contains("υπενθύμιση", expected.Subject);
        Assert.Equal(expected.Subject, mail.Subject);
        Assert.Equal(MailTestKit.Normalize(expected.Text), MailTestKit.Normalize(mail.Text));
        Assert.Contains("Αγαπητέ/ή Livadeia coordinator", mail.Text);
        Assert.Contains("<html lang=\"el\">", mail.Html);
        Assert.Contains("Αγαπητέ/ή Livadeia coordinator", mail.Html);
        Assert.Equal(row.MessageId, mail.MessageId);
        var source = await MailCatcher.SourceAsync(mail);
        Assert.StartsWith("multipart/alternative", source.Headers["content-type"]);
        Assert.Equal(MailTestKit.Normalize(expected.Text), MailTestKit.Normalize(source.Bodies["text/plain"]));
        Assert.Equal(MailTestKit.Normalize(expected.Html), MailTestKit.Normalize(source.Bodies["text/html"]));
        Assert.Equal(["livadeia@inclucities.example"], mail.To);

        var sent = await app.RowAsync(row.Id);
        Assert.Equal((OutboxStatus.Sent, 1, app.Clock.GetUtcNow()), (sent.Status, sent.Attempts, sent.SentAt));
        Assert.Null(sent.LockedUntil);
        Assert.Equal(0, await app.Service<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Without_an_SMTP_host_each_email_is_written_as_an_eml_file_named_after_it(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var row = Assert.Single(await app.QueueReminderAsync("jelgava"));

        Assert.Equal(1, await app.Service<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None));

        var folder = app.Setting("Email:PickupDirectory");
        var file = Assert.Single(Directory.GetFiles(folder, "*.eml"));
        Assert.Equal(PickupTransport.FileName(row), Path.GetFileName(file));
        Assert.StartsWith("20260105-080000-task-reminder-", Path.GetFileName(file));
        var eml = EmlFile.Parse(await File.ReadAllTextAsync(file));
        var expected = app.Expected(row);
        Assert.Equal("lv", expected.Language);
        Assert.Equal(expected.Subject, eml.Headers["subject"]);
        Assert.Equal(row.MessageId, eml.Headers["message-id"]);
        Assert.Contains("jelgava@inclucities.example", eml.Headers["to"]);
        Assert.StartsWith("multipart/alternative", eml.Headers["content-type"]);
        Assert.Equal(MailTestKit.Normalize(expected.Text), MailTestKit.Normalize(eml.Bodies["text/plain"]));
        Assert.Equal(MailTestKit.Normalize(expected.Html), MailTestKit.Normalize(eml.Bodies["text/html"]));
        Assert.Equal(OutboxStatus.Sent, (await app.RowAsync(row.Id)).Status);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task SMTP_down_backs_off_and_the_message_is_delivered_once_when_the_server_is_back(DatabaseProvider provider)
    {
        await MailCatcher.ClearAsync();
        await using var app = await StartAsync(database, provider,
            MailCatcher.Settings(new Dictionary<string, string?> { ["Email:SmtpPort"] = MailTestKit.ClosedPort().ToString() }));
        var row = Assert.Single(await app.QueueReminderAsync("livadeia"));
        var failedAt = app.Clock.GetUtcNow();

        Assert.Equal(0, await app.Service<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None));

        var pending = await app.RowAsync(row.Id);
        Assert.Equal((OutboxStatus.Pending, 1), (pending.Status, pending.Attempts));
        Assert.Contains("Could not deliver", pending.LastError);
        var firstRetry = new EmailOptions().FirstRetryDelay;
        Assert.InRange(pending.NextAttemptAt, failedAt + firstRetry * 0.8, failedAt + firstRetry * 1.2);
        Assert.Null(pending.LockedUntil);

        // The server is back, but the retry is not due yet.
        var back = app.Dispatcher(MailCatcher.SmtpHost, MailCatcher.SmtpPort);
        Assert.Equal(0, await back.DispatchDueAsync(CancellationToken.None));

        app.Clock.Set(pending.NextAttemptAt + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await back.DispatchDueAsync(CancellationToken.None));
        Assert.Equal(0, await back.DispatchDueAsync(CancellationToken.None));

        var caught = await MailCatcher.WaitForAsync([row.MessageId], 2, TimeSpan.FromSeconds(3));
        Assert.Single(caught);
        var sent = await app.RowAsync(row.Id);
        Assert.Equal((OutboxStatus.Sent, 2, (string?)null), (sent.Status, sent.Attempts, sent.LastError));
    }

    [Fact]
    public void Backoff_doubles_from_the_first_delay_up_to_the_cap_with_jitter()
    {
        var options = new EmailOptions { FirstRetryDelay = TimeSpan.FromSeconds(30), MaxRetryDelay = TimeSpan.FromHours(2) };
        Assert.Equal(TimeSpan.FromSeconds(30), OutboxDispatcher.Backoff(1, options, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(60), OutboxDispatcher.Backoff(2, options, 0.5));
        Assert.Equal(TimeSpan.FromSeconds(24), OutboxDispatcher.Backoff(1, options, 0));
        Assert.Equal(TimeSpan.FromHours(2), OutboxDispatcher.Backoff(20, options, 0.999));
        Assert.Equal(TimeSpan.FromHours(2) * 0.8, OutboxDispatcher.Backoff(20, options, 0));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_rejected_recipient_is_dead_at_once_with_the_servers_reason(DatabaseProvider provider)
    {
        await using var server = new ScriptedSmtpServer { RecipientReply = _ => "550 5.1.1 No such user here" };
        await using var app = await StartAsync(database, provider, server.Settings());
        var row = Assert.Single(await app.QueueReminderAsync("livadeia"));

        Assert.Equal(0, await app.Service<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None));

        var dead = await app.RowAsync(row.Id);
        Assert.Equal((OutboxStatus.Dead, 1), (dead.Status, dead.Attempts));
        Assert.Contains("550", dead.LastError);
        Assert.Contains("Rejected by 127.0.0.1", dead.LastError);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_template_that_fails_to_render_is_dead_with_the_reason(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var row = Assert.Single(await app.QueueReminderAsync("livadeia"));
        await using (var db = app.Db())
            await db.Outbox.Where(m => m.Id == row.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Model, """{"recipient":{"name":"Livadeia coordinator"}}"""));

        Assert.Equal(0, await app.Service<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None));

        var dead = await app.RowAsync(row.Id);
        Assert.Equal(OutboxStatus.Dead, dead.Status);
        Assert.Contains("The template 'task-reminder' (el) could not be rendered", dead.LastError);
        Assert.Empty(Directory.Exists(app.Setting("Email:PickupDirectory"))
            ? Directory.GetFiles(app.Setting("Email:PickupDirectory"), "*.eml") : []);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_recipient_without_an_email_address_shows_as_dead_in_the_email_log(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        await using (var db = app.Db())
            await db.People.Where(p => p.Email == People.Coordinator("livadeia"))
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.Email, (string?)null));
        var row = Assert.Single(await app.QueueReminderAsync("livadeia"));

        Assert.Equal(0, await app.Service<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None));

        var facilitator = await app.ClientForAsync(People.Facilitator);
        var log = await facilitator.GetFromJsonAsync<List<EmailLogEntry>>("/api/email?status=dead&take=10", Api.Json);
        var entry = Assert.Single(log!);
        Assert.Equal((row.Id, "task-reminder", "Livadeia coordinator", (string?)null), (entry.Id, entry.Template, entry.RecipientName, entry.RecipientEmail));
        Assert.Equal("Livadeia coordinator has no email address.", entry.LastError);
        Assert.Empty((await facilitator.GetFromJsonAsync<List<EmailLogEntry>>("/api/email?status=pending", Api.Json))!);

        var coordinator = await app.ClientForAsync(People.Coordinator("jelgava"));
        Assert.Equal(HttpStatusCode.Forbidden, (await coordinator.GetAsync("/api/email?status=dead")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateClient().GetAsync("/api/email")).StatusCode);
        var bad = await facilitator.GetAsync("/api/email?status=lost");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.ProblemAsync()).GetProperty("errors").TryGetProperty("status", out _));

        // Once the address is in the profile, a resend goes to it.
        await using (var db = app.Db())
            await db.People.Where(p => p.Name == "Livadeia coordinator")
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.Email, "livadeia.new@inclucities.example"));
        var resent = await facilitator.CommandAsync($"/api/email/{row.Id}/resend");
        Assert.Equal(HttpStatusCode.OK, resent.StatusCode);
        Assert.Equal(1, await app.Service<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None));
        var sent = await app.RowAsync(row.Id);
        Assert.Equal((OutboxStatus.Sent, "livadeia.new@inclucities.example"), (sent.Status, sent.RecipientEmail));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_dead_message_resent_by_the_facilitator_is_delivered_with_its_Message_ID(DatabaseProvider provider)
    {
        await MailCatcher.ClearAsync();
        await using var app = await StartAsync(database, provider, MailCatcher.Settings(new Dictionary<string, string?>
        {
            ["Email:SmtpPort"] = MailTestKit.ClosedPort().ToString(), ["Email:MaxAttempts"] = "1",
        }));
        var row = Assert.Single(await app.QueueReminderAsync("livadeia"));
        await app.Service<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None);
        var dead = await app.RowAsync(row.Id);
        Assert.Equal(OutboxStatus.Dead, dead.Status);
        Assert.StartsWith("Gave up after 1 attempts", dead.LastError);
        var facilitator = await app.ClientForAsync(People.Cemr); // the admin may resend too

        Assert.Equal(HttpStatusCode.BadRequest, (await facilitator.PostAsync($"/api/email/{row.Id}/resend", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await facilitator.CommandAsync($"/api/email/{Guid.NewGuid()}/resend")).StatusCode);
        var key = Guid.NewGuid().ToString();
        var resent = await facilitator.CommandAsync($"/api/email/{row.Id}/resend", key: key);
        Assert.Equal(HttpStatusCode.OK, resent.StatusCode);
        var entry = (await resent.Content.ReadFromJsonAsync<EmailLogEntry>(Api.Json))!;
        Assert.Equal((row.Id, row.MessageId, OutboxStatus.Pending, 0, (string?)null),
            (entry.Id, entry.MessageId, entry.Status, entry.Attempts, entry.LastError));
        var replay = await facilitator.CommandAsync($"/api/email/{row.Id}/resend", key: key);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.True(replay.Headers.Contains("Idempotent-Replayed"));
        var again = await facilitator.CommandAsync($"/api/email/{row.Id}/resend");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("Already waiting to be sent", (await again.ProblemAsync()).GetProperty("title").GetString());

        Assert.Equal(1, await app.Dispatcher(MailCatcher.SmtpHost, MailCatcher.SmtpPort).DispatchDueAsync(CancellationToken.None));
        Assert.Single(await MailCatcher.WaitForAsync([row.MessageId], 1));
        Assert.Equal(OutboxStatus.Sent, (await app.RowAsync(row.Id)).Status);

        // Resending a delivered email is a new email: a new row and Message-ID, the delivered one stays as it was.
        var copy = (await (await facilitator.CommandAsync($"/api/email/{row.Id}/resend")).Content.ReadFromJsonAsync<EmailLogEntry>(Api.Json))!;
        Assert.NotEqual(row.Id, copy.Id);
        Assert.NotEqual(row.MessageId, copy.MessageId);
        Assert.Equal(OutboxStatus.Pending, copy.Status);
        Assert.Equal(OutboxStatus.Sent, (await app.RowAsync(row.Id)).Status);
        Assert.Equal(1, await app.Dispatcher(MailCatcher.SmtpHost, MailCatcher.SmtpPort).DispatchDueAsync(CancellationToken.None));
        Assert.Single(await MailCatcher.WaitForAsync([copy.MessageId], 1));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Delivered_mail_is_deleted_after_the_keep_period_and_dead_mail_is_kept(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var rows = await app.QueueReminderAsync("livadeia", count: 2);
        await using (var db = app.Db())
            await db.Outbox.Where(m => m.Id == rows[1].Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.Model, "{}"));
        await app.Service<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None);
        var dispatcher = app.Service<OutboxDispatcher>();

        app.Clock.Advance(new EmailOptions().KeepSentFor - TimeSpan.FromMinutes(1));
        Assert.Equal(0, await dispatcher.DeleteDeliveredAsync(CancellationToken.None));
        app.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await dispatcher.DeleteDeliveredAsync(CancellationToken.None));

        await using var check = app.Db();
        Assert.Equal([OutboxStatus.Dead], await check.Outbox.Select(m => m.Status).ToListAsync());
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_message_the_server_accepted_as_shutdown_began_is_recorded_as_sent_and_not_sent_again(DatabaseProvider provider)
    {
        await MailCatcher.ClearAsync();
        await using var app = await StartAsync(database, provider, MailCatcher.Settings());
        var rows = await app.QueueReminderAsync("jelgava", "Language learning offer", count: 3);
        using var shutdown = new CancellationTokenSource();
        var accepted = new List<OutboxMessage>();
        // Shutdown arrives just after the server accepted the first message, while the mail client is still closing
        // the conversation: a client given the shutdown token gives up there, as SmtpClient does when cancelled.
        var stopping = app.Dispatcher(MailCatcher.SmtpHost, MailCatcher.SmtpPort, wrap: real => new AfterAcceptTransport(real, async (message, token) =>
        {
            accepted.Add(message);
            await shutdown.CancelAsync();
            token.ThrowIfCancellationRequested();
        }));

        var stoppedAfter = 0;
        try
        {
            stoppedAfter = await stopping.DispatchDueAsync(shutdown.Token);
        }
        catch (OperationCanceledException)
        {
            // what the dispatcher did before: the accepted message went unrecorded
        }

        var first = Assert.Single(accepted);
        Assert.Equal(1, stoppedAfter);
        var recorded = await app.RowAsync(first.Id);
        Assert.Equal((OutboxStatus.Sent, 1), (recorded.Status, recorded.Attempts));
        await using (var db = app.Db())
            Assert.Equal(2, await db.Outbox.CountAsync(m => m.Status == OutboxStatus.Pending && m.LockedUntil == null));

        // Every lease has long run out when another dispatcher (another node, or this one restarted) looks.
        app.Clock.Advance(new EmailOptions().LeaseFor + TimeSpan.FromMinutes(1));
        Assert.Equal(2, await app.Dispatcher(MailCatcher.SmtpHost, MailCatcher.SmtpPort).DispatchDueAsync(CancellationToken.None));

        var caught = await MailCatcher.WaitForAsync(rows.Select(r => r.MessageId).ToList(), 4, TimeSpan.FromSeconds(3));
        Assert.Equal(3, caught.Count);
        Assert.All(caught.GroupBy(m => MailDev.Bare(m.MessageId)), g => Assert.Single(g));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_slow_server_gets_the_whole_batch_sent_under_a_renewed_lease_that_no_other_dispatcher_can_take(DatabaseProvider provider)
    {
        await MailCatcher.ClearAsync();
        await using var app = await StartAsync(database, provider, MailCatcher.Settings());
        var rows = await app.QueueReminderAsync("jelgava", "Language learning offer", count: 3);
        var other = app.Dispatcher(MailCatcher.SmtpHost, MailCatcher.SmtpPort);
        var takenByOther = 0;
        // Each conversation takes 25 of the lease's 60 seconds: without renewal the third would start too late.
        var slow = app.Dispatcher(MailCatcher.SmtpHost, MailCatcher.SmtpPort,
            o => (o.SendTimeout, o.LeaseFor, o.BatchSize) = (TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1), 10),
            real => new AfterAcceptTransport(real, async (_, _) =>
            {
                app.Clock.Advance(TimeSpan.FromSeconds(25));
                takenByOther += await other.DispatchDueAsync(CancellationToken.None);
            }));

        Assert.Equal(3, await slow.DispatchDueAsync(CancellationToken.None));

        Assert.Equal(0, takenByOther);
        var caught = await MailCatcher.WaitForAsync(rows.Select(r => r.MessageId).ToList(), 4, TimeSpan.FromSeconds(3));
        Assert.Equal(3, caught.Count);
        Assert.All(caught.GroupBy(m => MailDev.Bare(m.MessageId)), g => Assert.Single(g));
        await using var check = app.Db();
        Assert.Equal(3, await check.Outbox.CountAsync(m => m.Status == OutboxStatus.Sent && m.Attempts == 1 && m.LockedUntil == null));
    }

    [Fact]
    public async Task Two_dispatchers_draining_one_PostgreSQL_outbox_send_each_message_exactly_once()
    {
        await MailCatcher.ClearAsync();
        await using var app = await StartAsync(database, DatabaseProvider.Postgres, MailCatcher.Settings());
        var rows = await app.QueueReminderAsync("jelgava", "Language learning offer", count: 200);
        Assert.Equal(200, rows.Select(r => r.MessageId).Distinct().Count());
        await using var node2 = app.StartAnotherNode();
        node2.Clock.Set(app.Clock.GetUtcNow());
        var first = app.Dispatcher(MailCatcher.SmtpHost, MailCatcher.SmtpPort, o => o.BatchSize = 10);
        var second = node2.Dispatcher(MailCatcher.SmtpHost, MailCatcher.SmtpPort, o => o.BatchSize = 10);

        var delivered = await Task.WhenAll(
            Task.Run(() => first.DispatchDueAsync(CancellationToken.None)),
            Task.Run(() => second.DispatchDueAsync(CancellationToken.None)));

        Assert.Equal(200, delivered.Sum());
        Assert.All(delivered, d => Assert.True(d > 0, "both dispatchers should have taken a share"));
        var caught = await MailCatcher.WaitForAsync(rows.Select(r => r.MessageId).ToList(), 200, TimeSpan.FromSeconds(60));
        await Task.Delay(500); // a duplicate would arrive right behind
        caught = await MailCatcher.WaitForAsync(rows.Select(r => r.MessageId).ToList(), 200);
        Assert.Equal(200, caught.Count);
        Assert.All(caught.GroupBy(m => MailDev.Bare(m.MessageId)), g => Assert.Single(g));
        await using var db = app.Db();
        Assert.Equal(200, await db.Outbox.CountAsync(m => m.Status == OutboxStatus.Sent && m.Attempts == 1));
    }
}
