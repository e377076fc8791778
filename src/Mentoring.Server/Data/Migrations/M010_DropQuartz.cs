namespace Mentoring.Server.Data.Migrations;

/// <summary>
/// Drops the Quartz.NET job store's tables that <see cref="M002_Quartz"/> created before Hangfire replaced Quartz.
/// Each only if it exists: a database created since never had them. PostgreSQL drops the foreign keys between
/// them with CASCADE; SQLite drops a table's triggers with it.
/// </summary>
internal sealed class M010_DropQuartz : Migration
{
    public override int Version => 10;
    public override string Name => "drop-quartz";

    /// <summary>Children before parents, so SQLite (no CASCADE) never drops a table another still points at.</summary>
    internal static readonly string[] Tables =
    [
        "qrtz_blob_triggers", "qrtz_cron_triggers", "qrtz_simple_triggers", "qrtz_simprop_triggers", "qrtz_fired_triggers",
        "qrtz_triggers", "qrtz_job_details", "qrtz_calendars", "qrtz_paused_trigger_grps", "qrtz_paused_job_grps",
        "qrtz_scheduler_state", "qrtz_locks", "qrtz_execution_history", "qrtz_misfire_history", "qrtz_job_status",
    ];

    protected override string Sql => "";

    protected override string? ProviderSql(DatabaseProvider provider) =>
        string.Concat(Tables.Select(table => provider == DatabaseProvider.Postgres
            ? $"DROP TABLE IF EXISTS {table} CASCADE;\n"
            : $"DROP TABLE IF EXISTS {table};\n"));
}
