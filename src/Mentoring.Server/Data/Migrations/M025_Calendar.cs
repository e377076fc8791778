namespace Mentoring.Server.Data.Migrations;

/// <summary>
/// Calendar (Calendar/): an outbox message's one attachment (an invitation's .ics: its file name, its MIME type with the
/// iTIP method, its text), written by Email/OutboxWriter and sent by the dispatcher, deleted with the message; and each
/// person's private calendar feeds (only the token's SHA-256 hash is kept; a revoked feed answers 404).
/// </summary>
internal sealed class M025_Calendar : Migration
{
    public override int Version => 25;
    public override string Name => "calendar";

    protected override string Sql => """
        ALTER TABLE outbox_messages ADD COLUMN attachment_name text NULL;
        ALTER TABLE outbox_messages ADD COLUMN attachment_type text NULL;
        ALTER TABLE outbox_messages ADD COLUMN attachment text NULL;
        CREATE TABLE calendar_feeds (
            id {uuid} PRIMARY KEY,
            person_id {uuid} NOT NULL REFERENCES people(id),
            name text NOT NULL,
            hash text NOT NULL UNIQUE,
            created_at {ts} NOT NULL,
            revoked_at {ts} NULL
        );
        CREATE INDEX ix_calendar_feeds_person ON calendar_feeds (person_id);

        """;
}
