using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mentoring.Server.Email;
using Mentoring.Server.Programme;
using Mentoring.Server.Scheduling;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Tests.Scheduling;

/// <summary>Helpers the scheduling tests share: the sweep, the outbox as people would read it, timers of a pair.</summary>
internal static class Nudges
{
    public static Task<SweepResult> SweepAsync(this MentoringApp app) =>
        app.Service<DueWorkProcessor>().SweepAsync(CancellationToken.None);

    /// <summary>An outbox row as its reader gets it. <see cref="StepId"/> names the task the email is about (from its
    /// link), since <see cref="TaskTitle"/> is in the reader's language.</summary>
    public sealed record Mail(string Template, string Language, string RecipientName, string? RecipientEmail, string MessageId,
        DateTimeOffset CreatedAt, JsonObject Model, string? StepId)
    {
        public string? TaskTitle => Model["task"]?["title"]?.GetValue<string>();
        public bool IsCopy => Model["isCopy"]?.GetValue<bool>() ?? false;
    }

    public static async Task<List<Mail>> MailAsync(this MentoringApp app, Guid? instanceId = null, params string[] templates)
    {
        await using var db = app.Db();
        var rows = await db.Outbox.AsNoTracking()
            .Where(m => (instanceId == null || m.InstanceId == instanceId) && (templates.Length == 0 || templates.Contains(m.Template)))
            .ToListAsync();
        var models = rows.ToDictionary(m => m.Id, m => JsonNode.Parse(m.Model)!.AsObject());
        var itemIds = models.Values.Select(ItemId).OfType<Guid>().Distinct().ToList();
        var steps = await db.WorkItems.AsNoTracking().Where(w => itemIds.Contains(w.Id)).ToDictionaryAsync(w => w.Id, w => w.StepId);
        return rows.OrderBy(m => m.CreatedAt).ThenBy(m => m.MessageId)
            .Select(m => new Mail(m.Template, m.Language, m.RecipientName, m.RecipientEmail, m.MessageId, m.CreatedAt,
                models[m.Id], ItemId(models[m.Id]) is { } item ? steps.GetValueOrDefault(item) : null))
            .ToList();

        // A task's email links to it: .../tasks/{work item id}.
        static Guid? ItemId(JsonObject model) =>
            model["link"]?.GetValue<string>() is { } link && link.LastIndexOf("/tasks/", StringComparison.Ordinal) is var at and >= 0
            && Guid.TryParse(link[(at + "/tasks/".Length)..], out var id) ? id : null;
    }

    public static async Task<Group> PairAsync(this MentoringApp app, int number)
    {
        await using var db = app.Db();
        return await db.Groups.AsNoTracking().SingleAsync(p => p.Number == number);
    }

    public static async Task<List<TimerRecord>> TimersAsync(this MentoringApp app, Guid instanceId, string? stepId = null)
    {
        await using var db = app.Db();
        return (await db.Timers.AsNoTracking().Where(t => t.InstanceId == instanceId && (stepId == null || t.StepId == stepId))
            .ToListAsync()).OrderBy(t => t.DueAt).ToList();
    }

    public static Dictionary<string, string> DataOf(TimerRecord timer) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(timer.Data ?? "{}")!;

    /// <summary>Moves the clock to each due timer of the instance in turn, up to <paramref name="until"/>, sweeping at each:
    /// what a running scheduler would do, without waiting for it.</summary>
    public static async Task RunUntilAsync(this MentoringApp app, DateTimeOffset until)
    {
        while (true)
        {
            DateTimeOffset? next;
            await using (var db = app.Db())
            {
                var now = app.Clock.GetUtcNow();
                next = await db.Timers.Where(t => t.DueAt > now && t.DueAt <= until).OrderBy(t => t.DueAt)
                    .Select(t => (DateTimeOffset?)t.DueAt).FirstOrDefaultAsync();
            }

            if (next is null) break;
            app.Clock.Set(next.Value);
            await app.SweepAsync();
        }

        app.Clock.Set(until);
        await app.SweepAsync();
    }

    public static DateTimeOffset Local(this DateTimeOffset instant, string zone) =>
        TimeZoneInfo.ConvertTime(instant, TimeZoneInfo.FindSystemTimeZoneById(zone));

    public static bool IsPending(this OutboxMessage m) => m.Status == OutboxStatus.Pending;

    /// <summary>Pair 4's coordinators by the role names of a definition ("both" acts as the mentee).</summary>
    public static async Task<Dictionary<string, HttpClient>> Pair4CoordinatorsAsync(this MentoringApp app)
    {
        var clients = new Dictionary<string, HttpClient>
        {
            ["mentor"] = await app.ClientForAsync(MentoringApp.People.Coordinator("schaerbeek")),
            ["mentee"] = await app.ClientForAsync(MentoringApp.People.Coordinator("jelgava")),
        };
        clients["both"] = clients["mentee"];
        return clients;
    }

    /// <summary>The assignee completes an open task with everything any task may need.</summary>
    public static async Task<HttpResponseMessage> CompleteAsAssigneeAsync(this Dictionary<string, HttpClient> clients, Guid pairId,
        Mentoring.Server.Pairs.WorkItemView item) =>
        await clients[item.Assignee!].FreezeRequiredPlanAsync(pairId, item) ?? await clients[item.Assignee!].CompleteWithFileAsync($"/api/pairs/{pairId}/tasks/{item.Id}/complete",
            "Done.", "https://example.org/" + item.StepId, item.Options.Count > 0 ? item.Options[0] : null);

    /// <summary>The facilitator completes the programme's open tasks that <paramref name="isDone"/> says are done.</summary>
    public static async Task CompleteProgrammeTasksAsync(this HttpClient facilitator, Func<Mentoring.Server.Pairs.WorkItemView, bool> isDone)
    {
        var programme = (await facilitator.GetFromJsonAsync<Mentoring.Server.Instances.ProgrammeView>("/api/programme", Api.Json))!;
        foreach (var task in programme.OpenItems.Where(i => i.Kind == "task" && isDone(i)))
            (await facilitator.CompleteWithFileAsync($"/api/programme/tasks/{task.Id}/complete", "Held.", "https://example.org/p"))
                .EnsureSuccessStatusCode();
    }

    public static async Task EnsureAcceptedAsync(this HttpResponseMessage? response, Mentoring.Server.Pairs.WorkItemView item)
    {
        if (response is { IsSuccessStatusCode: false })
            throw new Xunit.Sdk.XunitException($"{item.Kind} {item.StepId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
