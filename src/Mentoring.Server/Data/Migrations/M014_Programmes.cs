namespace Mentoring.Server.Data.Migrations;

/// <summary>
/// Any network's programme from its own package (issue 10): cities become installation-wide (a city can be in several
/// programmes, <c>programme_members</c>), a programme has organisations, groups of any shape replace pairs
/// (<c>groups</c> with their members' roles in <c>group_members</c>), and a person's place in each programme moves to
/// <c>programme_people</c>. Existing data comes through: every pair becomes a group of shape "pair" running the
/// workflow its programme ran for pairs, with its mentor and mentee as members, so every running instance keeps running;
/// an admin becomes <c>is_admin</c>. Organisation ids are the old names in lower case with '-' for spaces, as the
/// packages spell them ("Migration Work" is "migration-work").
/// SQLite cannot drop a column that a foreign key or an index uses, so there the changed tables are rebuilt (the
/// runner turns foreign-key enforcement off for the migration and checks every key before it commits).
/// </summary>
internal sealed class M014_Programmes : Migration
{
    public override int Version => 14;
    public override string Name => "programmes, groups and people in several programmes";

    private const string Languages = """["en", "el", "fr", "nl", "it", "es", "lv"]""";
    // The IncluCities package's words, so an upgraded database's emails say "binôme" in French as a new one's do.
    private const string PairTerms = """{"group": {"en": "pair", "el": "ζεύγος", "fr": "binôme", "nl": "duo", "it": "coppia", "es": "pareja", "lv": "pāris"}, "groups": {"en": "pairs", "el": "ζεύγη", "fr": "binômes", "nl": "duo's", "it": "coppie", "es": "parejas", "lv": "pāri"}, "member": {"en": "city", "el": "πόλη", "fr": "ville", "nl": "stad", "it": "città", "es": "ciudad", "lv": "pilsēta"}, "members": {"en": "cities", "el": "πόλεις", "fr": "villes", "nl": "steden", "it": "città", "es": "ciudades", "lv": "pilsētas"}}""";

    private static string OrganisationId(string column) =>
        $"CASE WHEN {column} IS NULL OR trim({column}) = '' THEN NULL ELSE lower(replace(trim({column}), ' ', '-')) END";

    /// <summary>What both providers do the same way, before the tables they read from change.</summary>
    protected override string Sql => $"""
        ALTER TABLE programmes ADD COLUMN languages text NOT NULL DEFAULT '["en"]';
        ALTER TABLE programmes ADD COLUMN time_zone text NOT NULL DEFAULT 'Europe/Brussels';
        ALTER TABLE programmes ADD COLUMN terms text NOT NULL DEFAULT '{"{}"}';
        ALTER TABLE programmes ADD COLUMN package_hash text NULL;
        ALTER TABLE programmes ADD COLUMN settings text NOT NULL DEFAULT '{"{}"}';
        UPDATE programmes SET languages = '{Languages}', terms = '{PairTerms.Replace("'", "''")}';

        CREATE TABLE organisations (
            programme_id text NOT NULL REFERENCES programmes(id),
            id text NOT NULL,
            name text NOT NULL,
            kind text NOT NULL,
            country text NULL,
            PRIMARY KEY (programme_id, id)
        );
        INSERT INTO organisations (programme_id, id, name, kind, country)
            SELECT programme_id, {OrganisationId("association")}, min(trim(association)), 'association', min(country)
            FROM cities WHERE {OrganisationId("association")} IS NOT NULL
            GROUP BY programme_id, {OrganisationId("association")};
        INSERT INTO organisations (programme_id, id, name, kind, country)
            SELECT p.programme_id, {OrganisationId("p.organisation")}, min(trim(p.organisation)),
                   CASE max(CASE p.role WHEN 'facilitator' THEN 2 WHEN 'admin' THEN 1 ELSE 0 END)
                       WHEN 2 THEN 'facilitator' WHEN 1 THEN 'coordinator' ELSE 'other' END, NULL
            FROM people p
            WHERE {OrganisationId("p.organisation")} IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM organisations o
                              WHERE o.programme_id = p.programme_id AND o.id = {OrganisationId("p.organisation")})
            GROUP BY p.programme_id, {OrganisationId("p.organisation")};

        CREATE TABLE programme_members (
            programme_id text NOT NULL REFERENCES programmes(id),
            city_id text NOT NULL REFERENCES cities(id),
            association text NULL,
            PRIMARY KEY (programme_id, city_id)
        );
        INSERT INTO programme_members (programme_id, city_id, association)
            SELECT programme_id, id, {OrganisationId("association")} FROM cities;
        CREATE INDEX ix_programme_members_city ON programme_members (city_id);

        CREATE TABLE programme_people (
            programme_id text NOT NULL REFERENCES programmes(id),
            person_id {"{uuid}"} NOT NULL REFERENCES people(id),
            role text NOT NULL,
            city_id text NULL REFERENCES cities(id),
            organisation text NULL,
            PRIMARY KEY (programme_id, person_id)
        );
        INSERT INTO programme_people (programme_id, person_id, role, city_id, organisation)
            SELECT programme_id, id, CASE role WHEN 'admin' THEN 'observer' ELSE role END, city_id, {OrganisationId("organisation")}
            FROM people;
        CREATE INDEX ix_programme_people_person ON programme_people (person_id);
        CREATE INDEX ix_programme_people_city ON programme_people (city_id);

        ALTER TABLE pairs RENAME TO "groups";
        CREATE TABLE group_members (
            group_id {"{uuid}"} NOT NULL REFERENCES "groups"(id),
            city_id text NOT NULL REFERENCES cities(id),
            role text NOT NULL,
            PRIMARY KEY (group_id, city_id)
        );
        INSERT INTO group_members (group_id, city_id, role) SELECT id, mentor_city_id, 'mentor' FROM "groups";
        INSERT INTO group_members (group_id, city_id, role)
            SELECT id, mentee_city_id, 'mentee' FROM "groups" WHERE mentee_city_id <> mentor_city_id;
        CREATE INDEX ix_group_members_city ON group_members (city_id);

        ALTER TABLE workflow_instances RENAME COLUMN pair_id TO group_id;
        ALTER TABLE uploaded_files RENAME COLUMN pair_id TO group_id;

        """;

    protected override string? ProviderSql(DatabaseProvider provider) => provider == DatabaseProvider.Postgres
        ? """
          ALTER TABLE "groups" ADD COLUMN shape text NOT NULL DEFAULT 'pair';
          ALTER TABLE "groups" ALTER COLUMN shape DROP DEFAULT;
          ALTER TABLE "groups" ADD COLUMN workflow_id text NULL;
          UPDATE "groups" SET workflow_id = (SELECT pair_workflow FROM programmes WHERE programmes.id = "groups".programme_id);
          ALTER TABLE "groups" ALTER COLUMN workflow_id SET NOT NULL;
          ALTER TABLE "groups" RENAME COLUMN theme TO title;
          ALTER TABLE "groups" RENAME COLUMN practices TO notes;
          ALTER TABLE "groups" DROP COLUMN mentor_city_id, DROP COLUMN mentee_city_id;
          ALTER INDEX ix_pairs_programme_number RENAME TO ix_groups_programme_number;
          ALTER INDEX ix_pairs_number RENAME TO ix_groups_number;
          ALTER INDEX ix_pairs_instance RENAME TO ix_groups_instance;
          ALTER TABLE programmes DROP COLUMN pair_workflow;

          ALTER TABLE cities DROP COLUMN programme_id, DROP COLUMN association;

          ALTER TABLE people ADD COLUMN is_admin boolean NOT NULL DEFAULT false;
          ALTER TABLE people ADD COLUMN current_programme text NULL REFERENCES programmes(id);
          UPDATE people SET is_admin = (role = 'admin'), current_programme = programme_id;
          ALTER TABLE people DROP COLUMN programme_id, DROP COLUMN role, DROP COLUMN city_id, DROP COLUMN organisation;
          """
        : """
          CREATE TABLE groups_new (
              id TEXT PRIMARY KEY,
              programme_id text NOT NULL REFERENCES programmes(id),
              number integer NOT NULL,
              shape text NOT NULL,
              title text NOT NULL,
              notes text NULL,
              workflow_id text NOT NULL,
              instance_id TEXT NOT NULL
          );
          INSERT INTO groups_new (id, programme_id, number, shape, title, notes, workflow_id, instance_id)
              SELECT g.id, g.programme_id, g.number, 'pair', g.theme, g.practices, p.pair_workflow, g.instance_id
              FROM "groups" g JOIN programmes p ON p.id = g.programme_id;
          DROP TABLE "groups";
          ALTER TABLE groups_new RENAME TO "groups";
          CREATE UNIQUE INDEX ix_groups_programme_number ON "groups" (programme_id, number);
          CREATE INDEX ix_groups_number ON "groups" (number);
          CREATE INDEX ix_groups_instance ON "groups" (instance_id);
          ALTER TABLE programmes DROP COLUMN pair_workflow;

          CREATE TABLE cities_new (
              id text PRIMARY KEY,
              name text NOT NULL,
              country text NOT NULL,
              time_zone text NOT NULL,
              language text NOT NULL
          );
          INSERT INTO cities_new (id, name, country, time_zone, language) SELECT id, name, country, time_zone, language FROM cities;
          DROP TABLE cities;
          ALTER TABLE cities_new RENAME TO cities;

          CREATE TABLE people_new (
              id TEXT PRIMARY KEY,
              name text NOT NULL,
              email text NULL,
              language text NOT NULL,
              page_language text NULL,
              time_zone text NOT NULL,
              is_admin INTEGER NOT NULL DEFAULT 0,
              current_programme text NULL REFERENCES programmes(id),
              created_at INTEGER NOT NULL
          );
          INSERT INTO people_new (id, name, email, language, page_language, time_zone, is_admin, current_programme, created_at)
              SELECT id, name, email, language, page_language, time_zone, CASE WHEN role = 'admin' THEN 1 ELSE 0 END, programme_id,
                     created_at
              FROM people;
          DROP TABLE people;
          ALTER TABLE people_new RENAME TO people;
          CREATE UNIQUE INDEX ix_people_email ON people (lower(email));
          """;
}
