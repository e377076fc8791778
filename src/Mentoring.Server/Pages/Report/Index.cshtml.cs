using System.Globalization;
using Mentoring.Server.Data;
using Mentoring.Server.FunderReport;
using Mentoring.Server.Outputs;
using Mentoring.Server.Setup;
using Mentoring.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pages.Report;

/// <summary>The funder's progress report (/programmes/{id}/report): the programme's figures and each group's, as tables
/// and accessible SVG charts, with the CSV and Word downloads. The facilitator only, as the downloads.</summary>
[Authorize]
public sealed class IndexModel(IDbContextFactory<MentoringDb> dbs, ProgressReports reports, Texts text) : PageModel
{
    public ProgressReport Report { get; private set; } = null!;
    public IReadOnlyList<ReportLine> Programme { get; private set; } = [];
    public IReadOnlyList<(GroupReport Group, IReadOnlyList<ReportLine> Lines)> Groups { get; private set; } = [];
    public IReadOnlyList<string> Charts { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var result = await reports.LoadAsync(db, User, id, Texts.Language, ct);
        switch (result.Outcome)
        {
            case AdminOutcome.NotFound: return NotFound();
            case AdminOutcome.Forbidden: return Forbid();
        }

        Report = result.Value!;
        var names = await FunderReportApi.CityNamesAsync(db, id, ct);
        Programme = ReportLines.Programme(Report, text, names);
        Groups = Report.Groups.Select(g => (g, ReportLines.Group(Report, g, text))).ToList();
        var charts = new List<string>
        {
            ReportChart.Svg("chart-steps", text["report-steps-reached"], F(text["How many of the {0} have reached each step of the method."], Report.Terms.Groups),
                Report.StepNumbers.Select(n => (F(text["report-reached-step"], n), Report.Reached(n))).ToList()),
        };
        if (Report.HasVisits)
            charts.Add(ReportChart.Svg("chart-visits", text["report-visit-participants"], text["Participants of the study visits held, by the kind of their organisation."],
                Report.ParticipantsByKind.Select(p => (text[ReportLines.ParticipantKind(p.Key)], p.Value)).ToList()));
        if (Report.HasEvents)
            charts.Add(ReportChart.Svg("chart-events", text["report-event-attendance"], text["Attendance at each programme event held."],
                Report.Events.Where(e => e.Held).Select(e => (e.Title, e.Attendees)).ToList()));
        charts.Add(ReportChart.Svg("chart-outputs", text["report-outputs"], text["The outputs of the programme and its cities by status."],
            OutputLists.Statuses.Select(s => (text[OutputLists.StatusLabel(s)], Report.OutputsByStatus.GetValueOrDefault(s))).ToList()));
        Charts = charts;
        return Page();
    }

    private static string F(string format, object value) => string.Format(CultureInfo.CurrentCulture, format, value);
}
