using Mentoring.Server.Data;
using Mentoring.Server.Setup;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Teams;

public sealed record TeamRoleRequest(string? TeamRole);

/// <summary>
/// City teams over HTTP. <c>/api/teams/{city}</c>: the team (members, roles, absences, the city's open tasks with who
/// answers for each), inviting (POST members), a member's role (PUT members/{id}/role), removal (DELETE members/{id}),
/// absences (POST, DELETE). <c>/api/tasks/{item}/team</c>: a task's sides with their holder; <c>claim</c>,
/// <c>assign</c> and <c>reassign</c> (with a note). Refusals are problem details: 400 with field errors, 403 for
/// another city's team or task, 404, 409 for a task another member has claimed (naming them).
/// </summary>
public static class TeamsApi
{
    /// <summary>Registers the teams feature: its commands (the queries are static, on <see cref="TeamBook"/>).</summary>
    public static IHostApplicationBuilder AddMentoringTeams(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<TeamCommands>();
        return builder;
    }

    public static IEndpointRouteBuilder MapTeamsApi(this IEndpointRouteBuilder app)
    {
        var teams = app.MapGroup("/api/teams/{cityId}").WithTags("Teams").RequireAuthorization();
        teams.MapGet("", async (HttpContext http, string cityId, IDbContextFactory<MentoringDb> dbs, TimeProvider clock, CancellationToken ct) =>
            {
                await using var db = await dbs.CreateDbContextAsync(ct);
                return Answer(await TeamCommands.TeamAsync(db, http.User, cityId, clock.GetUtcNow(), ct));
            })
            .WithSummary("The city's team: members with their team role (lead, member) and whether they are away, absences, and the city's open tasks with who holds and who answers for each.");
        teams.MapPost("/members", (HttpContext http, string cityId, InviteMemberRequest body, IDbContextFactory<MentoringDb> dbs,
                TeamCommands commands, TimeProvider clock, CancellationToken ct) =>
            RunAsync(dbs, db => commands.InviteAsync(db, http.User, cityId, body, clock.GetUtcNow(), ct), ct))
            .WithSummary("Invites a person into the team {name, email, language, teamRole: lead|member}: the lead or the facilitator.");
        teams.MapPut("/members/{personId:guid}/role", (HttpContext http, string cityId, Guid personId, TeamRoleRequest body,
                IDbContextFactory<MentoringDb> dbs, TimeProvider clock, CancellationToken ct) =>
            RunAsync(dbs, db => TeamCommands.SetRoleAsync(db, http.User, cityId, personId, body.TeamRole, clock.GetUtcNow(), ct), ct))
            .WithSummary("Sets a member's team role {teamRole: lead|member}; a new lead replaces the old one.");
        teams.MapDelete("/members/{personId:guid}", (HttpContext http, string cityId, Guid personId, IDbContextFactory<MentoringDb> dbs,
                TimeProvider clock, CancellationToken ct) =>
            RunAsync(dbs, db => TeamCommands.RemoveAsync(db, http.User, cityId, personId, clock.GetUtcNow(), ct), ct))
            .WithSummary("Removes a person from the team; the open tasks they held go back to the team's queue.");
        teams.MapPost("/absences", (HttpContext http, string cityId, AbsenceRequest body, IDbContextFactory<MentoringDb> dbs,
                TeamCommands commands, TimeProvider clock, CancellationToken ct) =>
            RunAsync(dbs, db => commands.AddAbsenceAsync(db, http.User, cityId, body, clock.GetUtcNow(), ct), ct))
            .WithSummary("Records an absence {personId (default: oneself), from, to, deputyId}; without a deputy the lead answers and the facilitator is told.");
        teams.MapDelete("/absences/{absenceId:guid}", (HttpContext http, string cityId, Guid absenceId, IDbContextFactory<MentoringDb> dbs,
                TimeProvider clock, CancellationToken ct) =>
            RunAsync(dbs, db => TeamCommands.RemoveAbsenceAsync(db, http.User, cityId, absenceId, clock.GetUtcNow(), ct), ct))
            .WithSummary("Ends or withdraws an absence.");

        var tasks = app.MapGroup("/api/tasks/{itemId:guid}").WithTags("Teams").RequireAuthorization();
        tasks.MapGet("/team", async (HttpContext http, Guid itemId, IDbContextFactory<MentoringDb> dbs, TimeProvider clock, CancellationToken ct) =>
            {
                await using var db = await dbs.CreateDbContextAsync(ct);
                return Answer(await TeamCommands.TaskAsync(db, http.User, itemId, clock.GetUtcNow(), ct));
            })
            .WithSummary("Who holds the open task in each city team that owes it, and who answers for it now (assignee, deputy, lead).");
        tasks.MapPost("/claim", (HttpContext http, Guid itemId, IDbContextFactory<MentoringDb> dbs, TimeProvider clock, CancellationToken ct) =>
            ClaimAsync(dbs, http, itemId, clock, ct))
            .WithSummary("Claims the task for oneself; 409 naming who when another member holds it.");
        tasks.MapPost("/assign", (HttpContext http, Guid itemId, HandOverRequest body, IDbContextFactory<MentoringDb> dbs, TimeProvider clock,
                CancellationToken ct) =>
            RunAsync(dbs, db => TeamCommands.HandOverAsync(db, http.User, itemId, body, clock.GetUtcNow(), ct), ct))
            .WithSummary("Gives the task to a team member {personId, note}: the lead, the facilitator or its holder; a note is needed when it changes hands.");
        tasks.MapPost("/reassign", (HttpContext http, Guid itemId, HandOverRequest body, IDbContextFactory<MentoringDb> dbs, TimeProvider clock,
                CancellationToken ct) =>
            string.IsNullOrWhiteSpace(body.Note)
                ? Task.FromResult(Answer(AdminResult<TaskTeamView>.Invalid("note", "Say in a note why the task changes hands.")))
                : RunAsync(dbs, db => TeamCommands.HandOverAsync(db, http.User, itemId, body, clock.GetUtcNow(), ct), ct))
            .WithSummary("Hands the task on to another team member {personId, note}, the note saying why.");
        return app;
    }

    private static async Task<Results<Ok<TaskTeamView>, ProblemHttpResult, ValidationProblem>> ClaimAsync(IDbContextFactory<MentoringDb> dbs,
        HttpContext http, Guid itemId, TimeProvider clock, CancellationToken ct)
    {
        try
        {
            return Answer(await ProgrammeAdmin.InTransactionAsync(dbs, db => TeamCommands.ClaimAsync(db, http.User, itemId, clock.GetUtcNow(), ct), ct));
        }
        catch (DbUpdateException)
        {
            // Two claims at once: the other won the row; ask again, which now names them.
            await using var db = await dbs.CreateDbContextAsync(ct);
            return Answer(await TeamCommands.ClaimAsync(db, http.User, itemId, clock.GetUtcNow(), ct));
        }
    }

    /// <summary>Runs a command in one transaction and answers it.</summary>
    public static async Task<Results<Ok<T>, ProblemHttpResult, ValidationProblem>> RunAsync<T>(IDbContextFactory<MentoringDb> dbs,
        Func<MentoringDb, Task<AdminResult<T>>> change, CancellationToken ct) =>
        Answer(await ProgrammeAdmin.InTransactionAsync(dbs, async db =>
        {
            var result = await change(db);
            return result;
        }, ct));

    public static Results<Ok<T>, ProblemHttpResult, ValidationProblem> Answer<T>(AdminResult<T> result) => result.Outcome switch
    {
        AdminOutcome.Done => TypedResults.Ok(result.Value!),
        AdminOutcome.Invalid => TypedResults.ValidationProblem(result.Errors!, title: "The request is not valid."),
        AdminOutcome.NotFound => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: result.Detail),
        AdminOutcome.Forbidden => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not yours to do", detail: result.Detail),
        _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not possible now", detail: result.Detail),
    };
}
