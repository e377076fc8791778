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

    /// <summary>How many nudge batches one node claims side by side on PostgreSQL (SQLite has one writer: always 1).</summary>
    public int NudgeWorkers { get; set; } = 4;

    /// <summary>How soon after a commit that scheduled due work the sweep is triggered at the earliest, so a burst
    /// of commits triggers one sweep rather than one each.</summary>
    public TimeSpan WakeDebounce { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>When the outbox is checked for mail to send, when nothing else triggers it.</summary>
    public TimeSpan DispatchInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The daily clean-up of old delivered mail, as a Quartz cron expression.</summary>
    public string CleanupCron { get; set; } = "0 30 3 * * ?";

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
