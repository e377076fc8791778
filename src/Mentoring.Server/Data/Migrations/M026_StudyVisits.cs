namespace Mentoring.Server.Data.Migrations;

/// <summary>
/// Study visits as they really happen (Visits/), keyed by the visit's work item: the plan (days, format, host and
/// visiting city, agenda, the invitations' revision), its sessions in the host city's local time, its participants
/// (support network people by id only, so a withdrawal of consent reaches them; delegation members as entered), the
/// structured report and the agreed next steps with their owners and due dates.
/// </summary>
internal sealed class M026_StudyVisits : Migration
{
    public override int Version => 26;
    public override string Name => "study_visits";

    protected override string Sql => """
        CREATE TABLE visit_plans (
            item_id {uuid} PRIMARY KEY REFERENCES work_items(id),
            group_id {uuid} NOT NULL REFERENCES groups(id),
            programme_id text NOT NULL,
            start_date {date} NOT NULL,
            end_date {date} NOT NULL,
            format text NOT NULL,
            host_city_id text NOT NULL REFERENCES cities(id),
            visiting_city_id text NOT NULL REFERENCES cities(id),
            agenda text NOT NULL,
            revision integer NOT NULL,
            created_at {ts} NOT NULL,
            updated_at {ts} NOT NULL
        );
        CREATE INDEX ix_visit_plans_programme ON visit_plans (programme_id);
        CREATE TABLE visit_sessions (
            id {uuid} PRIMARY KEY,
            item_id {uuid} NOT NULL REFERENCES visit_plans(item_id) ON DELETE CASCADE,
            number integer NOT NULL,
            date {date} NOT NULL,
            starts_at text NOT NULL,
            ends_at text NOT NULL,
            title text NOT NULL,
            place text NULL,
            online_url text NULL
        );
        CREATE INDEX ix_visit_sessions_item ON visit_sessions (item_id);
        CREATE TABLE visit_participants (
            id {uuid} PRIMARY KEY,
            item_id {uuid} NOT NULL REFERENCES visit_plans(item_id) ON DELETE CASCADE,
            city_id text NOT NULL REFERENCES cities(id),
            support_person_id {uuid} NULL REFERENCES support_people(id),
            delegation {bool} NOT NULL,
            name text NULL,
            role text NULL,
            email text NULL
        );
        CREATE INDEX ix_visit_participants_item ON visit_participants (item_id);
        CREATE INDEX ix_visit_participants_person ON visit_participants (support_person_id);
        CREATE TABLE visit_reports (
            item_id {uuid} PRIMARY KEY REFERENCES visit_plans(item_id) ON DELETE CASCADE,
            seen text NOT NULL,
            learnt text NOT NULL,
            reported_by {uuid} NOT NULL REFERENCES people(id),
            reported_at {ts} NOT NULL
        );
        CREATE TABLE visit_next_steps (
            id {uuid} PRIMARY KEY,
            item_id {uuid} NOT NULL REFERENCES visit_plans(item_id) ON DELETE CASCADE,
            group_id {uuid} NOT NULL REFERENCES groups(id),
            number integer NOT NULL,
            text text NOT NULL,
            owner_city_id text NULL REFERENCES cities(id),
            owner_person_id {uuid} NULL REFERENCES people(id),
            due_on {date} NOT NULL,
            done_at {ts} NULL,
            done_by {uuid} NULL REFERENCES people(id)
        );
        CREATE INDEX ix_visit_next_steps_item ON visit_next_steps (item_id);
        CREATE INDEX ix_visit_next_steps_city ON visit_next_steps (owner_city_id);
        CREATE INDEX ix_visit_next_steps_person ON visit_next_steps (owner_person_id);

        """;
}
