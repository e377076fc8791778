namespace Mentoring.Server.Data.Migrations;

/// <summary>
/// Once the tables of Quartz.NET's job store. Quartz has given way to Hangfire, whose PostgreSQL storage keeps its own
/// schema and whose in-memory storage needs none, so a fresh database gets no Quartz tables. The entry stays, empty,
/// because databases created before carry version 2 in <c>schema_migrations</c> and the runner refuses a database
/// with a version it does not know; <see cref="M010_DropQuartz"/> drops the tables those databases have.
/// </summary>
internal sealed class M002_Quartz : Migration
{
    public override int Version => 2;
    public override string Name => "quartz";

    protected override string Sql => "";
}
