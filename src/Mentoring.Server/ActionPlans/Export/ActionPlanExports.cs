using System.Globalization;
using System.Security.Claims;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Mentoring.Server.Benchmarks.Export;
using Mentoring.Server.Data;
using Mentoring.Server.Pairs;
using Mentoring.Server.Practices;
using Mentoring.Server.Programme;
using Mentoring.Server.Web;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.ActionPlans;

/// <summary>What the exports show: one version of the plan (the latest frozen one unless another is asked for, the working
/// copy when none is frozen), the group's line, the titles of the key factors and practices it names, the endorsement.</summary>
public sealed record PlanExport(Guid GroupId, string GroupLine, string Label, PlanContent Content, IReadOnlyDictionary<Guid, string> Factors,
    IReadOnlyDictionary<Guid, string> Practices, EndorsementView? Endorsement);

/// <summary>
/// The plan as a printable page (<c>/pairs/{id}/action-plan/print</c>) and as Word (<c>/pairs/{id}/action-plan.docx</c>), both
/// in the plan's language (its texts are written in it, so its headings are too), for whoever may read the plan.
/// </summary>
public static class ActionPlanExports
{
    /// <summary>"Pair 4: Schaerbeek – Jelgava", in the programme's words (<see cref="PairQueries.NumberedLine"/>).</summary>
    public static async Task<string> GroupLineAsync(MentoringDb db, DefinitionStore definitions, ClaimsPrincipal user, Guid groupId, string language,
        CancellationToken ct)
    {
        var summary = await PairQueries.Summaries(db, user, groupId).AsNoTracking().SingleAsync(ct);
        var programme = await db.Groups.Where(g => g.Id == groupId).Select(g => g.ProgrammeId).SingleAsync(ct);
        return PairQueries.NumberedLine(summary, definitions, await ProgrammeTerms.LoadAsync(db, programme, language, ct));
    }

    /// <summary>The keys of the names the pages build from codes (statuses, labels, changes, fields), spelled out here as
    /// the resources' check looks for them.</summary>
    internal static readonly IReadOnlyList<string> NameKeys =
    [
        "action-plan-status-planned", "action-plan-status-in-progress", "action-plan-status-done", "action-plan-status-dropped",
        "action-plan-label-draft", "action-plan-label-consolidated", "action-plan-label-reviewed",
        "action-plan-change-added", "action-plan-change-removed", "action-plan-change-changed",
        "action-plan-field-activities", "action-plan-field-keyFactors",
    ];

    public static string LabelName(string label, Texts texts) =>
        ActionPlanCommands.KnownLabels.Contains(label) ? texts["action-plan-label-" + label] : label;

    public static async Task<PlanResult<PlanExport>> LoadAsync(ActionPlanCommands commands, MentoringDb db, DefinitionStore definitions, ClaimsPrincipal user,
        Guid groupId, string? label, CancellationToken ct)
    {
        var opened = await commands.OpenAsync(user, groupId, ct);
        if (opened.Outcome != PlanOutcome.Done) return opened.As<PlanExport>();
        var plan = opened.Value!;
        label = string.IsNullOrEmpty(label) ? plan.Versions.LastOrDefault()?.Label ?? ActionPlanCommands.Working : label;
        var record = await db.Set<ActionPlanRecord>().AsNoTracking().SingleAsync(p => p.GroupId == groupId, ct);
        if (await ActionPlanQueries.ContentAsync(db, record, label, ct) is not { } content)
            return PlanResult<PlanExport>.Fail(PlanOutcome.NotFound, $"The action plan has no version '{label}'.");
        var practiceIds = content.Actions.Where(a => a.PracticeId is not null).Select(a => a.PracticeId!.Value).ToList();
        var practices = await db.Set<Practice>().AsNoTracking().Where(p => practiceIds.Contains(p.Id)).ToDictionaryAsync(p => p.Id, p => p.Title, ct);
        return PlanResult<PlanExport>.Done(new PlanExport(groupId, await GroupLineAsync(db, definitions, user, groupId, content.Language, ct), label, content,
            await ActionPlanCommands.FactorTitlesAsync(db, groupId, ct), practices, plan.Endorsement));
    }

    /// <summary>Runs <paramref name="write"/> in the plan's language, then puts the reader's back.</summary>
    public static T InLanguage<T>(string language, Func<T> write)
    {
        var (culture, ui) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(language);
            return write();
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, ui);
        }
    }

    public static IEndpointRouteBuilder MapActionPlanExports(this IEndpointRouteBuilder app)
    {
        app.MapGet("/pairs/{pairId:guid}/action-plan.docx", async (HttpContext http, Guid pairId, string? version, IDbContextFactory<MentoringDb> dbs,
                DefinitionStore definitions, ActionPlanCommands commands, Texts texts, CancellationToken ct) =>
            {
                await using var db = await dbs.CreateDbContextAsync(ct);
                var export = await LoadAsync(commands, db, definitions, http.User, pairId, version, ct);
                if (export.Outcome != PlanOutcome.Done) return ActionPlansApi.Answer(null, export.As<PlanChange>()).Result;
                var bytes = InLanguage(export.Value!.Content.Language, () => ActionPlanDocx.Build(export.Value, texts));
                return Results.File(bytes, BenchmarkDocx.ContentType, $"action-plan-{export.Value.Label}.docx");
            })
            .RequireAuthorization().WithTags("Action plans")
            .WithSummary("The plan as a Word document in the plan's language: the latest frozen version, or ?version=label (working: the working copy).");
        return app;
    }

    /// <summary>An action's fields as the exports and the page list them: the field's label key and its value in the current language.</summary>
    public static IEnumerable<(string Field, string Value)> Fields(ActionView action, PlanExport export, Texts texts)
    {
        var objective = action.ObjectiveId is { } id ? export.Content.Objectives.FirstOrDefault(o => o.Id == id)?.Title ?? "" : "";
        foreach (var (field, value) in ActionPlanDiff.Values(action, objective, p => export.Practices.GetValueOrDefault(p, "")))
        {
            var shown = field switch
            {
                "start" when action.Start is { } s => Fmt.Date(s),
                "end" when action.End is { } e => Fmt.Date(e),
                "cost" when action.Cost is { } c => c.ToString("N2", CultureInfo.CurrentCulture) + " €",
                "status" => texts["action-plan-status-" + value],
                _ => value,
            };
            if (shown.Length > 0 && field != "title") yield return (field, shown);
        }
    }
}

/// <summary>The plan as a Word document (Open XML SDK): real headings, the actions' fields as tables with a header column,
/// the document's language and title set, as an accessible document needs.</summary>
public static class ActionPlanDocx
{
    public static byte[] Build(PlanExport export, Texts texts)
    {
        var content = export.Content;
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, DocumentFormat.OpenXml.WordprocessingDocumentType.Document))
        {
            var title = texts["action-plan-heading"];
            document.PackageProperties.Title = $"{title} – {export.GroupLine}";
            document.PackageProperties.Language = content.Language;
            var main = document.AddMainDocumentPart();
            main.AddNewPart<StyleDefinitionsPart>().Styles = BenchmarkDocx.Styles(content.Language);
            main.AddNewPart<NumberingDefinitionsPart>().Numbering = BenchmarkDocx.Bullets();
            var body = new Body();
            body.Append(BenchmarkDocx.Para("Title", title));
            body.Append(BenchmarkDocx.Para(null, export.GroupLine));
            body.Append(BenchmarkDocx.Para(null, export.Label == ActionPlanCommands.Working
                ? texts["Working copy: not frozen as a version."] : string.Format(CultureInfo.CurrentCulture, texts["Version: {0}"], ActionPlanExports.LabelName(export.Label, texts))));
            if (export.Endorsement is { } endorsed)
                body.Append(BenchmarkDocx.Para(null, string.Format(CultureInfo.CurrentCulture, texts["Endorsed by {0} on {1}."], endorsed.Body, Fmt.Date(endorsed.On))));
            Section(body, texts["action-plan-field-context"], content.Context);
            Section(body, texts["action-plan-field-needs"], content.Needs);
            if (content.Objectives.Count > 0)
            {
                body.Append(BenchmarkDocx.Para("Heading1", texts["action-plan-objectives"]));
                foreach (var objective in content.Objectives)
                {
                    body.Append(BenchmarkDocx.Para("Heading2", objective.Title));
                    Lines(body, objective.Description);
                    foreach (var factor in objective.KeyFactors)
                        if (export.Factors.TryGetValue(factor, out var name)) body.Append(BenchmarkDocx.Bullet(new Run(BenchmarkDocx.Words(name))));
                }
            }

            body.Append(BenchmarkDocx.Para("Heading1", texts["action-plan-actions"]));
            foreach (var action in content.Actions)
            {
                body.Append(BenchmarkDocx.Para("Heading2", action.Title));
                var table = new Table(new TableProperties(new TableStyle { Val = "ScoreTable" }, new TableWidth { Width = "5000", Type = TableWidthUnitValues.Pct },
                    new TableBorders(new InsideHorizontalBorder { Val = DocumentFormat.OpenXml.Wordprocessing.BorderValues.Single, Size = 4 }),
                    new TableCaption { Val = action.Title }));
                foreach (var (field, value) in ActionPlanExports.Fields(action, export, texts))
                {
                    var cell = new TableCell();
                    foreach (var line in value.Split('\n')) cell.Append(BenchmarkDocx.Para(null, line));
                    table.Append(new TableRow(new TableCell(new Paragraph(new Run(new RunProperties(new Bold()),
                        BenchmarkDocx.Words(texts["action-plan-field-" + field])))), cell));
                }

                body.Append(table);
            }

            body.Append(new SectionProperties(new PageSize { Width = 11906U, Height = 16838U },
                new PageMargin { Top = 1134, Bottom = 1134, Left = 1134U, Right = 1134U, Header = 709U, Footer = 709U, Gutter = 0U }));
            main.Document = new Document(body);
        }

        return stream.ToArray();
    }

    private static void Section(Body body, string heading, string text)
    {
        if (text.Trim().Length == 0) return;
        body.Append(BenchmarkDocx.Para("Heading1", heading));
        Lines(body, text);
    }

    private static void Lines(Body body, string text)
    {
        foreach (var line in text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0)) body.Append(BenchmarkDocx.Para(null, line));
    }
}
