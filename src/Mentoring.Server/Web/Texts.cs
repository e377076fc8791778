using System.Globalization;
using Microsoft.Extensions.Localization;

namespace Mentoring.Server.Web;

/// <summary>
/// The pages' words, read from <c>Resources/Texts.{language}.resx</c> through ASP.NET Core's
/// <see cref="IStringLocalizer"/> in the request's UI culture. The key is the English text (or a code such as
/// <c>sent-back</c>, whose English is in <c>Texts.resx</c>); a missing key shows the key. TextsTests fails on a key
/// that a language lacks or that no code uses.
/// </summary>
public sealed class Texts(IStringLocalizerFactory localizers)
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

    /// <summary>The request's page language, one of <see cref="Languages"/>.</summary>
    public static string Language => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName is var code && Languages.Contains(code) ? code : "en";
}
