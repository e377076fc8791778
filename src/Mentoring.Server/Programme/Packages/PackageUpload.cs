using System.IO.Compression;
using Mentoring.Engine.Definitions;
using Mentoring.Server.Data;
using Mentoring.Server.Workflows;

namespace Mentoring.Server.Programme.Packages;

/// <summary>
/// A programme package uploaded as a zip of its folder (<c>POST /api/programmes</c> with <c>application/zip</c>, and the
/// set-up page): checked for safety, unpacked into a scratch folder of its own, then read and imported exactly as
/// <c>programme import FOLDER</c> does, through <see cref="ProgrammeImporter"/> (one transaction, a no-op when its hash is
/// unchanged). Its workflow definitions are recorded in the database, so every node runs them and a restart keeps them.
/// Errors name the file as it is in the zip (<c>programme.json</c>, <c>cluster.v1.json</c>) and the JSON path.
/// </summary>
public sealed class PackageUpload(ProgrammeImporter importer)
{
    /// <summary>The zip itself; a request over the server's whole body limit (<c>Web:MaxUploadBytes</c>) is a 413 first.</summary>
    public const int MaxZipBytes = 2 * 1024 * 1024;
    /// <summary>Unpacked, all files together: a small zip that unpacks to gigabytes is refused as it unpacks.</summary>
    public const long MaxUnpackedBytes = 16 * 1024 * 1024;
    public const int MaxEntries = 200;
    private static readonly string[] Extensions = [".json", ".md", ".txt"];

    /// <summary>The name errors about the upload itself carry as their file.</summary>
    public const string UploadName = "(uploaded zip)";

    public async Task<ImportOutcome> ImportAsync(MentoringDb db, byte[] zip, ImportOptions options, CancellationToken cancellationToken)
    {
        var scratch = Path.Combine(Path.GetTempPath(), "mentoring-package-" + Guid.NewGuid().ToString("N"));
        try
        {
            var root = Unpack(zip, scratch, out var errors);
            if (root is null) return new ImportOutcome("", false, false, [], errors);
            var outcome = await importer.ImportFolderAsync(db, root, options, cancellationToken);
            return outcome with { Errors = outcome.Errors.Select(e => Shown(e, root)).ToList() };
        }
        finally
        {
            if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>Unpacks <paramref name="zip"/> into <paramref name="into"/> and returns the package's folder (the zip's top,
    /// or its one top-level folder), or null with the reasons. Nothing outside <paramref name="into"/> is ever written.</summary>
    public static string? Unpack(byte[] zip, string into, out List<DefinitionError> errors)
    {
        errors = [];
        if (zip.Length > MaxZipBytes) return Refuse(errors, $"the zip is {zip.Length} bytes; a package may be at most {MaxZipBytes} bytes");
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(new MemoryStream(zip, writable: false), ZipArchiveMode.Read);
        }
        catch (InvalidDataException)
        {
            return Refuse(errors, "this is not a zip archive: send the package folder zipped (Content-Type: application/zip)");
        }

        using (archive)
        {
            if (archive.Entries.Count > MaxEntries)
                return Refuse(errors, $"the zip holds {archive.Entries.Count} entries; a package may hold at most {MaxEntries}");
            var files = new List<(ZipArchiveEntry Entry, string Name)>();
            foreach (var entry in archive.Entries)
            {
                var name = entry.FullName;
                if (name.EndsWith('/')) continue;
                if (UnsafeName(name)) errors.Add(new DefinitionError(UploadName, name, "unsafe path: an entry must be a relative path inside the package (no '..', no leading '/', no '\\' or ':')"));
                else if (!Extensions.Contains(Path.GetExtension(name).ToLowerInvariant()))
                    errors.Add(new DefinitionError(UploadName, name, $"a package holds only {string.Join(", ", Extensions)} files"));
                else files.Add((entry, name));
            }

            if (errors.Count > 0) return null;
            var full = Path.GetFullPath(into) + Path.DirectorySeparatorChar;
            long unpacked = 0;
            var buffer = new byte[81920];
            foreach (var (entry, name) in files)
            {
                var target = Path.GetFullPath(Path.Combine(full, name));
                if (!target.StartsWith(full, StringComparison.Ordinal)) return Refuse(errors, $"unsafe path '{name}'");
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                try
                {
                    using var source = entry.Open();
                    using var file = File.Create(target);
                    int read;
                    while ((read = source.Read(buffer)) > 0)
                    {
                        // Counted as it unpacks: an entry's declared size is the zip's word, not a fact.
                        unpacked += read;
                        if (unpacked > MaxUnpackedBytes)
                            return Refuse(errors, $"the zip unpacks to more than {MaxUnpackedBytes} bytes; a package may unpack to at most that");
                        file.Write(buffer, 0, read);
                    }
                }
                catch (InvalidDataException)
                {
                    return Refuse(errors, $"the entry '{name}' is damaged and cannot be unpacked");
                }
            }

            if (File.Exists(Path.Combine(full, DefinitionCatalog.PackageFileName))) return full;
            var tops = files.Select(f => f.Name.Split('/')[0]).Distinct().ToList();
            if (tops.Count == 1 && files.Any(f => f.Name == $"{tops[0]}/{DefinitionCatalog.PackageFileName}")) return Path.Combine(full, tops[0]);
            return Refuse(errors, "the zip has no programme.json at its top (or in its one top-level folder), so it is not a programme package");
        }
    }

    private static bool UnsafeName(string name) =>
        name.Length == 0 || name.StartsWith('/') || name.Contains('\\') || name.Contains(':') || name.Contains('\0')
        || name.Split('/').Any(segment => segment is "" or "." or "..");

    private static string? Refuse(List<DefinitionError> errors, string message)
    {
        errors.Add(new DefinitionError(UploadName, "", message));
        return null;
    }

    /// <summary>An error as its author sees it: the file by its name in the zip, not the scratch folder's.</summary>
    private static DefinitionError Shown(DefinitionError error, string root)
    {
        var prefixes = new[] { Path.GetRelativePath(Directory.GetCurrentDirectory(), root), Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) }
            .Select(p => p.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar).ToList();
        string Strip(string text) => prefixes.Aggregate(text, (t, p) => t.Replace(p, "", StringComparison.Ordinal));
        return error with { File = Strip(error.File), Message = Strip(error.Message) };
    }
}
