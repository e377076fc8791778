namespace Mentoring.Server.Data.Migrations;

/// <summary>
/// Matching (issue 11, step 1 of the method): a programme's matching settings from its package, the facilitator's
/// constraints on the proposal (locks, forbids, capacities, every mentee or the most), and each publication with the
/// proposal it came from and the groups it made.
/// </summary>
internal sealed class M019_Matching : Migration
{
    public override int Version => 19;
    public override string Name => "matching settings, constraints and publications";

    protected override string Sql => """
        CREATE TABLE matching_settings (
            programme_id text NOT NULL PRIMARY KEY REFERENCES programmes(id),
            settings text NOT NULL
        );
        CREATE TABLE matching_constraints (
            programme_id text NOT NULL PRIMARY KEY REFERENCES programmes(id),
            locks text NOT NULL,
            forbids text NOT NULL,
            capacities text NOT NULL,
            every_mentee_matched {bool} NULL,
            updated_at {ts} NOT NULL,
            updated_by {uuid} NOT NULL
        );
        CREATE TABLE matching_publications (
            id {uuid} NOT NULL PRIMARY KEY,
            programme_id text NOT NULL REFERENCES programmes(id),
            published_at {ts} NOT NULL,
            published_by {uuid} NOT NULL,
            proposal text NOT NULL,
            groups text NOT NULL
        );
        CREATE INDEX ix_matching_publications_programme ON matching_publications (programme_id, published_at);
        """;
}
