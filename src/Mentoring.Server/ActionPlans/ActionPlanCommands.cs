using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Inputs;
using Mentoring.Server.Pairs;
using Mentoring.Server.Programme;
using Mentoring.Server.Uploads;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Group = Mentoring.Server.Programme.Group;

namespace Mentoring.Server.ActionPlans;

public enum PlanOutcome { Done, Invalid, NotFound, Forbidden, Conflict, KeyMissing, KeyReused }

/// <summary>What an action-plan command or read came to; the API says it as problem details, the page as a message.</summary>
public sealed record PlanResult<T>(PlanOutcome Outcome, T? Value = default, string? Detail = null,
    IReadOnlyDictionary<string, string[]>? Errors = null, bool Replayed = false)
{
    public static PlanResult<T> Done(T value) => new(PlanOutcome.Done, value);
    public static PlanResult<T> Fail(PlanOutcome outcome, string detail) => new(outcome, default, detail);
    public static PlanResult<T> Invalid(IReadOnlyDictionary<string, string[]> errors) => new(PlanOutcome.Invalid, default, "The action plan change is refused.", errors);
    public PlanResult<TOther> As<TOther>() => new(Outcome, default, Detail, Errors);
}

/// <summary>Who the caller is for a group's plan: the writer (the mentee city), a commenter (the mentor, the
/// facilitator), with the group and its plan.</summary>
internal sealed record PlanAccess(Group Group, IReadOnlyList<GroupMember> Members, bool MayEdit, bool MayComment);

/// <summary>
/// The one writer of <c>action_plans</c>, <c>action_plan_objectives</c>, <c>action_plan_actions</c>,
/// <c>action_plan_versions</c> and <c>action_plan_comments</c>. A group's plan is made on first open, its needs prefilled
/// from the mentee city's submitted needs assessment. The group's cities and the facilitator read it (anyone else who may
/// read the group, an association or a coordination team, is refused: the plan is the city's working document until it
/// is published as an output); only the writer city edits it: the member with the role "mentee", or every member where
/// the group has no such role. The other members and the facilitator comment per action. Freezing copies the whole
/// working copy into an immutable version under a label a workflow names; nothing ever changes a version (409). Every
/// change takes an Idempotency-Key and is one transaction with it, refused whole (nothing written) when any part is wrong.
/// </summary>
public sealed partial class ActionPlanCommands(IDbContextFactory<MentoringDb> dbs, TimeProvider clock)
{
    public const int LongText = 16000;
    public const int MaxItems = 30;
    public const int MaxActions = 100;
    public const string WriterRole = "mentee";
    public const string Working = "working";
    public const decimal MaxCost = 1_000_000_000m;
    public const string FrozenAlready = "This version is frozen already, and a frozen version never changes: freeze the plan under another label.";

    /// <summary>The labels IncluCities' three study visits freeze, in their order; any other id a workflow names works too.</summary>
    public static readonly IReadOnlyList<string> KnownLabels = ["draft", "consolidated", "reviewed"];

    [GeneratedRegex("^[a-z][a-z0-9-]{0,39}$")]
    private static partial Regex LabelPattern();

    public static bool IsLabel(string? label) => label is not null && label != Working && LabelPattern().IsMatch(label);

    internal static async Task<(PlanAccess? Access, PlanResult<T>? Refusal)> AccessAsync<T>(MentoringDb db, ClaimsPrincipal user, Guid groupId,
        CancellationToken ct)
    {
        var (access, group, members) = await PairPageData.CheckAsync(db, user, groupId, ct);
        if (access == PairPageData.Access.NotFound) return (null, PlanResult<T>.Fail(PlanOutcome.NotFound, $"There is no group {groupId} in your programme."));
        if (access == PairPageData.Access.Forbidden)
            return (null, PlanResult<T>.Fail(PlanOutcome.Forbidden, "Only the group's cities and the facilitator see its action plan."));
        if (user.SeesWholeProgramme()) return (new PlanAccess(group!, members, false, true), null);
        var mine = user.IsInRole(PersonRoles.Coordinator) ? members.FirstOrDefault(m => m.CityId == user.CityId()) : null;
        if (mine is null) return (null, PlanResult<T>.Fail(PlanOutcome.Forbidden, "Only the group's cities and the facilitator see its action plan."));
        var writes = IsWriter(members, mine);
        return (new PlanAccess(group!, members, writes, !writes), null);
    }

    private static bool IsWriter(IReadOnlyList<GroupMember> members, GroupMember member) =>
        members.Any(m => m.Role == WriterRole) ? member.Role == WriterRole : true;

    /// <summary>The plan, made on first open.</summary>
    public async Task<PlanResult<ActionPlanView>> OpenAsync(ClaimsPrincipal user, Guid groupId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var (access, refusal) = await AccessAsync<ActionPlanView>(db, user, groupId, ct);
        if (access is null) return refusal!;
        var plan = await EnsureAsync(db, access.Group, access.Members, ct);
        return PlanResult<ActionPlanView>.Done(await ActionPlanQueries.ViewAsync(db, plan, access.MayEdit, access.MayComment, ct));
    }

    private async Task<ActionPlanRecord> EnsureAsync(MentoringDb db, Group group, IReadOnlyList<GroupMember> members, CancellationToken ct)
    {
        if (await db.Set<ActionPlanRecord>().AsNoTracking().SingleOrDefaultAsync(p => p.GroupId == group.Id, ct) is { } existing) return existing;
        var writer = members.FirstOrDefault(m => m.Role == WriterRole) ?? members.FirstOrDefault();
        var language = writer is null ? "en" : await db.Cities.Where(c => c.Id == writer.CityId).Select(c => c.Language).SingleOrDefaultAsync(ct);
        if (language is null || !Web.Texts.Languages.Contains(language)) language = "en";
        var now = clock.GetUtcNow();
        var plan = new ActionPlanRecord
        {
            ProgrammeId = group.ProgrammeId, GroupId = group.Id, Language = language, CreatedAt = now, UpdatedAt = now,
            Needs = writer is null ? "" : await ActionPlanQueries.NeedsFromAssessmentAsync(db, group.ProgrammeId, writer.CityId, language, ct),
        };
        try
        {
            await using var writing = await dbs.CreateDbContextAsync(ct);
            writing.Set<ActionPlanRecord>().Add(plan);
            await writing.SaveChangesAsync(ct);
            return plan;
        }
        catch (DbUpdateException)
        {
            // Two first readers at once: the unique index on group_id lets one make it; the other reads it.
            return await db.Set<ActionPlanRecord>().AsNoTracking().SingleAsync(p => p.GroupId == group.Id, ct);
        }
    }

    private delegate Task<PlanResult<PlanChange>> Change(MentoringDb db, ActionPlanRecord plan, PlanAccess access);

    /// <summary>What a change touches: a comment (the commenters'), the working copy (raises its revision), or the plan's
    /// record beside it (a freeze, an endorsement: the working copy stays as it is).</summary>
    private enum Edit { Comment, WorkingCopy, Plan }

    public const string Stale = "The action plan was saved by someone else after you read it: nothing of your change was saved. " +
                                "Read the plan again and make your change on its new revision.";

    private const string RevisionMissing = "Send the revision of the working copy you read (the plan's 'revision').";

    /// <summary>What every change shares: access, the field errors found before, the key, the plan (made if need be) and
    /// the change in one transaction with the key's record. A change sent with a revision other than the working copy's is
    /// refused (stale); two made on the same revision at once cannot both commit, since the revision is the row's
    /// concurrency token and every change of the working copy raises it.</summary>
    private async Task<PlanResult<PlanChange>> ChangeAsync(ClaimsPrincipal user, Guid groupId, IdempotencyKey? key, Edit edit, int? revision,
        Dictionary<string, string[]> errors, Change change, CancellationToken ct)
    {
        var comment = edit == Edit.Comment;
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            var (access, refusal) = await AccessAsync<PlanChange>(db, user, groupId, ct);
            if (access is null) return refusal!;
            if (comment && !access.MayComment)
                return PlanResult<PlanChange>.Fail(PlanOutcome.Forbidden, "The mentor city and the facilitator comment on the actions; the mentee city answers by changing the plan.");
            if (!comment && !access.MayEdit)
                return PlanResult<PlanChange>.Fail(PlanOutcome.Forbidden, "Only the mentee city edits the action plan; the mentor city and the facilitator comment on its actions.");
            if (errors.Count > 0) return PlanResult<PlanChange>.Invalid(errors);
            if (key is null) return PlanResult<PlanChange>.Fail(PlanOutcome.KeyMissing, "Send a unique Idempotency-Key header with every change.");
            await EnsureAsync(db, access.Group, access.Members, ct);
        }

        Idempotent<PlanChange> outcome;
        try
        {
            outcome = await Idempotency.RunAsync<PlanChange>(dbs, key, clock, async db =>
            {
                var (access, refusal) = await AccessAsync<PlanChange>(db, user, groupId, ct);
                if (access is null) return Idempotent<PlanChange>.Refused(refusal!);
                var plan = await db.Set<ActionPlanRecord>().SingleAsync(p => p.GroupId == groupId, ct);
                if (!comment && revision is { } read && read != plan.Revision)
                    return Idempotent<PlanChange>.Refused(PlanResult<PlanChange>.Fail(PlanOutcome.Conflict, Stale));
                var result = await change(db, plan, access);
                if (result.Outcome != PlanOutcome.Done) return Idempotent<PlanChange>.Refused(result);
                if (edit == Edit.WorkingCopy) plan.Revision++;
                if (!comment) plan.UpdatedAt = clock.GetUtcNow();
                return Idempotent<PlanChange>.Done(result.Value! with { Revision = plan.Revision });
            }, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another change of the plan committed between this one's read and its write: nothing of this one is written.
            return PlanResult<PlanChange>.Fail(PlanOutcome.Conflict, Stale);
        }

        return outcome.Kind switch
        {
            IdempotentKind.Done => PlanResult<PlanChange>.Done(outcome.Response!),
            IdempotentKind.Replayed => new PlanResult<PlanChange>(PlanOutcome.Done, outcome.Response, Replayed: true),
            IdempotentKind.KeyReused => PlanResult<PlanChange>.Fail(PlanOutcome.KeyReused, "This Idempotency-Key was used for another request; send a new one."),
            IdempotentKind.InFlight => PlanResult<PlanChange>.Fail(PlanOutcome.Conflict, Idempotency.InFlightMessage),
            _ => (PlanResult<PlanChange>)outcome.Refusal!,
        };
    }

    private static Dictionary<string, string[]> Revised(int? revision)
    {
        var errors = new Dictionary<string, string[]>();
        RequireRevision(errors, revision);
        return errors;
    }

    private static void RequireRevision(Dictionary<string, string[]> errors, int? revision)
    {
        if (revision is null) Add(errors, "revision", RevisionMissing);
    }

    private Dictionary<string, string[]> Check(object request) => Input.Problem(Input.Check(request, clock.GetUtcNow()));

    private static void Add(Dictionary<string, string[]> errors, string field, string error) =>
        errors[field] = [.. errors.GetValueOrDefault(field) ?? [], error];

    public Task<PlanResult<PlanChange>> EditPlanAsync(ClaimsPrincipal user, Guid groupId, PlanRequest request, IdempotencyKey? key, CancellationToken ct)
    {
        var errors = Check(request);
        if (request.Language is not null && !Web.Texts.Languages.Contains(request.Language))
            Add(errors, "language", "Choose the plan's language: " + string.Join(", ", Web.Texts.Languages) + ".");
        RequireRevision(errors, request.Revision);
        return ChangeAsync(user, groupId, key, Edit.WorkingCopy, request.Revision, errors, (db, plan, _) =>
        {
            if (request.Language is { } language) plan.Language = language;
            if (request.Context is { } context) plan.Context = context.Trim();
            if (request.Needs is { } needs) plan.Needs = needs.Trim();
            return Task.FromResult(PlanResult<PlanChange>.Done(new PlanChange(plan.Id, "plan")));
        }, ct);
    }

    public Task<PlanResult<PlanChange>> AddObjectiveAsync(ClaimsPrincipal user, Guid groupId, ObjectiveRequest request, IdempotencyKey? key,
        CancellationToken ct) => SaveObjectiveAsync(user, groupId, null, request, key, ct);

    public Task<PlanResult<PlanChange>> EditObjectiveAsync(ClaimsPrincipal user, Guid groupId, Guid objectiveId, ObjectiveRequest request,
        IdempotencyKey? key, CancellationToken ct) => SaveObjectiveAsync(user, groupId, objectiveId, request, key, ct);

    private Task<PlanResult<PlanChange>> SaveObjectiveAsync(ClaimsPrincipal user, Guid groupId, Guid? objectiveId, ObjectiveRequest request,
        IdempotencyKey? key, CancellationToken ct)
    {
        var errors = Check(request);
        if (string.IsNullOrWhiteSpace(request.Title)) Add(errors, "title", "Give the objective a title.");
        if (request.KeyFactors is { Count: > MaxItems }) Add(errors, "keyFactors", $"An objective can name at most {MaxItems} key factors.");
        if (objectiveId is not null) RequireRevision(errors, request.Revision);
        return ChangeAsync(user, groupId, key, Edit.WorkingCopy, request.Revision, errors, async (db, plan, _) =>
        {
            var factors = (request.KeyFactors ?? []).Distinct().ToList();
            var known = await (from f in db.BenchmarkFactors
                               join b in db.Benchmarks on f.BenchmarkId equals b.Id
                               where b.GroupId == groupId && factors.Contains(f.Id)
                               select f.Id).ToListAsync(ct);
            if (factors.Except(known).FirstOrDefault() is var unknown && unknown != Guid.Empty)
                return PlanResult<PlanChange>.Invalid(new Dictionary<string, string[]>
                    { ["keyFactors"] = [$"The group's benchmark has no key factor {unknown}."] });
            ActionPlanObjectiveRecord? objective;
            if (objectiveId is { } id)
            {
                objective = await db.Set<ActionPlanObjectiveRecord>().SingleOrDefaultAsync(o => o.Id == id && o.PlanId == plan.Id, ct);
                if (objective is null) return PlanResult<PlanChange>.Fail(PlanOutcome.NotFound, $"The action plan has no objective {id}.");
            }
            else
            {
                var positions = await db.Set<ActionPlanObjectiveRecord>().Where(o => o.PlanId == plan.Id).Select(o => o.Position).ToListAsync(ct);
                if (positions.Count >= MaxItems) return PlanResult<PlanChange>.Fail(PlanOutcome.Conflict, $"A plan can have at most {MaxItems} objectives.");
                objective = new ActionPlanObjectiveRecord { PlanId = plan.Id, Title = "", Position = positions.Count == 0 ? 1 : positions.Max() + 1 };
                db.Set<ActionPlanObjectiveRecord>().Add(objective);
            }

            objective.Title = request.Title!.Trim();
            objective.Description = request.Description?.Trim() ?? "";
            objective.KeyFactors = JsonSerializer.Serialize(factors);
            return PlanResult<PlanChange>.Done(new PlanChange(objective.Id, "objective"));
        }, ct);
    }

    public Task<PlanResult<PlanChange>> RemoveObjectiveAsync(ClaimsPrincipal user, Guid groupId, Guid objectiveId, int? revision, IdempotencyKey? key,
        CancellationToken ct) =>
        ChangeAsync(user, groupId, key, Edit.WorkingCopy, revision, Revised(revision), async (db, plan, _) =>
        {
            var objective = await db.Set<ActionPlanObjectiveRecord>().SingleOrDefaultAsync(o => o.Id == objectiveId && o.PlanId == plan.Id, ct);
            if (objective is null) return PlanResult<PlanChange>.Fail(PlanOutcome.NotFound, $"The action plan has no objective {objectiveId}.");
            foreach (var action in await db.Set<ActionPlanActionRecord>().Where(a => a.ObjectiveId == objectiveId).ToListAsync(ct)) action.ObjectiveId = null;
            db.Remove(objective);
            return PlanResult<PlanChange>.Done(new PlanChange(objectiveId, "objective"));
        }, ct);

    public Task<PlanResult<PlanChange>> AddActionAsync(ClaimsPrincipal user, Guid groupId, ActionRequest request, IdempotencyKey? key, CancellationToken ct) =>
        SaveActionAsync(user, groupId, null, request, key, ct);

    public Task<PlanResult<PlanChange>> EditActionAsync(ClaimsPrincipal user, Guid groupId, Guid actionId, ActionRequest request, IdempotencyKey? key,
        CancellationToken ct) => SaveActionAsync(user, groupId, actionId, request, key, ct);

    /// <summary>Every rule of an action: its title, its end not before its start, a cost of zero or more, each indicator
    /// named with a unit when it has a baseline or a target, each risk with its mitigation, a known status.</summary>
    public Dictionary<string, string[]> CheckAction(ActionRequest request)
    {
        var errors = Check(request);
        if (string.IsNullOrWhiteSpace(request.Title)) Add(errors, "title", "Give the action a title.");
        if (request.Start is { } start && request.End is { } end && end < start)
            Add(errors, "end", "The action's end comes before its start: correct one of the dates.");
        if (request.Cost is < 0) Add(errors, "cost", "The cost cannot be negative: give it in euros, 0 or more.");
        else if (request.Cost is > MaxCost) Add(errors, "cost", "The cost is too large: give it in euros.");
        if (request.Status is not null && !ActionStatuses.All.Contains(request.Status))
            Add(errors, "status", "Choose the action's status: " + string.Join(", ", ActionStatuses.All) + ".");
        if (request.Indicators is { Count: > MaxItems }) Add(errors, "indicators", $"An action can have at most {MaxItems} indicators.");
        if (request.Risks is { Count: > MaxItems }) Add(errors, "risks", $"An action can have at most {MaxItems} risks.");
        var now = clock.GetUtcNow();
        for (var i = 0; i < (request.Indicators?.Count ?? 0); i++)
        {
            var field = $"indicators[{i}]";
            if (request.Indicators![i] is not { } indicator) { Add(errors, field, "Must be an indicator: {name, baseline, target, unit}."); continue; }
            foreach (var (name, messages) in Input.Problem(Input.Check(indicator, now))) errors[$"{field}.{name}"] = messages;
            if (string.IsNullOrWhiteSpace(indicator.Name)) Add(errors, field + ".name", "Say what the indicator measures.");
            if ((indicator.Target is not null || indicator.Baseline is not null) && string.IsNullOrWhiteSpace(indicator.Unit))
                Add(errors, field + ".unit", "Give the unit of the indicator's baseline and target (people, courses, %, ...).");
        }

        for (var i = 0; i < (request.Risks?.Count ?? 0); i++)
        {
            var field = $"risks[{i}]";
            if (request.Risks![i] is not { } risk) { Add(errors, field, "Must be a risk: {risk, mitigation}."); continue; }
            foreach (var (name, messages) in Input.Problem(Input.Check(risk, now))) errors[$"{field}.{name}"] = messages;
            if (string.IsNullOrWhiteSpace(risk.Risk)) Add(errors, field + ".risk", "Describe the risk.");
        }

        return errors;
    }

    private Task<PlanResult<PlanChange>> SaveActionAsync(ClaimsPrincipal user, Guid groupId, Guid? actionId, ActionRequest request, IdempotencyKey? key,
        CancellationToken ct)
    {
        var errors = CheckAction(request);
        if (actionId is not null) RequireRevision(errors, request.Revision);
        return ChangeAsync(user, groupId, key, Edit.WorkingCopy, request.Revision, errors, async (db, plan, _) =>
        {
            var invalid = new Dictionary<string, string[]>();
            if (request.ObjectiveId is { } objectiveId && !await db.Set<ActionPlanObjectiveRecord>().AnyAsync(o => o.Id == objectiveId && o.PlanId == plan.Id, ct))
                invalid["objectiveId"] = [$"The action plan has no objective {objectiveId}."];
            if (request.PracticeId is { } practiceId
                && !(await Benchmarks.BenchmarkTemplates.VisiblePracticesAsync(db, plan.ProgrammeId, [practiceId], ct)).Contains(practiceId))
                invalid["practiceId"] = [$"There is no practice {practiceId} in this programme's library."];
            if (invalid.Count > 0) return PlanResult<PlanChange>.Invalid(invalid);
            ActionPlanActionRecord? action;
            if (actionId is { } id)
            {
                action = await db.Set<ActionPlanActionRecord>().SingleOrDefaultAsync(a => a.Id == id && a.PlanId == plan.Id, ct);
                if (action is null) return PlanResult<PlanChange>.Fail(PlanOutcome.NotFound, $"The action plan has no action {id}.");
            }
            else
            {
                var positions = await db.Set<ActionPlanActionRecord>().Where(a => a.PlanId == plan.Id).Select(a => a.Position).ToListAsync(ct);
                if (positions.Count >= MaxActions) return PlanResult<PlanChange>.Fail(PlanOutcome.Conflict, $"A plan can have at most {MaxActions} actions.");
                action = new ActionPlanActionRecord { PlanId = plan.Id, Title = "", Position = positions.Count == 0 ? 1 : positions.Max() + 1, CreatedAt = clock.GetUtcNow() };
                db.Set<ActionPlanActionRecord>().Add(action);
            }

            action.ObjectiveId = request.ObjectiveId;
            action.Title = request.Title!.Trim();
            action.Description = request.Description?.Trim() ?? "";
            action.PracticeId = request.PracticeId;
            action.Activities = JsonSerializer.Serialize((request.Activities ?? []).Select(a => a?.Trim() ?? "").Where(a => a.Length > 0).ToList());
            action.StartOn = request.Start;
            action.EndOn = request.End;
            action.Responsible = request.Responsible?.Trim() ?? "";
            action.Partners = request.Partners?.Trim() ?? "";
            action.Cost = request.Cost is { } cost ? decimal.Round(cost, 2) : null;
            action.FundingSource = request.FundingSource?.Trim() ?? "";
            action.Indicators = JsonSerializer.Serialize((request.Indicators ?? []).Select(i =>
                new IndicatorView(i.Name!.Trim(), i.Baseline, i.Target, i.Unit?.Trim() ?? "")).ToList(), PlanContent.Json);
            action.Risks = JsonSerializer.Serialize((request.Risks ?? []).Select(r => new RiskView(r.Risk!.Trim(), r.Mitigation?.Trim() ?? "")).ToList(),
                PlanContent.Json);
            action.Status = request.Status ?? action.Status;
            return PlanResult<PlanChange>.Done(new PlanChange(action.Id, "action"));
        }, ct);
    }

    public Task<PlanResult<PlanChange>> RemoveActionAsync(ClaimsPrincipal user, Guid groupId, Guid actionId, int? revision, IdempotencyKey? key,
        CancellationToken ct) =>
        ChangeAsync(user, groupId, key, Edit.WorkingCopy, revision, Revised(revision), async (db, plan, _) =>
        {
            var action = await db.Set<ActionPlanActionRecord>().SingleOrDefaultAsync(a => a.Id == actionId && a.PlanId == plan.Id, ct);
            if (action is null) return PlanResult<PlanChange>.Fail(PlanOutcome.NotFound, $"The action plan has no action {actionId}.");
            // The action's comments stay: the versions that had it still show them.
            db.Remove(action);
            return PlanResult<PlanChange>.Done(new PlanChange(actionId, "action"));
        }, ct);

    /// <summary>Freezes the working copy as it is now under the label; a label frozen already is a 409, since a version never changes.</summary>
    public Task<PlanResult<PlanChange>> FreezeAsync(ClaimsPrincipal user, Guid groupId, FreezeRequest request, IdempotencyKey? key, CancellationToken ct)
    {
        var errors = Check(request);
        if (!IsLabel(request.Label))
            Add(errors, "label", "Name the version with a label of lower-case letters, digits and hyphens, such as draft, consolidated or reviewed.");
        return ChangeAsync(user, groupId, key, Edit.Plan, request.Revision, errors, async (db, plan, _) =>
        {
            var versions = await db.Set<ActionPlanVersionRecord>().Where(v => v.PlanId == plan.Id).Select(v => new { v.Label, v.Number }).ToListAsync(ct);
            if (versions.Any(v => v.Label == request.Label))
                return PlanResult<PlanChange>.Fail(PlanOutcome.Conflict, FrozenAlready);
            var content = await ActionPlanQueries.WorkingAsync(db, plan, ct);
            if (content.Actions.Count == 0)
                return PlanResult<PlanChange>.Fail(PlanOutcome.Conflict, "The plan has no action yet: add at least one action before freezing a version.");
            var version = new ActionPlanVersionRecord
            {
                PlanId = plan.Id, Number = versions.Count == 0 ? 1 : versions.Max(v => v.Number) + 1, Label = request.Label!, Content = content.ToJson(),
                FrozenAt = clock.GetUtcNow(), FrozenBy = user.PersonId(), FrozenByName = user.Identity?.Name ?? "",
            };
            db.Set<ActionPlanVersionRecord>().Add(version);
            return PlanResult<PlanChange>.Done(new PlanChange(version.Id, "version"));
        }, ct);
    }

    /// <summary>The answer to any attempt to change a frozen version: 409 when it exists, saying what to do instead.</summary>
    public async Task<PlanResult<PlanChange>> ChangeFrozenAsync(ClaimsPrincipal user, Guid groupId, string label, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var (access, refusal) = await AccessAsync<PlanChange>(db, user, groupId, ct);
        if (access is null) return refusal!;
        var exists = await (from v in db.Set<ActionPlanVersionRecord>()
                            join p in db.Set<ActionPlanRecord>() on v.PlanId equals p.Id
                            where p.GroupId == groupId && v.Label == label
                            select v.Id).AnyAsync(ct);
        return exists
            ? PlanResult<PlanChange>.Fail(PlanOutcome.Conflict,
                $"The version '{label}' is frozen and cannot change: edit the working copy (/api/pairs/{groupId}/action-plan) and freeze a new version.")
            : PlanResult<PlanChange>.Fail(PlanOutcome.NotFound, $"The action plan has no version '{label}'.");
    }

    public Task<PlanResult<PlanChange>> CommentAsync(ClaimsPrincipal user, Guid groupId, Guid actionId, ActionCommentRequest request, IdempotencyKey? key,
        CancellationToken ct)
    {
        var errors = Check(request);
        if (string.IsNullOrWhiteSpace(request.Text)) Add(errors, "text", "Write the comment first.");
        return ChangeAsync(user, groupId, key, Edit.Comment, null, errors, async (db, plan, _) =>
        {
            Guid? versionId = null;
            if (request.Version is { Length: > 0 } label && label != Working)
            {
                var version = await db.Set<ActionPlanVersionRecord>().AsNoTracking().SingleOrDefaultAsync(v => v.PlanId == plan.Id && v.Label == label, ct);
                if (version is null) return PlanResult<PlanChange>.Fail(PlanOutcome.NotFound, $"The action plan has no version '{label}'.");
                if (PlanContent.FromJson(version.Content).Actions.All(a => a.Id != actionId))
                    return PlanResult<PlanChange>.Fail(PlanOutcome.NotFound, $"The version '{label}' has no action {actionId}.");
                versionId = version.Id;
            }
            else if (!await db.Set<ActionPlanActionRecord>().AnyAsync(a => a.Id == actionId && a.PlanId == plan.Id, ct))
                return PlanResult<PlanChange>.Fail(PlanOutcome.NotFound, $"The action plan has no action {actionId}.");

            var comment = new ActionPlanCommentRecord
            {
                PlanId = plan.Id, ActionId = actionId, VersionId = versionId, AuthorId = user.PersonId(), Text = request.Text!.Trim(),
                CreatedAt = clock.GetUtcNow(),
            };
            db.Set<ActionPlanCommentRecord>().Add(comment);
            return PlanResult<PlanChange>.Done(new PlanChange(comment.Id, "comment"));
        }, ct);
    }

    /// <summary>The mentee records the city administration's endorsement, with the document when one came (stored with it,
    /// in the same transaction). Recording it again replaces it (a corrected date, a better scan).</summary>
    public Task<PlanResult<PlanChange>> EndorseAsync(ClaimsPrincipal user, Guid groupId, EndorsementRequest request, PendingUpload? document,
        IdempotencyKey? key, CancellationToken ct)
    {
        var errors = Check(request);
        if (request.EndorsedOn is null) Add(errors, "endorsedOn", "Give the date the city administration endorsed the plan.");
        else if (request.EndorsedOn > DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddDays(1))
            Add(errors, "endorsedOn", "The endorsement date is in the future: record the endorsement once it has happened.");
        if (string.IsNullOrWhiteSpace(request.Body)) Add(errors, "body", "Name the body that endorsed the plan (the city council, the mayor's board, ...).");
        return ChangeAsync(user, groupId, key, Edit.Plan, null, errors, async (db, plan, _) =>
        {
            if (!await db.Set<ActionPlanVersionRecord>().AnyAsync(v => v.PlanId == plan.Id, ct))
                return PlanResult<PlanChange>.Fail(PlanOutcome.Conflict, "Freeze a version of the plan first: the administration endorses a version, not a working copy.");
            var now = clock.GetUtcNow();
            if (document is not null)
            {
                UploadedFiles.AddUnattached(db, document, user.PersonId(), now);
                plan.EndorsementFileId = document.Id;
            }

            plan.EndorsedOn = request.EndorsedOn;
            plan.EndorsedBy = request.Body!.Trim();
            plan.EndorsementRecordedBy = user.PersonId();
            plan.EndorsementRecordedAt = now;
            return PlanResult<PlanChange>.Done(new PlanChange(plan.Id, "endorsement"));
        }, ct);
    }

    /// <summary>The endorsement's document, for whoever may read the plan.</summary>
    public async Task<PlanResult<UploadedFile>> DocumentAsync(ClaimsPrincipal user, Guid groupId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var (access, refusal) = await AccessAsync<UploadedFile>(db, user, groupId, ct);
        if (access is null) return refusal!;
        var file = await (from p in db.Set<ActionPlanRecord>()
                          join f in db.Set<UploadedFile>() on p.EndorsementFileId equals f.Id
                          where p.GroupId == groupId
                          select f).AsNoTracking().SingleOrDefaultAsync(ct);
        return file is null ? PlanResult<UploadedFile>.Fail(PlanOutcome.NotFound, "No endorsement document was uploaded.") : PlanResult<UploadedFile>.Done(file);
    }

    internal static string Money(decimal? cost) => cost is { } c ? c.ToString("0.00", CultureInfo.InvariantCulture) : "";
}
