namespace Mentoring.Server.Data.Migrations;

/// <summary>
/// The needs assessment (issue 11, step 1): a programme's questionnaire as its package gave it, each city's assessment
/// (one per city and programme: a draft, then submitted) and its answers, one row per question.
/// </summary>
internal sealed class M018_Assessments : Migration
{
    public override int Version => 18;
    public override string Name => "needs assessments";

    protected override string Sql => """
        CREATE TABLE questionnaires (
            programme_id text PRIMARY KEY REFERENCES programmes(id),
            questionnaire_id text NOT NULL,
            source text NOT NULL,
            hash text NOT NULL,
            imported_at {ts} NOT NULL,
            shared_at {ts} NULL
        );
        CREATE TABLE assessments (
            id {uuid} PRIMARY KEY,
            programme_id text NOT NULL REFERENCES programmes(id),
            city_id text NOT NULL REFERENCES cities(id),
            status text NOT NULL,
            revision integer NOT NULL,
            updated_at {ts} NOT NULL,
            updated_by text NULL,
            submitted_at {ts} NULL,
            submitted_by text NULL,
            reopened_at {ts} NULL
        );
        CREATE UNIQUE INDEX ix_assessments_programme_city ON assessments (programme_id, city_id);
        CREATE TABLE assessment_answers (
            assessment_id {uuid} NOT NULL REFERENCES assessments(id),
            question_id text NOT NULL,
            level integer NULL,
            options text NULL,
            text text NULL,
            PRIMARY KEY (assessment_id, question_id)
        );
        """;
}
