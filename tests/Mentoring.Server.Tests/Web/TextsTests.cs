using System.Text.RegularExpressions;
using Mentoring.Server.Web;

namespace Mentoring.Server.Tests.Web;

public sealed class TextsTests
{
    [Fact]
    public void Every_UI_string_in_the_pages_and_the_code_has_a_Greek_translation()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Mentoring.sln"))) root = root.Parent!;
        var server = Path.Combine(root.FullName, "src", "Mentoring.Server");
        var files = Directory.GetFiles(Path.Combine(server, "Pages"), "*.cs*", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Path.Combine(server, "Web"), "*.cs", SearchOption.AllDirectories));
        var keys = files.SelectMany(f => Regex.Matches(File.ReadAllText(f), "(?<![A-Za-z])(?:T|text)\\[\"([^\"]+)\"\\]").Select(m => m.Groups[1].Value))
            .Where(k => k != "...").Distinct().ToList();

        Assert.True(keys.Count > 100, $"found only {keys.Count} strings");
        var missing = keys.Concat(Texts.English.Keys).Where(k => !Texts.Greek.ContainsKey(k)).ToList();
        Assert.True(missing.Count == 0, "No Greek for: " + string.Join(" | ", missing));
    }
}
