using System.Net.Http.Json;
using System.Text.Json;
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

    public static Task<HttpResponseMessage> CompleteAsync(this HttpClient client, Guid pairId, Guid itemId, object? body = null, string? key = null) =>
        client.CommandAsync($"/api/pairs/{pairId}/tasks/{itemId}/complete",
            body ?? new { note = "Done, see the shared folder.", link = "https://example.org/doc", fileId = "file-1" }, key);

    public static async Task<JsonElement> ProblemAsync(this HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
}
