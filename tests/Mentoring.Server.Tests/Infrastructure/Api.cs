using System.Net.Http.Json;
using System.Text.Json;
using Mentoring.Server.Benchmarks;
using Mentoring.Server.Pairs;
using Mentoring.Server.Workflows;

namespace Mentoring.Server.Tests.Infrastructure;

/// <summary>Small helpers over the REST API, so tests read as what people do.</summary>
public static class Api
{
    public static readonly JsonSerializerOptions Json = WorkflowHost.Json;

    public static async Task<List<PairSummary>> PairsAsync(this HttpClient client) =>
        (await client.GetFromJsonAsync<List<PairSummary>>("/api/pairs", Json))!;

    public static async Task<PairSummary> PairOfAsync(this HttpClient client, string menteeCityId) =>
        (await client.PairsAsync()).Single(p => p.Mentee.Id == menteeCityId);

    public static async Task<PairDetail> PairAsync(this HttpClient client, Guid pairId) =>
        (await client.GetFromJsonAsync<PairDetail>($"/api/pairs/{pairId}", Json))!;

    public static async Task<WorkItemView> OpenItemAsync(this HttpClient client, Guid pairId, string stepId) =>
        (await client.PairAsync(pairId)).OpenItems.Single(i => i.StepId == stepId);

    public static async Task<List<HistoryEntry>> HistoryAsync(this HttpClient client, Guid pairId) =>
        (await client.GetFromJsonAsync<List<HistoryEntry>>($"/api/pairs/{pairId}/history?take=1000", Json))!;

    /// <summary>POSTs a command with a fresh Idempotency-Key unless one is given.</summary>
    public static Task<HttpResponseMessage> CommandAsync(this HttpClient client, string path, object? body = null, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body ?? new { }, options: Json) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return client.SendAsync(request);
    }

    /// <summary>Completes a task with the JSON body given, or else with a note, a link and a small PDF (multipart).</summary>
    public static Task<HttpResponseMessage> CompleteAsync(this HttpClient client, Guid pairId, Guid itemId, object? body = null, string? key = null) =>
        body is null
            ? client.CompleteWithFileAsync($"/api/pairs/{pairId}/tasks/{itemId}/complete", "Done, see the shared folder.", "https://example.org/doc", key: key)
            : client.CommandAsync($"/api/pairs/{pairId}/tasks/{itemId}/complete", body, key);

    /// <summary>Approves an open gate as the facilitator. A gate that requires the benchmark (its item's
    /// <c>requires</c> says so) is approved as a facilitator does it: the group's benchmark is agreed first, unless it is.</summary>
    public static async Task<HttpResponseMessage> ApproveAsync(this HttpClient facilitator, Guid pairId, WorkItemView item, string comment)
    {
        if (item.Requires.Contains("benchmark"))
        {
            var benchmark = (await facilitator.GetFromJsonAsync<BenchmarkView>($"/api/pairs/{pairId}/benchmark", Json))!;
            if (benchmark.Status != BenchmarkStatus.Agreed)
            {
                var agreed = await facilitator.CommandAsync($"/api/pairs/{pairId}/benchmark/agree", new { version = benchmark.Version });
                if (!agreed.IsSuccessStatusCode) return agreed;
            }
        }

        return await facilitator.CommandAsync($"/api/pairs/{pairId}/approvals/{item.Id}/approve", new { comment });
    }

    /// <summary>What a task's assignee does before completing a task that requires an action plan version
    /// (<c>actionPlan:draft</c>): freezes it, with an action first when the plan has none. Any other task: nothing.</summary>
    public static async Task<HttpResponseMessage?> FreezeRequiredPlanAsync(this HttpClient assignee, Guid pairId, WorkItemView item)
    {
        foreach (var label in item.Requires.Where(r => r.StartsWith("actionPlan:", StringComparison.Ordinal)).Select(r => r["actionPlan:".Length..]))
        {
            var plan = (await assignee.GetFromJsonAsync<Mentoring.Server.ActionPlans.ActionPlanView>($"/api/pairs/{pairId}/action-plan", Json))!;
            if (plan.Versions.Any(v => v.Label == label)) continue;
            if (plan.Working.Actions.Count == 0)
            {
                var added = await assignee.CommandAsync($"/api/pairs/{pairId}/action-plan/actions", new { title = "Language courses for adults" });
                if (!added.IsSuccessStatusCode) return added;
            }

            var frozen = await assignee.CommandAsync($"/api/pairs/{pairId}/action-plan/versions", new { label });
            if (!frozen.IsSuccessStatusCode) return frozen;
        }

        return null;
    }

    public static readonly byte[] Pdf = "%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"u8.ToArray();

    /// <summary>POSTs a task completion as multipart/form-data with a file (a small PDF unless given), as the pair page does.</summary>
    public static Task<HttpResponseMessage> CompleteWithFileAsync(this HttpClient client, string path, string? note, string? link = null,
        string? choice = null, string? key = null, string fileName = "questionnaire.pdf", byte[]? file = null)
    {
        var content = new MultipartFormDataContent();
        foreach (var (name, value) in new[] { ("note", note), ("link", link), ("choice", choice) })
            if (value is not null) content.Add(new StringContent(value), name);
        content.Add(new ByteArrayContent(file ?? Pdf), "file", fileName);
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString());
        return client.SendAsync(request);
    }

    public static async Task<JsonElement> ProblemAsync(this HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
}
