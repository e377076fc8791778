using System.Net;
using System.Net.Http.Json;
using Mentoring.Server.ActionPlans;
using Mentoring.Server.Data;
using Mentoring.Server.FunderReport;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Tests.SupportNetworks;
using Mentoring.Server.Visits;
using Microsoft.Extensions.DependencyInjection;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Method;

/// <summary>
/// Steps 3 to 7 as one pair lives them, on both databases: Fuenlabrada and Livadeia build their local support networks,
/// hold their three study visits with participants drawn from them (action planning, consolidation, review), each
/// reported with its next steps, and after each visit Livadeia freezes its action plan's version (draft, consolidated,
/// reviewed), which the workflow's plan task waits for; Fuenlabrada and the facilitator comment; the city council
/// endorses the plan; the pair's workflow ends, and the funder's figures count what was done.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class NetworkToEndorsedPlanTests(DatabaseFixture database)
{
    private static string Network(string city) => $"/api/programmes/inclucities/cities/{city}/network";

    private static async Task<Guid> MemberAsync(HttpClient coordinator, string city, string organisation, string kind, string role)
    {
        var org = await SupportNetworkTests.IdAsync(await coordinator.CommandAsync($"{Network(city)}/organisations",
            new { name = organisation, kind, importance = 4, influence = 3 }));
        return await SupportNetworkTests.IdAsync(await coordinator.CommandAsync($"{Network(city)}/people", new
        {
            organisationId = org, name = $"{role} of {organisation}", role, email = $"{kind}.{city}@network.example",
            consent = new { purpose = "Taking part in the local support network and its study visits", givenOn = "2020-12-01", how = "written" },
        }));
    }

    private static async Task OkAsync(HttpResponseMessage response) =>
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response)
    {
        await OkAsync(response);
        return (await response.Content.ReadFromJsonAsync<T>(Api.Json))!;
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, object body)
    {
        var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body, options: Api.Json) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return client.SendAsync(request);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_pair_goes_from_its_networks_through_three_visits_and_three_plan_versions_to_an_endorsed_plan(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var driver = await PairDriver.ForAsync(app, "fuenlabrada", "livadeia");
        var (fuenlabrada, livadeia, facilitator) = (driver.As("mentor"), driver.As("mentee"), driver.As("facilitator"));
        var pair = driver.GroupId;
        string Plan(string rest = "") => $"/api/pairs/{pair}/action-plan{rest}";

        // Step 3: each city's local support network.
        var participants = new[]
        {
            await MemberAsync(livadeia, "livadeia", "Livadeia Migrant Support Centre", "ngo", "Social worker"),
            await MemberAsync(livadeia, "livadeia", "Livadeia Social Services", "municipal-department", "Head of unit"),
            await MemberAsync(fuenlabrada, "fuenlabrada", "Fuenlabrada Employment Office", "municipal-department", "Job counsellor"),
        };

        Guid action = default;
        string[] versions = ["draft", "consolidated", "reviewed"];
        string[] planTasks = ["draft-action-plan", "revise-action-plan", "final-action-plan"];
        for (var n = 1; n <= 3; n++)
        {
            // The visit: proposed with its plan by the side the workflow names, confirmed by the other, held, reported.
            var item = await driver.RunUntilOpenAsync($"visit-{n}");
            var (proposer, confirmer, host) = n == 2 ? (fuenlabrada, livadeia, "livadeia") : (livadeia, fuenlabrada, "fuenlabrada");
            var path = $"/api/pairs/{pair}/visits/{item.Id}";
            var first = DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime).AddDays(21);
            await OkAsync(await proposer.CommandAsync(path + "/proposal", new
            {
                start = first.ToString("yyyy-MM-dd"), end = first.AddDays(1).ToString("yyyy-MM-dd"), format = n == 1 ? "online" : "in-person",
                hostCity = host, agenda = $"Visit {n}: the practices behind the plan's actions, with the teams that run them.",
                sessions = new[]
                {
                    new { date = first.ToString("yyyy-MM-dd"), starts = "10:00", ends = "13:00", title = "Job counselling for newcomers", place = "City hall" },
                    new { date = first.AddDays(1).ToString("yyyy-MM-dd"), starts = "09:30", ends = "12:30", title = "The local support network at work", place = "City hall" },
                },
                participants,
            }));
            await OkAsync(await confirmer.CommandAsync(path + "/confirm"));
            app.Clock.Set(new DateTimeOffset(first.AddDays(2).ToDateTime(new TimeOnly(8, 0)), TimeSpan.Zero));
            await OkAsync(await proposer.CommandAsync(path + "/held", new { participants = new[] { "Coordinators", "Network members" } }));
            await OkAsync(await proposer.CommandAsync(path + "/structured-report", new
            {
                seen = "Job counselling for newcomers, run by the employment office with the migrant associations.",
                learnt = "Counselling works when the network refers people to it; start with the social services.",
                nextSteps = new[] { new { text = $"Write what visit {n} changes in the action plan", ownerCity = "livadeia", due = first.AddDays(30).ToString("yyyy-MM-dd") } },
            }));
            var visit = await ReadAsync<VisitDetailView>(await fuenlabrada.GetAsync(path));
            Assert.Equal(("reported", 3, 1), (visit.Phase, visit.Participants.Count, visit.NextSteps.Count));

            // The plan after the visit: written or changed by Livadeia, commented on, and frozen at the version the task waits for.
            if (n == 1)
                action = (await ReadAsync<PlanChange>(await SendAsync(livadeia, HttpMethod.Post, Plan("/actions"), Action(12000)))).Id;
            else
                await ReadAsync<PlanChange>(await SendAsync(livadeia, HttpMethod.Put, Plan($"/actions/{action}"), Action(12000 + 2500 * (n - 1),
                    (await ReadAsync<ActionPlanView>(await livadeia.GetAsync(Plan()))).Revision)));
            var task = await driver.RunUntilOpenAsync(planTasks[n - 1]);
            Assert.Equal(HttpStatusCode.Conflict, (await livadeia.CompleteAsync(pair, task.Id)).StatusCode);
            await ReadAsync<PlanChange>(await SendAsync(livadeia, HttpMethod.Post, Plan("/versions"), new { label = versions[n - 1] }));
            await ReadAsync<PlanChange>(await SendAsync(n == 3 ? facilitator : fuenlabrada, HttpMethod.Post, Plan($"/actions/{action}/comments"),
                new { text = $"On the {versions[n - 1]} version: name the partner that recruits the counsellors.", version = versions[n - 1] }));
            await OkAsync(await livadeia.CompleteAsync(pair, task.Id));
        }

        // Step 7: the city council endorses the reviewed plan; the pair's workflow runs to its end.
        var endorsement = new MultipartFormDataContent
        {
            { new StringContent(DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime).ToString("yyyy-MM-dd")), "endorsedOn" },
            { new StringContent("Livadeia Municipal Council"), "body" }, { new ByteArrayContent(Api.Pdf), "file", "council-decision.pdf" },
        };
        var endorse = new HttpRequestMessage(HttpMethod.Post, Plan("/endorsement")) { Content = endorsement };
        endorse.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        await ReadAsync<PlanChange>(await livadeia.SendAsync(endorse));
        await driver.RunToCompletionAsync();

        var plan = await ReadAsync<ActionPlanView>(await fuenlabrada.GetAsync(Plan()));
        Assert.Equal(versions, plan.Versions.Select(v => v.Label));
        Assert.Equal(versions, plan.Comments.Select(c => c.Version));
        Assert.Equal("Livadeia Municipal Council", plan.Endorsement!.Body);
        var diff = await ReadAsync<PlanDiff>(await facilitator.GetAsync(Plan("/diff?from=draft&to=reviewed")));
        Assert.Equal(new FieldChange("cost", "12000.00", "17000.00"), Assert.Single(Assert.Single(diff.Actions).Fields));
        Assert.Equal("completed", (await facilitator.PairAsync(pair)).Pair.Status);

        await using var scope = app.Services.CreateAsyncScope();
        await using var db = app.Db();
        var visits = (await scope.ServiceProvider.GetRequiredService<IVisitFigures>().ForProgrammeAsync(db, "inclucities", default))
            .Where(v => v.GroupId == pair).OrderBy(v => v.StepId).ToList();
        Assert.Equal(["visit-1", "visit-2", "visit-3"], visits.Select(v => v.StepId));
        Assert.All(visits, v => Assert.Equal((true, 3), (v.Held, v.Participants)));
        Assert.All(visits, v => Assert.Equal(new Dictionary<string, int> { ["municipal-department"] = 2, ["ngo"] = 1 }, v.ParticipantsByKind));
        var figures = Assert.Single(await scope.ServiceProvider.GetRequiredService<IActionPlanFigures>().ForProgrammeAsync(db, "inclucities", default),
            f => f.GroupId == pair);
        Assert.Equal(versions, figures.Versions);
        Assert.True(figures.Endorsed);
    }

    private static object Action(decimal cost, int? revision = null) => new
    {
        revision,
        title = "Job counselling for newcomers", description = "Counselling at the employment office, referred by the support network.",
        activities = new[] { "Train two counsellors", "Agree referrals with the social services" }, start = "2022-01-10", end = "2023-06-30",
        responsible = "Social services department", partners = "Livadeia Migrant Support Centre", cost, fundingSource = "AMIF national programme",
        indicators = new[] { new { name = "Newcomers counselled", baseline = 0, target = 80, unit = "people" } },
        risks = new[] { new { risk = "Counsellors leave", mitigation = "Train a third" } }, status = "planned",
    };
}
