using System.Security.Claims;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Inputs;
using Mentoring.Server.Programme;
using Mentoring.Server.Uploads;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Plans;

/// <summary>Who asks: the facilitator acting for their programme, or somebody who may not use the plan tools.</summary>
public sealed record PlanCaller(Actor? Facilitator, string ProgrammeId, Guid PersonId)
{
    public static PlanCaller From(ClaimsPrincipal user) =>
        new(user.IsFacilitator() ? user.ActorFor(null) : null, user.FindFirstValue(CurrentUser.ProgrammeClaim) ?? "", user.PersonId());
}

// The limits of what the facilitator writes, checked on every request as for the pairs' commands (Inputs/Input.cs).
public sealed record ShiftPlanRequest(int? Days, DateOnly? ToDate, Guid? ItemId,
    [property: Text(PlanService.MaxReason, MultiLine = true)] string? Reason);
public sealed record PauseRequest([property: Text(PlanService.MaxReason, MultiLine = true)] string? Reason);
public sealed record ResumeRequest(bool? MoveDueDates, [property: Text(PlanService.MaxReason, MultiLine = true)] string? Reason);
public sealed record RecordVisitLateRequest(DateOnly? Date, string? HostCity,
    [property: Text(Limits.Line, MaxItems = Limits.Participants)] IReadOnlyList<string>? Participants);
public sealed record RecordTaskLateRequest(DateOnly? Date, [property: Text(Limits.Note, MultiLine = true)] string? Note,
    [property: Text(Limits.Link)] string? Link, string? FileId, string? Choice);
public sealed record DayOffRequest(string? CityId, DateOnly? Date, [property: Text(PlanService.MaxReason)] string? Reason);
public sealed record AugustOffRequest(string? CityId, bool Off);

/// <summary>What a plan change did: how far the dates moved, and each workflow it touched.</summary>
public sealed record PlanResponse(int Days, IReadOnlyList<CommandResponse> Instances);

public sealed record PauseView(Guid Id, DateTimeOffset PausedAt, string PausedBy, string Reason, DateTimeOffset? ResumedAt,
    string? ResumedBy, string? ResumeReason, int? MovedDays);

/// <summary>The programme's pause now (if any) and the pauses before it.</summary>
public sealed record PauseState(PauseView? Current, IReadOnlyList<PauseView> Earlier);

public sealed record DayOffView(Guid Id, DateOnly Date, string? Reason);

/// <summary>The days off of the programme (no city) or one city.</summary>
public sealed record CalendarScope(string? CityId, string Name, bool AugustOff, IReadOnlyList<DayOffView> DaysOff);

public sealed record CalendarView(CalendarScope Programme, IReadOnlyList<CalendarScope> Cities);

/// <summary>
/// The facilitator's plan tools as typed commands: shift due dates (one pair or the whole programme), pause and resume
/// the programme, record what already happened, and keep the holiday calendar. Each change is one transaction with
/// one Idempotency-Key (<see cref="WorkflowHost.ExecuteBatchAsync{T}"/>); workflow changes go through the runner.
/// Nothing here knows HTTP: the API and the pages map the outcome to their own answer.
/// </summary>
public sealed class PlanService(WorkflowHost host, IDbContextFactory<MentoringDb> dbs, TimeProvider clock)
{
    public const int MaxReason = 1000;
    private const int AugustMonth = 8;

    public Task<BatchOutcome<PlanResponse>> ShiftPairAsync(PlanCaller caller, Guid pairId, ShiftPlanRequest request,
        IdempotencyKey key, CancellationToken ct) =>
        RunAsync<PlanResponse>(caller, key, ShiftErrors(request), async (batch, by) =>
        {
            var pair = await batch.Db.Groups.AsNoTracking().SingleOrDefaultAsync(p => p.Id == pairId && p.ProgrammeId == caller.ProgrammeId, ct);
            if (pair is null) return BatchOutcome<PlanResponse>.Missing($"There is no pair {pairId}.");
            string? stepId = null;
            if (request.ItemId is { } itemId)
            {
                var item = await batch.Db.WorkItems.AsNoTracking().SingleOrDefaultAsync(w => w.Id == itemId && w.InstanceId == pair.InstanceId, ct);
                if (item is null) return BatchOutcome<PlanResponse>.Missing($"This pair has no task {itemId}.");
                stepId = item.StepId;
            }

            var instances = await batch.Db.Instances.Where(i => i.Id == pair.InstanceId).ToListAsync(ct);
            return await ShiftAsync(batch, by, instances, request, stepId, ct);
        }, ct);

    /// <summary>Every running workflow of the programme: each pair and the programme's own.</summary>
    public Task<BatchOutcome<PlanResponse>> ShiftProgrammeAsync(PlanCaller caller, ShiftPlanRequest request, IdempotencyKey key,
        CancellationToken ct) =>
        RunAsync<PlanResponse>(caller, key, ShiftErrors(request) ?? (request.ItemId is null ? null
                : new Dictionary<string, string[]> { ["itemId"] = ["Move one task from its pair's plan, not the programme's."] }),
            async (batch, by) => await ShiftAsync(batch, by, await RunningAsync(batch.Db, caller.ProgrammeId, ct), request, null, ct), ct);

    public Task<BatchOutcome<PauseView>> PauseAsync(PlanCaller caller, PauseRequest request, IdempotencyKey key, CancellationToken ct) =>
        RunAsync<PauseView>(caller, key, ReasonErrors(request.Reason, required: true), async (batch, by) =>
        {
            if (await OpenPauseAsync(batch.Db, caller.ProgrammeId, ct) is { } open)
                return BatchOutcome<PauseView>.Refused(RejectionKind.Conflict, $"The programme is paused already, since {open.PausedAt:yyyy-MM-dd}.");
            var pause = new ProgrammePause
            {
                ProgrammeId = caller.ProgrammeId, PausedAt = clock.GetUtcNow(), PausedBy = by.Name, Reason = request.Reason!.Trim(),
            };
            batch.Db.Add(pause);
            var applied = await ApplyAllAsync(batch, await RunningAsync(batch.Db, caller.ProgrammeId, ct), _ => new NotePause(by, pause.Reason), ct);
            return applied.Kind == OutcomeKind.Applied ? BatchOutcome<PauseView>.Done(View(pause))
                : new BatchOutcome<PauseView>(applied.Kind, Rejection: applied.Rejection);
        }, ct);

    /// <summary>Ends the pause. Unless told otherwise, open due dates and pending timers move on by the pause's length,
    /// so what fell due while paused is due again as far ahead as it was, and no escalation goes out at once.</summary>
    public Task<BatchOutcome<PauseView>> ResumeAsync(PlanCaller caller, ResumeRequest request, IdempotencyKey key, CancellationToken ct) =>
        RunAsync<PauseView>(caller, key, ReasonErrors(request.Reason, required: false), async (batch, by) =>
        {
            if (await OpenPauseAsync(batch.Db, caller.ProgrammeId, ct, tracked: true) is not { } pause)
                return BatchOutcome<PauseView>.Refused(RejectionKind.Conflict, "The programme is not paused.");
            var now = clock.GetUtcNow();
            var days = request.MoveDueDates ?? true ? PauseLength(pause.PausedAt, now) : 0;
            pause.ResumedAt = now;
            pause.ResumedBy = by.Name;
            pause.ResumeReason = Clean(request.Reason);
            pause.MovedDays = days;
            var applied = await ApplyAllAsync(batch, await RunningAsync(batch.Db, caller.ProgrammeId, ct),
                _ => new ResumeAfterPause(by, days, pause.ResumeReason ?? pause.Reason), ct);
            return applied.Kind == OutcomeKind.Applied ? BatchOutcome<PauseView>.Done(View(pause))
                : new BatchOutcome<PauseView>(applied.Kind, Rejection: applied.Rejection);
        }, ct);

    public Task<BatchOutcome<CommandResponse>> RecordVisitAsync(PlanCaller caller, Guid pairId, Guid visitId,
        RecordVisitLateRequest request, IdempotencyKey key, CancellationToken ct) =>
        RunAsync<CommandResponse>(caller, key, request.Date is null ? DateRequired : null, async (batch, by) =>
        {
            var pair = await batch.Db.Groups.AsNoTracking().SingleOrDefaultAsync(p => p.Id == pairId && p.ProgrammeId == caller.ProgrammeId, ct);
            if (pair is null) return BatchOutcome<CommandResponse>.Missing($"There is no pair {pairId}.");
            var item = await batch.Db.WorkItems.AsNoTracking()
                .SingleOrDefaultAsync(w => w.Id == visitId && w.InstanceId == pair.InstanceId && w.Kind == "study-visit", ct);
            if (item is null) return BatchOutcome<CommandResponse>.Missing($"This pair has no study visit {visitId}.");
            // The host may be named by its id or its name; the pair's pages and emails show the name.
            var host = (request.HostCity ?? "").Trim();
            host = await (from m in batch.Db.GroupMembers
                    where m.GroupId == pair.Id
                    join c in batch.Db.Cities on m.CityId equals c.Id
                    where c.Id == host || c.Name == host
                    select c.Name).FirstOrDefaultAsync(ct) ?? host;
            return await ApplyOneAsync(batch, pair.InstanceId,
                new RecordVisitHeldLate(by, item.StepId, item.Activation, request.Date!.Value, host, request.Participants ?? []), ct);
        }, ct);

    /// <summary>A task of a pair (<paramref name="pairId"/>) or of the programme's own workflow (null) done on a day gone by.</summary>
    /// <summary>A task done on a day gone by. A file sent with it (the page's upload) is stored in the same transaction
    /// as the task's; a <c>fileId</c> must name a file the facilitator uploaded for this task before, as when
    /// completing one (<see cref="UploadedFiles.CheckAttachableAsync"/>): never another pair's file.</summary>
    public Task<BatchOutcome<CommandResponse>> RecordTaskAsync(PlanCaller caller, Guid? pairId, Guid taskId,
        RecordTaskLateRequest request, IdempotencyKey key, CancellationToken ct, PendingUpload? upload = null) =>
        RunAsync<CommandResponse>(caller, key, request.Date is null ? DateRequired : null, async (batch, by) =>
        {
            Guid? instanceId = pairId is { } id
                ? await batch.Db.Groups.Where(p => p.Id == id && p.ProgrammeId == caller.ProgrammeId).Select(p => (Guid?)p.InstanceId).SingleOrDefaultAsync(ct)
                : await batch.Db.Programmes.Where(p => p.Id == caller.ProgrammeId).Select(p => p.ProgrammeInstanceId).SingleOrDefaultAsync(ct);
            if (instanceId is null)
                return BatchOutcome<CommandResponse>.Missing(pairId is null ? "The programme has no workflow of its own." : $"There is no pair {pairId}.");
            var item = await batch.Db.WorkItems.AsNoTracking()
                .SingleOrDefaultAsync(w => w.Id == taskId && w.InstanceId == instanceId && w.Kind == "task", ct);
            if (item is null) return BatchOutcome<CommandResponse>.Missing($"There is no task {taskId} here.");
            if (upload is null && Clean(request.FileId) is { } named
                && await UploadedFiles.CheckAttachableAsync(batch.Db, named, caller.PersonId, item, ct) is { } notAttachable)
                return BatchOutcome<CommandResponse>.Refused(RejectionKind.Invalid, "The file cannot be attached.",
                    new Dictionary<string, string[]> { ["fileId"] = [notAttachable] });
            var outcome = await ApplyOneAsync(batch, instanceId.Value, new CompleteTaskLate(by, item.StepId, item.Activation,
                request.Date!.Value, Clean(request.Note), Clean(request.Link), upload?.Id.ToString() ?? Clean(request.FileId),
                Clean(request.Choice)), ct);
            // Stored only once the record is applied, so a refused one leaves no file behind.
            if (upload is not null && outcome.Kind == OutcomeKind.Applied)
                UploadedFiles.Add(batch.Db, upload, caller.PersonId, pairId, item.Id, clock.GetUtcNow());
            return outcome;
        }, ct);

    public async Task<BatchOutcome<PauseState>> PausesAsync(PlanCaller caller, CancellationToken ct)
    {
        if (caller.Facilitator is null) return NotFacilitator<PauseState>();
        await using var db = await dbs.CreateDbContextAsync(ct);
        var pauses = (await db.Set<ProgrammePause>().AsNoTracking().Where(p => p.ProgrammeId == caller.ProgrammeId).ToListAsync(ct))
            .OrderByDescending(p => p.PausedAt).Select(View).ToList();
        return BatchOutcome<PauseState>.Done(new PauseState(pauses.FirstOrDefault(p => p.ResumedAt is null),
            pauses.Where(p => p.ResumedAt is not null).ToList()));
    }

    public async Task<BatchOutcome<CalendarView>> CalendarAsync(PlanCaller caller, CancellationToken ct)
    {
        if (caller.Facilitator is null) return NotFacilitator<CalendarView>();
        await using var db = await dbs.CreateDbContextAsync(ct);
        return BatchOutcome<CalendarView>.Done(await ViewCalendarAsync(db, caller.ProgrammeId, ct));
    }

    /// <summary>Adds a day off; one already there is left as it is, so the same day twice is one day off.</summary>
    public Task<BatchOutcome<CalendarView>> AddDayOffAsync(PlanCaller caller, DayOffRequest request, IdempotencyKey key, CancellationToken ct) =>
        RunAsync<CalendarView>(caller, key, request.Date is null ? DateRequired : ReasonErrors(request.Reason, required: false), async (batch, _) =>
        {
            if (await UnknownCityAsync(batch.Db, caller.ProgrammeId, request.CityId, ct) is { } unknown) return unknown;
            var cityId = Clean(request.CityId);
            if (!await batch.Db.Set<CalendarDayOff>().AnyAsync(d => d.ProgrammeId == caller.ProgrammeId && d.CityId == cityId
                                                                    && d.Date == request.Date, ct))
            {
                batch.Db.Add(new CalendarDayOff
                {
                    ProgrammeId = caller.ProgrammeId, CityId = cityId, Date = request.Date, Reason = Clean(request.Reason),
                    CreatedAt = clock.GetUtcNow(),
                });
                await batch.Db.SaveChangesAsync(ct);
            }

            return BatchOutcome<CalendarView>.Done(await ViewCalendarAsync(batch.Db, caller.ProgrammeId, ct));
        }, ct);

    /// <summary>"August off" for the programme or a city: no nudge lands in August there, any year.</summary>
    public Task<BatchOutcome<CalendarView>> SetAugustOffAsync(PlanCaller caller, AugustOffRequest request, IdempotencyKey key,
        CancellationToken ct) =>
        RunAsync<CalendarView>(caller, key, null, async (batch, _) =>
        {
            if (await UnknownCityAsync(batch.Db, caller.ProgrammeId, request.CityId, ct) is { } unknown) return unknown;
            var cityId = Clean(request.CityId);
            var rows = await batch.Db.Set<CalendarDayOff>()
                .Where(d => d.ProgrammeId == caller.ProgrammeId && d.CityId == cityId && d.Month == AugustMonth).ToListAsync(ct);
            if (request.Off && rows.Count == 0)
                batch.Db.Add(new CalendarDayOff
                {
                    ProgrammeId = caller.ProgrammeId, CityId = cityId, Month = AugustMonth, Reason = "August off", CreatedAt = clock.GetUtcNow(),
                });
            if (!request.Off) batch.Db.RemoveRange(rows);
            await batch.Db.SaveChangesAsync(ct);
            return BatchOutcome<CalendarView>.Done(await ViewCalendarAsync(batch.Db, caller.ProgrammeId, ct));
        }, ct);

    /// <summary>Removes a day off; removing it again finds nothing (404), so a retry changes nothing either.</summary>
    public async Task<BatchOutcome<CalendarView>> RemoveDayOffAsync(PlanCaller caller, Guid id, CancellationToken ct)
    {
        if (caller.Facilitator is null) return NotFacilitator<CalendarView>();
        await using var db = await dbs.CreateDbContextAsync(ct);
        var removed = await db.Set<CalendarDayOff>().Where(d => d.Id == id && d.ProgrammeId == caller.ProgrammeId && d.Date != null)
            .ExecuteDeleteAsync(ct);
        return removed == 0 ? BatchOutcome<CalendarView>.Missing($"There is no day off {id}.")
            : BatchOutcome<CalendarView>.Done(await ViewCalendarAsync(db, caller.ProgrammeId, ct));
    }

    private async Task<BatchOutcome<T>> RunAsync<T>(PlanCaller caller, IdempotencyKey key, IReadOnlyDictionary<string, string[]>? errors,
        Func<WorkflowHost.InstanceBatch, Actor, Task<BatchOutcome<T>>> body, CancellationToken ct)
    {
        if (caller.Facilitator is not { } by) return NotFacilitator<T>();
        if (errors is not null) return BatchOutcome<T>.Refused(RejectionKind.Invalid, "The request is incomplete.", errors);
        return await host.ExecuteBatchAsync(key, (batch, _) => body(batch, by), ct);
    }

    private static BatchOutcome<T> NotFacilitator<T>() =>
        BatchOutcome<T>.Refused(RejectionKind.Forbidden, "Only the facilitator can change the plan, pause the programme or keep its calendar.");

    private static readonly Dictionary<string, string[]> DateRequired = new() { ["date"] = ["Give the date (yyyy-mm-dd)."] };

    private async Task<BatchOutcome<PlanResponse>> ShiftAsync(WorkflowHost.InstanceBatch batch, Actor by, List<WorkflowInstance> instances,
        ShiftPlanRequest request, string? stepId, CancellationToken ct)
    {
        var dated = await EarliestDueAsync(batch.Db, instances, stepId, ct);
        if (dated is null)
            return BatchOutcome<PlanResponse>.Refused(RejectionKind.Conflict, "Nothing open here has a due date to move.");
        var days = request.Days ?? request.ToDate!.Value.DayNumber - dated.Value.DayNumber;
        if (days == 0)
            return BatchOutcome<PlanResponse>.Refused(RejectionKind.Invalid, "The plan cannot be moved.",
                new Dictionary<string, string[]> { ["toDate"] = [$"The first open due date is {dated:yyyy-MM-dd} already."] });
        return await ApplyAllAsync(batch, instances, _ => new ShiftDueDates(by, days, request.Reason!.Trim(), stepId), ct) is var outcome
               && outcome.Kind == OutcomeKind.Applied
            ? BatchOutcome<PlanResponse>.Done(new PlanResponse(days, outcome.Response!))
            : new BatchOutcome<PlanResponse>(outcome.Kind, Rejection: outcome.Rejection);
    }

    /// <summary>The first open due date among these instances' tasks and waits, as a local date where it is due.</summary>
    private static async Task<DateOnly?> EarliestDueAsync(MentoringDb db, List<WorkflowInstance> instances, string? stepId, CancellationToken ct)
    {
        var ids = instances.Select(i => i.Id).ToList();
        var items = await (from item in db.WorkItems
                where ids.Contains(item.InstanceId) && item.Status == WorkItemStatus.Open && item.DueAt != null
                      && (item.Kind == "task" || item.Kind == "timer") && (stepId == null || item.StepId == stepId)
                join pair in db.Groups on item.InstanceId equals pair.InstanceId into pairs
                from pair in pairs.DefaultIfEmpty()
                select new { item.DueAt, item.Assignee, GroupId = pair == null ? (Guid?)null : pair.Id })
            .AsNoTracking().ToListAsync(ct);
        if (items.Count == 0) return null;
        var zones = await db.Cities.AsNoTracking().ToDictionaryAsync(c => c.Id, c => c.TimeZone, ct);
        var groups = await GroupNames.LoadAsync(db, items.Where(i => i.GroupId is not null).Select(i => i.GroupId!.Value).Distinct().ToList(), ct);
        return items.Min(i =>
        {
            // Reckoned where the assignee's city is; "both" in the last role's city (a pair's mentee), as the engine does.
            var members = i.GroupId is { } g ? groups[g] : new GroupNames([]);
            var city = members.CityIds(i.Assignee ?? "").FirstOrDefault() ?? members.Members.Select(m => m.CityId).LastOrDefault();
            var zone = TimeZoneInfo.FindSystemTimeZoneById(city is not null && zones.TryGetValue(city, out var z) ? z : "Europe/Brussels");
            return NudgeSchedule.LocalDate(i.DueAt!.Value, zone);
        });
    }

    private static async Task<BatchOutcome<IReadOnlyList<CommandResponse>>> ApplyAllAsync(WorkflowHost.InstanceBatch batch,
        IEnumerable<WorkflowInstance> instances, Func<WorkflowInstance, WorkflowCommand> command, CancellationToken ct)
    {
        var responses = new List<CommandResponse>();
        foreach (var instance in instances)
        {
            var outcome = await batch.ApplyAsync(instance, command(instance), ct);
            if (outcome.Kind != OutcomeKind.Applied)
                return new BatchOutcome<IReadOnlyList<CommandResponse>>(outcome.Kind, Rejection: outcome.Rejection);
            responses.Add(outcome.Response!);
        }

        return BatchOutcome<IReadOnlyList<CommandResponse>>.Done(responses);
    }

    private static async Task<BatchOutcome<CommandResponse>> ApplyOneAsync(WorkflowHost.InstanceBatch batch, Guid instanceId,
        WorkflowCommand command, CancellationToken ct)
    {
        var instance = await batch.Db.Instances.SingleAsync(i => i.Id == instanceId, ct);
        var outcome = await batch.ApplyAsync(instance, command, ct);
        return new BatchOutcome<CommandResponse>(outcome.Kind, outcome.Response, outcome.Rejection);
    }

    private static Task<List<WorkflowInstance>> RunningAsync(MentoringDb db, string programmeId, CancellationToken ct) =>
        db.Instances.Where(i => i.ProgrammeId == programmeId && i.Status == "running").OrderBy(i => i.CreatedAt).ThenBy(i => i.Id)
            .ToListAsync(ct);

    private static Task<ProgrammePause?> OpenPauseAsync(MentoringDb db, string programmeId, CancellationToken ct, bool tracked = false)
    {
        var pauses = tracked ? db.Set<ProgrammePause>() : db.Set<ProgrammePause>().AsNoTracking();
        return pauses.SingleOrDefaultAsync(p => p.ProgrammeId == programmeId && p.ResumedAt == null, ct);
    }

    /// <summary>Whole days, rounded: a pause from a Monday to the Monday two weeks later moves dates by 14.</summary>
    public static int PauseLength(DateTimeOffset pausedAt, DateTimeOffset resumedAt) =>
        Math.Max(0, (int)Math.Round((resumedAt - pausedAt).TotalDays, MidpointRounding.AwayFromZero));

    private static async Task<BatchOutcome<CalendarView>?> UnknownCityAsync(MentoringDb db, string programmeId, string? cityId,
        CancellationToken ct) =>
        Clean(cityId) is not { } id || await db.ProgrammeMembers.AnyAsync(c => c.CityId == id && c.ProgrammeId == programmeId, ct) ? null
            : BatchOutcome<CalendarView>.Refused(RejectionKind.Invalid, "The request is incomplete.",
                new Dictionary<string, string[]> { ["cityId"] = [$"The programme has no city '{id}'."] });

    private static async Task<CalendarView> ViewCalendarAsync(MentoringDb db, string programmeId, CancellationToken ct)
    {
        var rows = await db.Set<CalendarDayOff>().AsNoTracking().Where(d => d.ProgrammeId == programmeId).ToListAsync(ct);
        var cities = await db.Cities.AsNoTracking()
            .Where(c => db.ProgrammeMembers.Any(m => m.CityId == c.Id && m.ProgrammeId == programmeId)).OrderBy(c => c.Name).ToListAsync(ct);
        var name = await db.Programmes.Where(p => p.Id == programmeId).Select(p => p.Name).SingleOrDefaultAsync(ct) ?? programmeId;
        CalendarScope Scope(string? cityId, string scopeName) => new(cityId, scopeName,
            rows.Any(r => r.CityId == cityId && r.Month == AugustMonth),
            rows.Where(r => r.CityId == cityId && r.Date is not null).OrderBy(r => r.Date)
                .Select(r => new DayOffView(r.Id, r.Date!.Value, r.Reason)).ToList());
        return new CalendarView(Scope(null, name), cities.Select(c => Scope(c.Id, c.Name)).ToList());
    }

    private static Dictionary<string, string[]>? ShiftErrors(ShiftPlanRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Days is null == request.ToDate is null) errors["days"] = ["Give either a number of days or a date to move to."];
        else if (request.Days is { } days && (days == 0 || Math.Abs(days) > 3660)) errors["days"] = ["Move by 1 to 3660 days, forward or back."];
        foreach (var (field, problems) in ReasonErrors(request.Reason, required: true) ?? []) errors[field] = problems;
        return errors.Count > 0 ? errors : null;
    }

    private static Dictionary<string, string[]>? ReasonErrors(string? reason, bool required) =>
        required && string.IsNullOrWhiteSpace(reason) ? new() { ["reason"] = ["Say why: the history keeps it."] }
        : reason?.Length > MaxReason ? new() { ["reason"] = [$"At most {MaxReason} characters."] }
        : null;

    private static PauseView View(ProgrammePause p) =>
        new(p.Id, p.PausedAt, p.PausedBy, p.Reason, p.ResumedAt, p.ResumedBy, p.ResumeReason, p.MovedDays);

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
