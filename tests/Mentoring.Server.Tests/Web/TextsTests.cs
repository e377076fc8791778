using System.Text.RegularExpressions;
using Mentoring.Server.Dashboard;
using Mentoring.Server.Inputs;
using Mentoring.Server.Programme;
using Mentoring.Server.Web;

namespace Mentoring.Server.Tests.Web;

public sealed class TextsTests
{
    /// <summary>Every T["..."] and text["..."] the server's code asks for.</summary>
    private static List<string> KeysInTheCode() =>
        Directory.GetFiles(Resx.Server, "*.cs*", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), "(?<![A-Za-z])(?:T|text)\\[\"([^\"]+)\"\\]").Select(m => m.Groups[1].Value))
            .Where(k => k != "..." && !k.EndsWith('-')).Distinct().ToList();

    /// <summary>Keys the code builds at run time from codes: states, roles, journal entry types, field labels, stage names.</summary>
    private static IEnumerable<string> KeysBuiltFromCodes()
    {
        var literals = string.Join("\n", Directory.GetFiles(Path.Combine(Resx.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Path.Combine(Resx.Root, "workflows"), "*.json", SearchOption.AllDirectories)).Select(File.ReadAllText));
        foreach (var key in Resx.In("en").Keys)
        {
            var code = Regex.Replace(key, "^(journal|needs|mail)-", "");
            if (literals.Contains($"\"{code}\"", StringComparison.Ordinal)) yield return key;
        }

        foreach (var state in Enum.GetNames<StepState>()) yield return state;
        foreach (var role in PersonRoles.All) yield return role;
        foreach (var phase in Enum.GetNames<Mentoring.Engine.Runtime.VisitPhase>()) yield return phase.ToLowerInvariant();
        foreach (var label in InputLabels()) yield return label;
        yield return "mail-failing"; // a pending message that has failed before
    }

    internal static IEnumerable<string> InputLabels() =>
        typeof(Input).Assembly.GetTypes().Where(t => t.Name.EndsWith("Request", StringComparison.Ordinal))
            .SelectMany(t => t.GetProperties()).Where(p => p.PropertyType != typeof(bool) && p.PropertyType != typeof(Guid))
            .Select(p => Input.Label(p.Name))
            .Concat([Input.TooLong, Input.BadCharacters, Input.TooMany, Input.OutOfRange]);

    [Fact]
    public void Every_resource_key_exists_in_every_language()
    {
        var english = Resx.In("en").Keys.ToHashSet();
        var problems = new List<string>();
        foreach (var language in Texts.Languages.Where(l => l != "en"))
        {
            var texts = Resx.In(language);
            problems.AddRange(english.Where(k => !texts.ContainsKey(k) || string.IsNullOrWhiteSpace(texts[k])).Select(k => $"{language} lacks '{k}'"));
            problems.AddRange(texts.Keys.Where(k => !english.Contains(k)).Select(k => $"{language} has '{k}', which Texts.resx (English) lacks"));
            problems.AddRange(texts.Where(t => english.Contains(t.Key) && Placeholders(t.Value) != Placeholders(Resx.In("en")[t.Key]))
                .Select(t => $"{language} '{t.Key}' has placeholders {Placeholders(t.Value)}, English {Placeholders(Resx.In("en")[t.Key])}"));
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Every_text_the_code_asks_for_is_in_the_resources()
    {
        var keys = KeysInTheCode().Concat(InputLabels()).Distinct().ToList();
        Assert.True(keys.Count > 100, $"found only {keys.Count} strings");
        var missing = keys.Where(k => !Resx.In("en").ContainsKey(k)).ToList();
        Assert.True(missing.Count == 0, "Not in Texts.resx: " + string.Join(" | ", missing));
    }

    [Fact]
    public void A_resource_key_that_no_code_uses_is_named()
    {
        var used = KeysInTheCode().Concat(KeysBuiltFromCodes()).ToHashSet();
        var unused = Resx.In("en").Keys.Where(k => !used.Contains(k)).ToList();
        Assert.True(unused.Count == 0, "Texts.resx keys that no code uses: " + string.Join(" | ", unused));
    }

    private static string Placeholders(string text) => string.Join(",", Regex.Matches(text, @"\{\d+\}").Select(m => m.Value).Distinct().Order());
}
