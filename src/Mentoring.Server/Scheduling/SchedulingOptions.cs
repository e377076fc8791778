using Mentoring.Engine.Runtime;

namespace Mentoring.Server.Scheduling;

/// <summary>The <c>Scheduling</c> section of appsettings.json.</summary>
public sealed class SchedulingOptions
{
    public const string Section = "Scheduling";

    /// <summary>Run the Hangfire server (the recurring work) on this node. Turn off for a node that only serves the web
    /// app; its dashboard still works.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Hangfire's storage: <c>Auto</c> (Hangfire.PostgreSql on a PostgreSQL database, Hangfire.InMemory on
    /// SQLite), <c>PostgreSql</c> or <c>InMemory</c> (one node only).</summary>
    public string Storage { get; set; } = SchedulingStorage.Auto;

    /// <summary>The PostgreSQL schema of Hangfire's own tables, apart from the app's.</summary>
    public string SchemaName { get; set; } = "hangfire";

    /// <summary>How often Hangfire looks for due recurring jobs and (without a notification) for queued ones. Its
    /// default, 15 s, made a 5 s recurring job fire every 15 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often due timers are looked for when nothing wakes the sweeper sooner: whole seconds that divide a
    /// minute, or whole minutes that divide an hour, or one hour (it becomes a cron expression).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many due timers one claim takes.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>How many nudge batches one node claims side by side on PostgreSQL (SQLite has one writer: always 1).</summary>
    public int NudgeWorkers { get; set; } = 4;

    /// <summary>How soon after a commit that scheduled due work the sweep is triggered at the earliest, so a burst
    /// of commits triggers one sweep rather than one each.</summary>
    public TimeSpan WakeDebounce { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>When the outbox is checked for mail to send, when nothing else triggers it (as SweepInterval).</summary>
    public TimeSpan DispatchInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The daily clean-up's time of day, UTC.</summary>
    public TimeOnly CleanupTime { get; set; } = new(3, 30);

    /// <summary>Working days for nudges, e.g. ["Monday", ..., "Friday"].</summary>
    public DayOfWeek[] WorkingDays { get; set; } =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];

    /// <summary>The start of the nudge window, in the recipient's time zone.</summary>
    public TimeOnly WorkingHoursStart { get; set; } = new(9, 0);

    public TimeOnly WorkingHoursEnd { get; set; } = new(17, 0);

    /// <summary>The facilitator's weekly digest: its day and time in <see cref="DigestTimeZone"/>. A week is the
    /// digest's unit (one per facilitator per ISO week), so it is a day and a time, not a free cron expression.</summary>
    public DayOfWeek DigestDay { get; set; } = DayOfWeek.Monday;

    public TimeOnly DigestTime { get; set; } = new(8, 0);

    public string DigestTimeZone { get; set; } = "Europe/Brussels";

    public WorkingHours WorkingHours() => new(WorkingDays.ToHashSet(), WorkingHoursStart, WorkingHoursEnd);
}

/// <summary>The values of <c>Scheduling:Storage</c>.</summary>
public static class SchedulingStorage
{
    public const string Auto = "Auto";
    public const string PostgreSql = "PostgreSql";
    public const string InMemory = "InMemory";
}
