namespace Mentoring.Server.Data.Migrations;

/// <summary>
/// Each uploaded file records the pair and work item it was uploaded for, because who may read a file was decided
/// from journal text naming its id, and anyone completing a task could name another pair's file. Files stored
/// before this are given the task completion that attached them, where the person who completed it is the one who
/// uploaded it (a completion naming someone else's file is exactly what must not grant access); the rest stay
/// without a pair, readable by the facilitator and their uploader only.
/// </summary>
internal sealed class M007_FileOwners : Migration
{
    public override int Version => 7;
    public override string Name => "file owners";

    protected override string Sql => """
        ALTER TABLE uploaded_files ADD COLUMN pair_id {uuid} NULL REFERENCES pairs(id);
        ALTER TABLE uploaded_files ADD COLUMN work_item_id {uuid} NULL REFERENCES work_items(id);

        """ + Backfill;

    /// <summary>The same SQL on both providers (ids compared as lower-case text: SQLite keeps them as upper-case text).</summary>
    internal const string Backfill = """
        UPDATE uploaded_files SET work_item_id = (
            SELECT w.id FROM work_items w
            WHERE w.kind = 'task' AND w.status = 'completed'
              AND lower(w.closed_by_id) = lower(CAST(uploaded_files.uploaded_by AS text))
              AND w.result LIKE '%"fileId":"' || lower(CAST(uploaded_files.id AS text)) || '"%'
            ORDER BY w.closed_at LIMIT 1);
        UPDATE uploaded_files SET pair_id = (
            SELECT p.id FROM work_items w JOIN pairs p ON p.instance_id = w.instance_id
            WHERE w.id = uploaded_files.work_item_id)
        WHERE work_item_id IS NOT NULL;
        """;
}
