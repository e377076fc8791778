namespace Mentoring.Server.Data.Migrations;

/// <summary>
/// The mentee's self-scores on its benchmark's key factors (Benchmarks/Scores/), at the baseline and at the review: one
/// row per factor per moment, 0-4, with who entered it and when. A factor taken out of the benchmark (M021's
/// benchmark_factors) and a group removed from the set-up take their scores with them.
/// </summary>
internal sealed class M022_BenchmarkScores : Migration
{
    public override int Version => 22;
    public override string Name => "benchmark scores";

    protected override string Sql => """
        CREATE TABLE benchmark_scores (
            id {uuid} PRIMARY KEY,
            group_id {uuid} NOT NULL REFERENCES "groups"(id) ON DELETE CASCADE,
            factor_id {uuid} NOT NULL REFERENCES benchmark_factors(id) ON DELETE CASCADE,
            moment text NOT NULL CHECK (moment IN ('baseline', 'review')),
            score integer NOT NULL CHECK (score BETWEEN 0 AND 4),
            comment text NULL,
            entered_by {uuid} NOT NULL REFERENCES people(id),
            entered_at {ts} NOT NULL
        );
        CREATE UNIQUE INDEX ux_benchmark_scores_factor_moment ON benchmark_scores (factor_id, moment);
        CREATE INDEX ix_benchmark_scores_group ON benchmark_scores (group_id, moment);
        """;
}
