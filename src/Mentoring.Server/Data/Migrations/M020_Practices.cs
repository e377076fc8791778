namespace Mentoring.Server.Data.Migrations;

/// <summary>
/// The good-practice library (Practices/): practices owned by the programme they were proposed in, their themes, the
/// key factors they illustrate (names for now, so the benchmark feature can link them later), their files (rows of
/// <c>uploaded_files</c>), and the other programmes whose library shows a shared one. Search runs on an FTS5 table kept
/// by triggers on SQLite, and on a generated <c>tsvector</c> in each practice's own language on PostgreSQL.
/// </summary>
internal sealed class M020_Practices : Migration
{
    public override int Version => 20;
    public override string Name => "practices";

    protected override string Sql => """
        CREATE TABLE practices (
            id {uuid} PRIMARY KEY,
            programme_id text NOT NULL REFERENCES programmes(id),
            source_key text NULL,
            title text NOT NULL,
            city text NOT NULL,
            country text NOT NULL,
            language text NOT NULL,
            summary text NOT NULL,
            achieves text NOT NULL,
            run_by text NOT NULL,
            resources text NOT NULL,
            results text NOT NULL,
            contact text NOT NULL,
            languages text NOT NULL,
            links text NOT NULL,
            status text NOT NULL,
            shared {bool} NOT NULL,
            send_back_reason text NULL,
            proposed_by {uuid} NULL REFERENCES people(id),
            proposed_by_city text NULL REFERENCES cities(id),
            proposed_at {ts} NOT NULL,
            published_by {uuid} NULL REFERENCES people(id),
            published_at {ts} NULL,
            updated_at {ts} NOT NULL,
            version integer NOT NULL
        );
        CREATE UNIQUE INDEX ix_practices_source ON practices (programme_id, source_key) WHERE source_key IS NOT NULL;
        CREATE INDEX ix_practices_programme_status ON practices (programme_id, status);
        CREATE TABLE practice_themes (
            practice_id {uuid} NOT NULL REFERENCES practices(id) ON DELETE CASCADE,
            theme text NOT NULL,
            PRIMARY KEY (practice_id, theme)
        );
        CREATE INDEX ix_practice_themes_theme ON practice_themes (theme);
        CREATE TABLE practice_key_factors (
            practice_id {uuid} NOT NULL REFERENCES practices(id) ON DELETE CASCADE,
            position integer NOT NULL,
            name text NOT NULL,
            PRIMARY KEY (practice_id, position)
        );
        CREATE TABLE practice_files (
            practice_id {uuid} NOT NULL REFERENCES practices(id) ON DELETE CASCADE,
            file_id {uuid} NOT NULL REFERENCES uploaded_files(id),
            PRIMARY KEY (practice_id, file_id)
        );
        CREATE UNIQUE INDEX ix_practice_files_file ON practice_files (file_id);
        CREATE TABLE practice_shows (
            practice_id {uuid} NOT NULL REFERENCES practices(id) ON DELETE CASCADE,
            programme_id text NOT NULL REFERENCES programmes(id),
            shown_by {uuid} NOT NULL REFERENCES people(id),
            shown_at {ts} NOT NULL,
            PRIMARY KEY (practice_id, programme_id)
        );
        CREATE INDEX ix_practice_shows_programme ON practice_shows (programme_id);

        """;

    protected override string? ProviderSql(DatabaseProvider provider) => provider == DatabaseProvider.Postgres
        ? $"""
          ALTER TABLE practices ADD COLUMN search tsvector GENERATED ALWAYS AS (
              setweight(to_tsvector({Config}, title), 'A') ||
              setweight(to_tsvector({Config}, city || ' ' || summary || ' ' || achieves || ' ' || run_by || ' ' || resources || ' ' || results), 'B')
          ) STORED;
          CREATE INDEX ix_practices_search ON practices USING gin (search);
          """
        // The porter stemmer (English) over unicode61 without diacritics; rowid ties a search row to its practice.
        : """
          CREATE VIRTUAL TABLE practices_search USING fts5(title, body, tokenize = 'porter unicode61 remove_diacritics 2');
          CREATE TRIGGER practices_search_insert AFTER INSERT ON practices BEGIN
              INSERT INTO practices_search (rowid, title, body) VALUES (new.rowid, new.title,
                  new.city || ' ' || new.summary || ' ' || new.achieves || ' ' || new.run_by || ' ' || new.resources || ' ' || new.results);
          END;
          CREATE TRIGGER practices_search_update AFTER UPDATE ON practices BEGIN
              DELETE FROM practices_search WHERE rowid = old.rowid;
              INSERT INTO practices_search (rowid, title, body) VALUES (new.rowid, new.title,
                  new.city || ' ' || new.summary || ' ' || new.achieves || ' ' || new.run_by || ' ' || new.resources || ' ' || new.results);
          END;
          CREATE TRIGGER practices_search_delete AFTER DELETE ON practices BEGIN
              DELETE FROM practices_search WHERE rowid = old.rowid;
          END;
          """;

    /// <summary>The text search configuration of a practice's language, written out here because a shipped migration never
    /// changes (PracticeSearch.Configurations says the same for queries). Latvian has none: simple, unstemmed.</summary>
    private const string Config = "CASE language WHEN 'en' THEN 'english'::regconfig WHEN 'fr' THEN 'french'::regconfig " +
        "WHEN 'nl' THEN 'dutch'::regconfig WHEN 'it' THEN 'italian'::regconfig WHEN 'es' THEN 'spanish'::regconfig " +
        "WHEN 'el' THEN 'greek'::regconfig ELSE 'simple'::regconfig END";
}
