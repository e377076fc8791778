using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Mentoring.Server.Teams;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Tests.Scheduling;
using Mentoring.Server.Tests.Web;
using WebClient = Mentoring.Server.Tests.Web.WebClient;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Teams;

/// <summary>City teams through the server: Jelgava's coordinator (the lead of a team of one until now) invites two
/// colleagues; the mentee's task is claimed, handed on, covered by a deputy during an absence and back after, and every
/// nudge (the reminder sweep and the dashboard's manual one) reaches whoever answers for it at that moment.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class TeamTests(DatabaseFixture database)
{
    private const string MenteeTask = "mentee-needs-self-assessment";
    private const string Anna = "anna.ozola@jelgava.example";
    private const string Peteris = "peteris.kalns@jelgava.example";

    private sealed record Team(MentoringApp App, Group Pair, HttpClient Lead, HttpClient Anna, HttpClient Peteris, HttpClient Facilitator,
        Guid LeadId, Guid AnnaId, Guid PeterisId, OpenTask Item);

    private sealed record OpenTask(Guid Id, DateTimeOffset? DueAt);

    private static async Task<Team> TeamAsync(MentoringApp app)
    {
        var pair = await app.PairAsync(4);
        var lead = await app.ClientForAsync(People.Coordinator("jelgava"));
        foreach (var (name, email) in new[] { ("Anna Ozola", Anna), ("Pēteris Kalns", Peteris) })
        {
            var invited = await lead.PostAsJsonAsync("/api/teams/jelgava/members", new { name, email, language = "lv" }, Api.Json);
            Assert.Equal(HttpStatusCode.OK, invited.StatusCode);
        }

        await using var db = app.Db();
        var ids = await db.People.Where(p => p.Email == Anna || p.Email == Peteris || p.Email == People.Coordinator("jelgava"))
            .ToDictionaryAsync(p => p.Email!, p => p.Id);
        var item = await db.WorkItems.Where(w => w.InstanceId == pair.InstanceId && w.StepId == MenteeTask && w.Status == WorkItemStatus.Open)
            .Select(w => new OpenTask(w.Id, w.DueAt)).SingleAsync();
        return new Team(app, pair, lead, await app.ClientForAsync(Anna), await app.ClientForAsync(Peteris),
            await app.ClientForAsync(People.Facilitator), ids[People.Coordinator("jelgava")], ids[Anna], ids[Peteris], item);
    }

    /// <summary>Who the dashboard's manual reminder reaches now, and who a reminder timer falling due now reaches.</summary>
    private static async Task<(List<string> Manual, List<string> Swept)> NudgeBothWaysAsync(Team team)
    {
        var before = (await team.App.MailAsync(team.Pair.InstanceId, "task-reminder")).Select(m => m.MessageId).ToHashSet();
        (await team.Facilitator.CommandAsync($"/api/tasks/{team.Item.Id}/nudge")).EnsureSuccessStatusCode();
        var manual = (await team.App.MailAsync(team.Pair.InstanceId, "task-reminder")).Where(m => !before.Contains(m.MessageId)).ToList();
        before.UnionWith(manual.Select(m => m.MessageId));

        await using (var db = team.App.Db())
        {
            db.Timers.Add(new TimerRecord
            {
                InstanceId = team.Pair.InstanceId, StepId = MenteeTask, Activation = 1, Purpose = "reminder",
                DueAt = team.App.Clock.GetUtcNow(), Data = """{"role":"mentee","daysBefore":"7"}""",
            });
            await db.SaveChangesAsync();
        }

        await team.App.SweepAsync();
        var swept = (await team.App.MailAsync(team.Pair.InstanceId, "task-reminder"))
            .Where(m => !before.Contains(m.MessageId) && m.StepId == MenteeTask).ToList();
        return (manual.Select(m => m.RecipientEmail!).Order().ToList(), swept.Select(m => m.RecipientEmail!).Distinct().Order().ToList());
    }

    private static void Nudged((List<string> Manual, List<string> Swept) sent, string email)
    {
        Assert.Equal([email], sent.Manual);
        Assert.Equal([email], sent.Swept);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_task_claimed_reassigned_and_delegated_while_away_is_nudged_to_whoever_answers_for_it(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var team = await TeamAsync(app);
        var lead = People.Coordinator("jelgava");

        // Unclaimed: in the team's queue, the lead answers (not all three coordinators of the city).
        Nudged(await NudgeBothWaysAsync(team), lead);

        Assert.Equal(HttpStatusCode.OK, (await team.Anna.CommandAsync($"/api/tasks/{team.Item.Id}/claim")).StatusCode);
        Nudged(await NudgeBothWaysAsync(team), Anna);

        var taken = await team.Peteris.CommandAsync($"/api/tasks/{team.Item.Id}/claim");
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Contains("Anna Ozola", (await taken.ProblemAsync()).GetProperty("detail").GetString());

        var handedOn = await team.Lead.CommandAsync($"/api/tasks/{team.Item.Id}/reassign",
            new { personId = team.PeterisId, note = "Anna is on the benchmark this month." });
        Assert.Equal(HttpStatusCode.OK, handedOn.StatusCode);
        Nudged(await NudgeBothWaysAsync(team), Peteris);

        // Pēteris is away for two days with Anna as deputy: she answers meanwhile.
        var now = app.Clock.GetUtcNow();
        var away = await team.Peteris.PostAsJsonAsync("/api/teams/jelgava/absences",
            new { from = now.AddHours(-1), to = now.AddDays(2), deputyId = team.AnnaId }, Api.Json);
        Assert.Equal(HttpStatusCode.OK, away.StatusCode);
        var side = (await team.Lead.GetFromJsonAsync<TaskTeamView>($"/api/tasks/{team.Item.Id}/team", Api.Json))!.Sides.Single();
        Assert.Equal((team.PeterisId, team.AnnaId, "deputy"), (side.AssigneeId!.Value, side.AnswererId!.Value, side.Why!));
        Nudged(await NudgeBothWaysAsync(team), Anna);

        // After the absence the task is Pēteris's again, with no one having to give it back.
        app.Clock.Advance(TimeSpan.FromDays(3));
        Assert.True(team.Item.DueAt is null || team.Item.DueAt > app.Clock.GetUtcNow(), "the task must still be due for a reminder");
        Nudged(await NudgeBothWaysAsync(team), Peteris);

        // The pair's history shows each hand-over, with its note.
        var history = await team.Facilitator.HistoryAsync(team.Pair.Id);
        string[] handOverTypes = [TeamCommands.Claimed, TeamCommands.Assigned, TeamCommands.Reassigned, TeamCommands.Returned];
        var handOvers = history.Where(h => handOverTypes.Contains(h.Type)).ToList();
        Assert.Equal(["task-claimed", "task-reassigned"], handOvers.Select(h => h.Type));
        Assert.Equal("Anna Ozola", handOvers[0].Data.GetProperty("to").GetString());
        Assert.Equal("Anna is on the benchmark this month.", handOvers[1].Data.GetProperty("note").GetString());
        var page = await WebClient.SignedInAsync(app, People.Facilitator);
        await page.GetAsync($"/pairs/{team.Pair.Id}");
        Assert.Contains("Anna is on the benchmark this month.", page.LastPage);
        Assert.Contains($"/teams/tasks/{team.Item.Id}", page.LastPage);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_removed_members_tasks_go_back_to_the_team_and_they_can_no_longer_be_given_one(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var team = await TeamAsync(app);
        (await team.Anna.CommandAsync($"/api/tasks/{team.Item.Id}/claim")).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.OK, (await team.Lead.DeleteAsync($"/api/teams/jelgava/members/{team.AnnaId}")).StatusCode);

        var side = (await team.Lead.GetFromJsonAsync<TaskTeamView>($"/api/tasks/{team.Item.Id}/team", Api.Json))!.Sides.Single();
        Assert.Null(side.AssigneeId);
        Assert.Equal((team.LeadId, "lead"), (side.AnswererId!.Value, side.Why!));
        var returned = Assert.Single(await team.Facilitator.HistoryAsync(team.Pair.Id), h => h.Type == TeamCommands.Returned);
        Assert.Equal("Anna Ozola", returned.Data.GetProperty("from").GetString());
        // Out of the programme, she sees the team no more.
        Assert.NotEqual(HttpStatusCode.OK, (await team.Anna.GetAsync("/api/teams/jelgava")).StatusCode);

        var toRemoved = await team.Lead.CommandAsync($"/api/tasks/{team.Item.Id}/assign", new { personId = team.AnnaId });
        Assert.Equal(HttpStatusCode.BadRequest, toRemoved.StatusCode);
        Assert.Contains("removed", (await toRemoved.ProblemAsync()).GetProperty("errors").GetProperty("personId")[0].GetString());
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Bad_hand_overs_and_absences_are_refused_with_problem_details(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var team = await TeamAsync(app);
        var now = app.Clock.GetUtcNow();
        Guid outsider;
        await using (var db = app.Db())
            outsider = await db.People.Where(p => p.Email == People.Coordinator("schaerbeek")).Select(p => p.Id).SingleAsync();

        var stranger = await team.Lead.CommandAsync($"/api/tasks/{team.Item.Id}/assign", new { personId = outsider });
        Assert.Equal(HttpStatusCode.BadRequest, stranger.StatusCode);
        Assert.Equal("application/problem+json", stranger.Content.Headers.ContentType!.MediaType);

        var backwards = await team.Anna.PostAsJsonAsync("/api/teams/jelgava/absences", new { from = now.AddDays(5), to = now.AddDays(2) }, Api.Json);
        Assert.Equal(HttpStatusCode.BadRequest, backwards.StatusCode);
        Assert.True((await backwards.ProblemAsync()).GetProperty("errors").TryGetProperty("to", out _));

        (await team.Peteris.PostAsJsonAsync("/api/teams/jelgava/absences", new { from = now.AddDays(1), to = now.AddDays(10), deputyId = team.LeadId }, Api.Json))
            .EnsureSuccessStatusCode();
        var deputyAway = await team.Anna.PostAsJsonAsync("/api/teams/jelgava/absences",
            new { from = now.AddDays(3), to = now.AddDays(4), deputyId = team.PeterisId }, Api.Json);
        Assert.Equal(HttpStatusCode.BadRequest, deputyAway.StatusCode);
        Assert.True((await deputyAway.ProblemAsync()).GetProperty("errors").TryGetProperty("deputyId", out _));

        // An absence without a deputy: the lead answers, and the facilitator is told.
        (await team.Anna.PostAsJsonAsync("/api/teams/jelgava/absences", new { from = now.AddDays(3), to = now.AddDays(4) }, Api.Json))
            .EnsureSuccessStatusCode();
        var told = Assert.Single(await app.MailAsync(null, "absence-without-deputy"));
        Assert.Equal(People.Facilitator, told.RecipientEmail);
        Assert.Equal("Anna Ozola", told.Model["absent"]!["name"]!.GetValue<string>());
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task A_member_of_another_citys_team_can_neither_see_nor_act_for_Jelgavas_tasks(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var team = await TeamAsync(app);
        var schaerbeek = await app.ClientForAsync(People.Coordinator("schaerbeek"));
        var item = team.Item.Id;

        Assert.Equal(HttpStatusCode.Forbidden, (await schaerbeek.GetAsync("/api/teams/jelgava")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await schaerbeek.PostAsJsonAsync("/api/teams/jelgava/members",
            new { name = "Intruder", email = "intruder@example.org", language = "en" }, Api.Json)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await schaerbeek.PutAsJsonAsync($"/api/teams/jelgava/members/{team.AnnaId}/role",
            new { teamRole = "lead" }, Api.Json)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await schaerbeek.DeleteAsync($"/api/teams/jelgava/members/{team.AnnaId}")).StatusCode);
        var now = app.Clock.GetUtcNow();
        Assert.Equal(HttpStatusCode.Forbidden, (await schaerbeek.PostAsJsonAsync("/api/teams/jelgava/absences",
            new { personId = team.AnnaId, from = now, to = now.AddDays(1) }, Api.Json)).StatusCode);
        (await team.Anna.PostAsJsonAsync("/api/teams/jelgava/absences", new { from = now.AddDays(1), to = now.AddDays(2), deputyId = team.PeterisId }, Api.Json))
            .EnsureSuccessStatusCode();
        var absence = (await team.Lead.GetFromJsonAsync<TeamView>("/api/teams/jelgava", Api.Json))!.Absences.Single();
        Assert.Equal(HttpStatusCode.Forbidden, (await schaerbeek.DeleteAsync($"/api/teams/jelgava/absences/{absence.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await schaerbeek.GetAsync($"/api/tasks/{item}/team")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await schaerbeek.CommandAsync($"/api/tasks/{item}/claim")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await schaerbeek.CommandAsync($"/api/tasks/{item}/assign", new { personId = team.AnnaId })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await schaerbeek.CommandAsync($"/api/tasks/{item}/reassign",
            new { personId = team.AnnaId, note = "mine now" })).StatusCode);

        // The pages: another city's team and task page send them to /forbidden, and so does a form posted to them.
        var web = await WebClient.SignedInAsync(app, People.Coordinator("schaerbeek"));
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync("/teams/schaerbeek")).StatusCode);
        foreach (var path in new[] { "/teams/jelgava", $"/teams/tasks/{item}" })
        {
            var view = await web.GetAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, view.StatusCode);
            Assert.Contains("/forbidden", view.Headers.Location!.OriginalString);
        }

        await web.GetAsync("/teams/schaerbeek");
        foreach (var (path, form) in new (string, Dictionary<string, string>)[]
                 {
                     ("/teams/jelgava?handler=Remove", new() { ["personId"] = team.AnnaId.ToString() }),
                     ("/teams/jelgava?handler=Invite", new() { ["name"] = "Intruder", ["email"] = "intruder@example.org" }),
                     ("/teams/jelgava?handler=Absence", new() { ["personId"] = team.AnnaId.ToString(), ["from"] = "2026-02-01", ["to"] = "2026-02-03" }),
                     ($"/teams/tasks/{item}?handler=Claim", new()),
                     ($"/teams/tasks/{item}?handler=Assign", new() { ["personId"] = team.AnnaId.ToString(), ["note"] = "mine" }),
                 })
        {
            var post = await web.PostAsync(path, form);
            Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
            Assert.Contains("/forbidden", post.Headers.Location!.OriginalString);
        }

        var unchanged = (await team.Lead.GetFromJsonAsync<TeamView>("/api/teams/jelgava", Api.Json))!;
        Assert.Equal(3, unchanged.Members.Count);
        Assert.Single(unchanged.Absences);
        Assert.Null(unchanged.Tasks.Single(t => t.ItemId == item).AssigneeId);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_team_page_lets_the_lead_give_a_task_and_a_member_claim_one(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var team = await TeamAsync(app);
        var web = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));

        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync("/teams/jelgava")).StatusCode);
        Assert.Contains("Anna Ozola", web.LastPage);
        Assert.Contains($"/teams/tasks/{team.Item.Id}", web.LastPage);
        Assert.Equal(HttpStatusCode.OK, (await web.GetAsync($"/teams/tasks/{team.Item.Id}")).StatusCode);
        var assigned = await web.PostAsync($"/teams/tasks/{team.Item.Id}?handler=Assign", new Dictionary<string, string> { ["personId"] = team.AnnaId.ToString() });
        Assert.Equal(HttpStatusCode.Redirect, assigned.StatusCode);

        // Handing it on without a note is refused on the page with a message, and changes nothing.
        var noNote = await web.PostAsync($"/teams/tasks/{team.Item.Id}?handler=Assign", new Dictionary<string, string> { ["personId"] = team.PeterisId.ToString() });
        Assert.Equal(HttpStatusCode.BadRequest, noNote.StatusCode);
        Assert.NotEmpty(WebClient.Alert(web.LastPage));
        var side = (await team.Lead.GetFromJsonAsync<TaskTeamView>($"/api/tasks/{team.Item.Id}/team", Api.Json))!.Sides.Single();
        Assert.Equal(team.AnnaId, side.AssigneeId);
    }
}
