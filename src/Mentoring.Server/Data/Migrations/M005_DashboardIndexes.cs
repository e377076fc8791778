namespace Mentoring.Server.Data.Migrations;

/// <summary>
/// Indexes the facilitator dashboard needs once there are thousands of pairs (bench/Mentoring.Bench.Web):
/// the page of pairs is ordered by number, which the (programme_id, number) index cannot serve, so every page
/// joined and sorted all pairs; and the overdue, visit and gate lists find their pair by instance_id, which had
/// no index, so each of them read the whole pairs table for 100 rows; and the overdue list, ordered by due date
/// across kinds, sorted every open item past due to keep the first 100, where an index in due-date order over open
/// items lets it stop after 100.
/// </summary>
internal sealed class M005_DashboardIndexes : Migration
{
    public override int Version => 5;
    public override string Name => "dashboard indexes";

    protected override string Sql => """
        CREATE INDEX ix_pairs_number ON pairs (number);
        CREATE INDEX ix_pairs_instance ON pairs (instance_id);
        CREATE INDEX ix_work_items_open_due ON work_items (due_at) WHERE status = 'open';
        """;
}
