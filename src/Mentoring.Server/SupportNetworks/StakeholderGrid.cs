using System.Globalization;
using System.Net;
using System.Text;
using Mentoring.Server.Web;

namespace Mentoring.Server.SupportNetworks;

/// <summary>
/// The URBACT stakeholder grid of one city's network as a server-rendered SVG: influence across (1-5), importance up
/// (1-5), each organisation a numbered mark in its cell (the number is its row in the table beside the chart, which gives
/// the same figures as text), the four quadrants named. Title and description for screen readers; nothing relies on
/// colour alone.
/// </summary>
public static class StakeholderGrid
{
    private const int Cell = 72, Left = 70, Top = 40, Marks = 4, Mark = 13;
    private const int Size = Cell * SupportNetwork.GridMax;

    public static string Svg(NetworkView network, Texts texts)
    {
        var width = Left + Size + 20;
        var height = Top + Size + 56;
        var title = string.Format(CultureInfo.CurrentCulture, texts["Stakeholder grid of the support network of {0}"], network.CityName);
        var desc = string.Format(CultureInfo.CurrentCulture,
            texts["{0} organisations placed by influence (across, 1 to 5) and importance (up, 1 to 5); each number is the organisation's row in the table."],
            network.Organisations.Count);
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="grid-title grid-desc" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">""");
        svg.Append(CultureInfo.InvariantCulture, $"""<title id="grid-title">{E(title)}</title><desc id="grid-desc">{E(desc)}</desc>""");
        svg.Append(CultureInfo.InvariantCulture, $"""<rect width="{width}" height="{height}" fill="#ffffff"/>""");
        // The quadrants, as URBACT's grid names them: whom to involve closely, keep satisfied, keep informed, monitor.
        var half = Size / 2;
        Quadrant(svg, Left + half, Top, half, "#e8f0f8", texts["Key players: involve closely"]);
        Quadrant(svg, Left, Top, half, "#f4f4f4", texts["Keep informed and involved"]);
        Quadrant(svg, Left + half, Top + half, half, "#f4f4f4", texts["Keep satisfied"]);
        Quadrant(svg, Left, Top + half, half, "#ffffff", texts["Monitor"]);
        for (var i = 0; i <= SupportNetwork.GridMax; i++)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{Left + i * Cell}" y1="{Top}" x2="{Left + i * Cell}" y2="{Top + Size}" stroke="#b0b0b0"/>""");
            svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{Left}" y1="{Top + i * Cell}" x2="{Left + Size}" y2="{Top + i * Cell}" stroke="#b0b0b0"/>""");
        }

        for (var v = SupportNetwork.GridMin; v <= SupportNetwork.GridMax; v++)
        {
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{Left + (v - 1) * Cell + Cell / 2}" y="{Top + Size + 16}" text-anchor="middle" fill="#1a1a1a">{v}</text>""");
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{Left - 8}" y="{Top + Size - (v - 1) * Cell - Cell / 2 + 4}" text-anchor="end" fill="#1a1a1a">{v}</text>""");
        }

        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{Left + Size / 2}" y="{Top + Size + 36}" text-anchor="middle" font-weight="bold" fill="#1a1a1a">{E(texts["Influence"])}</text>""");
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="14" y="{Top + Size / 2}" text-anchor="middle" font-weight="bold" fill="#1a1a1a" transform="rotate(-90 14 {Top + Size / 2})">{E(texts["Importance"])}</text>""");
        var placed = new Dictionary<(int, int), int>();
        for (var n = 0; n < network.Organisations.Count; n++)
        {
            var o = network.Organisations[n];
            var cell = (o.Influence, o.Importance);
            var k = placed.GetValueOrDefault(cell);
            placed[cell] = k + 1;
            // Up to four marks side by side in a cell, then a second row; a crowded cell still shows every number.
            var x = Left + (o.Influence - 1) * Cell + 16 + (k % 2) * 30 + (k / Marks) * 4;
            var y = Top + Size - o.Importance * Cell + 18 + (k / 2 % 2) * 30 + (k / Marks) * 4;
            svg.Append(CultureInfo.InvariantCulture, $"""<g><title>{E($"{n + 1}. {o.Name}")}</title><circle cx="{x}" cy="{y}" r="{Mark}" fill="#1f4e79" stroke="#ffffff"/>""");
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{x}" y="{y + 4}" text-anchor="middle" fill="#ffffff" font-weight="bold">{n + 1}</text></g>""");
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    private static void Quadrant(StringBuilder svg, int x, int y, int size, string fill, string label)
    {
        svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{x}" y="{y}" width="{size}" height="{size}" fill="{fill}"/>""");
        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{x + 4}" y="{y + size - 6}" fill="#404040" font-size="11">{E(label)}</text>""");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
