namespace Mentoring.Server.Data.Migrations;

/// <summary>
/// PostgreSQL: a practice's <c>search</c> tsvector stays in its row. A practice's texts and their tsvector (about 1.5 kB for
/// a hundred words) pass the 2 kB at which PostgreSQL moves values out of the row, and the tsvector, the largest value, went
/// to the TOAST table: a search then read it back from there for each match, twice (to match and to rank), six times the
/// pages of the rows themselves. A row target of 8 kB (a page) keeps it in the row; the update rewrites the rows there are.
/// SQLite's FTS5 table is a table of its own: nothing to do.
/// </summary>
internal sealed class M030_PracticeSearchInline : Migration
{
    public override int Version => 30;
    public override string Name => "practice search vector in the row";

    protected override string Sql => "";

    protected override string? ProviderSql(DatabaseProvider provider) => provider == DatabaseProvider.Postgres
        ? """
          ALTER TABLE practices SET (toast_tuple_target = 8160);
          UPDATE practices SET title = title;
          """
        : null;
}
