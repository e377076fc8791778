using System.Globalization;

namespace Mentoring.Engine.Runtime;

/// <summary>The week a facilitator's digest covers: Monday to Sunday in the digest's time zone.</summary>
/// <param name="End">The instant the week ends (Sunday midnight, local): tasks due before it are due this week.</param>
/// <param name="Name">The ISO week ("2026-W49"), which keys the digest so that it is written once.</param>
public sealed record DigestWeek(DateOnly Monday, DateOnly Sunday, DateTimeOffset End, string Name);

/// <summary>Where an open work item shows in the digest.</summary>
public enum DigestSection { Overdue, DueThisWeek, UpcomingVisit, AwaitingApproval }

/// <summary>
/// The facilitator digest's rules: which week it covers and what it lists, where overdue escalations reach the
/// facilitator unless a reminder rule emails them copies. Pure; the host's digest job reads and writes.
/// </summary>
public static class DigestRules
{
    /// <summary>How far ahead study visits are listed.</summary>
    public static readonly TimeSpan VisitHorizon = TimeSpan.FromDays(60);

    public static DigestWeek WeekOf(DateTimeOffset now, TimeZoneInfo zone)
    {
        var today = NudgeSchedule.LocalDate(now, zone);
        var monday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        var sunday = monday.AddDays(6);
        var start = monday.ToDateTime(TimeOnly.MinValue);
        return new DigestWeek(monday, sunday, NudgeSchedule.AtLocal(sunday.AddDays(1), TimeOnly.MinValue, zone),
            $"{ISOWeek.GetYear(start)}-W{ISOWeek.GetWeekOfYear(start):00}");
    }

    /// <summary>The first day of visits listed (the UTC date of now) and the last.</summary>
    public static (DateOnly From, DateOnly Until) VisitWindow(DateTimeOffset now) =>
        (DateOnly.FromDateTime(now.UtcDateTime), DateOnly.FromDateTime(now.UtcDateTime + VisitHorizon));

    /// <summary>Where an open item shows, or null when it does not: a task overdue or due this week, a study visit
    /// with a date in the window, a gate awaiting approval.</summary>
    public static DigestSection? SectionOf(WorkItemKind kind, DateTimeOffset? dueAt, DateOnly? visitDate, DateTimeOffset now, DigestWeek week)
    {
        var (from, until) = VisitWindow(now);
        return kind switch
        {
            WorkItemKind.Task when dueAt < now => DigestSection.Overdue,
            WorkItemKind.Task when dueAt < week.End => DigestSection.DueThisWeek,
            WorkItemKind.StudyVisit when visitDate >= from && visitDate <= until => DigestSection.UpcomingVisit,
            WorkItemKind.Approval => DigestSection.AwaitingApproval,
            _ => null,
        };
    }
}
