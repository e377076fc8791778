using System.Security.Claims;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Pairs;
using Mentoring.Server.Programme;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Instances;

public sealed record InstanceSummary(Guid Id, string DefinitionId, int DefinitionVersion, Guid? PairId, string Status, int StageNumber,
    string StageName, string? Fault, DateTimeOffset UpdatedAt);

public sealed record OperatorRequest([property: Inputs.Text(Inputs.Limits.Comment, MultiLine = true)] string? Reason);

public sealed record ProgrammeView(string Id, string Name, InstanceSummary? Workflow, IReadOnlyList<WorkItemView> OpenItems,
    IReadOnlyList<string> EventsRaised);

/// <summary>The operator's controls (facilitator and admin): list instances by status, and suspend, resume, cancel,
/// or retry a faulted one; and the programme-wide workflow the facilitator runs.</summary>
public static class InstancesApi
{
    public static IEndpointRouteBuilder MapInstancesApi(this IEndpointRouteBuilder app)
    {
        var instances = app.MapGroup("/api/instances").WithTags("Operations")
            .RequireAuthorization(policy => policy.RequireRole(PersonRoles.Facilitator, PersonRoles.Admin));
        instances.MapGet("/", ListAsync);
        instances.MapPost("/{id:guid}/suspend", (Guid id, OperatorRequest body, HttpContext http, WorkflowHost host, CancellationToken ct) =>
            OperateAsync(http, host, id, body, by => new SuspendInstance(by, body.Reason), ct));
        instances.MapPost("/{id:guid}/resume", (Guid id, OperatorRequest body, HttpContext http, WorkflowHost host, CancellationToken ct) =>
            OperateAsync(http, host, id, body, by => new ResumeInstance(by), ct));
        instances.MapPost("/{id:guid}/cancel", (Guid id, OperatorRequest body, HttpContext http, WorkflowHost host, CancellationToken ct) =>
            OperateAsync(http, host, id, body, by => new CancelInstance(by, body.Reason), ct));
        instances.MapPost("/{id:guid}/retry", (Guid id, OperatorRequest body, HttpContext http, WorkflowHost host, CancellationToken ct) =>
            OperateAsync(http, host, id, body, by => new RetryFaulted(by), ct));

        var programme = app.MapGroup("/api/programme").WithTags("Programme").RequireAuthorization();
        programme.MapGet("/", GetProgrammeAsync);
        programme.MapPost("/tasks/{itemId:guid}/complete", async (HttpContext http, Guid itemId, CompleteTaskRequest body,
            IDbContextFactory<MentoringDb> dbs, WorkItemActions actions, CancellationToken ct) =>
        {
            if (!http.User.IsFacilitator())
                return (Results<Ok<CommandResponse>, ProblemHttpResult, ValidationProblem>)TypedResults.Problem(
                    statusCode: StatusCodes.Status403Forbidden, title: "Facilitator only", detail: "Only the facilitator runs the programme's own tasks.");
            await using var db = await dbs.CreateDbContextAsync(ct);
            var instanceId = await ProgrammeInstanceAsync(db, http.User, ct);
            if (instanceId is null)
                return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No programme workflow");
            var actor = http.User.ActorFor(null)!;
            return await actions.ExecuteAsync(http, instanceId.Value, itemId, "task", body,
                item => new CompleteTask(actor, item.StepId, item.Activation, body.Note, body.Link, body.FileId, body.Choice), ct);
        });
        return app;
    }

    private static async Task<Ok<List<InstanceSummary>>> ListAsync(IDbContextFactory<MentoringDb> dbs, CancellationToken ct,
        string? status = null, int take = 100)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var query = db.Instances.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(status)) query = query.Where(i => i.Status == status);
        return TypedResults.Ok(await query.OrderByDescending(i => i.UpdatedAt).Take(Math.Clamp(take, 1, 1000))
            .Select(i => new InstanceSummary(i.Id, i.DefinitionId, i.DefinitionVersion, i.PairId, i.Status, i.StageNumber, i.StageName,
                i.Fault, i.UpdatedAt))
            .ToListAsync(ct));
    }

    private static async Task<Results<Ok<ProgrammeView>, ProblemHttpResult>> GetProgrammeAsync(ClaimsPrincipal user,
        IDbContextFactory<MentoringDb> dbs, DefinitionStore definitions, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var programmeId = user.FindFirstValue(CurrentUser.ProgrammeClaim);
        var programme = await db.Programmes.AsNoTracking().SingleOrDefaultAsync(p => p.Id == programmeId, ct);
        if (programme is null) return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No programme");
        InstanceSummary? workflow = null;
        IReadOnlyList<WorkItemView> items = [];
        if (programme.ProgrammeInstanceId is { } instanceId)
        {
            workflow = await db.Instances.AsNoTracking().Where(i => i.Id == instanceId)
                .Select(i => new InstanceSummary(i.Id, i.DefinitionId, i.DefinitionVersion, i.PairId, i.Status, i.StageNumber, i.StageName,
                    i.Fault, i.UpdatedAt)).SingleAsync(ct);
            items = await PairQueries.ItemsAsync(db, instanceId, openOnly: true, ct,
                definitions.Get(workflow.DefinitionId, workflow.DefinitionVersion));
        }

        var events = await db.ProgrammeEvents.AsNoTracking().Where(e => e.ProgrammeId == programme.Id).OrderBy(e => e.OccurredAt)
            .Select(e => e.Name).ToListAsync(ct);
        return TypedResults.Ok(new ProgrammeView(programme.Id, programme.Name, workflow, items, events));
    }

    private static async Task<Guid?> ProgrammeInstanceAsync(MentoringDb db, ClaimsPrincipal user, CancellationToken ct)
    {
        var programmeId = user.FindFirstValue(CurrentUser.ProgrammeClaim);
        return await db.Programmes.Where(p => p.Id == programmeId).Select(p => p.ProgrammeInstanceId).SingleOrDefaultAsync(ct);
    }

    private static async Task<Results<Ok<CommandResponse>, ProblemHttpResult>> OperateAsync(HttpContext http, WorkflowHost host, Guid id,
        OperatorRequest body, Func<Actor, WorkflowCommand> command, CancellationToken ct)
    {
        var key = WorkItemActions.Key(http, body);
        if (key is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Idempotency-Key header required");
        var actor = new Actor(http.User.PersonId().ToString(), http.User.Identity?.Name ?? "operator", ActorRole.Facilitator);
        var outcome = await host.ExecuteAsync(id, command(actor), key, ct);
        return outcome.Kind switch
        {
            OutcomeKind.Applied or OutcomeKind.Replayed => TypedResults.Ok(outcome.Response),
            OutcomeKind.NotFound => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such workflow instance"),
            OutcomeKind.KeyReused => TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key reused",
                detail: outcome.Rejection?.Message),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not possible now", detail: outcome.Rejection?.Message),
        };
    }
}
