using Mentoring.Engine.Templates;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Scheduling;
using Mentoring.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Scheduling;

/// <summary>What the IncluCities run through the API found wrong with the nudges, each on both databases.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class NudgeDefectTests(DatabaseFixture database) : IDisposable
{
    private const string MenteeTask = "mentee-needs-self-assessment";
    private readonly string _workflows = CopyOfWorkflows();

    public void Dispose() => Directory.Delete(_workflows, recursive: true);

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Programme_task_reminders_reach_the_facilitator_and_render(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        Guid programme;
        await using (var db = app.Db()) programme = await db.Instances.Where(i => i.GroupId == null).Select(i => i.Id).SingleAsync();

        // "Send the needs assessment" is due a week in: reminded 2 days before, on the day, then overdue.
        await app.RunUntilAsync(app.Clock.GetUtcNow().AddDays(12));

        var rows = await OutboxAsync(app, programme);
        Assert.Contains(rows, m => m.Template == "task-reminder");
        Assert.Contains(rows, m => m.Template == "task-due-today");
        Assert.Contains(rows, m => m.Template == "task-overdue");
        AssertDelivered(app, rows);
        Assert.All(rows, m => Assert.Equal(People.Facilitator, m.RecipientEmail));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_manual_nudge_of_a_task_without_a_due_date_renders(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var pair = await app.PairAsync(4);
        await using (var db = app.Db())
            await db.WorkItems.Where(w => w.InstanceId == pair.InstanceId && w.StepId == MenteeTask)
                .ExecuteUpdateAsync(s => s.SetProperty(w => w.DueAt, (DateTimeOffset?)null));
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var item = await facilitator.OpenItemAsync(pair.Id, MenteeTask);

        (await facilitator.CommandAsync($"/api/tasks/{item.Id}/nudge")).EnsureSuccessStatusCode();

        var row = Assert.Single(await OutboxAsync(app, pair.InstanceId), m => m.Template == "task-reminder");
        AssertDelivered(app, [row]);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_task_owed_by_both_coordinators_copies_the_facilitator_once_per_escalation_at_nine_in_brussels(DatabaseProvider provider)
    {
        // The rule asks for emailed copies, on a task both coordinators owe, in the version the pairs start on.
        var file = Path.Combine(_workflows, "inclucities", "inclucities-pair.v2.json");
        var original = File.ReadAllText(file);
        var edited = original
            .Replace("\"assignee\": \"mentee\",\n                \"due\": { \"daysAfterStageStart\": 21 },\n                \"requires\": [\"note\", \"file\"],\n                \"reminders\": { \"daysBefore\": [7, 2], \"onDueDate\": true, \"overdue\": { \"everyDays\": 3, \"max\": 4, \"copyFacilitatorFrom\": 2 } }",
                "\"assignee\": \"both\",\n                \"due\": { \"daysAfterStageStart\": 21 },\n                \"requires\": [\"note\", \"file\"],\n                \"reminders\": { \"daysBefore\": [7, 2], \"onDueDate\": true, \"overdue\": { \"everyDays\": 3, \"max\": 4, \"copyFacilitatorFrom\": 2, \"copyFacilitatorByEmail\": true } }");
        Assert.NotEqual(original, edited);
        File.WriteAllText(file, edited);
        await using var app = await StartAsync(database, provider, new Dictionary<string, string?> { ["Workflows:DefinitionsPath"] = _workflows });
        var pair = await app.PairAsync(4);

        await app.RunUntilAsync(app.Clock.GetUtcNow().AddDays(45));

        var overdue = (await app.MailAsync(pair.InstanceId, "task-overdue")).Where(m => m.StepId == MenteeTask).ToList();
        var copies = overdue.Where(m => m.IsCopy).ToList();
        Assert.Equal(3, copies.Count); // escalations 2, 3 and 4: one copy each, not one per coordinator
        Assert.Equal(3, copies.Select(m => m.CreatedAt).Distinct().Count());
        Assert.All(copies, m => Assert.Equal(People.Facilitator, m.RecipientEmail));
        Assert.All(copies, m => Assert.Equal(new TimeOnly(9, 0), TimeOnly.FromDateTime(m.CreatedAt.Local("Europe/Brussels").DateTime)));
        foreach (var (email, zone) in new[] { (People.Coordinator("jelgava"), "Europe/Riga"), (People.Coordinator("schaerbeek"), "Europe/Brussels") })
        {
            var own = overdue.Where(m => m.RecipientEmail == email).Select(m => m.CreatedAt.Local(zone)).ToList();
            Assert.Equal(4, own.Count);
            Assert.All(own, at => Assert.Equal(new TimeOnly(9, 0), TimeOnly.FromDateTime(at.DateTime)));
            Assert.All(own.Zip(own.Skip(1)), p => Assert.True((p.Second.Date - p.First.Date).TotalDays >= 3,
                $"escalations to {email} on {p.First:yyyy-MM-dd} and {p.Second:yyyy-MM-dd}: less than 3 days apart"));
        }
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Overdue_escalations_reach_the_facilitator_in_the_digest_not_one_email_each(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var digest = app.Service<FacilitatorDigest>();

        // The first week: nothing overdue, due, coming up or waiting for approval: no digest at all.
        Assert.Equal(0, await digest.WriteAsync(CancellationToken.None));

        // Every pair's first tasks (due after 21 days) run through their whole escalation chain.
        await app.RunUntilAsync(new DateTimeOffset(2026, 2, 23, 7, 0, 0, TimeSpan.Zero));
        await using var db = app.Db();
        var pairInstances = await db.Groups.Select(p => p.InstanceId).ToListAsync();
        var toFacilitator = await db.Outbox.Where(m => m.InstanceId != null && pairInstances.Contains(m.InstanceId.Value)
                                                       && m.RecipientEmail == People.Facilitator && m.Template == "task-overdue").CountAsync();
        Assert.Equal(0, toFacilitator);
        Assert.Equal(1, await digest.WriteAsync(CancellationToken.None));
        var mail = Assert.Single(await app.MailAsync(null, "facilitator-digest"));
        Assert.Equal(8, mail.Model["counts"]!["overdue"]!.GetValue<int>());
    }

    private static async Task<List<OutboxMessage>> OutboxAsync(MentoringApp app, Guid instanceId)
    {
        await using var db = app.Db();
        return await db.Outbox.AsNoTracking().Where(m => m.InstanceId == instanceId).ToListAsync();
    }

    /// <summary>What the dispatcher does before sending: a row that renders is delivered, one that throws is dead.</summary>
    internal static void AssertDelivered(MentoringApp app, IEnumerable<OutboxMessage> rows)
    {
        var templates = app.Service<TemplateCatalog>();
        foreach (var row in rows)
        {
            Assert.Equal(OutboxStatus.Pending, row.Status);
            var model = System.Text.Json.Nodes.JsonNode.Parse(row.Model)!.AsObject();
            var email = templates.Render(row.Template, row.Language, model);
            Assert.False(string.IsNullOrWhiteSpace(email.Subject), $"{row.Template} to {row.RecipientName} has no subject");
        }
    }
}
