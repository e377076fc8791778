using System.Security.Claims;
using Mentoring.Server.Web;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Mentoring.Server.Comments;

/// <summary>A group's comments under its API path (<c>/api/pairs/{id}</c>, as <see cref="Pairs.PairsApi"/> serves the group).</summary>
public static class CommentsApi
{
    public static IHostApplicationBuilder AddComments(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<GroupComments>();
        return builder;
    }

    public static IEndpointRouteBuilder MapCommentsApi(this IEndpointRouteBuilder app)
    {
        var comments = app.MapGroup("/api/pairs/{pairId:guid}/comments").WithTags("Comments").RequireAuthorization();

        comments.MapGet("/", async Task<Results<Ok<IReadOnlyList<CommentView>>, ProblemHttpResult>> (Guid pairId, ClaimsPrincipal user,
                GroupComments service, CancellationToken ct) =>
            {
                var (list, refusal) = await service.ReadAsync(pairId, user, ct);
                return list is not null ? TypedResults.Ok(list) : Problem(refusal!);
            })
            .WithSummary("The group's comments, oldest first: everyone who may read the group reads them.");

        comments.MapPost("/", async Task<Results<Created<CommentView>, ProblemHttpResult, ValidationProblem>> (Guid pairId,
                CommentRequest body, HttpContext http, GroupComments service, CancellationToken ct) =>
            {
                var result = await service.AddAsync(pairId, body, http.User, http.Request.Headers[Idempotency.Header].ToString(), ct);
                if (!result.Succeeded) return Answer<Created<CommentView>>(result);
                if (result.Replayed) http.Response.MarkReplayed();
                return TypedResults.Created($"/api/pairs/{pairId}/comments/{result.Comment!.Id}", result.Comment);
            })
            .WithSummary("Adds a comment {text}: anyone who may read the group, observer members and associations too.");

        comments.MapPatch("/{commentId:guid}", async Task<Results<Ok<CommentView>, ProblemHttpResult, ValidationProblem>> (Guid pairId,
                Guid commentId, CommentRequest body, ClaimsPrincipal user, GroupComments service, CancellationToken ct) =>
            await service.EditAsync(pairId, commentId, body, user, ct) is var result && result.Succeeded
                ? TypedResults.Ok(result.Comment!)
                : Answer<Ok<CommentView>>(result))
            .WithSummary("Changes the text {text} of your own comment.");

        comments.MapDelete("/{commentId:guid}", async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> (Guid pairId,
                Guid commentId, ClaimsPrincipal user, GroupComments service, CancellationToken ct) =>
            await service.DeleteAsync(pairId, commentId, user, ct) is { Succeeded: false } refused ? Answer<NoContent>(refused) : TypedResults.NoContent())
            .WithSummary("Removes your own comment (the facilitator may remove any).");
        return app;
    }

    private static ProblemHttpResult Problem(CommentResult result) => TypedResults.Problem(statusCode: result.Failure switch
    {
        CommentFailure.KeyMissing => StatusCodes.Status400BadRequest,
        CommentFailure.GroupNotFound or CommentFailure.CommentNotFound => StatusCodes.Status404NotFound,
        CommentFailure.NotYourGroup or CommentFailure.NotYourComment => StatusCodes.Status403Forbidden,
        CommentFailure.KeyReused => StatusCodes.Status422UnprocessableEntity,
        _ => StatusCodes.Status409Conflict,
    }, title: result.Title, detail: result.Detail);

    private static Results<T, ProblemHttpResult, ValidationProblem> Answer<T>(CommentResult result) where T : IResult =>
        result.Failure == CommentFailure.Invalid
            ? TypedResults.ValidationProblem(result.Errors!, title: result.Title)
            : Problem(result);
}
