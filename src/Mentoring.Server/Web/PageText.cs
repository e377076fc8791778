using System.Globalization;

namespace Mentoring.Server.Web;

/// <summary>
/// A sentence built from data (a city's name, a number) that a page shows in the reader's language: its English format
/// is the key of its translations in <c>Resources/Texts*.resx</c>, <see cref="Args"/> fill its placeholders. The API says
/// <see cref="English"/>; a page says <c>text[line]</c> (<see cref="Texts"/>).
/// </summary>
public sealed record PageText(string Key, params object[] Args)
{
    public string English => string.Format(CultureInfo.InvariantCulture, Key, Args);

    public override string ToString() => English;

    /// <summary>Keeps a refusal's lines with the request, for a page that called the API's code in-process (the API's
    /// answer says them in English only).</summary>
    public static void Keep(HttpContext http, IReadOnlyList<PageText> lines) => http.Items[typeof(PageText)] = lines;

    public static IReadOnlyList<PageText>? Kept(HttpContext http) => http.Items[typeof(PageText)] as IReadOnlyList<PageText>;
}
