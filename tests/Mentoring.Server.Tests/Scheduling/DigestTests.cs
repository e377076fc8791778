using Mentoring.Server.Data;
using Mentoring.Server.Scheduling;
using Mentoring.Server.Tests.Infrastructure;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Scheduling;

[Collection(DatabaseCollection.Name)]
public sealed class DigestTests(DatabaseFixture database)
{
    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task One_digest_per_facilitator_per_week_with_the_right_counts(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var digest = app.Service<FacilitatorDigest>();

        // Four weeks in: every pair's two first-stage tasks (due after 21 days) are overdue, none is approved yet.
        app.Clock.Set(new DateTimeOffset(2026, 2, 2, 7, 0, 0, TimeSpan.Zero)); // Monday 08:00 in Brussels
        Assert.Equal(1, await digest.WriteAsync(CancellationToken.None));
        Assert.Equal(0, await digest.WriteAsync(CancellationToken.None)); // the job ran twice: one digest

        var mail = Assert.Single(await app.MailAsync(null, "facilitator-digest"));
        Assert.Equal("Migration Work (facilitator)", mail.RecipientName);
        Assert.Equal("en", mail.Language);
        Assert.Equal("Monday, February 2, 2026", mail.Model["period"]!["from"]!.GetValue<string>());
        Assert.Equal("Sunday, February 8, 2026", mail.Model["period"]!["to"]!.GetValue<string>());
        Assert.Equal(8, mail.Model["counts"]!["overdue"]!.GetValue<int>());
        Assert.Equal(0, mail.Model["counts"]!["dueSoon"]!.GetValue<int>());
        Assert.Equal(0, mail.Model["counts"]!["awaitingApproval"]!.GetValue<int>());
        var overdue = mail.Model["overdue"]!.AsArray();
        Assert.Equal(8, overdue.Count);
        Assert.Contains(overdue, o => o!["group"]!.GetValue<string>() == "Schaerbeek – Jelgava" && o["city"]!.GetValue<string>() == "Jelgava"
                                      && o["task"]!.GetValue<string>() == "Complete the needs self-assessment");
        Assert.Contains("digest-inclucities-2026-W06-", mail.MessageId);

        // The next week is a new digest.
        app.Clock.Advance(TimeSpan.FromDays(7));
        Assert.Equal(1, await digest.WriteAsync(CancellationToken.None));
        Assert.Equal(2, (await app.MailAsync(null, "facilitator-digest")).Count);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Tasks_due_this_week_are_counted_as_due_soon(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        app.Clock.Set(new DateTimeOffset(2026, 1, 26, 7, 0, 0, TimeSpan.Zero)); // the first tasks fall due tonight

        await app.Service<FacilitatorDigest>().WriteAsync(CancellationToken.None);

        var mail = Assert.Single(await app.MailAsync(null, "facilitator-digest"));
        Assert.Equal(0, mail.Model["counts"]!["overdue"]!.GetValue<int>());
        Assert.Equal(8, mail.Model["counts"]!["dueSoon"]!.GetValue<int>());
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_greek_facilitators_digest_names_the_tasks_in_greek(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        await using (var db = app.Db())
        {
            var facilitator = db.People.Single(p => p.Email == People.Facilitator);
            facilitator.Language = "el";
            await db.SaveChangesAsync();
        }

        app.Clock.Set(new DateTimeOffset(2026, 2, 2, 7, 0, 0, TimeSpan.Zero));
        await app.Service<FacilitatorDigest>().WriteAsync(CancellationToken.None);

        var mail = Assert.Single(await app.MailAsync(null, "facilitator-digest"));
        Assert.Equal("el", mail.Language);
        var tasks = mail.Model["overdue"]!.AsArray().Select(o => o!["task"]!.GetValue<string>()).ToList();
        Assert.Contains("Συμπληρώστε την αυτοαξιολόγηση αναγκών", tasks);
        Assert.DoesNotContain("Complete the needs self-assessment", tasks);
    }
}
