namespace Mentoring.Server.Data.Migrations;

/// <summary>
/// Sessions that end, links that stay secret, one person per address:
/// <list type="bullet">
/// <item>a security stamp per account, carried in the session cookie and changed by signing out, a new password and
/// "sign out everywhere", so every cookie issued before stops working;</item>
/// <item>an outbox column for the secret part of a message's model (a link's token), protected with the
/// data-protection keys and erased once the message is sent or dead; existing sent and dead link emails lose their
/// link now (pending ones still carry theirs in the model, as before, until they are sent);</item>
/// <item>addresses compared without regard to case: stored trimmed and in lower case, unique on lower(email) so the
/// database refuses a second "JELGAVA@..." whatever writes it. Where existing people share an address in different
/// capitals, the one added first keeps it and the others are left without one (their mail is dead-lettered, naming
/// them, where the facilitator sees it) - neither can be told apart at sign-in any more, so neither may keep it.</item>
/// </list>
/// </summary>
internal sealed class M006_AccountSecurity : Migration
{
    public override int Version => 6;
    public override string Name => "account security";

    protected override string Sql => """
        ALTER TABLE accounts ADD COLUMN security_stamp text NOT NULL DEFAULT '';
        ALTER TABLE outbox_messages ADD COLUMN secret_model text NULL;
        CREATE INDEX ix_account_links_person ON account_links (person_id);
        UPDATE people SET email = NULL WHERE email IS NOT NULL AND trim(email) = '';
        UPDATE people SET email = NULL
        WHERE email IS NOT NULL AND EXISTS (
            SELECT 1 FROM people AS earlier
            WHERE earlier.email IS NOT NULL AND lower(trim(earlier.email)) = lower(trim(people.email))
              AND (earlier.created_at < people.created_at OR (earlier.created_at = people.created_at AND earlier.id < people.id)));
        UPDATE people SET email = lower(trim(email)) WHERE email IS NOT NULL;
        DROP INDEX ix_people_email;
        CREATE UNIQUE INDEX ix_people_email ON people (lower(email));
        """;

    protected override string? ProviderSql(DatabaseProvider provider) => provider == DatabaseProvider.Postgres
        ? """
          UPDATE accounts SET security_stamp = md5(random()::text || clock_timestamp()::text || person_id::text);
          UPDATE outbox_messages SET model = (model::jsonb - 'link')::text
          WHERE template IN ('invitation', 'password-reset') AND status IN ('sent', 'dead');
          """
        : """
          UPDATE accounts SET security_stamp = lower(hex(randomblob(16)));
          UPDATE outbox_messages SET model = json_remove(model, '$.link')
          WHERE template IN ('invitation', 'password-reset') AND status IN ('sent', 'dead');
          """;
}
