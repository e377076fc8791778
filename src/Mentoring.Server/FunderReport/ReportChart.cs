using System.Globalization;
using System.Net;
using System.Text;

namespace Mentoring.Server.FunderReport;

/// <summary>
/// A horizontal bar chart as server-rendered SVG, as the assessments overview draws its: one bar per row with its
/// number written beside it (the chart does not rely on colour), a title and a description for screen readers, and
/// the page gives the same figures as a table.
/// </summary>
public static class ReportChart
{
    private const int LabelWidth = 260, BarWidth = 300, RowHeight = 26, Top = 8;
    private const string BarColour = "#1f4e79";

    public static string Svg(string id, string title, string description, IReadOnlyList<(string Label, int Value)> rows)
    {
        var width = LabelWidth + BarWidth + 60;
        var height = Top * 2 + RowHeight * Math.Max(rows.Count, 1);
        var max = Math.Max(1, rows.Count == 0 ? 0 : rows.Max(r => r.Value));
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{id}-title {id}-desc" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">""");
        svg.Append(CultureInfo.InvariantCulture, $"""<title id="{id}-title">{E(title)}</title><desc id="{id}-desc">{E(description)}</desc>""");
        svg.Append(CultureInfo.InvariantCulture, $"""<rect width="{width}" height="{height}" fill="#ffffff"/>""");
        for (var i = 0; i < rows.Count; i++)
        {
            var y = Top + i * RowHeight;
            var (label, value) = rows[i];
            var bar = BarWidth * value / max;
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="6" y="{y + 16}" fill="#1a1a1a">{E(label.Length > 40 ? label[..39] + "…" : label)}</text>""");
            svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{LabelWidth}" y="{y + 4}" width="{BarWidth}" height="16" fill="#ffffff" stroke="#767676"/>""");
            if (bar > 0)
                svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{LabelWidth}" y="{y + 4}" width="{bar}" height="16" fill="{BarColour}"><title>{E(label)}: {value}</title></rect>""");
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{LabelWidth + BarWidth + 6}" y="{y + 16}" fill="#1a1a1a">{value}</text>""");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
