using Mentoring.Server.Data;
using Mentoring.Server.Outputs;
using Mentoring.Server.Setup;
using Mentoring.Server.Web;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.FunderReport;

/// <summary>
/// The funder's progress report's downloads: <c>/programmes/{id}/report.csv</c> (RFC 4180, the stable columns of
/// <see cref="ReportLines.CsvHeader"/>) and <c>/programmes/{id}/report.docx</c>, in the reader's language; the page is
/// Pages/Report. The facilitator (and an admin) only: a coordinator is refused (403), another programme is not there (404).
/// </summary>
public static class FunderReportApi
{
    /// <summary>The outputs register and the funder's report; the report reads the figures the visits, events and action
    /// plans features register (<see cref="IVisitFigures"/> ...), and shows a figure whose feature is absent as missing.</summary>
    public static IHostApplicationBuilder AddMentoringOutputs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<ProgressReports>();
        return builder;
    }

    public static IEndpointRouteBuilder MapOutputsAndReport(this IEndpointRouteBuilder app)
    {
        app.MapOutputsApi();
        var report = app.MapGroup("/programmes/{programmeId}").WithTags("Funder's report").RequireAuthorization();
        report.MapGet("/report.csv", (HttpContext http, string programmeId, IDbContextFactory<MentoringDb> dbs, ProgressReports reports, Texts texts,
                CancellationToken ct) =>
            ExportAsync(http, programmeId, dbs, reports, ct, (r, names) =>
                Results.File(System.Text.Encoding.UTF8.GetBytes(ReportLines.Csv(r, texts, names)), "text/csv; charset=utf-8", $"report-{r.ProgrammeId}.csv")))
            .WithSummary("The report as CSV: scope (programme or group), group (its number), measure, key (a status, a kind, a city, a step), value.");
        report.MapGet("/report.docx", (HttpContext http, string programmeId, IDbContextFactory<MentoringDb> dbs, ProgressReports reports, Texts texts,
                CancellationToken ct) =>
            ExportAsync(http, programmeId, dbs, reports, ct, (r, names) =>
                Results.File(ReportDocx.Build(r, texts, names), ReportDocx.ContentType, $"report-{r.ProgrammeId}.docx")))
            .WithSummary("The report as a Word document in the reader's language.");
        return app;
    }

    private static async Task<IResult> ExportAsync(HttpContext http, string programmeId, IDbContextFactory<MentoringDb> dbs, ProgressReports reports,
        CancellationToken ct, Func<ProgressReport, Func<string, string>, IResult> write)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var result = await reports.LoadAsync(db, http.User, programmeId, Texts.Language, ct);
        if (result.Outcome != AdminOutcome.Done) return OutputsApi.Answer(result);
        var names = await CityNamesAsync(db, programmeId, ct);
        return write(result.Value!, names);
    }

    /// <summary>A city's name by its id, for the report's lines ("programme" for the facilitator's own people).</summary>
    public static async Task<Func<string, string>> CityNamesAsync(MentoringDb db, string programmeId, CancellationToken ct)
    {
        var names = await (from m in db.ProgrammeMembers
                           join c in db.Cities on m.CityId equals c.Id
                           where m.ProgrammeId == programmeId
                           select new { c.Id, c.Name }).ToDictionaryAsync(c => c.Id, c => c.Name, ct);
        var programme = await db.Programmes.Where(p => p.Id == programmeId).Select(p => p.Name).SingleAsync(ct);
        return id => id == OutputLists.ProgrammeOwner ? programme : names.GetValueOrDefault(id, id);
    }
}
