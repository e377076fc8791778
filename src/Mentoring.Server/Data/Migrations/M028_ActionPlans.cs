namespace Mentoring.Server.Data.Migrations;

/// <summary>
/// Action plans (ActionPlans/): a group's plan with its endorsement, the working copy's objectives and actions, the frozen
/// versions (the whole plan as JSON under a label, never updated) and the comments on actions.
/// </summary>
internal sealed class M028_ActionPlans : Migration
{
    public override int Version => 28;
    public override string Name => "action_plans";

    protected override string Sql => """
        CREATE TABLE action_plans (
            id {uuid} PRIMARY KEY,
            programme_id text NOT NULL REFERENCES programmes(id),
            group_id {uuid} NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            language text NOT NULL,
            context text NOT NULL,
            needs text NOT NULL,
            created_at {ts} NOT NULL,
            updated_at {ts} NOT NULL,
            endorsed_on {date} NULL,
            endorsed_by text NULL,
            endorsement_file_id {uuid} NULL REFERENCES uploaded_files(id),
            endorsement_recorded_by {uuid} NULL REFERENCES people(id),
            endorsement_recorded_at {ts} NULL
        );
        CREATE UNIQUE INDEX ux_action_plans_group ON action_plans (group_id);
        CREATE TABLE action_plan_objectives (
            id {uuid} PRIMARY KEY,
            plan_id {uuid} NOT NULL REFERENCES action_plans(id) ON DELETE CASCADE,
            position integer NOT NULL,
            title text NOT NULL,
            description text NOT NULL,
            key_factors text NOT NULL
        );
        CREATE INDEX ix_action_plan_objectives_plan ON action_plan_objectives (plan_id);
        CREATE TABLE action_plan_versions (
            id {uuid} PRIMARY KEY,
            plan_id {uuid} NOT NULL REFERENCES action_plans(id) ON DELETE CASCADE,
            number integer NOT NULL,
            label text NOT NULL,
            content text NOT NULL,
            frozen_at {ts} NOT NULL,
            frozen_by {uuid} NULL REFERENCES people(id),
            frozen_by_name text NOT NULL
        );
        CREATE UNIQUE INDEX ux_action_plan_versions_label ON action_plan_versions (plan_id, label);
        CREATE UNIQUE INDEX ux_action_plan_versions_number ON action_plan_versions (plan_id, number);
        CREATE TABLE action_plan_comments (
            id {uuid} PRIMARY KEY,
            plan_id {uuid} NOT NULL REFERENCES action_plans(id) ON DELETE CASCADE,
            action_id {uuid} NOT NULL,
            version_id {uuid} NULL REFERENCES action_plan_versions(id) ON DELETE CASCADE,
            author_id {uuid} NOT NULL REFERENCES people(id),
            text text NOT NULL,
            created_at {ts} NOT NULL
        );
        CREATE INDEX ix_action_plan_comments_action ON action_plan_comments (plan_id, action_id);

        """;

    // Cost is money: numeric on PostgreSQL; SQLite keeps EF Core's decimal as text.
    protected override string? ProviderSql(DatabaseProvider provider) => $"""
        CREATE TABLE action_plan_actions (
            id {"{uuid}"} PRIMARY KEY,
            plan_id {"{uuid}"} NOT NULL REFERENCES action_plans(id) ON DELETE CASCADE,
            objective_id {"{uuid}"} NULL REFERENCES action_plan_objectives(id) ON DELETE SET NULL,
            position integer NOT NULL,
            title text NOT NULL,
            description text NOT NULL,
            practice_id {"{uuid}"} NULL,
            activities text NOT NULL,
            start_on {"{date}"} NULL,
            end_on {"{date}"} NULL,
            responsible text NOT NULL,
            partners text NOT NULL,
            cost {(provider == DatabaseProvider.Postgres ? "numeric(14,2)" : "TEXT")} NULL,
            funding_source text NOT NULL,
            indicators text NOT NULL,
            risks text NOT NULL,
            status text NOT NULL,
            created_at {"{ts}"} NOT NULL
        );
        CREATE INDEX ix_action_plan_actions_plan ON action_plan_actions (plan_id);

        """;
}
