using System.Globalization;
using System.Net;
using System.Text;
using Mentoring.Server.Web;

namespace Mentoring.Server.Assessments;

/// <summary>
/// The cities against the themes as a server-rendered SVG: one row per city, one column per theme, and in each cell a
/// bar for the city's strength and one for its need (0-100), each with its number written beside it, so the chart does
/// not rely on colour. It carries a title and a description for screen readers; the page gives the same figures as a
/// table.
/// </summary>
public static class AssessmentChart
{
    private const int LabelWidth = 190, ColumnWidth = 180, HeaderHeight = 64, RowHeight = 46, BarWidth = 120, BarHeight = 14;
    private const string StrengthColour = "#1f4e79", NeedColour = "#b34700";

    public static string Svg(AssessmentOverview overview, Texts texts)
    {
        var language = Texts.Language;
        var themes = overview.Themes;
        var cities = overview.Cities;
        var width = LabelWidth + ColumnWidth * themes.Count + 10;
        var height = HeaderHeight + RowHeight * Math.Max(cities.Count, 1) + 36;
        var title = texts["Needs and strengths of the cities by theme"];
        var submitted = cities.Count(c => c.Status == AssessmentStatus.Submitted);
        var desc = string.Format(CultureInfo.CurrentCulture, texts["{0} of {1} cities have submitted their assessment. For each city and theme, the upper bar is its strength and the lower bar its need, from 0 to 100."],
            submitted, cities.Count);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="chart-title chart-desc" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">""");
        svg.Append(CultureInfo.InvariantCulture, $"""<title id="chart-title">{E(title)}</title><desc id="chart-desc">{E(desc)}</desc>""");
        svg.Append(CultureInfo.InvariantCulture, $"""<rect width="{width}" height="{height}" fill="#ffffff"/>""");
        for (var t = 0; t < themes.Count; t++)
        {
            var x = LabelWidth + t * ColumnWidth;
            var lines = Wrap(themes[t].Title.In(language).Text, 26).Take(4).ToList();
            for (var l = 0; l < lines.Count; l++)
                svg.Append(CultureInfo.InvariantCulture, $"""<text x="{x + 4}" y="{14 + l * 14}" font-weight="bold" fill="#1a1a1a">{E(lines[l])}</text>""");
        }

        for (var c = 0; c < cities.Count; c++)
        {
            var y = HeaderHeight + c * RowHeight;
            var city = cities[c];
            if (c % 2 == 0) svg.Append(CultureInfo.InvariantCulture, $"""<rect x="0" y="{y}" width="{width}" height="{RowHeight}" fill="#f2f2f2"/>""");
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="6" y="{y + 20}" font-weight="bold" fill="#1a1a1a">{E(city.CityName)}</text>""");
            if (city.Status != AssessmentStatus.Submitted)
                svg.Append(CultureInfo.InvariantCulture, $"""<text x="6" y="{y + 36}" fill="#404040">{E(texts["not submitted"])}</text>""");
            for (var t = 0; t < themes.Count; t++)
            {
                var profile = city.Profile.FirstOrDefault(p => p.Theme == themes[t].Id);
                var x = LabelWidth + t * ColumnWidth + 4;
                Bar(svg, x, y + 6, profile?.Strength, StrengthColour, texts["strength"]);
                Bar(svg, x, y + 6 + BarHeight + 4, profile?.Need, NeedColour, texts["need"]);
            }
        }

        var keyY = height - 14;
        svg.Append(CultureInfo.InvariantCulture, $"""<rect x="6" y="{keyY - 10}" width="12" height="12" fill="{StrengthColour}"/><text x="22" y="{keyY}" fill="#1a1a1a">{E(texts["strength"])}</text>""");
        svg.Append(CultureInfo.InvariantCulture, $"""<rect x="120" y="{keyY - 10}" width="12" height="12" fill="{NeedColour}"/><text x="136" y="{keyY}" fill="#1a1a1a">{E(texts["need"])}</text>""");
        svg.Append("</svg>");
        return svg.ToString();
    }

    private static void Bar(StringBuilder svg, int x, int y, int? value, string colour, string label)
    {
        svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{x}" y="{y}" width="{BarWidth}" height="{BarHeight}" fill="#ffffff" stroke="#767676"/>""");
        if (value is { } v)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{x}" y="{y}" width="{BarWidth * v / 100}" height="{BarHeight}" fill="{colour}"><title>{E(label)}: {v}</title></rect>""");
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{x + BarWidth + 4}" y="{y + 11}" fill="#1a1a1a">{v}</text>""");
        }
        else svg.Append(CultureInfo.InvariantCulture, $"""<text x="{x + BarWidth + 4}" y="{y + 11}" fill="#404040">–</text>""");
    }

    internal static IEnumerable<string> Wrap(string text, int width)
    {
        var line = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + word.Length + 1 > width)
            {
                yield return line.ToString();
                line.Clear();
            }

            if (line.Length > 0) line.Append(' ');
            line.Append(word);
        }

        if (line.Length > 0) yield return line.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
