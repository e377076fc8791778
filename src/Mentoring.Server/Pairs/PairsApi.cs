using System.Security.Claims;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Inputs;
using Mentoring.Server.Uploads;
using Mentoring.Server.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Pairs;

// The limits of what people write: Inputs/Input.cs checks them on every request (README, "Input limits").
public sealed record CompleteTaskRequest([property: Text(Limits.Note, MultiLine = true)] string? Note,
    [property: Text(Limits.Link)] string? Link, string? FileId, string? Choice);
public sealed record ProposeVisitRequest(DateOnly? Date, string? HostCity);
public sealed record VisitHeldRequest([property: Text(Limits.Line, MaxItems = Limits.Participants)] IReadOnlyList<string>? Participants);
public sealed record ReportVisitRequest([property: Text(Limits.Note, MultiLine = true)] string? Note, [property: Text(Limits.Link)] string? Link);
public sealed record ApproveRequest([property: Text(Limits.Comment, MultiLine = true)] string? Comment);
public sealed record SendBackRequest([property: Text(Limits.Comment, MultiLine = true)] string? Reason);
public sealed record EmptyRequest;

public static class PairsApi
{
    public static IEndpointRouteBuilder MapPairsApi(this IEndpointRouteBuilder app)
    {
        var pairs = app.MapGroup("/api/pairs").WithTags("Pairs").RequireAuthorization();
        pairs.MapGet("/", ListAsync);
        pairs.MapGet("/{pairId:guid}", GetAsync);
        pairs.MapGet("/{pairId:guid}/history", HistoryAsync);

        pairs.MapPost("/{pairId:guid}/tasks/{itemId:guid}/complete", (HttpContext http, Guid pairId, Guid itemId, CompleteTaskRequest body,
                WorkItemCommands commands, CancellationToken ct) =>
            RunAsync(http, commands, pairId, new CompleteTaskCommand(itemId, body), ct));

        // The same completion with the file it needs, as the pair page sends it: the file is stored with the completion.
        pairs.MapPost("/{pairId:guid}/tasks/{itemId:guid}/complete", async (HttpContext http, Guid pairId, Guid itemId,
                [FromForm, Text(Limits.Note, MultiLine = true)] string? note, [FromForm, Text(Limits.Link)] string? link, [FromForm] string? choice, IFormFile? file,
                WorkItemCommands commands, Web.Texts text, IOptions<Web.WebOptions> options, CancellationToken ct) =>
            {
                var (body, upload, invalid) = await FormAsync(note, link, choice, file, text, options.Value, ct);
                return invalid ?? await RunAsync(http, commands, pairId, new CompleteTaskCommand(itemId, body, upload), ct);
            })
            // Bearer callers have no antiforgery token; cookie callers are held to their Origin (CookieApiOriginCheck).
            .DisableAntiforgery();

        pairs.MapPost("/{pairId:guid}/visits/{itemId:guid}/propose", (HttpContext http, Guid pairId, Guid itemId, ProposeVisitRequest body,
                WorkItemCommands commands, CancellationToken ct) =>
            body.Date is null
                ? Task.FromResult<Results<Ok<Workflows.CommandResponse>, ProblemHttpResult, ValidationProblem>>(
                    TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["date"] = ["Give the date (yyyy-mm-dd)."] }))
                : RunAsync(http, commands, pairId, new ProposeVisitCommand(itemId, body.Date.Value, body.HostCity ?? ""), ct));

        pairs.MapPost("/{pairId:guid}/visits/{itemId:guid}/confirm", (HttpContext http, Guid pairId, Guid itemId,
                WorkItemCommands commands, CancellationToken ct) =>
            RunAsync(http, commands, pairId, new ConfirmVisitCommand(itemId), ct));

        pairs.MapPost("/{pairId:guid}/visits/{itemId:guid}/held", (HttpContext http, Guid pairId, Guid itemId, VisitHeldRequest body,
                WorkItemCommands commands, CancellationToken ct) =>
            RunAsync(http, commands, pairId, new RecordVisitHeldCommand(itemId, body.Participants ?? []), ct));

        pairs.MapPost("/{pairId:guid}/visits/{itemId:guid}/report", (HttpContext http, Guid pairId, Guid itemId, ReportVisitRequest body,
                WorkItemCommands commands, CancellationToken ct) =>
            RunAsync(http, commands, pairId, new ReportVisitCommand(itemId, body.Note, body.Link), ct));

        pairs.MapPost("/{pairId:guid}/approvals/{itemId:guid}/approve", (HttpContext http, Guid pairId, Guid itemId, ApproveRequest body,
                WorkItemCommands commands, CancellationToken ct) =>
            RunAsync(http, commands, pairId, new ApproveCommand(itemId, body.Comment), ct));

        pairs.MapPost("/{pairId:guid}/approvals/{itemId:guid}/send-back", (HttpContext http, Guid pairId, Guid itemId, SendBackRequest body,
                WorkItemCommands commands, CancellationToken ct) =>
            RunAsync(http, commands, pairId, new SendBackCommand(itemId, body.Reason ?? ""), ct));
        return app;
    }

    private static async Task<Ok<List<PairSummary>>> ListAsync(ClaimsPrincipal user, IDbContextFactory<MentoringDb> dbs, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        return TypedResults.Ok(await PairQueries.Summaries(db, user).AsNoTracking().ToListAsync(ct));
    }

    private static async Task<Results<Ok<PairDetail>, ProblemHttpResult>> GetAsync(Guid pairId, ClaimsPrincipal user,
        IDbContextFactory<MentoringDb> dbs, Workflows.DefinitionStore definitions, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (await ReadableAsync(db, user, pairId, ct) is { } problem) return problem;
        var summary = await PairQueries.Summaries(db, user, pairId).AsNoTracking().SingleAsync(ct);
        var pair = await db.Groups.AsNoTracking().SingleAsync(p => p.Id == pairId, ct);
        var instance = await db.Instances.AsNoTracking().Where(i => i.Id == pair.InstanceId)
            .Select(i => new { i.Fault, i.DefinitionId, i.DefinitionVersion }).SingleAsync(ct);
        var definition = definitions.Get(instance.DefinitionId, instance.DefinitionVersion);
        return TypedResults.Ok(new PairDetail(summary, pair.Notes, instance.Fault,
            await PairQueries.ItemsAsync(db, pair.InstanceId, openOnly: true, ct, definition),
            await PairQueries.VisitsAsync(db, pair.InstanceId, ct)));
    }

    private static async Task<Results<Ok<IReadOnlyList<HistoryEntry>>, ProblemHttpResult>> HistoryAsync(Guid pairId, ClaimsPrincipal user,
        IDbContextFactory<MentoringDb> dbs, CancellationToken ct, long after = 0, int take = 200)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (await ReadableAsync(db, user, pairId, ct) is { } problem) return problem;
        var instanceId = await db.Groups.Where(p => p.Id == pairId).Select(p => p.InstanceId).SingleAsync(ct);
        return TypedResults.Ok(await PairQueries.HistoryAsync(db, instanceId, after, Math.Clamp(take, 1, 1000), ct));
    }

    /// <summary>A multipart completion's fields as the JSON body would carry them, and its file read and checked (not
    /// stored yet); or the problem with the file.</summary>
    public static async Task<(CompleteTaskRequest Body, PendingUpload? Upload, ValidationProblem? Invalid)> FormAsync(string? note,
        string? link, string? choice, IFormFile? file, Web.Texts text, Web.WebOptions options, CancellationToken ct)
    {
        var body = new CompleteTaskRequest(Blank(note), Blank(link), null, Blank(choice));
        if (file is not { Length: > 0 }) return (body, null, null);
        var (upload, error) = await UploadedFiles.ReadAsync(file, options.MaxUploadBytes, text, ct);
        return error is null ? (body, upload, null)
            : (body, null, TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["file"] = [error] }, title: "The file is not accepted."));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>Runs a work-item command with the request's Idempotency-Key header and answers as the API does.</summary>
    /// <param name="pairId">Null for the programme's own workflow.</param>
    public static async Task<Results<Ok<Workflows.CommandResponse>, ProblemHttpResult, ValidationProblem>> RunAsync(HttpContext http,
        WorkItemCommands commands, Guid? pairId, WorkItemCommand command, CancellationToken ct) =>
        Answer(http.Response, await commands.RunAsync(pairId, command, http.User, http.Request.Headers[Workflows.Idempotency.Header], ct));

    /// <summary>A command's outcome in problem details (the pages say it in words: <see cref="Web.PageCommands.Message"/>).</summary>
    public static Results<Ok<Workflows.CommandResponse>, ProblemHttpResult, ValidationProblem> Answer(HttpResponse response, CommandResult result)
    {
        if (result.Succeeded)
        {
            if (result.Replayed) response.MarkReplayed();
            return TypedResults.Ok(result.Response!);
        }

        if (result.Failure == CommandFailure.Invalid)
            return TypedResults.ValidationProblem(result.Errors ?? new Dictionary<string, string[]>(), title: result.Title);
        var status = result.Failure switch
        {
            CommandFailure.KeyMissing => StatusCodes.Status400BadRequest,
            CommandFailure.PairNotFound or CommandFailure.ItemNotFound or CommandFailure.WorkflowNotFound
                or CommandFailure.NoProgrammeWorkflow => StatusCodes.Status404NotFound,
            CommandFailure.NotYourPair or CommandFailure.ReadOnly or CommandFailure.FacilitatorOnly
                or CommandFailure.NotYours => StatusCodes.Status403Forbidden,
            CommandFailure.KeyReused => StatusCodes.Status422UnprocessableEntity,
            _ => StatusCodes.Status409Conflict,
        };
        return TypedResults.Problem(statusCode: status, title: result.Title, detail: result.Detail,
            extensions: result.Failure == CommandFailure.AlreadyDone
                ? new Dictionary<string, object?> { ["closedAt"] = result.ClosedAt, ["closedBy"] = result.ClosedBy }
                : null);
    }

    /// <summary>404 for a pair that does not exist, 403 for one the user may not see.</summary>
    private static async Task<ProblemHttpResult?> ReadableAsync(MentoringDb db, ClaimsPrincipal user, Guid pairId, CancellationToken ct)
    {
        var found = await PairQueries.FindAsync(db, pairId, user.ProgrammeId(), ct);
        if (found is not { } f)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such pair", detail: $"There is no pair {pairId}.");
        return user.CanRead(f.Group, f.Members, f.Associations) ? null
            : TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not your pair",
                detail: "You can only see the pairs of your own city or association.");
    }
}
