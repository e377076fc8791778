using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Mentoring.Server.Web;

namespace Mentoring.Server.FunderReport;

/// <summary>
/// The funder's report as a Word document in the reader's language: real heading styles, each table with a header row
/// that repeats and a caption, the document's title and language set. Its figures are the same lines as the page's and
/// the CSV's (<see cref="ReportLines"/>).
/// </summary>
public static class ReportDocx
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

    public static byte[] Build(ProgressReport report, Texts text, Func<string, string> cityName)
    {
        var culture = CultureInfo.CurrentUICulture.Name is { Length: > 0 } name ? name : "en";
        var title = string.Format(CultureInfo.CurrentCulture, text["Progress report of {0}"], report.ProgrammeName);
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            document.PackageProperties.Title = title;
            document.PackageProperties.Language = culture;
            var main = document.AddMainDocumentPart();
            main.AddNewPart<StyleDefinitionsPart>().Styles = ReportStyles(culture);
            var body = new Body(Para("Title", title),
                Para(null, string.Format(CultureInfo.CurrentCulture, text["Figures as of {0}."], Fmt.Date(report.MadeAt))));
            body.Append(Para("Heading1", text["report-programme"]));
            body.Append(Figures(ReportLines.Programme(report, text, cityName), text["report-programme"], text));
            if (report.Events.Count > 0)
            {
                body.Append(Para("Heading1", text["Programme events"]));
                body.Append(Table(text["Programme events"], [text["report-event"], text["report-dates"], text["report-held"], text["report-attendance"]],
                    report.Events.Select(e => (IReadOnlyList<string>)[e.Title, $"{e.Start:yyyy-MM-dd} – {e.End:yyyy-MM-dd}", e.Held ? text["report-yes"] : text["report-no"],
                        e.Attendees.ToString(CultureInfo.CurrentCulture)])));
            }

            foreach (var group in report.Groups)
            {
                body.Append(Para("Heading1", $"{group.Label}: {group.Members}"));
                body.Append(Figures(ReportLines.Group(report, group, text), group.Label, text));
            }

            body.Append(new SectionProperties(new PageSize { Width = 11906U, Height = 16838U },
                new PageMargin { Top = 1134, Bottom = 1134, Left = 1134U, Right = 1134U, Header = 709U, Footer = 709U, Gutter = 0U }));
            main.Document = new Document(body);
        }

        return stream.ToArray();
    }

    private static Table Figures(IEnumerable<ReportLine> lines, string caption, Texts text) =>
        Table(caption, [text["report-measure"], text["report-value"]], lines.Select(l => (IReadOnlyList<string>)[l.Label, l.Value.ToString(CultureInfo.CurrentCulture)]));

    private static Table Table(string caption, IReadOnlyList<string> headings, IEnumerable<IReadOnlyList<string>> rows)
    {
        var table = new Table(new TableProperties(new TableWidth { Width = "5000", Type = TableWidthUnitValues.Pct },
            new TableBorders(new TopBorder { Val = BorderValues.Single, Size = 4 }, new BottomBorder { Val = BorderValues.Single, Size = 4 },
                new InsideHorizontalBorder { Val = BorderValues.Single, Size = 4 }),
            new TableCaption { Val = caption }));
        table.Append(new TableRow(new[] { (OpenXmlElement)new TableRowProperties(new TableHeader()) }
            .Concat(headings.Select(h => new TableCell(new Paragraph(new Run(new RunProperties(new Bold()), Words(h))))))));
        foreach (var row in rows) table.Append(new TableRow(row.Select(cell => new TableCell(Para(null, cell)))));
        return table;
    }

    private static Paragraph Para(string? style, string text)
    {
        var paragraph = new Paragraph();
        if (style is not null) paragraph.Append(new ParagraphProperties(new ParagraphStyleId { Val = style }));
        paragraph.Append(new Run(Words(text)));
        return paragraph;
    }

    private static Text Words(string text) =>
        new(new string(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray())) { Space = SpaceProcessingModeValues.Preserve };

    private static Styles ReportStyles(string culture)
    {
        var styles = new Styles(new DocDefaults(
            new RunPropertiesDefault(new RunPropertiesBaseStyle(new RunFonts { Ascii = "Calibri", HighAnsi = "Calibri" },
                new FontSize { Val = "22" }, new Languages { Val = culture })),
            new ParagraphPropertiesDefault(new ParagraphPropertiesBaseStyle(new SpacingBetweenLines { After = "120" }))));
        styles.Append(new Style(new StyleName { Val = "Normal" }, new PrimaryStyle()) { Type = StyleValues.Paragraph, StyleId = "Normal", Default = true });
        foreach (var (id, styleName, size, level) in new[] { ("Title", "Title", "44", (int?)null), ("Heading1", "heading 1", "30", 0) })
        {
            var paragraph = new StyleParagraphProperties(new KeepNext());
            if (level is { } outline) paragraph.Append(new OutlineLevel { Val = outline });
            styles.Append(new Style(new StyleName { Val = styleName }, new BasedOn { Val = "Normal" }, new PrimaryStyle(), paragraph,
                new StyleRunProperties(new Bold(), new FontSize { Val = size })) { Type = StyleValues.Paragraph, StyleId = id });
        }

        return styles;
    }
}
