using System.Text;
using System.Text.Json;
using Mentoring.Server.Assessments;
using Mentoring.Server.Data;
using Mentoring.Server.Uploads;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.ActionPlans;

/// <summary>What the plan's readers, its exports, the diff, the requirement and the funder's figures read. No access check:
/// the callers check the reader's access.</summary>
public static class ActionPlanQueries
{
    public static async Task<PlanContent> WorkingAsync(MentoringDb db, ActionPlanRecord plan, CancellationToken ct)
    {
        var objectives = await db.Set<ActionPlanObjectiveRecord>().AsNoTracking().Where(o => o.PlanId == plan.Id).ToListAsync(ct);
        var actions = await db.Set<ActionPlanActionRecord>().AsNoTracking().Where(a => a.PlanId == plan.Id).ToListAsync(ct);
        // Rows added in the caller's change are tracked, not yet in the database.
        objectives = objectives.Concat(Added<ActionPlanObjectiveRecord>(db)).Where(o => o.PlanId == plan.Id).DistinctBy(o => o.Id).ToList();
        actions = actions.Concat(Added<ActionPlanActionRecord>(db)).Where(a => a.PlanId == plan.Id).DistinctBy(a => a.Id).ToList();
        return new PlanContent(plan.Language, plan.Context, plan.Needs,
            objectives.OrderBy(o => o.Position).Select(o => new ObjectiveView(o.Id, o.Position, o.Title, o.Description,
                JsonSerializer.Deserialize<List<Guid>>(o.KeyFactors) ?? [])).ToList(),
            actions.OrderBy(a => a.Position).Select(a => new ActionView(a.Id, a.Position, a.ObjectiveId, a.Title, a.Description, a.PracticeId,
                JsonSerializer.Deserialize<List<string>>(a.Activities) ?? [], a.StartOn, a.EndOn, a.Responsible, a.Partners, a.Cost, a.FundingSource,
                JsonSerializer.Deserialize<List<IndicatorView>>(a.Indicators, PlanContent.Json) ?? [],
                JsonSerializer.Deserialize<List<RiskView>>(a.Risks, PlanContent.Json) ?? [], a.Status)).ToList());
    }

    private static IEnumerable<T> Added<T>(MentoringDb db) where T : class =>
        db.ChangeTracker.Entries<T>().Where(e => e.State == EntityState.Added).Select(e => e.Entity);

    public static async Task<ActionPlanView> ViewAsync(MentoringDb db, ActionPlanRecord plan, bool mayEdit, bool mayComment, CancellationToken ct)
    {
        var versions = await VersionsAsync(db, plan.Id, ct);
        var labels = versions.ToDictionary(v => v.Id, v => v.Label);
        var comments = await (from c in db.Set<ActionPlanCommentRecord>().AsNoTracking()
                              join p in db.People on c.AuthorId equals p.Id
                              where c.PlanId == plan.Id
                              select new { c, p.Name }).ToListAsync(ct);
        EndorsementView? endorsement = null;
        if (plan is { EndorsedOn: { } on, EndorsedBy: { } body })
        {
            var fileName = plan.EndorsementFileId is { } fileId
                ? await db.Set<UploadedFile>().Where(f => f.Id == fileId).Select(f => f.FileName).SingleOrDefaultAsync(ct) : null;
            endorsement = new EndorsementView(on, body, plan.EndorsementFileId, fileName, plan.EndorsementRecordedAt ?? plan.UpdatedAt);
        }

        return new ActionPlanView(plan.GroupId, plan.ProgrammeId, mayEdit, mayComment, await WorkingAsync(db, plan, ct), versions,
            comments.OrderBy(x => x.c.CreatedAt).ThenBy(x => x.c.Id)
                .Select(x => new ActionCommentView(x.c.Id, x.c.ActionId, x.c.VersionId is { } v ? labels.GetValueOrDefault(v) : null, x.Name, x.c.Text,
                    x.c.CreatedAt)).ToList(),
            endorsement, plan.UpdatedAt, plan.Revision);
    }

    public static async Task<IReadOnlyList<VersionSummary>> VersionsAsync(MentoringDb db, Guid planId, CancellationToken ct) =>
        (await db.Set<ActionPlanVersionRecord>().AsNoTracking().Where(v => v.PlanId == planId)
            .Select(v => new { v.Id, v.Number, v.Label, v.FrozenAt, v.FrozenByName }).ToListAsync(ct))
        .OrderBy(v => v.Number).Select(v => new VersionSummary(v.Id, v.Number, v.Label, v.FrozenAt, v.FrozenByName)).ToList();

    /// <summary>A version by its label, or the working copy for <see cref="ActionPlanCommands.Working"/>; null when there is none.</summary>
    public static async Task<PlanContent?> ContentAsync(MentoringDb db, ActionPlanRecord plan, string label, CancellationToken ct)
    {
        if (label == ActionPlanCommands.Working) return await WorkingAsync(db, plan, ct);
        var json = await db.Set<ActionPlanVersionRecord>().AsNoTracking().Where(v => v.PlanId == plan.Id && v.Label == label)
            .Select(v => v.Content).SingleOrDefaultAsync(ct);
        return json is null ? null : PlanContent.FromJson(json);
    }

    /// <summary>Which labels the group's plan has frozen; empty when it has no plan.</summary>
    public static Task<List<string>> FrozenLabelsAsync(MentoringDb db, Guid groupId, CancellationToken ct) =>
        (from v in db.Set<ActionPlanVersionRecord>()
         join p in db.Set<ActionPlanRecord>() on v.PlanId equals p.Id
         where p.GroupId == groupId
         select v.Label).ToListAsync(ct);

    /// <summary>The needs as the city's submitted needs assessment states them, section by section, question and answer, in
    /// <paramref name="language"/>; empty when the city has not submitted one (or the programme has no questionnaire).</summary>
    public static async Task<string> NeedsFromAssessmentAsync(MentoringDb db, string programmeId, string cityId, string language, CancellationToken ct)
    {
        var questionnaire = await AssessmentQueries.QuestionnaireAsync(db, programmeId, ct);
        if (questionnaire is null) return "";
        var submitted = (await AssessmentQueries.SubmittedAsync(db, programmeId, ct)).FirstOrDefault(a => a.CityId == cityId);
        if (submitted is null) return "";
        var text = new StringBuilder();
        foreach (var section in questionnaire.Sections)
        {
            var lines = new List<string>();
            foreach (var question in section.Questions)
            {
                if (!submitted.Answers.TryGetValue(question.Id, out var answer)) continue;
                var said = question.Kind switch
                {
                    Assessments.QuestionKind.Scale when answer.Level is { } level && level < question.ScaleLabels.Count =>
                        question.ScaleLabels[level].In(language).Text,
                    Assessments.QuestionKind.Choice or Assessments.QuestionKind.Choices => string.Join(", ",
                        answer.Options.Select(id => question.Options.FirstOrDefault(o => o.Id == id)?.Text.In(language).Text ?? id)),
                    _ => answer.Text ?? "",
                };
                if (said.Trim().Length > 0) lines.Add($"- {question.Text.In(language).Text} {said.Trim()}");
            }

            if (lines.Count == 0) continue;
            if (text.Length > 0) text.Append('\n');
            text.Append(section.Title.In(language).Text).Append('\n');
            foreach (var line in lines) text.Append(line).Append('\n');
        }

        var needs = text.ToString().TrimEnd();
        return needs.Length > ActionPlanCommands.LongText ? needs[..ActionPlanCommands.LongText] : needs;
    }
}
