namespace Mentoring.Server.Data.Migrations;

/// <summary>The outputs register (Outputs/): each output of a programme with its kind, owner (a member city, or none for
/// the programme's own), status, link or uploaded file, languages, and for a one-stop-shop its checklist of the key
/// information migrants need.</summary>
internal sealed class M029_Outputs : Migration
{
    public override int Version => 29;
    public override string Name => "outputs";

    protected override string Sql => """
        CREATE TABLE outputs (
            id {uuid} PRIMARY KEY,
            programme_id text NOT NULL REFERENCES programmes(id),
            city_id text NULL REFERENCES cities(id),
            kind text NOT NULL,
            title text NOT NULL,
            status text NOT NULL,
            link text NULL,
            file_id {uuid} NULL REFERENCES uploaded_files(id),
            languages text NOT NULL,
            checklist text NULL,
            created_by {uuid} NOT NULL REFERENCES people(id),
            created_at {ts} NOT NULL,
            updated_at {ts} NOT NULL
        );
        CREATE INDEX ix_outputs_programme ON outputs (programme_id, city_id);

        """;
}
