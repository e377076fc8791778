using Mentoring.Server.Data;

namespace Mentoring.Server.Data.Migrations;

/// <summary>The web app: passwords and lock-out, single-use invitation and reset links, the data-protection key ring
/// (shared by every node, so a cookie issued by one is read by another) and uploaded files.</summary>
internal sealed class M003_Accounts : Migration
{
    public override int Version => 3;
    public override string Name => "accounts";

    protected override string Sql => """
        CREATE TABLE accounts (
            person_id {uuid} PRIMARY KEY REFERENCES people(id),
            password_hash text NULL,
            failed_sign_ins integer NOT NULL,
            locked_until {ts} NULL,
            password_changed_at {ts} NULL
        );
        CREATE TABLE account_links (
            id {uuid} PRIMARY KEY,
            person_id {uuid} NOT NULL REFERENCES people(id),
            purpose text NOT NULL,
            token_hash text NOT NULL,
            created_at {ts} NOT NULL,
            expires_at {ts} NOT NULL,
            used_at {ts} NULL
        );
        CREATE UNIQUE INDEX ix_account_links_token ON account_links (token_hash);
        CREATE TABLE data_protection_keys (
            id {identity},
            friendly_name text NOT NULL,
            xml text NOT NULL
        );
        """;

    protected override string? ProviderSql(DatabaseProvider provider) => $"""
        CREATE TABLE uploaded_files (
            id {(provider == DatabaseProvider.Postgres ? "uuid" : "TEXT")} PRIMARY KEY,
            uploaded_by {(provider == DatabaseProvider.Postgres ? "uuid" : "TEXT")} NOT NULL REFERENCES people(id),
            file_name text NOT NULL,
            content_type text NOT NULL,
            size integer NOT NULL,
            content {(provider == DatabaseProvider.Postgres ? "bytea" : "BLOB")} NOT NULL,
            uploaded_at {(provider == DatabaseProvider.Postgres ? "timestamptz" : "INTEGER")} NOT NULL
        );
        """;
}
