namespace Mentoring.Server.Data.Migrations;

/// <summary>
/// One forward-only schema change, written by hand for both providers. The SQL is shared where it can be;
/// <c>{uuid}</c>, <c>{ts}</c>, <c>{date}</c>, <c>{bool}</c> and <c>{identity}</c> become each provider's type.
/// Never edit a migration that has shipped: add the next one.
/// </summary>
public abstract class Migration
{
    public abstract int Version { get; }
    public abstract string Name { get; }
    protected abstract string Sql { get; }

    /// <summary>Statements only one provider needs (e.g. PostgreSQL-only indexes), or null.</summary>
    protected virtual string? ProviderSql(DatabaseProvider provider) => null;

    public string SqlFor(DatabaseProvider provider)
    {
        var sql = Sql + (ProviderSql(provider) ?? "");
        return provider == DatabaseProvider.Postgres
            ? sql.Replace("{uuid}", "uuid").Replace("{ts}", "timestamptz").Replace("{date}", "date")
                .Replace("{bool}", "boolean").Replace("{identity}", "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY")
            : sql.Replace("{uuid}", "TEXT").Replace("{ts}", "INTEGER").Replace("{date}", "TEXT")
                .Replace("{bool}", "INTEGER").Replace("{identity}", "INTEGER PRIMARY KEY AUTOINCREMENT");
    }
}
