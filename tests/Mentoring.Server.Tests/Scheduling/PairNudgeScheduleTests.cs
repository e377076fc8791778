using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Scheduling;

[Collection(DatabaseCollection.Name)]
public sealed class PairNudgeScheduleTests(DatabaseFixture database)
{
    /// <summary>Monday 9 March 2026: the first tasks fall due on Monday 30 March, the day after Europe moves to summer
    /// time (Sunday 29 March), so the due-date mail and the overdue escalations come after the change.</summary>
    private static readonly DateTimeOffset Start = new(2026, 3, 9, 8, 0, 0, TimeSpan.Zero);

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Pair_4_nudges_land_at_nine_in_each_city_across_the_change_to_summer_time(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider, start: Start);
        var pair = await app.PairAsync(4);
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var schaerbeek = await app.ClientForAsync(People.Coordinator("schaerbeek"));

        // Stage 1 runs until the second escalation (copied to the facilitator), then both cities deliver.
        await app.RunUntilAsync(new DateTimeOffset(2026, 4, 3, 12, 0, 0, TimeSpan.Zero));
        var mail = await app.MailAsync(pair.InstanceId, "task-reminder", "task-due-today", "task-overdue");

        var riga = mail.Where(m => m.RecipientEmail == People.Coordinator("jelgava")).ToList();
        var brussels = mail.Where(m => m.RecipientEmail == People.Coordinator("schaerbeek")).ToList();
        var copies = mail.Where(m => m.IsCopy).ToList();
        // Each city reads its task's title in its own language, as the definition gives it.
        Assert.All(riga, m => Assert.Equal(("lv", "mentee-needs-self-assessment", "Aizpildiet vajadzību pašnovērtējumu"),
            (m.Language, m.StepId, m.TaskTitle)));
        Assert.All(brussels, m => Assert.Equal(("fr", "mentor-strengths-on-theme", "Décrire vos points forts et vos pratiques sur le thème"),
            (m.Language, m.StepId, m.TaskTitle)));
        Assert.All(copies, m => Assert.Equal("en", m.Language));

        // 7 and 2 working days before (2 days before is a Saturday: the Friday), on the due date, then overdue on the
        // first working morning after it and 3 days later; each at 09:00 local, before and after the change.
        string[] expected =
        [
            "task-reminder 2026-03-23 09:00", "task-reminder 2026-03-27 09:00", "task-due-today 2026-03-30 09:00",
            "task-overdue 2026-03-31 09:00", "task-overdue 2026-04-03 09:00",
        ];
        Assert.Equal(expected, riga.Select(m => $"{m.Template} {m.CreatedAt.Local("Europe/Riga"):yyyy-MM-dd HH:mm}"));
        Assert.Equal(expected, brussels.Select(m => $"{m.Template} {m.CreatedAt.Local("Europe/Brussels"):yyyy-MM-dd HH:mm}"));
        Assert.Equal(TimeSpan.FromHours(2), riga[1].CreatedAt.Local("Europe/Riga").Offset); // winter time
        Assert.Equal(TimeSpan.FromHours(3), riga[2].CreatedAt.Local("Europe/Riga").Offset); // summer time
        Assert.Equal(TimeSpan.FromHours(2), brussels[2].CreatedAt.Local("Europe/Brussels").Offset);

        // The facilitator follows overdue work in the weekly digest: no email copy per escalation.
        Assert.Empty(copies);
        Assert.Equal(4, riga[3].Model["task"]!["daysOverdue"]!.GetValue<int>() + 3); // 31 March: 1 day overdue
        Assert.Equal(7, riga[1].Model["task"]!["daysLeft"]!.GetValue<int>() + 4); // 27 March: 3 days left

        // Both deliver; the facilitator approves: no more nudges for stage 1, and stage 2's tasks get theirs.
        var menteeItem = await jelgava.OpenItemAsync(pair.Id, "mentee-needs-self-assessment");
        (await jelgava.CompleteAsync(pair.Id, menteeItem.Id)).EnsureSuccessStatusCode();
        var mentorItem = await schaerbeek.OpenItemAsync(pair.Id, "mentor-strengths-on-theme");
        (await schaerbeek.CompleteAsync(pair.Id, mentorItem.Id, new { note = "CAMIM and VIA-BAPA." })).EnsureSuccessStatusCode();
        var approval = await facilitator.OpenItemAsync(pair.Id, "approve-matching");
        (await facilitator.CommandAsync($"/api/pairs/{pair.Id}/approvals/{approval.Id}/approve", new { comment = "Good match." }))
            .EnsureSuccessStatusCode();
        var before = mail.Count;

        await app.RunUntilAsync(app.Clock.GetUtcNow().AddDays(20));

        var later = (await app.MailAsync(pair.InstanceId, "task-reminder", "task-due-today", "task-overdue")).Skip(before).ToList();
        Assert.DoesNotContain(later, m => m.StepId is "mentee-needs-self-assessment" or "mentor-strengths-on-theme");
        var collect = later.Where(m => m.StepId == "collect-good-practices" && m.Template == "task-reminder").ToList();
        Assert.Equal(2, collect.Count); // 7 and 2 days before its due date
        Assert.All(collect, m => Assert.Equal(("fr", People.Coordinator("schaerbeek")), (m.Language, m.RecipientEmail)));
        Assert.All(collect, m => Assert.Equal(new TimeOnly(9, 0), TimeOnly.FromDateTime(m.CreatedAt.Local("Europe/Brussels").DateTime)));
    }
}
