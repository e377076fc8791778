namespace Mentoring.Server.Data.Migrations;

/// <summary>The inbox (Inbox/): a task's priority (one row per task, shared) and each person's follow-up date for a
/// task (one row per person and task, private). Both go with the task; the follow-ups also go with the person.</summary>
internal sealed class M032_Inbox : Migration
{
    public override int Version => 32;
    public override string Name => "inbox priorities and follow-ups";

    protected override string Sql => """
        CREATE TABLE task_priorities (
            work_item_id {uuid} PRIMARY KEY REFERENCES work_items(id) ON DELETE CASCADE,
            priority text NOT NULL,
            set_by {uuid} NOT NULL REFERENCES people(id),
            updated_at {ts} NOT NULL
        );
        CREATE TABLE task_follow_ups (
            person_id {uuid} NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            work_item_id {uuid} NOT NULL REFERENCES work_items(id) ON DELETE CASCADE,
            follow_up_on {date} NOT NULL,
            updated_at {ts} NOT NULL,
            PRIMARY KEY (person_id, work_item_id)
        );
        CREATE INDEX ix_task_follow_ups_work_item ON task_follow_ups (work_item_id);

        """;
}
