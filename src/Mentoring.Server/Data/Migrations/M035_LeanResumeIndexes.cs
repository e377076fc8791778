namespace Mentoring.Server.Data.Migrations;

/// <summary>
/// Less WAL per resume (issue 14). A resume closes a work item (its status goes from open to completed) and may open
/// one. Every index whose key holds the status got a new entry for each close, so an ended item stayed in two indexes
/// that only ever look for open items. As partial indexes over open items, a close adds no entry to them and they
/// hold only the few open rows. The instances' rows are rewritten on every resume: with room left on each page
/// (fillfactor 80, for pages written from now on) PostgreSQL can write the new row beside the old one without new
/// index entries (a HOT update), where a full page sent it to another page and into every index again.
///
/// The indexes of the tables a resume writes, each with the query that needs it (everything else is by primary key):
/// <list type="bullet">
/// <item>workflow_instances: ix_instances_programme (programme_id, status): a programme's instances (dashboard, sweeps).</item>
/// <item>work_items: ix_work_items_step (instance_id, step_id, activation), unique: an instance's items, the one a command
/// names (EffectWriter, pair page); ix_work_items_open (kind, due_at) WHERE open: the dashboard's open tasks, visits and
/// approvals, the plan page's open visits; ix_work_items_open_due (due_at) WHERE open (M005): the overdue list;
/// ix_work_items_waits (waits_for) WHERE open and waiting for an event: the due-work sweep's event waits and the
/// dashboard's waiting pairs.</item>
/// <item>journal_entries: ix_journal_instance (instance_id, id): an instance's history in order (pair page, exports).</item>
/// <item>timers: ix_timers_due (due_at): the sweeper's claim of due timers; ix_timers_step (instance_id, step_id,
/// activation): a step's timers cancelled or shifted.</item>
/// <item>outbox_messages: ix_outbox_message_id (message_id), unique: one email per message key; ix_outbox_pending
/// (status, next_attempt_at): the dispatcher's claim of what is due to send, and the purge of sent email by status
/// (kept whole for the purge: the resume only inserts pending rows, which a partial index would hold too).</item>
/// <item>idempotency_keys: its primary key only.</item>
/// </list>
/// </summary>
internal sealed class M035_LeanResumeIndexes : Migration
{
    public override int Version => 35;
    public override string Name => "partial indexes over open work items";

    protected override string Sql => """
        DROP INDEX ix_work_items_open;
        CREATE INDEX ix_work_items_open ON work_items (kind, due_at) WHERE status = 'open';
        DROP INDEX ix_work_items_waits;
        CREATE INDEX ix_work_items_waits ON work_items (waits_for) WHERE status = 'open' AND waits_for IS NOT NULL;
        """;

    protected override string? ProviderSql(DatabaseProvider provider) => provider == DatabaseProvider.Postgres
        ? """
          ALTER TABLE workflow_instances SET (fillfactor = 80);
          """
        : null;
}
