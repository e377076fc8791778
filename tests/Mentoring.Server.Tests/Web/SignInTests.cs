using System.Net;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Accounts;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Web;

[Collection(DatabaseCollection.Name)]
public sealed class SignInTests(DatabaseFixture database)
{
    private const string Generic = "Wrong email or password.";

    [Fact]
    public async Task A_wrong_password_and_an_unknown_email_get_the_same_generic_message()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        await WebClient.SetPasswordAsync(app, People.Coordinator("jelgava"));
        var client = WebClient.For(app);

        var wrong = await client.SignInAsync(People.Coordinator("jelgava"), "not the password");
        var wrongPage = client.LastPage;
        var unknown = await client.SignInAsync("nobody@example.org", "whatever it is");

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Contains(Generic, wrongPage);
        Assert.Contains(Generic, client.LastPage);
        await using var db = app.Db();
        Assert.Equal(1, await FailedAsync(db, People.Coordinator("jelgava")));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Five_failures_lock_the_account_for_15_minutes_even_for_the_right_password(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var password = await WebClient.SetPasswordAsync(app, People.Coordinator("jelgava"));
        var client = WebClient.For(app);

        for (var i = 0; i < 5; i++) await client.SignInAsync(People.Coordinator("jelgava"), "guess " + i);
        var locked = await client.SignInAsync(People.Coordinator("jelgava"), password);
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.Contains(Generic, client.LastPage);

        app.Clock.Advance(TimeSpan.FromMinutes(16));
        var after = await client.SignInAsync(People.Coordinator("jelgava"), password);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }

    [Fact]
    public async Task Sign_in_is_rate_limited()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite,
            new Dictionary<string, string?> { ["Web:SignInAttemptsPerMinute"] = "3" });
        var client = WebClient.For(app);
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++) codes.Add((await client.SignInAsync("nobody@example.org", "x")).StatusCode);
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], codes);
    }

    [Fact]
    public async Task The_session_cookie_is_HttpOnly_and_SameSite_and_sign_out_ends_it()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var password = await WebClient.SetPasswordAsync(app, People.Facilitator);
        var client = WebClient.For(app);
        var response = await client.SignInAsync(People.Facilitator, password);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".Mentoring.Session="));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);

        await client.GetAsync("/dashboard");
        await client.PostAsync("/signout", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/dashboard")).StatusCode);
    }

    [Fact]
    public async Task A_tampered_cookie_is_rejected_and_the_person_is_signed_out()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var password = await WebClient.SetPasswordAsync(app, People.Facilitator);
        var client = WebClient.For(app);
        var response = await client.SignInAsync(People.Facilitator, password);
        var value = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".Mentoring.Session=")).Split(';')[0]["..Mentoring.Session".Length..];
        var tampered = value[..20] + (value[20] == 'A' ? 'B' : 'A') + value[21..];

        var forged = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        forged.DefaultRequestHeaders.Add("Cookie", ".Mentoring.Session=" + tampered);
        var page = await forged.GetAsync("/dashboard");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Contains("/signin", page.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("/api/pairs")).StatusCode);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_cookie_issued_by_one_node_works_on_another(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var password = await WebClient.SetPasswordAsync(app, People.Coordinator("jelgava"));
        var signIn = await WebClient.For(app).SignInAsync(People.Coordinator("jelgava"), password);
        var session = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".Mentoring.Session=")).Split(';')[0];

        await using var other = app.StartAnotherNode();
        var second = other.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        second.DefaultRequestHeaders.Add("Cookie", session);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync("/api/pairs")).StatusCode);
    }

    [Fact]
    public async Task An_invitation_link_sets_a_password_once_and_expires()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);
        await facilitator.GetAsync("/setup");
        var added = await facilitator.PostAsync("/setup?handler=Person", new Dictionary<string, string>
        {
            ["name"] = "Eleni Papadopoulou", ["email"] = "eleni@livadeia.example", ["role"] = "coordinator", ["cityId"] = "livadeia",
            ["language"] = "el", ["invite"] = "true",
        });
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);

        await using (var db = app.Db())
        {
            var mail = await db.Outbox.SingleAsync(m => m.Template == "invitation");
            Assert.Equal("eleni@livadeia.example", mail.RecipientEmail);
            Assert.Equal("el", mail.Language);
            Assert.Contains("Migration Work", mail.Model);
        }

        var link = await WebClient.MailedLinkAsync(app, "invitation");

        var path = new Uri(link).PathAndQuery;
        var token = path[(path.IndexOf("token=", StringComparison.Ordinal) + 6)..];
        var invited = WebClient.For(app);
        Assert.Equal(HttpStatusCode.OK, (await invited.GetAsync(path)).StatusCode);
        var set = await invited.PostAsync(path, new Dictionary<string, string>
            { ["token"] = token, ["password"] = "a long new password", ["confirm"] = "a long new password" });
        Assert.Equal(HttpStatusCode.Redirect, set.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await WebClient.For(app).SignInAsync("eleni@livadeia.example", "a long new password")).StatusCode);

        var reused = WebClient.For(app);
        Assert.Equal(HttpStatusCode.Gone, (await reused.GetAsync(path)).StatusCode);
        Assert.Contains("not valid any more", reused.LastPage);
        await reused.GetAsync("/signin");
        var reuse = await reused.PostAsync(path, new Dictionary<string, string>
            { ["token"] = token, ["password"] = "another password 123", ["confirm"] = "another password 123" });
        Assert.Equal(HttpStatusCode.Gone, reuse.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await WebClient.For(app).SignInAsync("eleni@livadeia.example", "another password 123")).StatusCode);

        // A second invitation, opened after it expired.
        await facilitator.GetAsync("/setup");
        string expiredPath;
        await using (var db = app.Db())
        {
            var eleni = await db.People.SingleAsync(p => p.Email == "eleni@livadeia.example");
            var fresh = app.Service<AccountService>().AddLink(db, eleni, LinkPurpose.Invitation, null, null);
            await db.SaveChangesAsync();
            expiredPath = "/invitations/accept?token=" + fresh;
        }

        app.Clock.Advance(TimeSpan.FromDays(8));
        var late = WebClient.For(app);
        Assert.Equal(HttpStatusCode.Gone, (await late.GetAsync(expiredPath)).StatusCode);
    }

    [Fact]
    public async Task Forgot_password_writes_a_reset_email_and_says_the_same_for_unknown_addresses()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var client = WebClient.For(app);
        await client.GetAsync("/password/forgot");
        await client.PostAsync("/password/forgot", new Dictionary<string, string> { ["email"] = People.Coordinator("capaci") });
        var known = client.LastPage;
        await client.GetAsync("/password/forgot");
        await client.PostAsync("/password/forgot", new Dictionary<string, string> { ["email"] = "nobody@example.org" });
        Assert.Contains("a link to set a new password is on its way", known);
        Assert.Contains("a link to set a new password is on its way", client.LastPage);

        await using var db = app.Db();
        var mail = await db.Outbox.SingleAsync(m => m.Template == "password-reset");
        Assert.Equal(People.Coordinator("capaci"), mail.RecipientEmail);
        Assert.NotNull(mail.SecretModel);
        Assert.DoesNotContain("token=", mail.Model);
        Assert.Contains("/password/reset?token=", await WebClient.MailedLinkAsync(app, "password-reset"));
    }

    private static async Task<int> FailedAsync(MentoringDb db, string email)
    {
        var id = await db.People.Where(p => p.Email == email).Select(p => p.Id).SingleAsync();
        return await db.Set<Account>().Where(a => a.PersonId == id).Select(a => a.FailedSignIns).SingleAsync();
    }
}
