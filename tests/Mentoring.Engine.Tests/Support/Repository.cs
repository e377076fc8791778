namespace Mentoring.Engine.Tests.Support;

/// <summary>The checked-out repository, found from the test binaries by looking for Mentoring.sln.</summary>
internal static class Repository
{
    public static readonly string Root = FindRoot();

    public static string Workflows => Path.Combine(Root, "workflows");

    public static string Templates => Path.Combine(Root, "templates");

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Mentoring.sln"))) return folder.FullName;
        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds Mentoring.sln.");
    }
}

/// <summary>A scratch folder for the loader tests, removed afterwards.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mentoring-tests-" + Guid.NewGuid().ToString("N"));

    public TempFolder() => Directory.CreateDirectory(Path);

    public string Write(string relativePath, string text)
    {
        var file = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
        return file;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
