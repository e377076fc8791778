using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Accounts;
using Mentoring.Server.Pairs;
using Mentoring.Server.Web;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Uploads;

/// <summary>Files attached to tasks: an allow-list of types checked by their content (not their name), a size limit,
/// stored in the database, and served only as downloads.</summary>
public static class UploadedFiles
{
    private static readonly byte[] Pdf = "%PDF-"u8.ToArray();
    private static readonly byte[] Zip = [0x50, 0x4B, 0x03, 0x04];
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF];

    /// <summary>The content type for an allowed file, or null. The extension must match what the bytes are.</summary>
    public static string? Sniff(string fileName, ReadOnlySpan<byte> content)
    {
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        return extension switch
        {
            ".pdf" when content.StartsWith(Pdf) => "application/pdf",
            ".png" when content.StartsWith(Png) => "image/png",
            ".jpg" or ".jpeg" when content.StartsWith(Jpeg) => "image/jpeg",
            ".docx" when content.StartsWith(Zip) && ZipHas(content, "word/") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ".xlsx" when content.StartsWith(Zip) && ZipHas(content, "xl/") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ".odt" when content.StartsWith(Zip) && ZipHas(content, "application/vnd.oasis.opendocument.text") => "application/vnd.oasis.opendocument.text",
            _ => null,
        };
    }

    private static bool ZipHas(ReadOnlySpan<byte> content, string marker) =>
        content.IndexOf(System.Text.Encoding.ASCII.GetBytes(marker)) >= 0;

    /// <summary>Reads and checks an uploaded file without storing it: it is stored only with the task completion it
    /// came with (<see cref="Add"/>, in the resume's transaction), so a refused completion leaves no file behind.</summary>
    public static async Task<(PendingUpload? Upload, string? Error)> ReadAsync(IFormFile file, int maxBytes, Texts text,
        CancellationToken ct)
    {
        if (file.Length > maxBytes)
            return (null, string.Format(text["The file is too large: at most {0} MB."], maxBytes / (1024 * 1024)));
        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, ct);
        var bytes = buffer.ToArray();
        var name = Path.GetFileName(file.FileName);
        if (bytes.Length == 0 || Sniff(name, bytes) is not { } type)
            return (null, text["This kind of file is not accepted: upload a PDF, Word (docx), Excel (xlsx), OpenDocument text (odt), PNG or JPEG file."]);
        return (new PendingUpload(Guid.CreateVersion7(), name.Length > 200 ? name[^200..] : name, type, bytes), null);
    }

    /// <summary>Adds the file to the caller's transaction as belonging to the pair (none for a programme task) and the
    /// work item it was uploaded for; the caller saves.</summary>
    public static void Add(MentoringDb db, PendingUpload upload, Guid personId, Guid? pairId, Guid workItemId, DateTimeOffset now) =>
        db.Set<UploadedFile>().Add(new UploadedFile
        {
            Id = upload.Id, UploadedBy = personId, GroupId = pairId, WorkItemId = workItemId, FileName = upload.FileName,
            ContentType = upload.ContentType, Size = upload.Content.Length, Content = upload.Content, UploadedAt = now,
        });

    /// <summary>Adds a file of no task, such as a good practice's (Practices/ links it and decides who reads it); the caller saves.</summary>
    public static void AddUnattached(MentoringDb db, PendingUpload upload, Guid personId, DateTimeOffset now) =>
        db.Set<UploadedFile>().Add(new UploadedFile
        {
            Id = upload.Id, UploadedBy = personId, FileName = upload.FileName, ContentType = upload.ContentType, Size = upload.Content.Length,
            Content = upload.Content, UploadedAt = now,
        });

    /// <summary>Null when <paramref name="fileId"/> names a file this person uploaded for the same task of the same
    /// workflow (an earlier activation of it, say before it was sent back); else why it cannot be attached. A file
    /// someone else uploaded, or one uploaded for another pair or task, is refused: whoever reads a pair may read its
    /// files, so attaching one would hand it to them.</summary>
    public static async Task<string?> CheckAttachableAsync(MentoringDb db, string fileId, Guid personId, Workflows.WorkItem item,
        CancellationToken ct)
    {
        const string refused = "Not a file you uploaded for this task: attach a file by completing the task with it (multipart/form-data, field 'file').";
        if (!Guid.TryParse(fileId, out var id)) return refused;
        var ownItem = await db.Set<UploadedFile>().AsNoTracking()
            .Where(f => f.Id == id && f.UploadedBy == personId && f.WorkItemId != null)
            .Join(db.WorkItems, f => f.WorkItemId, w => w.Id, (_, w) => new { w.InstanceId, w.StepId })
            .SingleOrDefaultAsync(ct);
        return ownItem is not null && ownItem.InstanceId == item.InstanceId && ownItem.StepId == item.StepId ? null : refused;
    }

    /// <summary>GET /files/{id}: for the facilitator, the uploader, and whoever may read the pair the file was uploaded
    /// for; always as an attachment, never rendered.</summary>
    /// <summary>Marks a file removed, in the caller's transaction with the removal of what it was for: from then on nobody
    /// reads it, and the retention clean-up (the one eraser of uploads) deletes it on its next run.</summary>
    public static Task MarkRemovedAsync(MentoringDb db, Guid fileId, DateTimeOffset now, CancellationToken ct) =>
        db.Set<UploadedFile>().Where(f => f.Id == fileId && f.RemovedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(f => f.RemovedAt, now), ct);

    public static IEndpointRouteBuilder MapFiles(this IEndpointRouteBuilder app)
    {
        app.MapGet("/files/{id:guid}", async (Guid id, IDbContextFactory<MentoringDb> dbs, HttpContext http, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            var file = await db.Set<UploadedFile>().AsNoTracking().SingleOrDefaultAsync(f => f.Id == id && f.RemovedAt == null, ct);
            if (file is null) return Results.NotFound();
            if (!await MayReadAsync(db, http.User, file, ct)) return Results.Forbid();
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
            return Results.File(file.Content, "application/octet-stream", file.FileName);
        }).RequireAuthorization().ExcludeFromDescription();
        return app;
    }

    /// <summary>Decided from the pair recorded on the file when it was stored, never from what a journal line says:
    /// anyone completing a task can write any id into its journal.</summary>
    private static async Task<bool> MayReadAsync(MentoringDb db, System.Security.Claims.ClaimsPrincipal user, UploadedFile file,
        CancellationToken ct)
    {
        if (user.IsAdmin() || user.PersonId() == file.UploadedBy) return true;
        if (await Practices.PracticeLibrary.MayReadFileAsync(db, user, file.Id, ct) is { } practiceFile) return practiceFile;
        if (await Events.EventPlanner.MayReadFileAsync(db, user, file.Id, ct) is { } eventFile) return eventFile;
        if (user.IsFacilitator())
            // Every file of their programme, a group's or the programme workflow's own, and none of another programme.
            return await db.WorkItems.AnyAsync(w => w.Id == file.WorkItemId
                && db.Instances.Any(i => i.Id == w.InstanceId && i.ProgrammeId == user.ProgrammeId()), ct);
        return file.GroupId is { } pairId && await PairPageData.CheckAsync(db, user, pairId, ct) is (PairPageData.Access.Ok, _, _);
    }
}

/// <summary>A checked upload, not stored yet.</summary>
public sealed record PendingUpload(Guid Id, string FileName, string ContentType, byte[] Content);
