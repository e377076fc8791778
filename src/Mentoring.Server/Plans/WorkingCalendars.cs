using System.Text.Json;
using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Data;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Plans;

/// <summary>
/// The read side of days off and pauses, for the workflow host and the nudge sender: the calendar an instance's nudges
/// are planned in, the check that holds back a nudge whose day became a day off after it was planned, and the filter
/// that keeps a paused programme's timers from firing.
/// </summary>
public static class WorkingCalendars
{
    /// <summary>The days off of these programmes and of these cities, in one query.</summary>
    public static Task<List<CalendarDayOff>> DaysOffAsync(MentoringDb db, IReadOnlyCollection<string> programmeIds,
        IReadOnlyCollection<string?> cityIds, CancellationToken cancellationToken) =>
        db.Set<CalendarDayOff>().AsNoTracking()
            .Where(d => programmeIds.Contains(d.ProgrammeId) && (d.CityId == null || cityIds.Contains(d.CityId)))
            .ToListAsync(cancellationToken);

    public static WorkingCalendar For(IReadOnlyCollection<CalendarDayOff> rows, string programmeId, string? mentorCityId,
        string? menteeCityId)
    {
        if (rows.Count == 0) return WorkingCalendar.None;
        List<DayOff> Of(string? cityId) => rows.Where(r => r.ProgrammeId == programmeId && r.CityId == cityId).Select(ToDayOff).ToList();
        return new WorkingCalendar(Of(null), mentorCityId is null ? [] : Of(mentorCityId), menteeCityId is null ? [] : Of(menteeCityId));
    }

    private static DayOff ToDayOff(CalendarDayOff row) => new(row.Date, row.Month);

    /// <summary>Instances of programmes that are not paused: a paused programme's timers wait, nudges and waits alike.</summary>
    public static IQueryable<WorkflowInstance> NotPaused(this IQueryable<WorkflowInstance> instances, MentoringDb db) =>
        instances.Where(i => !db.Set<ProgrammePause>().Any(p => p.ProgrammeId == i.ProgrammeId && p.ResumedAt == null));

    /// <summary>When a due nudge falls on a day off for its recipients (a holiday entered after it was planned), the
    /// next working morning in their city, to send it then instead; null to send it now.</summary>
    public static DateTimeOffset? DeferredFromDayOff(TimerRecord timer, InstanceContext context, DateTimeOffset now)
    {
        if (context.WorkingHours.Calendar.IsEmpty) return null;
        var role = RoleOf(timer);
        var zone = context.TimeZoneOf(role);
        var hours = context.WorkingHours.For(role);
        return hours.Calendar.IsDayOff(role, NudgeSchedule.LocalDate(now, zone)) ? NudgeSchedule.WithinWorkingHours(now, zone, hours) : null;
    }

    /// <summary>Whom a nudge timer is for: the role in its data, or both sides (a study-visit follow-up).</summary>
    internal static Role RoleOf(TimerRecord timer)
    {
        var data = timer.Data is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(timer.Data, WorkflowHost.Json);
        return data?.GetValueOrDefault("role") is { } name && Enum.TryParse<Role>(name, true, out var parsed) ? parsed : Role.Both;
    }

    /// <summary>A timer moved by whole days in its recipients' zone (<see cref="TimersShifted"/>); a nudge then on to a
    /// working morning in their city, a workflow's own wait exactly.</summary>
    public static DateTimeOffset Shifted(TimerRecord timer, int days, InstanceContext context)
    {
        var role = RoleOf(timer);
        var zone = context.TimeZoneOf(role);
        return timer.Purpose == EffectWriter.Kebab(TimerPurpose.Resume)
            ? PlanShift.ByDays(timer.DueAt, days, zone)
            : PlanShift.NudgeByDays(timer.DueAt, days, zone, context.WorkingHours.For(role));
    }
}
