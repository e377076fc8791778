using Mentoring.Server.Comments;
using Mentoring.Server.Data;
using Mentoring.Server.Pairs;
using Mentoring.Server.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pages.Pairs;

/// <summary>What the comments section of a group page shows: the group, and a refused comment's message and text.</summary>
public sealed record CommentsSection(Guid GroupId, string? Error = null, string? Draft = null);

/// <summary>The group's comments on a page of their own, and where the group page's comment forms post to: a comment
/// saved goes back to the group page; a refused one is shown here with its text, to be corrected.</summary>
public sealed class CommentsModel(IDbContextFactory<MentoringDb> dbs, GroupComments comments, Texts texts, TimeProvider clock) : PageModel
{
    public CommentsSection Section { get; private set; } = null!;
    public string GroupTitle { get; private set; } = "";

    public Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => ShowAsync(id, null, null, ct);

    public async Task<IActionResult> OnPostAsync(Guid id, string? key, string? text, CancellationToken ct) =>
        await AnswerAsync(id, await comments.AddAsync(id, new CommentRequest(text), User, key, ct), text, ct);

    public async Task<IActionResult> OnPostEditAsync(Guid id, Guid commentId, string? text, CancellationToken ct) =>
        await AnswerAsync(id, await comments.EditAsync(id, commentId, new CommentRequest(text), User, ct), text, ct);

    public async Task<IActionResult> OnPostDeleteAsync(Guid id, Guid commentId, CancellationToken ct) =>
        await AnswerAsync(id, await comments.DeleteAsync(id, commentId, User, ct), null, ct);

    private async Task<IActionResult> AnswerAsync(Guid id, CommentResult result, string? draft, CancellationToken ct)
    {
        if (result.Succeeded)
        {
            TempData["Message"] = texts["Saved."];
            return Redirect($"/pairs/{id}#comments");
        }

        switch (result.Failure)
        {
            case CommentFailure.GroupNotFound or CommentFailure.CommentNotFound: return NotFound();
            case CommentFailure.NotYourGroup or CommentFailure.NotYourComment: return Forbid();
        }

        var error = result.Failure switch
        {
            CommentFailure.Invalid => PageCommands.Invalid(new CommentRequest(draft), clock, texts) ?? texts[GroupComments.EmptyText],
            CommentFailure.KeyMissing or CommentFailure.KeyReused => texts["The form is out of date: reload the page and try again."],
            _ => texts[Workflows.Idempotency.InFlightMessage],
        };
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return await ShowAsync(id, error, draft, ct);
    }

    private async Task<IActionResult> ShowAsync(Guid id, string? error, string? draft, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var (access, group, _) = await PairPageData.CheckAsync(db, User, id, ct);
        if (access == PairPageData.Access.NotFound) return NotFound();
        if (access == PairPageData.Access.Forbidden) return Forbid();
        GroupTitle = group!.Title;
        Section = new CommentsSection(id, error, draft);
        return Page();
    }
}
