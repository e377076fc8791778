using System.Net;
using System.Text.RegularExpressions;
using DocumentFormat.OpenXml.Packaging;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace Mentoring.Server.Tests.FunderReport;

/// <summary>Reads the funder's report in its three forms into the same (scope, group, measure, key) → value figures, so a
/// test compares them with what it created and with each other.</summary>
public static partial class ReportReading
{
    public static async Task<Dictionary<(string Scope, string Group, string Measure, string Key), int>> CsvAsync(HttpClient client, string programme = "inclucities")
    {
        var response = await client.GetAsync($"/programmes/{programme}/report.csv");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/csv", response.Content.Headers.ContentType!.ToString());
        var text = await response.Content.ReadAsStringAsync();
        var lines = text.Split("\r\n");
        Assert.Equal("scope,group,measure,key,value", lines[0]);
        Assert.Equal("", lines[^1]);
        return lines[1..^1].Select(l => l.Split(',')).ToDictionary(c => (c[0], c[1], c[2], c[3]), c => int.Parse(c[4]));
    }

    /// <summary>The page's tables: each row carries its measure and key; a group's table is id="group-{n}".</summary>
    public static async Task<List<(string Scope, string Group, string Measure, string Key, string Label, int Value)>> PageAsync(HttpClient client,
        string programme = "inclucities")
    {
        var response = await client.GetAsync($"/programmes/{programme}/report");
        var page = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, page[..Math.Min(2000, page.Length)]);
        var figures = new List<(string, string, string, string, string, int)>();
        foreach (Match table in TablePattern().Matches(page))
        {
            var (scope, group) = table.Groups[1].Value == "programme-figures" ? ("programme", "") : ("group", table.Groups[1].Value["group-".Length..]);
            foreach (Match row in RowPattern().Matches(table.Groups[2].Value))
                figures.Add((scope, group, row.Groups[1].Value, WebUtility.HtmlDecode(row.Groups[2].Value), WebUtility.HtmlDecode(row.Groups[3].Value),
                    int.Parse(row.Groups[4].Value)));
        }

        Assert.Contains("<svg", page);
        Assert.Contains("role=\"img\"", page);
        return figures;
    }

    /// <summary>The Word document's figures: each row of its two-column tables (measure, value) after the header, in order.</summary>
    public static async Task<(List<string> Paragraphs, List<(string Label, int Value)> Rows)> DocxAsync(HttpClient client, string programme = "inclucities")
    {
        var response = await client.GetAsync($"/programmes/{programme}/report.docx");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var stream = new MemoryStream(await response.Content.ReadAsByteArrayAsync());
        using var document = WordprocessingDocument.Open(stream, false);
        var body = document.MainDocumentPart!.Document.Body!;
        var rows = body.Descendants<W.Table>()
            .Select(t => t.Elements<W.TableRow>().Select(r => r.Elements<W.TableCell>().Select(c => c.InnerText).ToList()).ToList())
            .Where(t => t[0].Count == 2)
            .SelectMany(t => t.Skip(1).Select(r => (r[0], int.Parse(r[1])))).ToList();
        return (body.Descendants<W.Paragraph>().Select(p => p.InnerText).ToList(), rows);
    }

    [GeneratedRegex("<table id=\"(programme-figures|group-\\d+)\">(.*?)</table>", RegexOptions.Singleline)]
    private static partial Regex TablePattern();

    [GeneratedRegex("<tr data-measure=\"([^\"]+)\" data-key=\"([^\"]*)\"><th scope=\"row\">([^<]*)</th><td>(\\d+)</td></tr>")]
    private static partial Regex RowPattern();
}
