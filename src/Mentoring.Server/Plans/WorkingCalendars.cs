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

    /// <summary>The calendar of one instance: the working hours, with the days off of its programme and of its group's
    /// member cities, each for the role it holds, when there are any (<see cref="DaysOffCalendar"/>).</summary>
    public static WorkingCalendar For(WorkingHours hours, IReadOnlyCollection<CalendarDayOff> rows, string programmeId,
        IEnumerable<(Role Role, string CityId)> members)
    {
        List<DayOff> Of(string? cityId) => rows.Where(r => r.ProgrammeId == programmeId && r.CityId == cityId).Select(ToDayOff).ToList();
        var programme = Of(null);
        var byRole = members.GroupBy(m => m.Role)
            .ToDictionary(g => g.Key, g => (IReadOnlyCollection<DayOff>)g.SelectMany(m => Of(m.CityId)).ToList());
        return programme.Count == 0 && byRole.Values.All(d => d.Count == 0)
            ? new WorkingCalendar(hours)
            : new DaysOffCalendar(hours, programme, byRole);
    }

    private static DayOff ToDayOff(CalendarDayOff row) => new(row.Date, row.Month);

    /// <summary>Instances of programmes that are not paused: a paused programme's timers wait, nudges and waits alike.</summary>
    public static IQueryable<WorkflowInstance> NotPaused(this IQueryable<WorkflowInstance> instances, MentoringDb db) =>
        instances.Where(i => !db.Set<ProgrammePause>().Any(p => p.ProgrammeId == i.ProgrammeId && p.ResumedAt == null));

    /// <summary>Whom a nudge timer is for: the role in its data, or both sides (a study-visit follow-up).</summary>
    internal static Role RoleOf(TimerRecord timer)
    {
        var data = timer.Data is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(timer.Data, WorkflowHost.Json);
        return NudgeRules.RoleOf(data);
    }

    /// <summary>A timer moved by whole days in its recipients' zone (<see cref="TimersShifted"/>); a nudge then on to a
    /// working morning in their city, a workflow's own wait exactly.</summary>
    public static DateTimeOffset Shifted(TimerRecord timer, int days, InstanceContext context)
    {
        var role = RoleOf(timer);
        var zone = context.TimeZoneOf(role);
        return timer.Purpose == EffectWriter.Kebab(TimerPurpose.Resume)
            ? PlanShift.ByDays(timer.DueAt, days, zone)
            : PlanShift.NudgeByDays(timer.DueAt, days, zone, context.Calendar, role);
    }
}
