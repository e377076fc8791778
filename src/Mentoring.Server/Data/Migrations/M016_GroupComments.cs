namespace Mentoring.Server.Data.Migrations;

/// <summary>
/// Comments on a group, by anyone who may read it (Comments/). A group removed from the set-up takes its comments with
/// it; an author stays a person (people are never deleted, only taken out of a programme).
/// </summary>
internal sealed class M016_GroupComments : Migration
{
    public override int Version => 16;
    public override string Name => "group comments";

    protected override string Sql => """
        CREATE TABLE group_comments (
            id {uuid} PRIMARY KEY,
            group_id {uuid} NOT NULL REFERENCES "groups"(id) ON DELETE CASCADE,
            author_id {uuid} NOT NULL REFERENCES people(id),
            text text NOT NULL,
            created_at {ts} NOT NULL,
            edited_at {ts} NULL
        );
        CREATE INDEX ix_group_comments_group ON group_comments (group_id, created_at);
        """;
}
