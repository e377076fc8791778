using System.Security.Claims;
using Mentoring.Server.Workflows;
using Mentoring.Server.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Mentoring.Server.Benchmarks;

/// <summary>
/// A group's benchmark under its API path (<c>/api/pairs/{id}/benchmark</c>): GET (created from its theme's template on
/// first open), PUT the title and the factors it names with the version read, POST a new factor, the facilitator's POST
/// agree, GET the history. Every change takes an Idempotency-Key. Refusals are problem details: 400 with field errors,
/// 403, 404, 409 (a stale version, nothing to agree), 422 (a key reused).
/// </summary>
public static class BenchmarksApi
{
    public static IHostApplicationBuilder AddMentoringBenchmarks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<BenchmarkCommands>();
        builder.Services.AddSingleton<IWorkItemRequirement, BenchmarkRequirement>();
        return builder;
    }

    public static IEndpointRouteBuilder MapBenchmarksApi(this IEndpointRouteBuilder app)
    {
        var benchmark = app.MapGroup("/api/pairs/{pairId:guid}/benchmark").WithTags("Benchmarks").RequireAuthorization();
        benchmark.MapGet("", async (Guid pairId, ClaimsPrincipal user, BenchmarkCommands commands, CancellationToken ct) =>
                Answer(null, await commands.OpenAsync(user, pairId, ct)))
            .WithSummary("The pair's benchmark: title, status (draft or agreed), version and key factors; made from its theme's template on first open.");
        benchmark.MapPut("", async (Guid pairId, BenchmarkEditRequest body, HttpContext http, BenchmarkCommands commands, CancellationToken ct) =>
                Answer(http, await commands.EditAsync(http.User, pairId, body, http.ApiKey(body), ct)))
            .WithSummary("A member city's coordinator changes {version, title, factors: [{id, title, whyAndHow, guidingQuestions, examples}]}; an agreed benchmark becomes a draft again.");
        benchmark.MapPost("/factors", async (Guid pairId, NewFactorRequest body, HttpContext http, BenchmarkCommands commands, CancellationToken ct) =>
                Answer(http, await commands.AddFactorAsync(http.User, pairId, body, http.ApiKey(body), ct)))
            .WithSummary("A member city's coordinator adds a key factor {version, title, whyAndHow, guidingQuestions, examples}: the mentee's is an additional local factor.");
        benchmark.MapPost("/agree", async (Guid pairId, AgreeRequest body, HttpContext http, BenchmarkCommands commands, CancellationToken ct) =>
                Answer(http, await commands.AgreeAsync(http.User, pairId, body, http.ApiKey(body), ct)))
            .WithSummary("The facilitator agrees the version they read {version}; a gate that requires the benchmark can then be approved.");
        benchmark.MapGet("/history", async (Guid pairId, ClaimsPrincipal user, BenchmarkCommands commands, CancellationToken ct) =>
                Answer(null, await commands.HistoryAsync(user, pairId, ct)))
            .WithSummary("Who changed what in the benchmark, when, old and new, newest first.");
        return app;
    }

    private static Results<Ok<T>, ProblemHttpResult, ValidationProblem> Answer<T>(HttpContext? http, BenchmarkResult<T> result)
    {
        if (result.Outcome == BenchmarkOutcome.Done)
        {
            if (result.Replayed) http?.Response.MarkReplayed();
            return TypedResults.Ok(result.Value!);
        }

        if (result.Outcome == BenchmarkOutcome.Invalid)
            return TypedResults.ValidationProblem(result.Errors ?? new Dictionary<string, string[]>(), result.Detail, title: result.Title);
        if (result.Outcome == BenchmarkOutcome.KeyMissing) return HttpIdempotency.KeyRequired();
        return TypedResults.Problem(statusCode: result.Outcome switch
        {
            BenchmarkOutcome.NotFound => StatusCodes.Status404NotFound,
            BenchmarkOutcome.Forbidden => StatusCodes.Status403Forbidden,
            BenchmarkOutcome.KeyReused => StatusCodes.Status422UnprocessableEntity,
            _ => StatusCodes.Status409Conflict,
        }, title: result.Title, detail: result.Detail);
    }
}
