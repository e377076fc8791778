using System.Net;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Tests.Web;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Workflows;

/// <summary>The same request sent many times at once with one Idempotency-Key (a client retrying on a timeout, a
/// proxy replaying) takes effect once; every loser of the race for the key gets the winner's answer (or a 409
/// saying it is still in progress), never a 500. One test per family of idempotent endpoints.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class IdempotentBurstTests(DatabaseFixture database)
{
    private const int Burst = 50;

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Fifty_nudges_at_once_with_one_key_send_one_reminder_and_all_get_its_answer(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var pair = await WebAccessTests.PairIdAsync(app, "jelgava");
        var item = await WebAccessTests.OpenTaskAsync(app, pair, "mentee-needs-self-assessment");

        var responses = await BurstAsync(() => facilitator.CommandAsync($"/api/tasks/{item}/nudge", key: "nudge-burst"));

        await AssertOneAnswerAsync(responses);
        await using var db = app.Db();
        Assert.Equal(1, await db.Outbox.CountAsync(m => m.Template == "task-reminder"));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Fifty_completions_at_once_with_one_key_complete_the_task_once_and_all_get_its_answer(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var pair = await jelgava.PairOfAsync("jelgava");
        var task = await jelgava.OpenItemAsync(pair.Id, "mentee-needs-self-assessment");

        var responses = await BurstAsync(() => jelgava.CompleteAsync(pair.Id, task.Id, key: "complete-burst"));

        await AssertOneAnswerAsync(responses);
        await using var db = app.Db();
        Assert.Equal(1, await db.Journal.CountAsync(j => j.Type == "task-completed" && j.StepId == "mentee-needs-self-assessment"));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Fifty_resends_at_once_with_one_key_resend_the_email_once_and_all_get_its_answer(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var sent = await EmailLogPageTests.AddAsync(app, OutboxStatus.Sent, 1, null, minutesAgo: 20);

        var responses = await BurstAsync(() => facilitator.CommandAsync($"/api/email/{sent}/resend", key: "resend-burst"));

        await AssertOneAnswerAsync(responses);
        await using var db = app.Db();
        Assert.Equal(2, await db.Outbox.CountAsync()); // the sent one, and one copy
    }

    private static async Task<HttpResponseMessage[]> BurstAsync(Func<Task<HttpResponseMessage>> send)
    {
        using var start = new SemaphoreSlim(0);
        var requests = Enumerable.Range(0, Burst).Select(_ => Task.Run(async () =>
        {
            await start.WaitAsync();
            return await send();
        })).ToList();
        start.Release(Burst);
        return await Task.WhenAll(requests);
    }

    /// <summary>All 200 with the same body (all but one replayed), or 409 "still in progress"; nothing else.</summary>
    private static async Task AssertOneAnswerAsync(HttpResponseMessage[] responses)
    {
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));
        var unexpected = responses.Zip(bodies).Where(r => r.First.StatusCode != HttpStatusCode.OK
            && !(r.First.StatusCode == HttpStatusCode.Conflict && r.Second.Contains("still being processed"))).ToList();
        Assert.True(unexpected.Count == 0, string.Join("\n", unexpected.Select(r => $"{(int)r.First.StatusCode} {r.Second}")));

        var answered = responses.Zip(bodies).Where(r => r.First.StatusCode == HttpStatusCode.OK).ToList();
        Assert.Single(answered.Select(r => r.Second).Distinct());
        Assert.Single(answered, r => !r.First.Headers.Contains("Idempotent-Replayed"));
    }
}
