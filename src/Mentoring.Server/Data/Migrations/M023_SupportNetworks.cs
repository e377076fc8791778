namespace Mentoring.Server.Data.Migrations;

/// <summary>
/// Local support networks (SupportNetworks/): each city's member organisations in a programme with their place on the
/// stakeholder grid, their people (personal data nullable: a withdrawn consent empties it and keeps the row, so counts
/// stay), the consents recorded for them, the network's meetings and who attended (ids only).
/// </summary>
internal sealed class M023_SupportNetworks : Migration
{
    public override int Version => 23;
    public override string Name => "support_networks";

    protected override string Sql => """
        CREATE TABLE support_organisations (
            id {uuid} PRIMARY KEY,
            programme_id text NOT NULL REFERENCES programmes(id),
            city_id text NOT NULL REFERENCES cities(id),
            name text NOT NULL,
            kind text NOT NULL,
            importance integer NOT NULL,
            influence integer NOT NULL,
            created_at {ts} NOT NULL,
            updated_at {ts} NOT NULL
        );
        CREATE INDEX ix_support_organisations_city ON support_organisations (programme_id, city_id);
        CREATE TABLE support_people (
            id {uuid} PRIMARY KEY,
            organisation_id {uuid} NOT NULL REFERENCES support_organisations(id),
            programme_id text NOT NULL REFERENCES programmes(id),
            city_id text NOT NULL REFERENCES cities(id),
            name text NULL,
            role text NULL,
            email text NULL,
            phone text NULL,
            created_at {ts} NOT NULL,
            updated_at {ts} NOT NULL,
            withdrawn_at {ts} NULL
        );
        CREATE INDEX ix_support_people_city ON support_people (programme_id, city_id);
        CREATE INDEX ix_support_people_organisation ON support_people (organisation_id);
        CREATE TABLE support_consents (
            id {uuid} PRIMARY KEY,
            person_id {uuid} NOT NULL REFERENCES support_people(id),
            purpose text NOT NULL,
            given_on {date} NOT NULL,
            how text NOT NULL,
            recorded_by {uuid} NOT NULL REFERENCES people(id),
            recorded_at {ts} NOT NULL,
            withdrawn_at {ts} NULL
        );
        CREATE INDEX ix_support_consents_person ON support_consents (person_id);
        CREATE TABLE support_meetings (
            id {uuid} PRIMARY KEY,
            programme_id text NOT NULL REFERENCES programmes(id),
            city_id text NOT NULL REFERENCES cities(id),
            date {date} NOT NULL,
            title text NOT NULL,
            notes text NOT NULL,
            created_at {ts} NOT NULL,
            updated_at {ts} NOT NULL
        );
        CREATE INDEX ix_support_meetings_city ON support_meetings (programme_id, city_id);
        CREATE TABLE support_attendance (
            id {uuid} PRIMARY KEY,
            meeting_id {uuid} NOT NULL REFERENCES support_meetings(id) ON DELETE CASCADE,
            organisation_id {uuid} NOT NULL REFERENCES support_organisations(id),
            person_id {uuid} NULL REFERENCES support_people(id)
        );
        CREATE INDEX ix_support_attendance_meeting ON support_attendance (meeting_id);
        CREATE INDEX ix_support_attendance_person ON support_attendance (person_id);

        """;
}
