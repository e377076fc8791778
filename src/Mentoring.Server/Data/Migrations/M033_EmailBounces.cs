namespace Mentoring.Server.Data.Migrations;

/// <summary>Email bounces (Email/EmailBounces.cs): a person's address that an email to them died on (a permanent SMTP
/// refusal, or retries used up), with the server's error in short, until the facilitator dismisses it; a changed
/// address ends it without a dismissal, as the flag is read against the person's address of now.</summary>
internal sealed class M033_EmailBounces : Migration
{
    public override int Version => 33;
    public override string Name => "email-bounces";

    protected override string Sql => """
        CREATE TABLE email_bounces (
            id {uuid} PRIMARY KEY,
            person_id {uuid} NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            address text NOT NULL,
            message_id {uuid} NOT NULL,
            error text NOT NULL,
            bounced_at {ts} NOT NULL,
            dismissed_at {ts} NULL,
            dismissed_by text NULL
        );
        CREATE INDEX ix_email_bounces_person ON email_bounces (person_id, dismissed_at);

        """;
}
