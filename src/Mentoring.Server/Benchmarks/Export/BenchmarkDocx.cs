using System.Globalization;
using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Mentoring.Server.Benchmarks.Scores;
using Mentoring.Server.Web;

namespace Mentoring.Server.Benchmarks.Export;

/// <summary>
/// The benchmark as a Word document (Open XML SDK), in the reader's language: its headings are real heading styles (so
/// Word's navigation pane and a screen reader find them), the guiding questions and examples real lists, the scores a
/// table with a header row, and the document's language and title are set, as an accessible document needs.
/// </summary>
public static class BenchmarkDocx
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    private const int BulletList = 1;

    /// <summary>"benchmark-pair-4.docx": a name any file system takes, whatever the benchmark's title.</summary>
    public static string FileName(BenchmarkExport export) =>
        $"benchmark-{new string(export.Pair.TakeWhile(c => c != ':').Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-').ToArray()).Trim('-')}.docx";

    public static byte[] Build(BenchmarkExport export, Texts texts)
    {
        var culture = CultureInfo.CurrentUICulture.Name is { Length: > 0 } name ? name : "en";
        var benchmark = export.Benchmark;
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            document.PackageProperties.Title = benchmark.Title;
            document.PackageProperties.Subject = export.Pair;
            document.PackageProperties.Language = culture;
            var main = document.AddMainDocumentPart();
            main.AddNewPart<StyleDefinitionsPart>().Styles = Styles(culture);
            main.AddNewPart<NumberingDefinitionsPart>().Numbering = Bullets();
            var body = new Body();
            body.Append(Para("Title", benchmark.Title));
            body.Append(Para(null, export.Pair));
            if (export.Theme.Length > 0) body.Append(Para(null, export.Theme));
            body.Append(Para(null, Status(benchmark, texts)));

            body.Append(Para("Heading1", texts["Key factors"]));
            foreach (var factor in export.KeyFactors) Factor(body, main, factor, export, texts);
            if (export.LocalFactors.Any())
            {
                body.Append(Para("Heading1", texts["benchmark-local-factors"]));
                foreach (var factor in export.LocalFactors) Factor(body, main, factor, export, texts);
            }

            body.Append(Para("Heading1", texts["Self-scores on the key factors"]));
            body.Append(Para(null, texts["The mentee scores itself on each key factor from 0 (not in place) to 4 (fully in place): at the start (the baseline) and at the review of the action plans (the third study visit)."]));
            body.Append(ScoreTable(export.Changes, texts));
            body.Append(new SectionProperties(new PageSize { Width = 11906U, Height = 16838U },
                new PageMargin { Top = 1134, Bottom = 1134, Left = 1134U, Right = 1134U, Header = 709U, Footer = 709U, Gutter = 0U }));
            main.Document = new Document(body);
        }

        return stream.ToArray();
    }

    /// <summary>"Agreed on 3 May 2021 by Migration Work" or "Draft: not yet agreed", in the reader's language.</summary>
    public static string Status(BenchmarkView benchmark, Texts texts) =>
        benchmark is { Status: BenchmarkStatus.Agreed, AgreedAt: { } at }
            ? string.Format(CultureInfo.CurrentCulture, texts["Agreed on {0} by {1}."], Fmt.Date(at), benchmark.AgreedBy ?? "")
            : texts["Draft: the facilitator has not agreed this benchmark yet."];

    private static void Factor(Body body, MainDocumentPart main, KeyFactorView factor, BenchmarkExport export, Texts texts)
    {
        body.Append(Para("Heading2", factor.Title));
        if (factor.WhyAndHow.Length > 0)
        {
            body.Append(Para("Heading3", texts["benchmark-why-and-how"]));
            foreach (var line in factor.WhyAndHow.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0))
                body.Append(Para(null, line));
        }

        if (factor.GuidingQuestions.Count > 0)
        {
            body.Append(Para("Heading3", texts["benchmark-guiding-questions"]));
            foreach (var question in factor.GuidingQuestions) body.Append(Bullet(new Run(Words(question))));
        }

        if (factor.Examples.Count > 0)
        {
            body.Append(Para("Heading3", texts["benchmark-examples"]));
            foreach (var example in factor.Examples)
            {
                var item = Bullet(new Run(Words(example.Text)));
                if (example.PracticeId is { } practice) item.Append(new Run(Words(" – ")), Link(main, export.PracticeLink(practice), texts["benchmark-practice-link"]));
                if (Uri.TryCreate(example.Url, UriKind.Absolute, out var url) && url.Scheme is "http" or "https")
                    item.Append(new Run(Words(" – ")), Link(main, url.AbsoluteUri, url.AbsoluteUri));
                body.Append(item);
            }
        }
    }

    private static Table ScoreTable(IReadOnlyList<ScoreChange> changes, Texts texts)
    {
        var table = new Table(new TableProperties(
            new TableStyle { Val = "ScoreTable" }, new TableWidth { Width = "5000", Type = TableWidthUnitValues.Pct },
            new TableBorders(new TopBorder { Val = BorderValues.Single, Size = 4 }, new BottomBorder { Val = BorderValues.Single, Size = 4 },
                new InsideHorizontalBorder { Val = BorderValues.Single, Size = 4 }),
            new TableCaption { Val = texts["Self-scores on the key factors"] }));
        var header = new TableRow(new TableRowProperties(new TableHeader()));
        foreach (var heading in new[] { texts["benchmark-key-factor"], texts["benchmark-moment-baseline"], texts["benchmark-moment-review"], texts["benchmark-score-change"] })
            header.Append(Cell(new Paragraph(new Run(new RunProperties(new Bold()), Words(heading)))));
        table.Append(header);
        foreach (var change in changes)
        {
            var title = change.Local ? $"{change.Title} ({texts["benchmark-local"]})" : change.Title;
            table.Append(new TableRow(Cell(Para(null, title)), ScoreCell(change.Baseline, change.BaselineComment, texts),
                ScoreCell(change.Review, change.ReviewComment, texts), Cell(Para(null, ScoreChart.ChangeText(change.Change, texts)))));
        }

        return table;
    }

    private static TableCell ScoreCell(int? score, string? comment, Texts texts)
    {
        var cell = Cell(Para(null, score is { } s ? s.ToString(CultureInfo.CurrentCulture) : texts["benchmark-not-scored"]));
        if (comment is not null)
            foreach (var line in comment.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0))
                cell.Append(Para(null, line));
        return cell;
    }

    private static TableCell Cell(Paragraph paragraph) => new(paragraph);

    internal static Paragraph Para(string? style, string text)
    {
        var paragraph = new Paragraph();
        if (style is not null) paragraph.Append(new ParagraphProperties(new ParagraphStyleId { Val = style }));
        paragraph.Append(new Run(Words(text)));
        return paragraph;
    }

    internal static Paragraph Bullet(Run run) => new(new ParagraphProperties(new ParagraphStyleId { Val = "ListParagraph" },
        new NumberingProperties(new NumberingLevelReference { Val = 0 }, new NumberingId { Val = BulletList })), run);

    private static Hyperlink Link(MainDocumentPart main, string url, string text)
    {
        var relation = main.AddHyperlinkRelationship(new Uri(url, UriKind.Absolute), isExternal: true);
        return new Hyperlink(new Run(new RunProperties(new RunStyle { Val = "Hyperlink" }), Words(text))) { Id = relation.Id, History = OnOffValue.FromBoolean(true) };
    }

    /// <summary>The text as Word keeps it: spaces as typed, and no character XML 1.0 cannot hold (the input rules keep
    /// control characters out, but a tab may be there).</summary>
    internal static Text Words(string text)
    {
        var clean = new StringBuilder(text.Length);
        foreach (var c in text) clean.Append(c == '\t' ? ' ' : char.IsControl(c) ? ' ' : c);
        return new Text(clean.ToString()) { Space = SpaceProcessingModeValues.Preserve };
    }

    internal static Styles Styles(string culture)
    {
        var styles = new Styles(new DocDefaults(
            new RunPropertiesDefault(new RunPropertiesBaseStyle(
                new RunFonts { Ascii = "Calibri", HighAnsi = "Calibri", EastAsia = "Calibri", ComplexScript = "Calibri" },
                new FontSize { Val = "22" }, new FontSizeComplexScript { Val = "22" }, new Languages { Val = culture })),
            new ParagraphPropertiesDefault(new ParagraphPropertiesBaseStyle(new SpacingBetweenLines { After = "120", Line = "276", LineRule = LineSpacingRuleValues.Auto }))));
        styles.Append(new Style(new StyleName { Val = "Normal" }, new PrimaryStyle()) { Type = StyleValues.Paragraph, StyleId = "Normal", Default = true });
        styles.Append(Heading("Title", "Title", 48, null));
        styles.Append(Heading("Heading1", "heading 1", 32, 0));
        styles.Append(Heading("Heading2", "heading 2", 26, 1));
        styles.Append(Heading("Heading3", "heading 3", 22, 2));
        styles.Append(new Style(new StyleName { Val = "List Paragraph" }, new BasedOn { Val = "Normal" }, new PrimaryStyle(),
            new StyleParagraphProperties(new Indentation { Left = "720" })) { Type = StyleValues.Paragraph, StyleId = "ListParagraph" });
        styles.Append(new Style(new StyleName { Val = "Hyperlink" }, new StyleRunProperties(new Color { Val = "0B57A4" }, new Underline { Val = UnderlineValues.Single }))
            { Type = StyleValues.Character, StyleId = "Hyperlink" });
        styles.Append(new Style(new StyleName { Val = "Score Table" }, new StyleTableProperties(new TableCellMarginDefault(
            new TopMargin { Width = "60", Type = TableWidthUnitValues.Dxa }, new BottomMargin { Width = "60", Type = TableWidthUnitValues.Dxa })))
            { Type = StyleValues.Table, StyleId = "ScoreTable" });
        return styles;
    }

    private static Style Heading(string id, string name, int halfPoints, int? outline)
    {
        var paragraph = new StyleParagraphProperties(new KeepNext(), new SpacingBetweenLines { Before = outline is null ? "0" : "240", After = "120" });
        if (outline is { } level) paragraph.Append(new OutlineLevel { Val = level });
        return new Style(new StyleName { Val = name }, new BasedOn { Val = "Normal" }, new NextParagraphStyle { Val = "Normal" }, new PrimaryStyle(),
            paragraph, new StyleRunProperties(new Bold(), new Color { Val = "1B1F24" }, new FontSize { Val = halfPoints.ToString(CultureInfo.InvariantCulture) }))
            { Type = StyleValues.Paragraph, StyleId = id };
    }

    internal static Numbering Bullets() => new(
        new AbstractNum(new Level(new NumberingFormat { Val = NumberFormatValues.Bullet }, new LevelText { Val = "•" },
                new LevelJustification { Val = LevelJustificationValues.Left },
                new PreviousParagraphProperties(new Indentation { Left = "720", Hanging = "360" })) { LevelIndex = 0 })
            { AbstractNumberId = BulletList },
        new NumberingInstance(new AbstractNumId { Val = BulletList }) { NumberID = BulletList });
}
