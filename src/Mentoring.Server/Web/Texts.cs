using System.Globalization;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;
using Microsoft.Extensions.Localization;

namespace Mentoring.Server.Web;

/// <summary>
/// The pages' words, read from <c>Resources/Texts.{language}.resx</c> through ASP.NET Core's
/// <see cref="IStringLocalizer"/> in the request's UI culture. The key is the English text (or a code such as
/// <c>sent-back</c>, whose English is in <c>Texts.resx</c>); a missing key shows the key. TextsTests fails on a key
/// that a language lacks or that no code uses.
/// Texts of the workflow definitions (stage names, step titles and descriptions, stored in English with the work they
/// name) are read from the loaded definitions instead: <see cref="Definition"/>, marked when shown in English.
/// </summary>
public sealed class Texts(IStringLocalizerFactory localizers, IServiceProvider services)
{
    /// <summary>The page languages, the same seven as the emails'.</summary>
    public static readonly IReadOnlyList<string> Languages = ["en", "el", "fr", "nl", "it", "es", "lv"];

    /// <summary>Each language's own name, for the switch.</summary>
    public static readonly IReadOnlyDictionary<string, string> Endonyms = new Dictionary<string, string>
    {
        ["en"] = "English", ["el"] = "Ελληνικά", ["fr"] = "Français", ["nl"] = "Nederlands", ["it"] = "Italiano",
        ["es"] = "Español", ["lv"] = "Latviešu",
    };

    public const string ResourceName = "Texts";

    private readonly IStringLocalizer _localizer = localizers.Create(ResourceName, typeof(Texts).Assembly.GetName().Name!);

    public string this[string key] => _localizer[key].Value;

    /// <summary>A sentence built from data (<see cref="PageText"/>), in the reader's language.</summary>
    public string this[PageText line] => line.Args.Length == 0 ? this[line.Key] : _localizer[line.Key, line.Args].Value;

    /// <summary>A definition's text (known by its English) in the reader's language; <c>Fallback</c> when it is the
    /// English because the definition lacks that language, or the text is not a definition's (a name typed in).</summary>
    public (string Text, bool Fallback) Definition(string english)
    {
        var store = services.GetService<Workflows.DefinitionStore>();
        foreach (var definition in store?.Catalog.All ?? [])
            if (definition.Texts.TryGetValue(english, out var text))
                return text.In(Language);
        return (english, false);
    }

    /// <summary>For attributes: the text alone.</summary>
    public string DefinitionText(string? english) => english is null ? "" : Definition(english).Text;

    /// <summary>For the page: the text, and when it is the English fallback, in a span marked lang="en" with a mark
    /// saying so.</summary>
    public IHtmlContent Def(string? english)
    {
        if (english is null) return HtmlString.Empty;
        var (text, fallback) = Definition(english);
        var encoded = HtmlEncoder.Default.Encode(text);
        return new HtmlString(fallback
            ? $"<span lang=\"en\">{encoded}</span> <span class=\"fallback\">({HtmlEncoder.Default.Encode(this["in English"])})</span>"
            : encoded);
    }

    /// <summary>The request's page language, one of <see cref="Languages"/>.</summary>
    public static string Language => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName is var code && Languages.Contains(code) ? code : "en";
}
