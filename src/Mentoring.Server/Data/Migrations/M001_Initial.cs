namespace Mentoring.Server.Data.Migrations;

internal sealed class M001_Initial : Migration
{
    public override int Version => 1;
    public override string Name => "initial";

    protected override string Sql => """
        CREATE TABLE programmes (
            id text PRIMARY KEY,
            name text NOT NULL,
            pair_workflow text NOT NULL,
            programme_workflow text NULL,
            programme_instance_id {uuid} NULL,
            created_at {ts} NOT NULL
        );
        CREATE TABLE cities (
            id text PRIMARY KEY,
            programme_id text NOT NULL REFERENCES programmes(id),
            name text NOT NULL,
            country text NOT NULL,
            association text NULL,
            time_zone text NOT NULL,
            language text NOT NULL
        );
        CREATE TABLE people (
            id {uuid} PRIMARY KEY,
            programme_id text NOT NULL REFERENCES programmes(id),
            name text NOT NULL,
            email text NULL,
            role text NOT NULL,
            city_id text NULL REFERENCES cities(id),
            organisation text NULL,
            language text NOT NULL,
            time_zone text NOT NULL,
            created_at {ts} NOT NULL
        );
        CREATE UNIQUE INDEX ix_people_email ON people (email);
        CREATE INDEX ix_people_city ON people (city_id);
        CREATE TABLE pairs (
            id {uuid} PRIMARY KEY,
            programme_id text NOT NULL REFERENCES programmes(id),
            number integer NOT NULL,
            mentor_city_id text NOT NULL REFERENCES cities(id),
            mentee_city_id text NOT NULL REFERENCES cities(id),
            theme text NOT NULL,
            practices text NULL,
            instance_id {uuid} NOT NULL
        );
        CREATE UNIQUE INDEX ix_pairs_programme_number ON pairs (programme_id, number);
        CREATE INDEX ix_pairs_mentor ON pairs (mentor_city_id);
        CREATE INDEX ix_pairs_mentee ON pairs (mentee_city_id);
        CREATE TABLE workflow_definitions (
            id text NOT NULL,
            version integer NOT NULL,
            name text NOT NULL,
            content_hash text NOT NULL,
            source text NOT NULL,
            loaded_at {ts} NOT NULL,
            PRIMARY KEY (id, version)
        );
        CREATE TABLE workflow_instances (
            id {uuid} PRIMARY KEY,
            definition_id text NOT NULL,
            definition_version integer NOT NULL,
            programme_id text NOT NULL REFERENCES programmes(id),
            pair_id {uuid} NULL,
            status text NOT NULL,
            stage_number integer NOT NULL,
            stage_id text NOT NULL,
            stage_name text NOT NULL,
            next_due_at {ts} NULL,
            state text NOT NULL,
            fault text NULL,
            version integer NOT NULL,
            created_at {ts} NOT NULL,
            updated_at {ts} NOT NULL
        );
        CREATE INDEX ix_instances_programme ON workflow_instances (programme_id, status);
        CREATE TABLE work_items (
            id {uuid} PRIMARY KEY,
            instance_id {uuid} NOT NULL REFERENCES workflow_instances(id),
            step_id text NOT NULL,
            activation integer NOT NULL,
            kind text NOT NULL,
            title text NOT NULL,
            description text NULL,
            assignee text NULL,
            waits_for text NULL,
            stage_id text NOT NULL,
            status text NOT NULL,
            opened_at {ts} NOT NULL,
            due_at {ts} NULL,
            closed_at {ts} NULL,
            closed_by_id text NULL,
            closed_by_name text NULL,
            result text NULL,
            visit_phase text NULL,
            visit_date {date} NULL,
            visit_host text NULL,
            visit_participants text NULL
        );
        CREATE UNIQUE INDEX ix_work_items_step ON work_items (instance_id, step_id, activation);
        CREATE INDEX ix_work_items_open ON work_items (status, kind, due_at);
        CREATE INDEX ix_work_items_waits ON work_items (waits_for, status);
        CREATE TABLE journal_entries (
            id {identity},
            instance_id {uuid} NOT NULL REFERENCES workflow_instances(id),
            at {ts} NOT NULL,
            type text NOT NULL,
            step_id text NULL,
            actor_id text NOT NULL,
            actor_name text NOT NULL,
            data text NOT NULL
        );
        CREATE INDEX ix_journal_instance ON journal_entries (instance_id, id);
        CREATE TABLE timers (
            id {uuid} PRIMARY KEY,
            instance_id {uuid} NOT NULL REFERENCES workflow_instances(id),
            step_id text NOT NULL,
            activation integer NOT NULL,
            purpose text NOT NULL,
            due_at {ts} NOT NULL,
            data text NULL
        );
        CREATE INDEX ix_timers_due ON timers (due_at);
        CREATE INDEX ix_timers_step ON timers (instance_id, step_id, activation);
        CREATE TABLE programme_events (
            programme_id text NOT NULL REFERENCES programmes(id),
            name text NOT NULL,
            occurred_at {ts} NOT NULL,
            source_instance_id {uuid} NOT NULL,
            PRIMARY KEY (programme_id, name)
        );
        CREATE TABLE idempotency_keys (
            key text PRIMARY KEY,
            request_hash text NOT NULL,
            status_code integer NOT NULL,
            response text NOT NULL,
            created_at {ts} NOT NULL
        );
        CREATE TABLE outbox_messages (
            id {uuid} PRIMARY KEY,
            message_id text NOT NULL,
            instance_id {uuid} NULL,
            template text NOT NULL,
            language text NOT NULL,
            recipient_id {uuid} NULL,
            recipient_name text NOT NULL,
            recipient_email text NULL,
            model text NOT NULL,
            status text NOT NULL,
            attempts integer NOT NULL,
            next_attempt_at {ts} NOT NULL,
            last_error text NULL,
            created_at {ts} NOT NULL,
            sent_at {ts} NULL,
            locked_until {ts} NULL
        );
        CREATE UNIQUE INDEX ix_outbox_message_id ON outbox_messages (message_id);
        CREATE INDEX ix_outbox_pending ON outbox_messages (status, next_attempt_at);
        CREATE TABLE api_tokens (
            id {uuid} PRIMARY KEY,
            person_id {uuid} NOT NULL REFERENCES people(id),
            name text NOT NULL,
            hash text NOT NULL,
            created_at {ts} NOT NULL,
            revoked_at {ts} NULL
        );
        CREATE UNIQUE INDEX ix_api_tokens_hash ON api_tokens (hash);
        """;
}
