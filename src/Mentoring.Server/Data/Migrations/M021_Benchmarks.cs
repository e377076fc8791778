namespace Mentoring.Server.Data.Migrations;

/// <summary>
/// Benchmarks and key factors (issue 11, step 2): one benchmark per group (its title, draft or agreed, a version for
/// optimistic concurrency), its key factors (stable ids, which the mentee's scores refer to), the history of every
/// change (who, when, old and new), and a programme's key-factor templates per theme as its package gave them.
/// </summary>
internal sealed class M021_Benchmarks : Migration
{
    public override int Version => 21;
    public override string Name => "benchmarks";

    protected override string Sql => """
        CREATE TABLE benchmark_templates (
            programme_id text PRIMARY KEY REFERENCES programmes(id),
            source text NOT NULL,
            hash text NOT NULL,
            imported_at {ts} NOT NULL
        );
        CREATE TABLE benchmarks (
            id {uuid} PRIMARY KEY,
            programme_id text NOT NULL REFERENCES programmes(id),
            group_id {uuid} NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            theme text NULL,
            title text NOT NULL,
            status text NOT NULL,
            agreed_at {ts} NULL,
            agreed_by text NULL,
            version integer NOT NULL,
            created_at {ts} NOT NULL,
            updated_at {ts} NOT NULL
        );
        CREATE UNIQUE INDEX ix_benchmarks_group ON benchmarks (group_id);
        CREATE TABLE benchmark_factors (
            id {uuid} PRIMARY KEY,
            benchmark_id {uuid} NOT NULL REFERENCES benchmarks(id) ON DELETE CASCADE,
            position integer NOT NULL,
            title text NOT NULL,
            why_and_how text NOT NULL,
            guiding_questions text NOT NULL,
            examples text NOT NULL,
            local {bool} NOT NULL,
            created_at {ts} NOT NULL
        );
        CREATE INDEX ix_benchmark_factors_benchmark ON benchmark_factors (benchmark_id, position);
        CREATE TABLE benchmark_changes (
            id {identity},
            benchmark_id {uuid} NOT NULL REFERENCES benchmarks(id) ON DELETE CASCADE,
            factor_id {uuid} NULL,
            version integer NOT NULL,
            field text NOT NULL,
            old_value text NULL,
            new_value text NULL,
            changed_by {uuid} NULL,
            changed_by_name text NOT NULL,
            changed_at {ts} NOT NULL
        );
        CREATE INDEX ix_benchmark_changes_benchmark ON benchmark_changes (benchmark_id, id);
        """;
}
