using Mentoring.Engine.Definitions;
using Mentoring.Engine.Templates;
using Mentoring.Engine.Tests.Support;

namespace Mentoring.Engine.Tests.Definitions;

/// <summary>Texts people read in a definition: a string (English) or a map of language to text.</summary>
public class LocalizedTextTests
{
    private const string File = "workflows/test.v1.json";

    private static string Definition(string title) => $$"""
        {
          "id": "test-pair", "version": 1, "name": "Test pair", "kind": "pair",
          "stages": [{ "id": "stage-1", "number": 1, "name": { "en": "Stage one", "fr": "Première étape" },
            "steps": [{ "type": "task", "id": "write-plan", "title": {{title}}, "assignee": "mentee" }] }]
        }
        """;

    [Fact]
    public void Every_text_of_the_shipped_IncluCities_definitions_is_in_all_seven_languages()
    {
        var catalog = DefinitionCatalog.LoadFolder(Repository.Workflows, TemplateCatalog.LoadFolder(Repository.Templates).Exists);
        var missing = catalog.All.Where(d => d.Id.StartsWith("inclucities", StringComparison.Ordinal))
            .SelectMany(d => d.Texts.Values.SelectMany(t => LocalizedText.Languages.Where(l => !t.ByLanguage.ContainsKey(l))
                .Select(l => $"{d.Id}: '{t.InEnglish}' has no {l}")))
            .ToList();

        Assert.True(catalog.All.Where(d => d.Id.StartsWith("inclucities", StringComparison.Ordinal)).Sum(d => d.Texts.Count) > 90);
        Assert.True(missing.Count == 0, string.Join("\n", missing));
    }

    [Fact]
    public void A_reader_sees_their_language_or_the_English_marked_as_a_fallback()
    {
        var definition = DefinitionParser.Parse(File, Definition("""{ "en": "Write the plan", "lv": "Uzrakstiet plānu" }"""));

        var title = definition.Texts["Write the plan"];
        Assert.Equal(("Uzrakstiet plānu", false), title.In("lv"));
        Assert.Equal(("Write the plan", true), title.In("el"));
        Assert.Equal(("Write the plan", false), title.In("en"));
        Assert.Equal("Write the plan", definition.Stages[0].Steps[0].Title);
        Assert.Equal(("Première étape", false), definition.Texts["Stage one"].In("fr"));
    }

    [Theory]
    [InlineData("""{ "fr": "Écrire le plan" }""", "$.stages[0].steps[0].title", "has no English")]
    [InlineData("""{ "en": "Write the plan", "de": "Den Plan schreiben" }""", "$.stages[0].steps[0].title.de", "unknown language 'de'")]
    [InlineData("""{ "en": "Write the plan", "fr": "" }""", "$.stages[0].steps[0].title.fr", "non-empty string")]
    [InlineData("42", "$.stages[0].steps[0].title", "a string or a map of language to text")]
    public void A_bad_text_is_refused_naming_its_place_and_the_problem(string title, string path, string problem)
    {
        Assert.Null(DefinitionParser.TryParse(File, Definition(title), null, out var errors));

        var error = Assert.Single(errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Adding_translations_leaves_the_English_only_form_of_a_definition_unchanged()
    {
        var before = Definition("\"Write the plan\"");
        var after = Definition("""{ "en": "Write the plan", "it": "Scrivere il piano" }""");
        var changedEnglish = Definition("""{ "en": "Write the final plan", "it": "Scrivere il piano" }""");

        Assert.Equal(LocalizedText.EnglishOnly(before.Replace("{ \"en\": \"Stage one\", \"fr\": \"Première étape\" }", "\"Stage one\"")),
            LocalizedText.EnglishOnly(after));
        Assert.NotEqual(LocalizedText.EnglishOnly(after), LocalizedText.EnglishOnly(changedEnglish));
    }
}
