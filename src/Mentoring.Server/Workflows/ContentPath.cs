namespace Mentoring.Server.Workflows;

/// <summary>Finds the product's content folders (workflows/, templates/) whether the server runs from the repository
/// root, from its project folder (<c>dotnet run --project</c>), or from a test's output folder.</summary>
public static class ContentPath
{
    public static string Resolve(string path)
    {
        if (Path.IsPathRooted(path)) return path;
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, path);
            if (Directory.Exists(candidate)) return candidate;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, path);
            if (Directory.Exists(candidate)) return candidate;
        }

        return Path.GetFullPath(path);
    }
}
