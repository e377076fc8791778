using Mentoring.Server.Benchmarks;
using Mentoring.Server.Workflows;

namespace Mentoring.Server.Tests.Benchmarks;

/// <summary>A package's benchmarks.json: the shipped one reads against the package's themes and practices; a wrong one is
/// refused with every error naming the file and its JSON path.</summary>
public sealed class BenchmarkTemplatesTests
{
    private static readonly HashSet<string> Themes = ["language-learning", "city-for-all"];
    private static readonly HashSet<string> Practices = ["camim"];

    [Fact]
    public void The_IncluCities_templates_give_every_theme_key_factors_in_the_seven_languages()
    {
        var file = Path.Combine(ContentPath.Resolve("workflows"), "inclucities", BenchmarkTemplates.FileName);
        var templates = BenchmarkTemplates.Read(file, File.ReadAllText(file),
            new HashSet<string> { "needs-assessment-gender", "city-for-all", "employment-entrepreneurship", "language-learning" },
            new HashSet<string> { "bapa-bxl", "buddies-with-refugees", "compa", "milma", "anti-rumours-network", "table-for-coexistence", "camim", "via-bapa" },
            out var errors);

        Assert.Empty(errors);
        Assert.Equal(4, templates!.Count);
        string[] languages = ["en", "el", "fr", "nl", "it", "es", "lv"];
        Assert.All(templates, t =>
        {
            Assert.Equal(languages.Order(), t.Title.ByLanguage.Keys.Order());
            Assert.All(t.Factors, f => Assert.Equal(languages.Order(), f.WhyAndHow.ByLanguage.Keys.Order()));
        });
    }

    [Fact]
    public void A_wrong_file_is_refused_naming_each_place()
    {
        const string json = """
            { "benchmarks": [
              { "theme": "language-learning", "title": "A", "keyFactors": [
                { "title": "F", "whyAndHow": "W", "examples": [{ "text": "E", "practice": "nope", "url": "ftp://x" }], "colour": "red" } ] },
              { "theme": "language-learning", "title": "B", "keyFactors": [] },
              { "theme": "housing", "keyFactors": [{ "title": "F" }] }
            ] }
            """;

        Assert.Null(BenchmarkTemplates.Read("workflows/x/benchmarks.json", json, Themes, Practices, out var errors));

        Assert.All(errors, e => Assert.Equal("workflows/x/benchmarks.json", e.File));
        var byPath = errors.ToDictionary(e => e.Path, e => e.Message);
        Assert.Contains("not a practice", byPath["$.benchmarks[0].keyFactors[0].examples[0].practice"]);
        Assert.Contains("http", byPath["$.benchmarks[0].keyFactors[0].examples[0].url"]);
        Assert.Contains("unknown property", byPath["$.benchmarks[0].keyFactors[0].colour"]);
        Assert.Contains("two benchmarks", byPath["$.benchmarks[1].theme"]);
        Assert.Contains("non-empty", byPath["$.benchmarks[1].keyFactors"]);
        Assert.Contains("not a theme", byPath["$.benchmarks[2].theme"]);
        Assert.Equal("missing", byPath["$.benchmarks[2].title"]);
        Assert.Equal("missing", byPath["$.benchmarks[2].keyFactors[0].whyAndHow"]);
    }
}
