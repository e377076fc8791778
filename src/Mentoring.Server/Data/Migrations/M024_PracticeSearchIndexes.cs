namespace Mentoring.Server.Data.Migrations;

/// <summary>
/// Two indexes for the library's search (Practices/PracticeSearch): a programme's published practices by city, so the
/// city filter's list is read by skipping from one city to the next (a few dozen index seeks, not a read of every
/// practice) and a city search starts from its own practices; and by title (then id, the search's tie-break), so a
/// search without words reads its first page in order instead of sorting the whole library.
/// </summary>
internal sealed class M024_PracticeSearchIndexes : Migration
{
    public override int Version => 24;
    public override string Name => "practice search indexes";

    protected override string Sql => """
        CREATE INDEX ix_practices_visible_city ON practices (programme_id, status, city);
        CREATE INDEX ix_practices_visible_title ON practices (programme_id, status, title, id);
        """;
}
