using System.Security.Claims;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Inputs;
using Mentoring.Server.Pairs;
using Mentoring.Server.Programme;
using Mentoring.Server.Web;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Instances;

public sealed record InstanceSummary(Guid Id, string DefinitionId, int DefinitionVersion, Guid? GroupId, string Status, int StageNumber,
    string StageName, string? Fault, DateTimeOffset UpdatedAt);

public sealed record OperatorRequest([property: Inputs.Text(Inputs.Limits.Comment, MultiLine = true)] string? Reason);

public sealed record ProgrammeView(string Id, string Name, InstanceSummary? Workflow, IReadOnlyList<WorkItemView> OpenItems,
    IReadOnlyList<string> EventsRaised);

/// <summary>The operator's controls (facilitator and admin): list instances by status, and suspend, resume, cancel,
/// or retry a faulted one; and the programme-wide workflow, which the facilitator and the programme-scope roles run.</summary>
public static class InstancesApi
{
    public static IEndpointRouteBuilder MapInstancesApi(this IEndpointRouteBuilder app)
    {
        var instances = app.MapGroup("/api/instances").WithTags("Operations")
            .RequireAuthorization(policy => policy.RequireRole(PersonRoles.Facilitator, PersonRoles.Admin));
        instances.MapGet("/", ListAsync);
        void Operation(string name, InstanceOperation operation) =>
            instances.MapPost($"/{{id:guid}}/{name}", (Guid id, OperatorRequest body, HttpContext http, WorkflowHost host,
                    IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
                OperateAsync(http, host, dbs, id, body, operation, ct));
        Operation("suspend", InstanceOperation.Suspend);
        Operation("resume", InstanceOperation.Resume);
        Operation("cancel", InstanceOperation.Cancel);
        Operation("retry", InstanceOperation.Retry);

        var programme = app.MapGroup("/api/programme").WithTags("Programme").RequireAuthorization();
        programme.MapGet("/", GetProgrammeAsync);
        programme.MapPost("/tasks/{itemId:guid}/complete", (HttpContext http, Guid itemId, CompleteTaskRequest body,
                WorkItemCommands commands, CancellationToken ct) =>
            PairsApi.RunAsync(http, commands, null, new CompleteTaskCommand(itemId, body), ct));
        programme.MapPost("/tasks/{itemId:guid}/complete", async (HttpContext http, Guid itemId, [FromForm, Text(Limits.Note, MultiLine = true)] string? note,
                [FromForm, Text(Limits.Link)] string? link, [FromForm] string? choice, IFormFile? file,
                WorkItemCommands commands, Web.Texts text, IOptions<Web.WebOptions> options, CancellationToken ct) =>
            {
                var (body, upload, invalid) = await PairsApi.FormAsync(note, link, choice, file, text, options.Value, ct);
                return invalid ?? await PairsApi.RunAsync(http, commands, null, new CompleteTaskCommand(itemId, body, upload), ct);
            })
            // Bearer callers have no antiforgery token; cookie callers are held to their Origin (CookieApiOriginCheck).
            .DisableAntiforgery();
        return app;
    }

    private static async Task<Ok<List<InstanceSummary>>> ListAsync(ClaimsPrincipal user, IDbContextFactory<MentoringDb> dbs,
        CancellationToken ct, string? status = null, int take = 100)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var programmeId = user.ProgrammeId();
        var query = db.Instances.AsNoTracking().Where(i => i.ProgrammeId == programmeId);
        if (!string.IsNullOrWhiteSpace(status)) query = query.Where(i => i.Status == status);
        return TypedResults.Ok(await query.OrderByDescending(i => i.UpdatedAt).Take(Math.Clamp(take, 1, 1000))
            .Select(i => new InstanceSummary(i.Id, i.DefinitionId, i.DefinitionVersion, i.GroupId, i.Status, i.StageNumber, i.StageName,
                i.Fault, i.UpdatedAt))
            .ToListAsync(ct));
    }

    private static async Task<Results<Ok<ProgrammeView>, ProblemHttpResult>> GetProgrammeAsync(ClaimsPrincipal user,
        IDbContextFactory<MentoringDb> dbs, DefinitionStore definitions, CancellationToken ct)
    {
        // The programme's own tasks and events are its facilitator's work and its programme-scope roles' (operators may
        // look too); coordinators and observers follow their groups instead.
        await using var db = await dbs.CreateDbContextAsync(ct);
        var programme = await db.Programmes.AsNoTracking().SingleOrDefaultAsync(p => p.Id == user.ProgrammeId(), ct);
        if (programme is null) return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No programme");
        var (instance, definition) = await definitions.ProgrammeWorkflowAsync(db, programme.Id, ct);
        if (!user.SeesProgrammeWork(programme.Id, definition))
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not for your role",
                detail: "The programme's own workflow is its facilitator's and that of the roles it gives work to.");
        InstanceSummary? workflow = null;
        IReadOnlyList<WorkItemView> items = [];
        if (instance is not null)
        {
            workflow = new InstanceSummary(instance.Id, instance.DefinitionId, instance.DefinitionVersion, instance.GroupId, instance.Status,
                instance.StageNumber, instance.StageName, instance.Fault, instance.UpdatedAt);
            items = await PairQueries.ItemsAsync(db, instance.Id, openOnly: true, ct, definition);
        }

        var events = await db.ProgrammeEvents.AsNoTracking().Where(e => e.ProgrammeId == programme.Id).OrderBy(e => e.OccurredAt)
            .Select(e => e.Name).ToListAsync(ct);
        return TypedResults.Ok(new ProgrammeView(programme.Id, programme.Name, workflow, items, events));
    }

    /// <summary>The operation through <see cref="InstanceOperations"/>, the one path the pages' incident forms take too.</summary>
    private static async Task<Results<Ok<CommandResponse>, ProblemHttpResult>> OperateAsync(HttpContext http, WorkflowHost host,
        IDbContextFactory<MentoringDb> dbs, Guid id, OperatorRequest body, InstanceOperation operation, CancellationToken ct)
    {
        var result = await InstanceOperations.RunAsync(host, dbs, id, operation, body.Reason, http.User,
            http.Request.Headers[Idempotency.Header].ToString(), ct);
        if (result.Replayed) http.Response.MarkReplayed();
        return result.Failure switch
        {
            null => TypedResults.Ok(result.Response!),
            OperationFailure.KeyMissing => HttpIdempotency.KeyRequired(),
            OperationFailure.Forbidden => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not for your role",
                detail: "Only the facilitator and admins operate workflow instances."),
            OperationFailure.NotFound => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such workflow instance"),
            OperationFailure.KeyReused => TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key reused",
                detail: result.Detail),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not possible now", detail: result.Detail),
        };
    }
}
