using System.Net;
using System.Text.Json;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Workflows;

/// <summary>The instance state every resume rewrites is stored without its defaults and empty collections (issue 14),
/// and a state stored before, with every property spelt out, still resumes.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class CompactStateTests(DatabaseFixture database)
{
    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_resumed_state_leaves_out_what_reads_back_by_default(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var pair = await jelgava.PairOfAsync("jelgava");
        var task = await jelgava.OpenItemAsync(pair.Id, "mentee-needs-self-assessment");

        (await jelgava.CompleteAsync(pair.Id, task.Id)).EnsureSuccessStatusCode();

        await using var db = app.Db();
        var stored = (await db.Instances.SingleAsync(i => i.GroupId == pair.Id)).State;
        Assert.DoesNotContain("[]", stored);
        Assert.DoesNotContain("{}", stored);
        Assert.DoesNotContain("\"level\"", stored);
        Assert.DoesNotContain("\"fault\"", stored);
        var state = JsonSerializer.Deserialize<InstanceState>(stored, WorkflowHost.StateJson)!;
        Assert.Equal(InstanceStatus.Running, state.Status);
        Assert.Empty(state.Keep);
        Assert.Contains("mentor-strengths-on-theme", state.Active.Keys);
        Assert.True(stored.Length < JsonSerializer.Serialize(state, WorkflowHost.Json).Length);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_state_stored_in_full_before_still_resumes(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var mentee = await app.ClientForAsync(People.Coordinator("jelgava"));
        var mentor = await app.ClientForAsync(People.Coordinator("schaerbeek"));
        var pair = await mentee.PairOfAsync("jelgava");
        var menteeTask = await mentee.OpenItemAsync(pair.Id, "mentee-needs-self-assessment");
        var mentorTask = await mentee.OpenItemAsync(pair.Id, "mentor-strengths-on-theme");
        (await mentee.CompleteAsync(pair.Id, menteeTask.Id)).EnsureSuccessStatusCode();
        await using (var db = app.Db())
        {
            // As every state was written before: each property, empty joins and lists and zero levels included.
            var instance = await db.Instances.SingleAsync(i => i.GroupId == pair.Id);
            var full = JsonSerializer.Serialize(JsonSerializer.Deserialize<InstanceState>(instance.State, WorkflowHost.StateJson), WorkflowHost.Json);
            Assert.Contains("\"keep\":[]", full);
            instance.State = full;
            await db.SaveChangesAsync();
        }

        var second = await mentor.CompleteAsync(pair.Id, mentorTask.Id);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var detail = await mentee.PairAsync(pair.Id);
        Assert.Equal(["approve-matching"], detail.OpenItems.Select(i => i.StepId));
    }
}
