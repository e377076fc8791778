using System.Security.Claims;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Inputs;
using Mentoring.Server.Pairs;
using Mentoring.Server.Programme;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mentoring.Server.Comments;

/// <summary>A comment on a group, by anyone who may read it. Comments change nothing in the group's workflow: an
/// observer city, an association or a coordination team may write one where it may not act.</summary>
public sealed class GroupComment
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required Guid GroupId { get; init; }
    public required Guid AuthorId { get; init; }
    public required string Text { get; set; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? EditedAt { get; set; }
}

internal sealed class GroupCommentConfiguration : IEntityTypeConfiguration<GroupComment>
{
    public void Configure(EntityTypeBuilder<GroupComment> b)
    {
        b.ToTable("group_comments").HasKey(c => c.Id);
        // A group removed from the set-up takes its comments with it (M016: ON DELETE CASCADE).
        b.HasOne<Group>().WithMany().HasForeignKey(c => c.GroupId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Person>().WithMany().HasForeignKey(c => c.AuthorId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

/// <summary>What a comment says, who wrote it and when, as the API and the group page show it.</summary>
public sealed record CommentView(Guid Id, Guid GroupId, Guid AuthorId, string Author, string Text, DateTimeOffset CreatedAt,
    DateTimeOffset? EditedAt);

public sealed record CommentRequest([property: Text(Limits.Note, MultiLine = true)] string? Text);

public enum CommentFailure { GroupNotFound, NotYourGroup, Invalid, CommentNotFound, NotYourComment, KeyMissing, KeyReused, InFlight }

/// <summary>What a comment command came to: the comment (none after a deletion), or why not, in words.</summary>
public sealed record CommentResult(CommentView? Comment, bool Replayed = false, CommentFailure? Failure = null, string? Title = null,
    string? Detail = null, IReadOnlyDictionary<string, string[]>? Errors = null)
{
    public bool Succeeded => Failure is null;

    public static CommentResult Fail(CommentFailure failure, string title, string? detail = null,
        IReadOnlyDictionary<string, string[]>? errors = null) => new(null, Failure: failure, Title: title, Detail: detail, Errors: errors);
}

/// <summary>
/// The one writer of <c>group_comments</c>, for the API and the group page alike. Who may read a group may comment on
/// it (<see cref="CurrentUser.CanRead"/>: its acting and observer members, the associations of its cities, the
/// facilitator, the programme-scope roles, admins); only the author edits a comment, and the author or the facilitator
/// deletes it. Comments are not journaled: the journal is the workflow's record, and a comment is not a workflow act;
/// the row itself keeps who wrote it and when it was written and last edited.
/// </summary>
public sealed class GroupComments(IDbContextFactory<MentoringDb> dbs, TimeProvider clock)
{
    public const string EmptyText = "Write the comment first.";

    /// <summary>A group's comments, oldest first.</summary>
    public static Task<List<CommentView>> ListAsync(MentoringDb db, Guid groupId, CancellationToken ct) =>
        (from comment in db.Set<GroupComment>()
                where comment.GroupId == groupId
                join person in db.People on comment.AuthorId equals person.Id
                orderby comment.CreatedAt, comment.Id
                select new CommentView(comment.Id, comment.GroupId, comment.AuthorId, person.Name, comment.Text, comment.CreatedAt,
                    comment.EditedAt))
            .AsNoTracking().ToListAsync(ct);

    /// <summary>The group's comments when the user may read it, or why not.</summary>
    public async Task<(IReadOnlyList<CommentView>? Comments, CommentResult? Refusal)> ReadAsync(Guid groupId, ClaimsPrincipal user,
        CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (await RefusedAsync(db, groupId, user, ct) is { } refused) return (null, refused);
        return (await ListAsync(db, groupId, ct), null);
    }

    /// <param name="key">The caller's Idempotency-Key as sent (header or form field): a retry adds the comment once.</param>
    public async Task<CommentResult> AddAsync(Guid groupId, CommentRequest request, ClaimsPrincipal user, string? key, CancellationToken ct)
    {
        if (Invalid(request) is { } invalid) return invalid;
        await using (var db = await dbs.CreateDbContextAsync(ct))
            if (await RefusedAsync(db, groupId, user, ct) is { } refused) return refused;
        if (Idempotency.For(key, user.Identity?.Name, $"comment {groupId}", request) is not { } idempotencyKey)
            return CommentResult.Fail(CommentFailure.KeyMissing, "Idempotency-Key header required",
                "Send a unique Idempotency-Key header (for example a new UUID) with every change, and the same one when you retry it.");

        var outcome = await Idempotency.RunAsync<CommentView>(dbs, idempotencyKey, clock, async db =>
        {
            var comment = new GroupComment { GroupId = groupId, AuthorId = user.PersonId(), Text = request.Text!.Trim(), CreatedAt = clock.GetUtcNow() };
            db.Set<GroupComment>().Add(comment);
            var author = await db.People.Where(p => p.Id == comment.AuthorId).Select(p => p.Name).SingleAsync(ct);
            return Idempotent<CommentView>.Done(View(comment, author));
        }, ct);
        return outcome.Kind switch
        {
            IdempotentKind.Done => new CommentResult(outcome.Response),
            IdempotentKind.Replayed => new CommentResult(outcome.Response, Replayed: true),
            IdempotentKind.KeyReused => CommentResult.Fail(CommentFailure.KeyReused, "Idempotency-Key reused",
                "This Idempotency-Key was used for another request; send a new one."),
            _ => CommentResult.Fail(CommentFailure.InFlight, "In progress", Idempotency.InFlightMessage),
        };
    }

    /// <summary>The author changes the text; sending the same text again changes nothing more (idempotent).</summary>
    public Task<CommentResult> EditAsync(Guid groupId, Guid commentId, CommentRequest request, ClaimsPrincipal user, CancellationToken ct) =>
        Invalid(request) is { } invalid ? Task.FromResult(invalid) : OwnAsync(groupId, commentId, user, mayModerate: false, async (db, comment) =>
        {
            var text = request.Text!.Trim();
            if (comment.Text != text)
            {
                comment.Text = text;
                comment.EditedAt = clock.GetUtcNow();
                await db.SaveChangesAsync(ct);
            }

            var author = await db.People.Where(p => p.Id == comment.AuthorId).Select(p => p.Name).SingleAsync(ct);
            return new CommentResult(View(comment, author));
        }, ct);

    /// <summary>The author, or the programme's facilitator (moderation), removes a comment; removing it again is 404.</summary>
    public Task<CommentResult> DeleteAsync(Guid groupId, Guid commentId, ClaimsPrincipal user, CancellationToken ct) =>
        OwnAsync(groupId, commentId, user, mayModerate: true, async (db, comment) =>
        {
            db.Set<GroupComment>().Remove(comment);
            await db.SaveChangesAsync(ct);
            return new CommentResult(null);
        }, ct);

    private async Task<CommentResult> OwnAsync(Guid groupId, Guid commentId, ClaimsPrincipal user, bool mayModerate,
        Func<MentoringDb, GroupComment, Task<CommentResult>> change, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (await RefusedAsync(db, groupId, user, ct) is { } refused) return refused;
        var comment = await db.Set<GroupComment>().SingleOrDefaultAsync(c => c.Id == commentId && c.GroupId == groupId, ct);
        if (comment is null) return CommentResult.Fail(CommentFailure.CommentNotFound, "No such comment", $"This group has no comment {commentId}.");
        if (comment.AuthorId != user.PersonId() && !(mayModerate && user.SeesWholeProgramme()))
            return CommentResult.Fail(CommentFailure.NotYourComment, "Not your comment", "Only its author may change a comment.");
        return await change(db, comment);
    }

    /// <summary>404 for a group that is not there (another programme's included), 403 for one the user may not read.</summary>
    private static async Task<CommentResult?> RefusedAsync(MentoringDb db, Guid groupId, ClaimsPrincipal user, CancellationToken ct) =>
        (await PairPageData.CheckAsync(db, user, groupId, ct)).Access switch
        {
            PairPageData.Access.Ok => null,
            PairPageData.Access.Forbidden => CommentResult.Fail(CommentFailure.NotYourGroup, "Not your group",
                "You can only comment on the groups you may read."),
            _ => CommentResult.Fail(CommentFailure.GroupNotFound, "No such group", $"There is no group {groupId}."),
        };

    /// <summary>The input rules every text follows, and a text that says something.</summary>
    private CommentResult? Invalid(CommentRequest request)
    {
        var errors = Input.Check(request, clock.GetUtcNow());
        if (errors.Count > 0)
            return CommentResult.Fail(CommentFailure.Invalid, "The comment is refused.",
                errors: errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.English).ToArray()));
        return string.IsNullOrWhiteSpace(request.Text)
            ? CommentResult.Fail(CommentFailure.Invalid, "The comment is refused.", errors: new Dictionary<string, string[]> { ["text"] = [EmptyText] })
            : null;
    }

    private static CommentView View(GroupComment comment, string author) =>
        new(comment.Id, comment.GroupId, comment.AuthorId, author, comment.Text, comment.CreatedAt, comment.EditedAt);
}
