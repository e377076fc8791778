namespace Mentoring.Server.Data.Migrations;

/// <summary>City teams (Teams/): each person's role in their city's team and when they left it, which member has
/// claimed (or was given) a task of the city, and the absences with the deputy who answers meanwhile.</summary>
internal sealed class M031_Teams : Migration
{
    public override int Version => 31;
    public override string Name => "teams";

    protected override string Sql => """
        CREATE TABLE team_members (
            programme_id text NOT NULL REFERENCES programmes(id),
            person_id {uuid} NOT NULL REFERENCES people(id),
            city_id text NOT NULL REFERENCES cities(id),
            team_role text NOT NULL,
            added_at {ts} NOT NULL,
            removed_at {ts} NULL,
            PRIMARY KEY (programme_id, person_id)
        );
        CREATE INDEX ix_team_members_city ON team_members (programme_id, city_id);

        CREATE TABLE task_claims (
            work_item_id {uuid} NOT NULL REFERENCES work_items(id),
            city_id text NOT NULL REFERENCES cities(id),
            programme_id text NOT NULL REFERENCES programmes(id),
            person_id {uuid} NOT NULL REFERENCES people(id),
            since {ts} NOT NULL,
            PRIMARY KEY (work_item_id, city_id)
        );
        CREATE INDEX ix_task_claims_person ON task_claims (programme_id, person_id);

        CREATE TABLE absences (
            id {uuid} PRIMARY KEY,
            programme_id text NOT NULL REFERENCES programmes(id),
            person_id {uuid} NOT NULL REFERENCES people(id),
            starts_at {ts} NOT NULL,
            ends_at {ts} NOT NULL,
            deputy_id {uuid} NULL REFERENCES people(id),
            created_at {ts} NOT NULL
        );
        CREATE INDEX ix_absences_person ON absences (programme_id, person_id, ends_at);

        """;
}
