using System.Xml.Linq;
using Mentoring.Server.Web;

namespace Mentoring.Server.Tests.Web;

/// <summary>The page texts as written in <c>src/Mentoring.Server/Resources/Texts.*.resx</c>, per language.</summary>
public static class Resx
{
    public static string Root
    {
        get
        {
            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (!File.Exists(Path.Combine(root.FullName, "Mentoring.sln"))) root = root.Parent!;
            return root.FullName;
        }
    }

    public static string Server => Path.Combine(Root, "src", "Mentoring.Server");

    private static readonly Lazy<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> All = new(() =>
        Texts.Languages.ToDictionary(l => l, l => Read(Path.Combine(Server, "Resources", l == "en" ? "Texts.resx" : $"Texts.{l}.resx"))));

    /// <summary>Language -> key -> text.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Texts_ => All.Value;

    public static IReadOnlyDictionary<string, string> In(string language) => All.Value[language];

    private static IReadOnlyDictionary<string, string> Read(string path)
    {
        var entries = XDocument.Load(path).Root!.Elements("data").Select(d => (Key: (string)d.Attribute("name")!, Value: (string)d.Element("value")!)).ToList();
        var twice = entries.GroupBy(e => e.Key, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(twice.Count == 0, $"{Path.GetFileName(path)} has keys twice (resource names ignore case): {string.Join(", ", twice)}");
        return entries.ToDictionary(e => e.Key, e => e.Value);
    }
}
