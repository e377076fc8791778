using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Scheduling;

[Collection(DatabaseCollection.Name)]
public sealed class NudgeTests(DatabaseFixture database)
{
    private const string MenteeTask = "mentee-needs-self-assessment";
    private const string MentorTask = "mentor-strengths-on-theme";

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_step_completed_before_its_reminder_is_never_reminded(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var pair = await app.PairAsync(4);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var item = await jelgava.OpenItemAsync(pair.Id, MenteeTask);
        Assert.NotEmpty(await app.TimersAsync(pair.InstanceId, MenteeTask));

        (await jelgava.CompleteAsync(pair.Id, item.Id)).EnsureSuccessStatusCode();
        await app.RunUntilAsync(app.Clock.GetUtcNow().AddDays(40));

        var mail = await app.MailAsync(pair.InstanceId, "task-reminder", "task-due-today", "task-overdue");
        Assert.DoesNotContain(mail, m => m.StepId == item.StepId);
        Assert.Contains(mail, m => m.StepId != item.StepId); // the mentor's task, still open, was reminded
        Assert.Empty(await app.TimersAsync(pair.InstanceId, MenteeTask));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_claim_never_sends_for_a_work_item_closed_behind_its_timer(DatabaseProvider provider)
    {
        // A timer left behind by a completion (as if the completing transaction had not cancelled it): the batch
        // re-checks the work item inside its own transaction and drops the timer silently.
        await using var app = await StartAsync(database, provider);
        var pair = await app.PairAsync(4);
        await using (var db = app.Db())
        {
            await db.WorkItems.Where(w => w.InstanceId == pair.InstanceId && w.StepId == MenteeTask)
                .ExecuteUpdateAsync(s => s.SetProperty(w => w.Status, WorkItemStatus.Completed));
        }

        app.Clock.Advance(TimeSpan.FromDays(40));
        await app.SweepAsync();

        var steps = (await app.MailAsync(pair.InstanceId, "task-reminder", "task-due-today", "task-overdue")).Select(m => m.StepId);
        Assert.DoesNotContain(MenteeTask, steps);
        Assert.Empty(await app.TimersAsync(pair.InstanceId, MenteeTask));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Reminder_is_sent_once_after_three_weeks_with_every_node_down(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var pair = await app.PairAsync(4);
        var item = (await (await app.ClientForAsync(People.Facilitator)).PairAsync(pair.Id)).OpenItems.Single(i => i.StepId == MenteeTask);

        // Nothing swept from the start until three weeks past the due date: the reminders, the due-date mail and all
        // four overdue escalations (every 3 days, at most 4) were missed.
        app.Clock.Set(item.DueAt!.Value.AddDays(21));
        await app.SweepAsync();
        await app.SweepAsync(); // a second sweep (another node, a retry) finds nothing more

        var mail = (await app.MailAsync(pair.InstanceId)).Where(m => m.StepId == item.StepId).ToList();
        var overdue = Assert.Single(mail, m => !m.IsCopy);
        Assert.Equal("task-overdue", overdue.Template);
        Assert.Equal(21, overdue.Model["task"]!["daysOverdue"]!.GetValue<int>());
        Assert.DoesNotContain(mail, m => m.IsCopy); // the facilitator sees it in the weekly digest
        Assert.DoesNotContain(mail, m => m.Template is "task-reminder" or "task-due-today"); // stale by then
        Assert.Empty(await app.TimersAsync(pair.InstanceId, MenteeTask)); // max reached: the missed ones count
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Overdue_missed_while_down_is_sent_once_and_the_next_is_scheduled_in_the_future(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var pair = await app.PairAsync(4);
        var item = (await (await app.ClientForAsync(People.Facilitator)).PairAsync(pair.Id)).OpenItems.Single(i => i.StepId == MenteeTask);
        var first = (await app.TimersAsync(pair.InstanceId, MenteeTask)).Single(t => t.Purpose == "overdue");

        // Down from the first escalation for a week: escalations 1 to 3 fell due meanwhile.
        app.Clock.Set(first.DueAt.AddDays(7));
        await app.SweepAsync();

        var mail = (await app.MailAsync(pair.InstanceId, "task-overdue")).Where(m => m.StepId == item.StepId).ToList();
        Assert.Single(mail, m => !m.IsCopy);
        var next = Assert.Single(await app.TimersAsync(pair.InstanceId, MenteeTask));
        Assert.True(next.DueAt > app.Clock.GetUtcNow());
        Assert.Equal("4", Nudges.DataOf(next)["count"]);
        Assert.Equal(new TimeOnly(9, 0), TimeOnly.FromDateTime(next.DueAt.Local("Europe/Riga").DateTime));

        await app.RunUntilAsync(next.DueAt);
        Assert.Equal(2, (await app.MailAsync(pair.InstanceId, "task-overdue")).Count(m => m.StepId == item.StepId && !m.IsCopy));
        Assert.Empty(await app.TimersAsync(pair.InstanceId, MenteeTask));
    }

    [Fact]
    public async Task Two_nodes_sweeping_one_database_write_every_reminder_exactly_once()
    {
        // Small batches, so the eight claimers (four per node) contend for the same rows many times over.
        await using var app = await StartAsync(database, DatabaseProvider.Postgres,
            new Dictionary<string, string?> { ["Scheduling:BatchSize"] = "50" });
        await using var other = app.StartAnotherNode();
        var pair = await app.PairAsync(4);
        const int count = 2000;
        await using (var db = app.Db())
        {
            await db.Timers.Where(t => t.InstanceId == pair.InstanceId).ExecuteDeleteAsync();
            for (var i = 0; i < count; i++)
                db.Timers.Add(new TimerRecord
                {
                    InstanceId = pair.InstanceId, StepId = MenteeTask, Activation = 1, Purpose = "reminder",
                    DueAt = app.Clock.GetUtcNow(), Data = """{"role":"mentee","daysBefore":"7"}""",
                });
            await db.SaveChangesAsync();
        }

        var sweeps = await Task.WhenAll(app.SweepAsync(), other.SweepAsync(), app.SweepAsync(), other.SweepAsync());

        var mail = await app.MailAsync(pair.InstanceId, "task-reminder");
        Assert.Equal(count, mail.Count);
        Assert.Equal(count, mail.Select(m => m.MessageId).Distinct().Count());
        Assert.Equal(count, sweeps.Sum(s => s.Nudges));
        Assert.Empty(await app.TimersAsync(pair.InstanceId, MenteeTask));
    }
}
