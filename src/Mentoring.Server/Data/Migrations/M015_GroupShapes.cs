namespace Mentoring.Server.Data.Migrations;

/// <summary>
/// A programme's group shapes (issue 10): the roles a group of each shape fills, how many members each takes, and
/// whether a member may be in only one group of the shape. The package declared them and the reader checked its own
/// groups against them, but nothing kept them, so a group formed later through the API or the set-up pages was
/// checked against roles only. A database upgraded from M014 has pairs whose rule was written in code (one mentor, one
/// mentee); that rule becomes the stored "pair" shape of each programme that has pairs, until its package is imported
/// again and says what it wants. Every package hash is forgotten, so that next import stores its shapes rather than
/// finding the package unchanged.
/// </summary>
internal sealed class M015_GroupShapes : Migration
{
    public override int Version => 15;
    public override string Name => "group shapes";

    protected override string Sql => """
        CREATE TABLE group_shapes (
            programme_id text NOT NULL REFERENCES programmes(id),
            id text NOT NULL,
            roles text NOT NULL,
            one_group_per_member {bool} NOT NULL,
            PRIMARY KEY (programme_id, id)
        );
        INSERT INTO group_shapes (programme_id, id, roles, one_group_per_member)
            SELECT DISTINCT programme_id, 'pair', '[{"role":"mentor","min":1,"max":1},{"role":"mentee","min":1,"max":1}]', false
            FROM groups WHERE shape = 'pair';
        UPDATE programmes SET package_hash = NULL;
        """;
}
