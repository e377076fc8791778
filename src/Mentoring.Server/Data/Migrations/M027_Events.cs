namespace Mentoring.Server.Data.Migrations;

/// <summary>
/// Programme-wide events (Events/): trainings, academies, workshops, steering committees, the final conference. Each has
/// its kind, dates as instants with the time zone they are shown in, place or online link, agenda, the programme event
/// holding it raises, its materials (links or uploaded files) and who attended (people with accounts, with the city they
/// attended for).
/// </summary>
internal sealed class M027_Events : Migration
{
    public override int Version => 27;
    public override string Name => "events";

    protected override string Sql => """
        CREATE TABLE programme_meetings (
            id {uuid} PRIMARY KEY,
            programme_id text NOT NULL REFERENCES programmes(id),
            kind text NOT NULL,
            title text NOT NULL,
            event_start {ts} NOT NULL,
            event_end {ts} NOT NULL,
            time_zone text NOT NULL,
            host_city_id text NULL REFERENCES cities(id),
            venue text NULL,
            online_url text NULL,
            agenda text NOT NULL,
            raises_event text NULL,
            sequence integer NOT NULL,
            held_at {ts} NULL,
            cancelled_at {ts} NULL,
            held_by {uuid} NULL REFERENCES people(id),
            created_by {uuid} NOT NULL REFERENCES people(id),
            created_at {ts} NOT NULL,
            updated_at {ts} NOT NULL
        );
        CREATE INDEX ix_programme_meetings_programme ON programme_meetings (programme_id, event_start);
        CREATE TABLE programme_meeting_materials (
            id {uuid} PRIMARY KEY,
            meeting_id {uuid} NOT NULL REFERENCES programme_meetings(id),
            title text NOT NULL,
            url text NULL,
            file_id {uuid} NULL REFERENCES uploaded_files(id),
            added_by {uuid} NOT NULL REFERENCES people(id),
            added_at {ts} NOT NULL
        );
        CREATE INDEX ix_programme_meeting_materials_meeting ON programme_meeting_materials (meeting_id);
        CREATE TABLE programme_meeting_attendance (
            meeting_id {uuid} NOT NULL REFERENCES programme_meetings(id),
            person_id {uuid} NOT NULL REFERENCES people(id),
            city_id text NULL REFERENCES cities(id),
            recorded_at {ts} NOT NULL,
            PRIMARY KEY (meeting_id, person_id)
        );
        CREATE INDEX ix_programme_meeting_attendance_person ON programme_meeting_attendance (person_id);

        """;
}
