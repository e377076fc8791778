namespace Mentoring.Server.Data.Migrations;

/// <summary>
/// The action plan's working copy gets a revision (<c>action_plans.revision</c>), the row's concurrency token: a save
/// names the revision it was made on, and one made on an older revision is refused instead of overwriting the other.
/// Existing plans start at 0, which is what their readers are shown from now on. An uploaded file whose material is
/// removed is marked (<c>uploaded_files.removed_at</c>) in the removal's transaction, and the retention clean-up deletes it.
/// </summary>
internal sealed class M034_MethodGaps : Migration
{
    public override int Version => 34;
    public override string Name => "method gaps";

    protected override string Sql => """
        ALTER TABLE action_plans ADD COLUMN revision integer NOT NULL DEFAULT 0;
        ALTER TABLE uploaded_files ADD COLUMN removed_at {ts} NULL;
        """;
}
