using System.Globalization;
using System.Net;
using System.Text;
using Mentoring.Server.Web;

namespace Mentoring.Server.Benchmarks.Scores;

/// <summary>
/// The change per key factor as a server-rendered SVG: one row per factor, a bar for its baseline score and one below it
/// for its review score on the 0-4 scale, each with its number written beside it and the change at the row's end, so
/// the chart relies neither on colour nor on the bars' length. It carries a title and a description for screen
/// readers; the page gives the same figures as a table.
/// </summary>
public static class ScoreChart
{
    private const int LabelWidth = 260, ScaleWidth = 240, ChangeWidth = 110, HeaderHeight = 34, RowHeight = 52, BarHeight = 14;
    private const string BaselineColour = "#6b6b6b", ReviewColour = "#0b57a4";

    public static string Svg(IReadOnlyList<ScoreChange> changes, Texts texts)
    {
        var width = LabelWidth + ScaleWidth + ChangeWidth + 30;
        var height = HeaderHeight + RowHeight * Math.Max(changes.Count, 1) + 30;
        var baseline = texts["benchmark-moment-baseline"];
        var review = texts["benchmark-moment-review"];
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"""<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="scores-chart-title scores-chart-desc" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">""");
        svg.Append(CultureInfo.InvariantCulture, $"""<title id="scores-chart-title">{E(texts["Self-scores on the key factors"])}</title><desc id="scores-chart-desc">{E(texts["For each key factor, the upper bar is the mentee's score at the baseline and the lower bar its score at the review, from 0 to 4; the change is written at the end of the row."])}</desc>""");
        svg.Append(CultureInfo.InvariantCulture, $"""<rect width="{width}" height="{height}" fill="#ffffff"/>""");
        for (var level = 0; level <= ScoreRules.Highest; level++)
        {
            var x = LabelWidth + ScaleWidth * level / ScoreRules.Highest;
            svg.Append(CultureInfo.InvariantCulture, $"""<line x1="{x}" y1="{HeaderHeight - 6}" x2="{x}" y2="{height - 30}" stroke="#c9d1da"/>""");
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{x}" y="{HeaderHeight - 10}" text-anchor="middle" fill="#1a1a1a">{level}</text>""");
        }

        svg.Append(CultureInfo.InvariantCulture, $"""<text x="{LabelWidth + ScaleWidth + 24}" y="{HeaderHeight - 10}" font-weight="bold" fill="#1a1a1a">{E(texts["benchmark-score-change"])}</text>""");
        for (var i = 0; i < changes.Count; i++)
        {
            var factor = changes[i];
            var y = HeaderHeight + i * RowHeight;
            if (i % 2 == 0) svg.Append(CultureInfo.InvariantCulture, $"""<rect x="0" y="{y}" width="{width}" height="{RowHeight}" fill="#f2f2f2" fill-opacity="0.6"/>""");
            var lines = Assessments.AssessmentChart.Wrap(factor.Title, 38).Take(3).ToList();
            for (var l = 0; l < lines.Count; l++)
                svg.Append(CultureInfo.InvariantCulture, $"""<text x="6" y="{y + 16 + l * 14}" fill="#1a1a1a">{E(lines[l])}</text>""");
            Bar(svg, y + 8, factor.Baseline, BaselineColour, baseline, texts);
            Bar(svg, y + 8 + BarHeight + 6, factor.Review, ReviewColour, review, texts);
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{LabelWidth + ScaleWidth + 24}" y="{y + 30}" font-weight="bold" fill="#1a1a1a">{E(ChangeText(factor.Change, texts))}</text>""");
        }

        var keyY = height - 10;
        svg.Append(CultureInfo.InvariantCulture, $"""<rect x="6" y="{keyY - 10}" width="12" height="12" fill="{BaselineColour}"/><text x="22" y="{keyY}" fill="#1a1a1a">{E(baseline)}</text>""");
        svg.Append(CultureInfo.InvariantCulture, $"""<rect x="140" y="{keyY - 10}" width="12" height="12" fill="{ReviewColour}"/><text x="156" y="{keyY}" fill="#1a1a1a">{E(review)}</text>""");
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>"+2", "−1", "0", or "–" while either score is missing: the same words the table beside the chart uses.</summary>
    public static string ChangeText(int? change, Texts texts) => change switch
    {
        null => "–",
        > 0 => "+" + change.Value.ToString(CultureInfo.CurrentCulture),
        < 0 => "−" + (-change.Value).ToString(CultureInfo.CurrentCulture),
        _ => texts["benchmark-no-change"],
    };

    private static void Bar(StringBuilder svg, int y, int? value, string colour, string label, Texts texts)
    {
        if (value is { } v)
        {
            var length = Math.Max(ScaleWidth * v / ScoreRules.Highest, 2);
            svg.Append(CultureInfo.InvariantCulture, $"""<rect x="{LabelWidth}" y="{y}" width="{length}" height="{BarHeight}" fill="{colour}"><title>{E(label)}: {v}</title></rect>""");
            svg.Append(CultureInfo.InvariantCulture, $"""<text x="{LabelWidth + length + 4}" y="{y + 11}" fill="#1a1a1a">{v}</text>""");
        }
        else svg.Append(CultureInfo.InvariantCulture, $"""<text x="{LabelWidth + 4}" y="{y + 11}" fill="#404040">{E(label)}: {E(texts["benchmark-not-scored"])}</text>""");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}

/// <summary>The pair page's section of the self-scores (Pages/Pairs/_BenchmarkScores): the page has checked that the
/// reader may read the group.</summary>
public sealed record ScoresSection(Guid GroupId);
