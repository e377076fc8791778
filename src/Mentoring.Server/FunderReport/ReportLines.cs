using System.Globalization;
using System.Text;
using Mentoring.Server.Outputs;
using Mentoring.Server.SupportNetworks;
using Mentoring.Server.Web;

namespace Mentoring.Server.FunderReport;

/// <summary>One figure of the report: what it measures (a stable machine name, and a key such as a status or a city), the
/// group it is of (none for the programme's) and its value, with its label for people.</summary>
public sealed record ReportLine(int? Group, string Measure, string Key, int Value, string Label);

/// <summary>
/// The report's figures as one list of lines, which the page, the CSV and the Word document all write, so the three
/// cannot disagree. The CSV (RFC 4180) has the stable columns <see cref="CsvHeader"/>; its measures are named below.
/// </summary>
public static class ReportLines
{
    public const string CsvHeader = "scope,group,measure,key,value";

    public static string ParticipantKind(string kind) => kind == "visiting-delegation" ? "report-visiting-delegation" : OrganisationKinds.Label(kind);

    public static IReadOnlyList<ReportLine> Programme(ProgressReport r, Texts text, Func<string, string> cityName)
    {
        var lines = new List<ReportLine> { new(null, "groups", "", r.Groups.Count, r.Terms.GroupsLabel) };
        lines.AddRange(r.StepNumbers.Select(n => new ReportLine(null, "groups_reached_step", N(n), r.Reached(n), F(text["report-reached-step"], n))));
        lines.Add(new(null, "groups_completed", "", r.Completed, text["report-completed"]));
        if (r.VisitsHeld is { } visits)
        {
            lines.Add(new(null, "visits_held", "", visits, text["report-visits-held"]));
            lines.Add(new(null, "visit_participants", "", r.VisitParticipants ?? 0, text["report-visit-participants"]));
            lines.AddRange(r.ParticipantsByKind.Select(p => new ReportLine(null, "visit_participants_by_kind", p.Key, p.Value,
                $"{text["report-visit-participants"]}: {text[ParticipantKind(p.Key)]}")));
        }

        if (r.EventsHeld is { } events)
        {
            lines.Add(new(null, "events_held", "", events, text["report-events-held"]));
            lines.Add(new(null, "event_attendees", "", r.EventAttendees ?? 0, text["report-event-attendance"]));
            lines.AddRange(r.AttendanceByCity.Select(a => new ReportLine(null, "event_attendance_by_city", a.Key, a.Value,
                $"{text["report-event-attendance"]}: {cityName(a.Key)}")));
        }

        lines.Add(new(null, "outputs", "", r.Outputs, text["report-outputs"]));
        lines.AddRange(OutputLists.Statuses.Select(s => new ReportLine(null, "outputs_by_status", s, r.OutputsByStatus.GetValueOrDefault(s),
            $"{text["report-outputs"]}: {text[OutputLists.StatusLabel(s)]}")));
        if (r.PlansEndorsed is { } endorsed) lines.Add(new(null, "action_plans_endorsed", "", endorsed, text["report-plans-endorsed"]));
        return lines;
    }

    public static IReadOnlyList<ReportLine> Group(ProgressReport r, GroupReport g, Texts text)
    {
        var lines = new List<ReportLine>
        {
            new(g.Number, "step", "", g.Step, text["report-step"]),
            new(g.Number, "steps", "", g.Steps, text["report-steps"]),
            new(g.Number, "completed", "", g.Completed ? 1 : 0, text["report-completed"]),
        };
        if (r.HasVisits)
        {
            lines.Add(new(g.Number, "visits_held", "", g.VisitsHeld, text["report-visits-held"]));
            lines.Add(new(g.Number, "visit_participants", "", g.VisitParticipants, text["report-visit-participants"]));
            lines.AddRange(g.ParticipantsByKind.Select(p => new ReportLine(g.Number, "visit_participants_by_kind", p.Key, p.Value,
                $"{text["report-visit-participants"]}: {text[ParticipantKind(p.Key)]}")));
        }

        if (r.HasEvents) lines.Add(new(g.Number, "event_attendees", "", g.EventAttendance, text["report-event-attendance"]));
        lines.AddRange(OutputLists.Statuses.Select(s => new ReportLine(g.Number, "outputs_by_status", s, g.OutputsByStatus.GetValueOrDefault(s),
            $"{text["report-outputs"]}: {text[OutputLists.StatusLabel(s)]}")));
        if (r.HasPlans)
        {
            lines.Add(new(g.Number, "action_plan_versions", "", g.PlanVersions, text["report-plan-versions"]));
            lines.Add(new(g.Number, "action_plan_endorsed", "", g.PlanEndorsed ? 1 : 0, text["report-plans-endorsed"]));
        }

        return lines;
    }

    public static string Csv(ProgressReport r, Texts text, Func<string, string> cityName)
    {
        var csv = new StringBuilder(CsvHeader).Append("\r\n");
        foreach (var line in Programme(r, text, cityName).Concat(r.Groups.SelectMany(g => Group(r, g, text))))
            csv.Append(line.Group is null ? "programme" : "group").Append(',').Append(line.Group is { } n ? N(n) : "").Append(',')
                .Append(line.Measure).Append(',').Append(Cell(line.Key)).Append(',').Append(N(line.Value)).Append("\r\n");
        return csv.ToString();
    }

    /// <summary>A key as a CSV cell: quoted when it needs it (RFC 4180), a leading = + - @ defused for spreadsheets.</summary>
    private static string Cell(string value)
    {
        if (value.Length > 0 && "=+-@".Contains(value[0])) value = "'" + value;
        return value.IndexOfAny([',', '"', '\r', '\n', '\'']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(string format, int value) => string.Format(CultureInfo.CurrentCulture, format, value);
}
