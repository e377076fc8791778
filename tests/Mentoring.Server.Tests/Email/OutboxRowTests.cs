using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mentoring.Server.Accounts;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Tests.Web;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Email;

/// <summary>Every outbox row is built by <see cref="OutboxWriter"/>: a manual nudge, a sign-in link and a resend carry
/// the same fields, set the same way, and name the programme as its row does (not as the code spelled it once).</summary>
[Collection(DatabaseCollection.Name)]
public sealed class OutboxRowTests(DatabaseFixture database)
{
    private const string Renamed = "Cities Learning Together";

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_resend_and_a_sign_in_link_carry_the_same_fields_as_a_manual_nudge(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        await using (var db = app.Db()) await db.Programmes.ExecuteUpdateAsync(s => s.SetProperty(p => p.Name, Renamed));
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var pair = await WebAccessTests.PairIdAsync(app, "jelgava");
        var item = await WebAccessTests.OpenTaskAsync(app, pair, "mentee-needs-self-assessment");
        var before = await RowIdsAsync(app);

        (await facilitator.CommandAsync($"/api/tasks/{item}/nudge")).EnsureSuccessStatusCode();
        var nudge = Assert.Single(await NewRowsAsync(app, before));
        before = await RowIdsAsync(app);
        await using (var db = app.Db())
        {
            var person = await db.People.SingleAsync(p => p.Email == People.Coordinator("jelgava"));
            app.Service<AccountService>().AddLink(db, person, LinkPurpose.PasswordReset, null, null);
            await db.SaveChangesAsync();
        }

        var link = Assert.Single(await NewRowsAsync(app, before));
        var sent = await EmailLogPageTests.AddAsync(app, OutboxStatus.Sent, 1, null, minutesAgo: 20);
        before = await RowIdsAsync(app);
        (await facilitator.CommandAsync($"/api/email/{sent}/resend")).EnsureSuccessStatusCode();
        var resend = Assert.Single(await NewRowsAsync(app, before));

        var now = app.Clock.GetUtcNow();
        foreach (var row in new[] { nudge, link, resend })
        {
            Assert.Matches(new Regex("^<[0-9a-f]{32}@mentoring\\.test>$"), row.MessageId);
            Assert.Equal((OutboxStatus.Pending, 0, (string?)null), (row.Status, row.Attempts, row.LastError));
            Assert.Equal((now, now), (row.CreatedAt, row.NextAttemptAt));
            Assert.Equal(People.Coordinator("jelgava"), row.RecipientEmail);
            Assert.Equal(nudge.RecipientId, row.RecipientId);
            Assert.Equal((nudge.RecipientName, nudge.Language), (row.RecipientName, row.Language));
        }

        foreach (var row in new[] { nudge, link })
        {
            var model = (JsonObject)JsonNode.Parse(row.Model)!;
            Assert.Equal(Renamed, model["programme"]?["name"]?.GetValue<string>());
            Assert.Equal(row.RecipientName, model["recipient"]?["name"]?.GetValue<string>());
            Assert.StartsWith("https://mentoring.test/", model["link"]?.GetValue<string>());
        }

        Assert.NotNull(link.SecretModel);
        Assert.Null(nudge.SecretModel);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_manual_nudge_to_a_coordinator_without_an_address_is_dead_with_the_reason(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        string name;
        await using (var db = app.Db())
        {
            var person = await db.People.SingleAsync(p => p.Email == People.Coordinator("jelgava"));
            name = person.Name;
            person.Email = null;
            await db.SaveChangesAsync();
        }

        var facilitator = await app.ClientForAsync(People.Facilitator);
        var pair = await WebAccessTests.PairIdAsync(app, "jelgava");
        var item = await WebAccessTests.OpenTaskAsync(app, pair, "mentee-needs-self-assessment");
        var before = await RowIdsAsync(app);

        (await facilitator.CommandAsync($"/api/tasks/{item}/nudge")).EnsureSuccessStatusCode();

        var row = Assert.Single(await NewRowsAsync(app, before));
        Assert.Equal((OutboxStatus.Dead, $"{name} has no email address."), (row.Status, row.LastError));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task An_invitation_without_an_inviter_names_the_programme_from_its_row(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        await using (var db = app.Db())
        {
            await db.Programmes.ExecuteUpdateAsync(s => s.SetProperty(p => p.Name, Renamed));
            var person = await db.People.SingleAsync(p => p.Email == People.Coordinator("jelgava"));
            app.Service<AccountService>().AddLink(db, person, LinkPurpose.Invitation, null, null);
            await db.SaveChangesAsync();
        }

        await using (var db = app.Db())
        {
            var row = await db.Outbox.AsNoTracking().SingleAsync(m => m.Template == LinkPurpose.Invitation);
            var model = (JsonObject)JsonNode.Parse(row.Model)!;
            Assert.Equal(Renamed, model["inviter"]?["name"]?.GetValue<string>());
            Assert.Equal(Renamed, model["programme"]?["name"]?.GetValue<string>());
        }
    }

    private static async Task<HashSet<Guid>> RowIdsAsync(MentoringApp app)
    {
        await using var db = app.Db();
        return (await db.Outbox.Select(m => m.Id).ToListAsync()).ToHashSet();
    }

    private static async Task<List<OutboxMessage>> NewRowsAsync(MentoringApp app, HashSet<Guid> before)
    {
        await using var db = app.Db();
        return (await db.Outbox.AsNoTracking().ToListAsync()).Where(m => !before.Contains(m.Id)).ToList();
    }
}
