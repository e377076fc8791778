using Mentoring.Engine.Runtime;

namespace Mentoring.Server.Scheduling;

/// <summary>The <c>Scheduling</c> section of appsettings.json.</summary>
public sealed class SchedulingOptions
{
    public const string Section = "Scheduling";

    /// <summary>Run the scheduler on this node. Turn off for a node that only serves the web app.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often due timers are looked for when nothing wakes the sweeper sooner.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many due timers one claim takes.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>Working days for nudges, e.g. ["Monday", ..., "Friday"].</summary>
    public DayOfWeek[] WorkingDays { get; set; } =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];

    /// <summary>The start of the nudge window, in the recipient's time zone.</summary>
    public TimeOnly WorkingHoursStart { get; set; } = new(9, 0);

    public TimeOnly WorkingHoursEnd { get; set; } = new(17, 0);

    /// <summary>The facilitator's weekly digest, as a Quartz cron expression (seconds first).</summary>
    public string DigestCron { get; set; } = "0 0 8 ? * MON";

    public string DigestTimeZone { get; set; } = "Europe/Brussels";

    public WorkingHours WorkingHours() => new(WorkingDays.ToHashSet(), WorkingHoursStart, WorkingHoursEnd);
}
