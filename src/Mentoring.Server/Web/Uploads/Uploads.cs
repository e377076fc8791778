using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Web.Accounts;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Web.Uploads;

/// <summary>Files attached to tasks: an allow-list of types checked by their content (not their name), a size limit,
/// stored in the database, and served only as downloads.</summary>
public static class Uploads
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

    public static async Task<(Guid? Id, string? Error)> SaveAsync(IDbContextFactory<MentoringDb> dbs, IFormFile file, Guid personId,
        int maxBytes, DateTimeOffset now, Texts text, CancellationToken ct)
    {
        if (file.Length > maxBytes)
            return (null, string.Format(text["The file is too large: at most {0} MB."], maxBytes / (1024 * 1024)));
        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, ct);
        var bytes = buffer.ToArray();
        var name = Path.GetFileName(file.FileName);
        if (bytes.Length == 0 || Sniff(name, bytes) is not { } type)
            return (null, text["This kind of file is not accepted: upload a PDF, Word (docx), Excel (xlsx), OpenDocument text (odt), PNG or JPEG file."]);
        await using var db = await dbs.CreateDbContextAsync(ct);
        var stored = new UploadedFile
        {
            UploadedBy = personId, FileName = name.Length > 200 ? name[^200..] : name, ContentType = type, Size = bytes.Length,
            Content = bytes, UploadedAt = now,
        };
        db.Set<UploadedFile>().Add(stored);
        await db.SaveChangesAsync(ct);
        return (stored.Id, null);
    }

    /// <summary>GET /files/{id}: for the facilitator, the uploader, and whoever may read the pair whose history holds the
    /// file; always as an attachment, never rendered.</summary>
    public static IEndpointRouteBuilder MapFiles(this IEndpointRouteBuilder app)
    {
        app.MapGet("/files/{id:guid}", async (Guid id, IDbContextFactory<MentoringDb> dbs, HttpContext http, CancellationToken ct) =>
        {
            await using var db = await dbs.CreateDbContextAsync(ct);
            var file = await db.Set<UploadedFile>().AsNoTracking().SingleOrDefaultAsync(f => f.Id == id, ct);
            if (file is null) return Results.NotFound();
            if (!await MayReadAsync(db, http.User, file, ct)) return Results.Forbid();
            http.Response.Headers.XContentTypeOptions = "nosniff";
            http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
            return Results.File(file.Content, "application/octet-stream", file.FileName);
        }).RequireAuthorization().ExcludeFromDescription();
        return app;
    }

    private static async Task<bool> MayReadAsync(MentoringDb db, System.Security.Claims.ClaimsPrincipal user, UploadedFile file,
        CancellationToken ct)
    {
        if (user.IsFacilitator() || user.IsAdmin() || user.PersonId() == file.UploadedBy) return true;
        var marker = $"\"fileId\":\"{file.Id}\"";
        var instances = await db.Journal.AsNoTracking().Where(j => j.Type == "task-completed" && j.Data.Contains(marker))
            .Select(j => j.InstanceId).Distinct().ToListAsync(ct);
        foreach (var pairId in await db.Pairs.AsNoTracking().Where(p => instances.Contains(p.InstanceId)).Select(p => p.Id).ToListAsync(ct))
            if (await PairPageData.CheckAsync(db, user, pairId, ct) is (PairPageData.Access.Ok, _)) return true;
        return false;
    }
}
