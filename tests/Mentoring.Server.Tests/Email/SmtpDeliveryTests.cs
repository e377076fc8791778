using System.Net;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Hosting;
using Mentoring.Server.Tests.Infrastructure;
using WebClient = Mentoring.Server.Tests.Web.WebClient;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Email;

/// <summary>MailKit against real SMTP servers: MailDev, and a loopback server that answers the codes a test chooses.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class SmtpDeliveryTests(DatabaseFixture database)
{
    private const string Jelgava = "jelgava@inclucities.example";
    private const string Livadeia = "livadeia@inclucities.example";
    private const string SaintJean = "saint-jean-de-la-ruelle@inclucities.example";

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Greek_Latvian_and_French_reminders_arrive_by_SMTP_intact_in_one_batch(DatabaseProvider provider)
    {
        var mailDev = MailDev.FromEnvironment();
        await mailDev.ClearAsync();
        await using var app = await StartAsync(database, provider, mailDev.Settings());
        var rows = new List<OutboxMessage>();
        foreach (var city in new[] { "livadeia", "jelgava", "saint-jean-de-la-ruelle" }) rows.AddRange(await app.QueueReminderAsync(city));
        Assert.Equal(["el", "lv", "fr"], rows.Select(r => r.Language));

        Assert.Equal(3, await app.Service<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None));

        var caught = await mailDev.WaitForAsync(rows.Select(r => r.MessageId).ToList(), 3);
        Assert.Equal(3, caught.Count);
        foreach (var (row, marker) in rows.Zip(["υπενθύμιση", "atgādinājums", "échéance"]))
        {
            var mail = Assert.Single(caught, m => MailDev.Bare(m.MessageId) == MailDev.Bare(row.MessageId));
            var expected = app.Expected(row);
            Assert.Contains(marker, expected.Subject);
            Assert.Equal(expected.Subject, mail.Subject);
            Assert.Equal(MailTestKit.Normalize(expected.Text), MailTestKit.Normalize(mail.Text));
            var source = await mailDev.SourceAsync(mail);
            Assert.StartsWith("multipart/alternative", source.Headers["content-type"]);
            Assert.Equal(expected.Subject, source.Headers["subject"]);
            Assert.Contains(row.RecipientName, source.Headers["to"]);
            Assert.Equal(MailTestKit.Normalize(expected.Text), MailTestKit.Normalize(source.Bodies["text/plain"]));
            Assert.Equal(MailTestKit.Normalize(expected.Html), MailTestKit.Normalize(source.Bodies["text/html"]));
            Assert.Equal(OutboxStatus.Sent, (await app.RowAsync(row.Id)).Status);
        }
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task One_SMTP_connection_carries_a_whole_batch(DatabaseProvider provider)
    {
        await using var server = new ScriptedSmtpServer();
        await using var app = await StartAsync(database, provider, server.Settings());
        var rows = await app.QueueReminderAsync("jelgava", "Language learning offer", count: 6);

        Assert.Equal(6, await app.Service<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None));

        Assert.Equal(1, server.Connections);
        Assert.Equal(6, server.Delivered.Count);
        await using var db = app.Db();
        Assert.Equal(6, await db.Outbox.CountAsync(m => m.Status == OutboxStatus.Sent && m.Attempts == 1));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_refused_recipient_dead_letters_only_its_message_and_the_batch_goes_on_over_the_same_connection(DatabaseProvider provider)
    {
        await using var server = new ScriptedSmtpServer
        {
            RecipientReply = address => address switch
            {
                Livadeia => "550 5.1.1 <livadeia@inclucities.example>: mailbox unavailable",
                SaintJean => "553 5.1.3 mailbox name not allowed",
                _ => "250 2.1.5 OK",
            },
        };
        await using var app = await StartAsync(database, provider, server.Settings());
        var livadeia = Assert.Single(await app.QueueReminderAsync("livadeia"));
        var saintJean = Assert.Single(await app.QueueReminderAsync("saint-jean-de-la-ruelle"));
        var jelgava = await app.QueueReminderAsync("jelgava", "Language learning offer", count: 2);

        Assert.Equal(2, await app.Service<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None));

        Assert.Equal(1, server.Connections);
        Assert.Equal([Jelgava, Jelgava], server.Delivered);
        var refused = await app.RowAsync(livadeia.Id);
        Assert.Equal((OutboxStatus.Dead, 1), (refused.Status, refused.Attempts));
        Assert.Contains("Rejected by 127.0.0.1", refused.LastError);
        Assert.Contains("recipient livadeia@inclucities.example was refused (550", refused.LastError);
        var notAllowed = await app.RowAsync(saintJean.Id);
        Assert.Equal(OutboxStatus.Dead, notAllowed.Status);
        Assert.Contains("(553", notAllowed.LastError);
        foreach (var row in jelgava) Assert.Equal(OutboxStatus.Sent, (await app.RowAsync(row.Id)).Status);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_4xx_reply_is_retried_with_backoff_and_the_batch_goes_on(DatabaseProvider provider)
    {
        var full = true;
        await using var server = new ScriptedSmtpServer
        {
            RecipientReply = address => full && address == Livadeia ? "452 4.2.2 Mailbox full, try later" : "250 2.1.5 OK",
        };
        await using var app = await StartAsync(database, provider, server.Settings());
        var livadeia = Assert.Single(await app.QueueReminderAsync("livadeia"));
        var jelgava = Assert.Single(await app.QueueReminderAsync("jelgava"));
        var failedAt = app.Clock.GetUtcNow();

        Assert.Equal(1, await app.Service<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None));

        Assert.Equal(OutboxStatus.Sent, (await app.RowAsync(jelgava.Id)).Status);
        var deferred = await app.RowAsync(livadeia.Id);
        Assert.Equal((OutboxStatus.Pending, 1), (deferred.Status, deferred.Attempts));
        Assert.Contains($"Deferred by 127.0.0.1:{server.Port} (RCPT TO, 452", deferred.LastError);
        var firstRetry = new EmailOptions().FirstRetryDelay;
        Assert.InRange(deferred.NextAttemptAt, failedAt + firstRetry * 0.8, failedAt + firstRetry * 1.2);

        full = false;
        app.Clock.Set(deferred.NextAttemptAt + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await app.Service<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None));
        Assert.Equal((OutboxStatus.Sent, 2), ((await app.RowAsync(livadeia.Id)).Status, (await app.RowAsync(livadeia.Id)).Attempts));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task SMTP_down_costs_one_connection_attempt_per_batch_and_every_message_backs_off(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider, MailTestKit.SmtpSettings("127.0.0.1", MailTestKit.ClosedPort(),
            new Dictionary<string, string?> { ["Email:BatchSize"] = "3" }));
        var rows = await app.QueueReminderAsync("jelgava", "Language learning offer", count: 5);
        var failedAt = app.Clock.GetUtcNow();

        Assert.Equal(0, await app.Service<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None));

        // The run stops after the batch that could not connect: the next batch would fail the same way.
        await using var db = app.Db();
        var after = await db.Outbox.AsNoTracking().ToListAsync();
        var tried = after.Where(m => m.Attempts == 1).ToList();
        Assert.Equal(3, tried.Count);
        Assert.All(tried, m => Assert.Contains("Could not deliver to 127.0.0.1", m.LastError));
        Assert.All(tried, m => Assert.True(m.NextAttemptAt >= failedAt + new EmailOptions().FirstRetryDelay * 0.8));
        Assert.All(after, m => Assert.Equal((OutboxStatus.Pending, (DateTimeOffset?)null), (m.Status, m.LockedUntil)));
        Assert.Equal(2, after.Count(m => m.Attempts == 0 && m.LastError == null));
        Assert.Equal(5, rows.Count);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_refused_sign_in_stops_the_batch_and_shows_on_health_and_the_email_log_until_a_sign_in_succeeds(DatabaseProvider provider)
    {
        await using var server = new ScriptedSmtpServer { SignInReply = "535 5.7.8 Authentication credentials invalid" };
        await using var app = await StartAsync(database, provider, server.Settings(new Dictionary<string, string?>
        {
            ["Email:Username"] = "mentoring", ["Email:Password"] = "wrong",
        }));
        var rows = await app.QueueReminderAsync("jelgava", "Language learning offer", count: 3);
        var dispatcher = app.Service<OutboxDispatcher>();

        Assert.Equal(0, await dispatcher.DispatchDueAsync(CancellationToken.None));

        Assert.Empty(server.Delivered);
        foreach (var row in rows)
        {
            // No message is at fault: none loses an attempt, none is held, each says why it waits.
            var pending = await app.RowAsync(row.Id);
            Assert.Equal((OutboxStatus.Pending, 0, (DateTimeOffset?)null), (pending.Status, pending.Attempts, pending.LockedUntil));
            Assert.Contains("refused the sign-in as 'mentoring'", pending.LastError);
        }

        var health = await app.CreateClient().GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var report = await health.Content.ReadAsStringAsync();
        Assert.StartsWith("Degraded", report);
        Assert.Contains("email: Degraded: No email is sent: 127.0.0.1:", report);
        Assert.Contains("535", report);
        Assert.Contains("Email:Password", report);

        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);
        await facilitator.GetAsync("/dashboard/email");
        var alert = WebClient.Alert(facilitator.LastPage);
        Assert.Contains("the mail server has refused the sign-in", alert);
        Assert.Contains("535", alert);

        // The same credentials are not tried again at once (a provider may lock the account after a few).
        var signIns = server.SignIns;
        Assert.Equal(0, await dispatcher.DispatchDueAsync(CancellationToken.None));
        Assert.Equal(signIns, server.SignIns);

        server.SignInReply = "235 2.7.0 Authentication successful";
        app.Clock.Advance(new EmailOptions().FirstRetryDelay + TimeSpan.FromSeconds(1));
        Assert.Equal(3, await dispatcher.DispatchDueAsync(CancellationToken.None));
        Assert.Equal(3, server.Delivered.Count);
        Assert.Equal("Healthy", await (await app.CreateClient().GetAsync("/health/ready")).Content.ReadAsStringAsync());
        await facilitator.GetAsync("/dashboard/email");
        Assert.DoesNotContain("refused the sign-in", facilitator.LastPage);
        foreach (var row in rows) Assert.Equal((OutboxStatus.Sent, 1), ((await app.RowAsync(row.Id)).Status, (await app.RowAsync(row.Id)).Attempts));
    }

    [Theory]
    [InlineData("Email:SmtpHost", "smtp.example.org:587", "Email:SmtpHost 'smtp.example.org:587' is not a host name")]
    [InlineData("Email:SmtpHost", "smtp example org", "Email:SmtpHost 'smtp example org' is not a host name or an IP address")]
    [InlineData("Email:SmtpPort", "70000", "Email:SmtpPort 70000 is out of range")]
    [InlineData("Email:SmtpPort", "smtp", "'Email:SmtpPort'")]
    [InlineData("Email:SmtpSecurity", "Tls", "'Email:SmtpSecurity'")]
    [InlineData("Email:SmtpSecurity", "9", "Email:SmtpSecurity '9' is not a security mode")]
    public async Task A_bad_SMTP_setting_stops_start_up_naming_the_setting(string key, string value, string expected)
    {
        var settings = MailTestKit.SmtpSettings("smtp.example.org", 587, new Dictionary<string, string?> { [key] = value });

        var refused = await Assert.ThrowsAsync<StartupRefusedException>(() => StartAsync(database, DatabaseProvider.Sqlite, settings));

        Assert.Contains(expected, refused.Message);
        if (key == "Email:SmtpSecurity") Assert.Contains("StartTls", refused.Message);
        Assert.Equal(refused.Message, ServerStart.OperatorMessage(refused));
    }
}
