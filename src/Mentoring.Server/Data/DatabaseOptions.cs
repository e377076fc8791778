namespace Mentoring.Server.Data;

public enum DatabaseProvider { Sqlite, Postgres }

/// <summary>The <c>Database</c> section of appsettings.json.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary><c>Sqlite</c> (embedded, the default) or <c>Postgres</c> (production, several nodes).</summary>
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    public string ConnectionString { get; set; } = "Data Source=data/mentoring.db";

    /// <summary>Apply pending migrations when the server starts (the <c>migrate</c> command does it on demand).</summary>
    public bool MigrateOnStartup { get; set; } = true;

    /// <summary>Seed the IncluCities programme into an empty database. Turn off in production.</summary>
    public bool SeedDemoProgramme { get; set; } = true;
}
