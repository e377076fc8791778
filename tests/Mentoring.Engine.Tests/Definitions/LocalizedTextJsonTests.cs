using System.Text.Json;
using Mentoring.Engine.Definitions;

namespace Mentoring.Engine.Tests.Definitions;

/// <summary>A localized text in JSON is the language map a definition writes; copies stored in the older
/// <c>{"byLanguage": ...}</c> shape still read.</summary>
public class LocalizedTextJsonTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public void A_localized_text_is_written_as_its_language_map()
    {
        var text = new LocalizedText(new Dictionary<string, string> { ["en"] = "Language courses", ["fr"] = "Cours de langue" });

        Assert.Equal("""{"en":"Language courses","fr":"Cours de langue"}""", JsonSerializer.Serialize(text, Web));
    }

    [Theory]
    [InlineData("""{"en":"Language courses","fr":"Cours de langue"}""")]
    [InlineData("""{"byLanguage":{"en":"Language courses","fr":"Cours de langue"}}""")]
    [InlineData("""{"ByLanguage":{"en":"Language courses","fr":"Cours de langue"}}""")]
    public void A_localized_text_reads_from_its_map_and_from_the_older_stored_shape(string json)
    {
        var text = JsonSerializer.Deserialize<LocalizedText>(json, Web)!;

        Assert.Equal("Cours de langue", text.In("fr").Text);
        Assert.Equal("Language courses", text.InEnglish);
    }
}
