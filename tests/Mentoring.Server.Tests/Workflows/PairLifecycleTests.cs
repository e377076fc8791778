using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Workflows;

[Collection(DatabaseCollection.Name)]
public sealed class PairLifecycleTests(DatabaseFixture database)
{
    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_pair_goes_through_all_seven_steps_in_simulated_time(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var driver = await PairDriver.ForAsync(app, "schaerbeek", "jelgava");

        await driver.RunToCompletionAsync();

        Assert.Equal([1, 2, 3, 4, 5, 6, 7], driver.StepsSeen);
        var pair = await driver.As("facilitator").PairAsync(driver.GroupId);
        Assert.Equal("completed", pair.Pair.Status);
        Assert.Equal(2, pair.Pair.WorkflowVersion); // its step-2 gate waited for the benchmark, which the facilitator agreed
        Assert.Empty(pair.OpenItems);
        Assert.Equal(3, pair.Visits.Count(v => v.Phase == "reported"));
        Assert.Contains("programme:hold-mentoring-training", driver.Done);
        Assert.Contains("programme:hold-training-academy", driver.Done);

        var history = await driver.As("mentee").HistoryAsync(driver.GroupId);
        Assert.Equal("started", history[0].Type);
        Assert.Equal("completed", history[^1].Type);
        Assert.Contains(history, h => h.Type == "event-received" && h.StepId == "wait-mentoring-training");
        Assert.Contains(history, h => h.Type == "timer-elapsed" && h.StepId == "local-consultation");
        Assert.Contains(history, h => h.Type == "condition" && h.StepId == "extra-workshop-if-wanted");
        Assert.Equal(7, history.Count(h => h.Type == "stage-started"));

        await using var db = app.Db();
        var instanceId = (await db.Groups.SingleAsync(p => p.Id == driver.GroupId)).InstanceId;
        Assert.Equal(0, await db.Timers.CountAsync(t => t.InstanceId == instanceId && t.Purpose == "resume"));
        Assert.Equal(0, await db.WorkItems.CountAsync(w => w.InstanceId == instanceId && w.Status == WorkItemStatus.Open));
        // The other pairs did not move: each instance has its own state.
        Assert.Equal(3, await db.Instances.CountAsync(i => i.GroupId != null && i.StageNumber == 1));
    }
}
