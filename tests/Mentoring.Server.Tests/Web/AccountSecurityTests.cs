using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Mentoring.Server.Data;
using Mentoring.Server.Data.Migrations;
using Mentoring.Server.Email;
using Mentoring.Server.Tests.Email;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Accounts;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Web;

/// <summary>Lock-out, sessions, single-use links and unique addresses under the races and copies an attacker tries.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class AccountSecurityTests(DatabaseFixture database)
{
    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Fifteen_parallel_wrong_passwords_are_all_counted_and_lock_the_account(DatabaseProvider provider)
    {
        // The 15th failure locks: only when none of the 15 is lost does the account end up locked.
        await using var app = await StartAsync(database, provider, new Dictionary<string, string?> { ["Web:MaxFailedSignIns"] = "15" });
        var jelgava = People.Coordinator("jelgava");
        var password = await WebClient.SetPasswordAsync(app, jelgava);
        var attackers = new List<WebClient>();
        for (var i = 0; i < 15; i++)
        {
            var client = WebClient.For(app);
            await client.GetAsync("/signin");
            attackers.Add(client);
        }

        var answers = await Task.WhenAll(attackers.Select((client, i) => Task.Run(() =>
            client.PostAsync("/signin", new Dictionary<string, string> { ["email"] = jelgava, ["password"] = "guess " + i }))));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Unauthorized, a.StatusCode));
        await using (var db = app.Db())
        {
            var id = await db.People.Where(p => p.Email == jelgava).Select(p => p.Id).SingleAsync();
            var account = await db.Set<Account>().AsNoTracking().SingleAsync(a => a.PersonId == id);
            Assert.True(account.LockedUntil > app.Clock.GetUtcNow(), $"not locked; {account.FailedSignIns} failures counted");
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await WebClient.For(app).SignInAsync(jelgava, password)).StatusCode);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_copied_session_cookie_stops_working_after_sign_out(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var (client, copy) = await SignedInWithCopyAsync(app, People.Coordinator("jelgava"));
        Assert.Equal(HttpStatusCode.OK, (await copy.GetAsync("/api/pairs")).StatusCode);

        await client.GetAsync("/signout");
        Assert.Equal(HttpStatusCode.Redirect, (await client.PostAsync("/signout", new Dictionary<string, string>())).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await copy.GetAsync("/api/pairs")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await copy.GetAsync("/pairs")).StatusCode);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_copied_session_cookie_stops_working_after_a_password_reset(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var jelgava = People.Coordinator("jelgava");
        var (client, copy) = await SignedInWithCopyAsync(app, jelgava);
        Assert.Equal(HttpStatusCode.OK, (await copy.GetAsync("/api/pairs")).StatusCode);

        var token = await MailedTokenAsync(app, jelgava);
        Assert.True(await app.Service<AccountService>().UseLinkAsync(token, LinkPurpose.PasswordReset, "a brand new password", CancellationToken.None));

        Assert.Equal(HttpStatusCode.Unauthorized, (await copy.GetAsync("/api/pairs")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.Http.GetAsync("/api/pairs")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await WebClient.For(app).SignInAsync(jelgava, "a brand new password")).StatusCode);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Sign_out_everywhere_on_the_tokens_page_ends_every_session_but_not_the_API_tokens(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var jelgava = People.Coordinator("jelgava");
        var (laptop, phone) = await SignedInWithCopyAsync(app, jelgava);
        var script = await app.ClientForAsync(jelgava);

        await laptop.GetAsync("/me/tokens");
        Assert.Contains("Sign out everywhere", laptop.LastPage);
        var answer = await laptop.PostAsync("/me/tokens?handler=SignOutEverywhere", new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.EndsWith("/signin", answer.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, (await phone.GetAsync("/api/pairs")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await laptop.Http.GetAsync("/api/pairs")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/api/pairs")).StatusCode);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_facilitator_signs_a_person_out_everywhere_from_set_up_and_a_coordinator_may_not(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var (_, jelgava) = await SignedInWithCopyAsync(app, People.Coordinator("jelgava"));
        Guid jelgavaId;
        await using (var db = app.Db())
            jelgavaId = await db.People.Where(p => p.Email == People.Coordinator("jelgava")).Select(p => p.Id).SingleAsync();
        var form = new Dictionary<string, string> { ["personId"] = jelgavaId.ToString() };

        // Schaerbeek is Jelgava's partner, and still may not end its sessions.
        var schaerbeek = await WebClient.SignedInAsync(app, People.Coordinator("schaerbeek"));
        await schaerbeek.GetAsync("/me/tokens");
        var refused = await schaerbeek.PostAsync("/setup?handler=SignOut", form);
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Contains("/forbidden", refused.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await jelgava.GetAsync("/api/pairs")).StatusCode);

        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);
        await facilitator.GetAsync("/setup");
        Assert.Equal(HttpStatusCode.Redirect, (await facilitator.PostAsync("/setup?handler=SignOut", form)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await jelgava.GetAsync("/api/pairs")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await facilitator.Http.GetAsync("/api/pairs")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await facilitator.PostAsync("/setup?handler=SignOut",
            new Dictionary<string, string> { ["personId"] = Guid.NewGuid().ToString() })).StatusCode);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Older_reset_link_stops_working_once_a_newer_one_is_used(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var accounts = app.Service<AccountService>();
        var older = await NewResetLinkAsync(app, People.Coordinator("capaci"));
        var newer = await NewResetLinkAsync(app, People.Coordinator("capaci"));

        Assert.True(await accounts.UseLinkAsync(newer, LinkPurpose.PasswordReset, "the newest password", CancellationToken.None));
        Assert.False(await accounts.UseLinkAsync(older, LinkPurpose.PasswordReset, "an attacker's password", CancellationToken.None));

        Assert.Equal(HttpStatusCode.Redirect, (await WebClient.For(app).SignInAsync(People.Coordinator("capaci"), "the newest password")).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await WebClient.For(app).GetAsync("/password/reset?token=" + older)).StatusCode);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Ten_parallel_uses_of_one_reset_link_set_the_password_once(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var accounts = app.Service<AccountService>();
        var token = await NewResetLinkAsync(app, People.Coordinator("capaci"));

        var uses = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Task.Run(() =>
            accounts.UseLinkAsync(token, LinkPurpose.PasswordReset, "parallel password " + i, CancellationToken.None))));

        Assert.Equal(1, uses.Count(used => used));
        var winner = "parallel password " + Array.IndexOf(uses, true);
        Assert.Equal(HttpStatusCode.Redirect, (await WebClient.For(app).SignInAsync(People.Coordinator("capaci"), winner)).StatusCode);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task No_table_holds_a_usable_link_token_once_its_email_is_sent(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var capaci = People.Coordinator("capaci");

        var token = await MailedTokenAsync(app, capaci);

        Assert.Empty(await TablesHoldingAsync(app, token));
        await using (var db = app.Db())
        {
            var row = await db.Outbox.AsNoTracking().SingleAsync(m => m.Template == LinkPurpose.PasswordReset);
            Assert.Equal(OutboxStatus.Sent, row.Status);
            Assert.DoesNotContain("token=", row.Model);
        }

        // The mailed link itself still works: what was erased is only the stored copy.
        Assert.True(await app.Service<AccountService>().UseLinkAsync(token, LinkPurpose.PasswordReset, "set from the mail", CancellationToken.None));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_dead_lettered_link_email_keeps_no_token_and_its_link_leads_to_a_fresh_one(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider, new Dictionary<string, string?>
        {
            ["Email:SmtpHost"] = "127.0.0.1", ["Email:SmtpPort"] = MailTestKit.ClosedPort().ToString(), ["Email:MaxAttempts"] = "1",
            ["Email:SmtpSecurity"] = "None",
        });
        var client = WebClient.For(app);
        await client.GetAsync("/password/forgot");
        await client.PostAsync("/password/forgot", new Dictionary<string, string> { ["email"] = People.Coordinator("capaci") });
        await using (var db = app.Db())
            Assert.NotNull((await db.Outbox.AsNoTracking().SingleAsync(m => m.Template == LinkPurpose.PasswordReset)).SecretModel);

        Assert.Equal(0, await app.Service<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None));

        await using (var db = app.Db())
        {
            var dead = await db.Outbox.AsNoTracking().SingleAsync(m => m.Template == LinkPurpose.PasswordReset);
            Assert.Equal(OutboxStatus.Dead, dead.Status);
            Assert.Null(dead.SecretModel);
            Assert.DoesNotContain("token=", dead.Model);
            Assert.Contains("https://mentoring.test/password/forgot", dead.Model);
        }
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Twenty_parallel_adds_of_one_email_answer_one_201_and_409s_naming_it(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var facilitator = await app.ClientForAsync(People.Facilitator);

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            facilitator.PostAsJsonAsync("/api/setup/people", new
            {
                name = "Giulia Rossi", email = i % 2 == 0 ? "giulia@capaci.example" : "Giulia@CAPACI.example", role = "coordinator",
                cityId = "capaci", language = "it", invite = true,
            }))));

        var codes = answers.Select(a => a.StatusCode).ToList();
        Assert.Equal(1, codes.Count(c => c == HttpStatusCode.Created));
        Assert.Equal(19, codes.Count(c => c == HttpStatusCode.Conflict));
        foreach (var conflict in answers.Where(a => a.StatusCode == HttpStatusCode.Conflict))
            Assert.Contains("giulia@capaci.example", (await conflict.ProblemAsync()).GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        await using var db = app.Db();
        Assert.Equal(1, await db.People.CountAsync(p => p.Email!.ToLower() == "giulia@capaci.example"));
        Assert.Equal(1, await db.Outbox.CountAsync(m => m.Template == LinkPurpose.Invitation));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task An_address_in_other_capitals_signs_in_gets_a_reset_link_and_cannot_be_added_again(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var password = await WebClient.SetPasswordAsync(app, People.Coordinator("jelgava"));

        Assert.Equal(HttpStatusCode.Redirect, (await WebClient.For(app).SignInAsync("JELGAVA@inclucities.example", password)).StatusCode);

        var client = WebClient.For(app);
        await client.GetAsync("/password/forgot");
        await client.PostAsync("/password/forgot", new Dictionary<string, string> { ["email"] = " Jelgava@InCluCities.example " });
        await using (var db = app.Db())
            Assert.Equal(People.Coordinator("jelgava"), (await db.Outbox.SingleAsync(m => m.Template == LinkPurpose.PasswordReset)).RecipientEmail);

        var facilitator = await app.ClientForAsync(People.Facilitator);
        var again = await facilitator.PostAsJsonAsync("/api/setup/people", new
        {
            name = "Another Jelgava", email = "JELGAVA@inclucities.example", role = "observer", language = "lv", invite = false,
        });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Upgrading_keeps_an_address_shared_in_other_capitals_for_the_first_person_and_then_refuses_it(DatabaseProvider provider)
    {
        var connectionString = await database.ResetAsync(provider);
        await using var connection = provider == DatabaseProvider.Postgres
            ? (DbConnection)new Npgsql.NpgsqlConnection(connectionString)
            : new Microsoft.Data.Sqlite.SqliteConnection(connectionString);
        await connection.OpenAsync();
        string At(int day) => provider == DatabaseProvider.Postgres ? $"'2025-01-0{day}T00:00:00Z'" : (day * 1000L).ToString();
        var before = MigrationRunner.All.Where(m => m.Version < 6).ToList();
        // A retired migration (M002, Quartz's tables) has no SQL any more; PostgreSQL refuses an empty command.
        foreach (var migration in before)
            if (migration.SqlFor(provider) is { } sql && !string.IsNullOrWhiteSpace(sql)) await ExecuteAsync(connection, sql);
        await ExecuteAsync(connection, "CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL);"
            + string.Concat(before.Select(m => $"INSERT INTO schema_migrations VALUES ({m.Version}, '{m.Name}', 'earlier');")));
        await ExecuteAsync(connection, $"""
            INSERT INTO programmes (id, name, pair_workflow, created_at) VALUES ('p', 'P', 'w', {At(1)});
            INSERT INTO people (id, programme_id, name, email, role, language, time_zone, created_at) VALUES
                ('01900000-0000-7000-8000-000000000002', 'p', 'Second', 'jelgava@example.org', 'observer', 'lv', 'Europe/Riga', {At(3)}),
                ('01900000-0000-7000-8000-000000000001', 'p', 'First', ' Jelgava@Example.org', 'coordinator', 'lv', 'Europe/Riga', {At(2)}),
                ('01900000-0000-7000-8000-000000000003', 'p', 'Other', 'Capaci@Example.org', 'coordinator', 'it', 'Europe/Rome', {At(2)});
            """);

        await new MigrationRunner(new DatabaseOptions { Provider = provider, ConnectionString = connectionString },
            Microsoft.Extensions.Logging.Abstractions.NullLogger<MigrationRunner>.Instance).MigrateAsync();

        var emails = new Dictionary<string, string?>();
        await using (var select = connection.CreateCommand())
        {
            select.CommandText = "SELECT name, email FROM people";
            await using var rows = await select.ExecuteReaderAsync();
            while (await rows.ReadAsync()) emails[rows.GetString(0)] = rows.IsDBNull(1) ? null : rows.GetString(1);
        }

        Assert.Equal("jelgava@example.org", emails["First"]);
        Assert.Null(emails["Second"]);
        Assert.Equal("capaci@example.org", emails["Other"]);
        await Assert.ThrowsAnyAsync<DbException>(() => ExecuteAsync(connection, $"""
            INSERT INTO people (id, programme_id, name, email, role, language, time_zone, created_at)
            VALUES ('01900000-0000-7000-8000-000000000004', 'p', 'Again', 'CAPACI@example.org', 'observer', 'it', 'Europe/Rome', {At(4)});
            """));
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A signed-in client, and a second one carrying only a copy of its session cookie, as a thief would.</summary>
    private static async Task<(WebClient Client, HttpClient Copy)> SignedInWithCopyAsync(MentoringApp app, string email)
    {
        var password = await WebClient.SetPasswordAsync(app, email);
        var client = WebClient.For(app);
        var signIn = await client.SignInAsync(email, password);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        var session = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".Mentoring.Session=")).Split(';')[0];
        var copy = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        copy.DefaultRequestHeaders.Add("Cookie", session);
        return (client, copy);
    }

    /// <summary>Asks for a reset link on the page, sends the outbox, and reads the token out of the mail that went.</summary>
    private static async Task<string> MailedTokenAsync(MentoringApp app, string email)
    {
        var client = WebClient.For(app);
        await client.GetAsync("/password/forgot");
        await client.PostAsync("/password/forgot", new Dictionary<string, string> { ["email"] = email });
        var link = await WebClient.MailedLinkAsync(app, LinkPurpose.PasswordReset);
        return link[(link.IndexOf("token=", StringComparison.Ordinal) + 6)..];
    }

    private static async Task<string> NewResetLinkAsync(MentoringApp app, string email)
    {
        await using var db = app.Db();
        var person = await db.People.SingleAsync(p => p.Email == email);
        var token = app.Service<AccountService>().AddLink(db, person, LinkPurpose.PasswordReset, null, null);
        await db.SaveChangesAsync();
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        return token;
    }

    /// <summary>Every table with a row that holds the text anywhere, in any column.</summary>
    private static Task<List<string>> TablesHoldingAsync(MentoringApp app, string secret) =>
        SupportNetworks.TableScan.TablesHoldingAsync(app, [secret], StringComparison.Ordinal);
}
