using System.Net.Http.Json;
using Mentoring.Server.Instances;
using Mentoring.Server.Pairs;
using Mentoring.Server.Scheduling;

namespace Mentoring.Server.Tests.Infrastructure;

/// <summary>
/// Plays everyone in one pair: does whatever is open, as the person whose job it is, moving the clock as people
/// would (a week per round, visits two weeks after they are proposed). Used to run a pair through all seven steps.
/// </summary>
public sealed class PairDriver
{
    private readonly MentoringApp _app;
    private readonly Dictionary<string, HttpClient> _clients;
    private readonly HttpClient _facilitator;

    private PairDriver(MentoringApp app, Guid pairId, Dictionary<string, HttpClient> clients, HttpClient facilitator)
    {
        _app = app;
        GroupId = pairId;
        _clients = clients;
        _facilitator = facilitator;
    }

    public Guid GroupId { get; }
    public List<int> StepsSeen { get; } = [];
    public List<string> Done { get; } = [];

    /// <summary>Programme tasks the facilitator leaves open (a test raises their event another way).</summary>
    public HashSet<string> SkippedProgrammeSteps { get; } = [];

    public static async Task<PairDriver> ForAsync(MentoringApp app, string mentorCity, string menteeCity)
    {
        var facilitator = await app.ClientForAsync(MentoringApp.People.Facilitator);
        var mentor = await app.ClientForAsync(MentoringApp.People.Coordinator(mentorCity));
        var mentee = await app.ClientForAsync(MentoringApp.People.Coordinator(menteeCity));
        var pair = await mentee.PairOfAsync(menteeCity);
        return new PairDriver(app, pair.Id, new() { ["mentor"] = mentor, ["mentee"] = mentee, ["both"] = mentee, ["facilitator"] = facilitator },
            facilitator);
    }

    public HttpClient As(string role) => _clients[role];

    /// <summary>Runs rounds until the pair's workflow completes (or the round limit is hit, which fails the test).</summary>
    public Task RunToCompletionAsync(int maxRounds = 200) => RunUntilAsync(_ => false, maxRounds);

    /// <summary>Runs rounds until an item of this step is open, and returns it before anybody acts on it.</summary>
    public async Task<WorkItemView> RunUntilOpenAsync(string stepId, int maxRounds = 200)
    {
        await RunUntilAsync(detail => detail.OpenItems.Any(i => i.StepId == stepId), maxRounds);
        return await _facilitator.OpenItemAsync(GroupId, stepId);
    }

    /// <summary>Runs rounds until <paramref name="stop"/> holds for the pair (or its workflow ends).</summary>
    public async Task RunUntilAsync(Func<PairDetail, bool> stop, int maxRounds = 200)
    {
        for (var round = 0; round < maxRounds; round++)
        {
            var detail = await _facilitator.PairAsync(GroupId);
            if (StepsSeen.Count == 0 || StepsSeen[^1] != detail.Pair.CurrentStep) StepsSeen.Add(detail.Pair.CurrentStep);
            if (detail.Pair.Status != "running" || stop(detail)) return;
            var acted = false;
            foreach (var item in detail.OpenItems) acted |= await ActAsync(item);
            if (!acted) await ProgrammeAndTimeAsync();
        }

        throw new Xunit.Sdk.XunitException($"The pair did not get there in {maxRounds} rounds; steps seen: {string.Join(",", StepsSeen)}");
    }

    private async Task<bool> ActAsync(WorkItemView item)
    {
        HttpResponseMessage response;
        switch (item.Kind)
        {
            case "task":
                response = await As(item.Assignee!).FreezeRequiredPlanAsync(GroupId, item) ?? await As(item.Assignee!).CompleteWithFileAsync($"/api/pairs/{GroupId}/tasks/{item.Id}/complete",
                    $"Done: {item.Title}", "https://example.org/shared/" + item.StepId, item.Options.Count > 0 ? item.Options[0] : null);
                break;
            case "study-visit":
                var visit = (await _facilitator.PairAsync(GroupId)).Visits.Single(v => v.Id == item.Id);
                var path = $"/api/pairs/{GroupId}/visits/{item.Id}";
                switch (visit.Phase)
                {
                    case "proposing":
                        response = await As(item.Assignee!).CommandAsync(path + "/propose",
                            new { date = DateOnly.FromDateTime(_app.Clock.GetUtcNow().UtcDateTime.AddDays(14)), hostCity = "the mentor city" });
                        break;
                    case "proposed":
                        response = await As(item.Confirmer!).CommandAsync(path + "/confirm");
                        break;
                    case "confirmed":
                        _app.Clock.Advance(TimeSpan.FromDays(15));
                        response = await As("mentee").CommandAsync(path + "/held", new { participants = new[] { "Coordinators", "Local NGO", "Migrant association" } });
                        break;
                    default:
                        response = await As("mentee").CommandAsync(path + "/report", new { note = "We met the reception office team.", link = "https://example.org/report" });
                        break;
                }

                break;
            case "approval":
                response = await _facilitator.ApproveAsync(GroupId, item, "Good work.");
                break;
            default:
                return false; // waits for the programme or for time
        }

        if (!response.IsSuccessStatusCode)
            throw new Xunit.Sdk.XunitException($"{item.Kind} '{item.StepId}' failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Done.Add(item.StepId);
        return true;
    }

    /// <summary>Nothing a coordinator can do: the facilitator runs the programme's open tasks, time passes, the
    /// scheduler's work runs.</summary>
    private async Task ProgrammeAndTimeAsync()
    {
        var programme = (await _facilitator.GetFromJsonAsync<ProgrammeView>("/api/programme", Api.Json))!;
        foreach (var task in programme.OpenItems.Where(i => i.Kind == "task" && !SkippedProgrammeSteps.Contains(i.StepId)))
        {
            var response = await _facilitator.CompleteWithFileAsync($"/api/programme/tasks/{task.Id}/complete",
                "Held with all eight cities.", "https://example.org/programme");
            response.EnsureSuccessStatusCode();
            Done.Add("programme:" + task.StepId);
        }

        _app.Clock.Advance(TimeSpan.FromDays(7));
        var processor = _app.Service<DueWorkProcessor>();
        await processor.FireResumeTimersAsync(CancellationToken.None);
        await processor.DeliverProgrammeEventsAsync(CancellationToken.None);
    }
}
