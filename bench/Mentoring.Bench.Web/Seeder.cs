using Mentoring.Engine.Runtime;
using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Mentoring.Bench.Web;

/// <summary>
/// Grows the demo programme to <c>pairs</c> pairs: the first few hundred through the real WorkflowHost.StartAsync
/// (real instances, work items, journal and timers), the rest in bulk with INSERT ... SELECT, spread over the seven
/// steps, with open tasks (about a third overdue), study visits to come, stage gates waiting, finished work and a
/// journal, so the dashboard's queries see a realistic mix rather than 10,000 copies of step 1.
/// </summary>
public static class Seeder
{
    public static async Task SeedAsync(IServiceProvider services, NpgsqlDataSource data, int pairs, int started, DateTimeOffset now)
    {
        var dbs = services.GetRequiredService<IDbContextFactory<MentoringDb>>();
        var host = services.GetRequiredService<WorkflowHost>();
        var definitions = services.GetRequiredService<DefinitionStore>();

        await using var db = await dbs.CreateDbContextAsync();
        var seeded = await db.Groups.AsNoTracking().OrderBy(p => p.Number).ToListAsync();
        var members = await db.GroupMembers.AsNoTracking().ToListAsync();
        string CityOf(Group group, string role) => members.Single(m => m.GroupId == group.Id && m.Role == role).CityId;
        var template = await db.Instances.AsNoTracking().FirstAsync(i => i.GroupId == seeded[0].Id);
        var definition = definitions.Get(template.DefinitionId, template.DefinitionVersion);
        var first = seeded.Max(p => p.Number) + 1;
        var actor = new Actor("bench", "Benchmark", ActorRole.System);

        // 1. Real starts.
        var viaHost = Math.Min(started, pairs - seeded.Count);
        for (var batch = 0; batch < viaHost; batch += 50)
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            for (var n = first + batch; n < first + Math.Min(batch + 50, viaHost); n++)
            {
                var like = seeded[n % seeded.Count];
                var pair = new Group
                {
                    ProgrammeId = like.ProgrammeId, Number = n, Shape = like.Shape, Title = like.Title, Notes = like.Notes,
                    WorkflowId = like.WorkflowId, InstanceId = Guid.CreateVersion7(),
                };
                db.Groups.Add(pair);
                db.GroupMembers.Add(new GroupMember { GroupId = pair.Id, CityId = CityOf(like, "mentor"), Role = "mentor" });
                db.GroupMembers.Add(new GroupMember { GroupId = pair.Id, CityId = CityOf(like, "mentee"), Role = "mentee" });
                await db.SaveChangesAsync();
                await host.StartAsync(db, definition, pair.ProgrammeId, pair, actor, CancellationToken.None);
            }

            await tx.CommitAsync();
            db.ChangeTracker.Clear();
        }

        // 2. Bulk: the rest, cloned from the template instance with a spread of steps and dates.
        var from = first + viaHost;
        var to = first + (pairs - seeded.Count) - 1;
        if (to < from) return;
        await using var connection = await data.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        async Task Run(string sql, params NpgsqlParameter[] parameters)
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 600 };
            command.Parameters.AddRange(parameters);
            await command.ExecuteNonQueryAsync();
        }

        await Run("CREATE TEMP TABLE bench_stages (number int, id text, name text) ON COMMIT DROP");
        foreach (var stage in definition.Stages)
            await Run("INSERT INTO bench_stages VALUES (@n, @i, @m)", new NpgsqlParameter("n", stage.Number), new NpgsqlParameter("i", stage.Id), new NpgsqlParameter("m", stage.Name));
        await Run("CREATE TEMP TABLE bench_like (k int, mentor text, mentee text, theme text, practices text) ON COMMIT DROP");
        for (var k = 0; k < seeded.Count; k++)
            await Run("INSERT INTO bench_like VALUES (@k, @a, @b, @t, @p)", new NpgsqlParameter("k", k), new NpgsqlParameter("a", CityOf(seeded[k], "mentor")), new NpgsqlParameter("b", CityOf(seeded[k], "mentee")),
                new NpgsqlParameter("t", seeded[k].Title), new NpgsqlParameter("p", (object?)seeded[k].Notes ?? DBNull.Value));
        var stages = definition.Stages.Count;
        await Run($"""
            CREATE TEMP TABLE bench_n ON COMMIT DROP AS
            SELECT g AS num, gen_random_uuid() AS pair_id, gen_random_uuid() AS instance_id,
                   1 + (g % {stages}) AS stage, (g % 25 = 0) AS done,
                   @now - ((g % 300) + 60) * interval '1 day' AS created,
                   @now + ((g % 60) - 20) * interval '1 day' AS due
            FROM generate_series(@from, @to) g
            """, new NpgsqlParameter("now", now), new NpgsqlParameter("from", from), new NpgsqlParameter("to", to));
        await Run("""
            INSERT INTO workflow_instances (id, definition_id, definition_version, programme_id, group_id, status, stage_number,
                stage_id, stage_name, next_due_at, state, fault, version, created_at, updated_at)
            SELECT n.instance_id, t.definition_id, t.definition_version, t.programme_id, n.pair_id,
                   CASE WHEN n.done THEN 'completed' ELSE 'running' END, s.number, s.id, s.name,
                   CASE WHEN n.done THEN NULL ELSE n.due END, t.state, NULL, 1, n.created, @now
            FROM bench_n n JOIN bench_stages s ON s.number = n.stage
            CROSS JOIN (SELECT * FROM workflow_instances WHERE id = @template) t
            """, new NpgsqlParameter("now", now), new NpgsqlParameter("template", template.Id));
        await Run($"""
            INSERT INTO "groups" (id, programme_id, number, shape, title, notes, workflow_id, instance_id)
            SELECT n.pair_id, @programme, n.num, 'pair', l.theme, l.practices, @workflow, n.instance_id
            FROM bench_n n JOIN bench_like l ON l.k = n.num % {seeded.Count};
            INSERT INTO group_members (group_id, city_id, role)
            SELECT n.pair_id, l.mentor, 'mentor' FROM bench_n n JOIN bench_like l ON l.k = n.num % {seeded.Count};
            INSERT INTO group_members (group_id, city_id, role)
            SELECT n.pair_id, l.mentee, 'mentee' FROM bench_n n JOIN bench_like l ON l.k = n.num % {seeded.Count}
            """, new NpgsqlParameter("programme", seeded[0].ProgrammeId), new NpgsqlParameter("workflow", seeded[0].WorkflowId));
        // Open work: a task for each side (due with the step), a gate on one pair in 30, a visit on steps 4, 5 and 7.
        await Run("""
            INSERT INTO work_items (id, instance_id, step_id, activation, kind, title, description, assignee, waits_for, stage_id,
                status, opened_at, due_at, visit_phase, visit_date, visit_host)
            SELECT gen_random_uuid(), n.instance_id, 'bench-' || side, 1, 'task', 'Bench task for the ' || side, NULL, side, NULL,
                   s.id, 'open', n.due - interval '30 days', n.due, NULL, NULL, NULL
            FROM bench_n n JOIN bench_stages s ON s.number = n.stage CROSS JOIN (VALUES ('mentor'), ('mentee')) v(side)
            WHERE NOT n.done;
            INSERT INTO work_items (id, instance_id, step_id, activation, kind, title, assignee, stage_id, status, opened_at)
            SELECT gen_random_uuid(), n.instance_id, 'bench-gate', 1, 'approval', 'Approve the step', 'facilitator', s.id, 'open',
                   @now - (n.num % 10) * interval '1 day'
            FROM bench_n n JOIN bench_stages s ON s.number = n.stage WHERE NOT n.done AND n.num % 30 = 0;
            INSERT INTO work_items (id, instance_id, step_id, activation, kind, title, assignee, stage_id, status, opened_at,
                visit_phase, visit_date, visit_host)
            SELECT gen_random_uuid(), n.instance_id, 'bench-visit', 1, 'study-visit', 'Study visit', 'mentee', s.id, 'open',
                   n.created, CASE WHEN n.num % 3 = 0 THEN 'confirmed' ELSE 'proposing' END,
                   CASE WHEN n.num % 3 = 0 THEN (@now + (n.num % 90) * interval '1 day')::date END,
                   CASE WHEN n.num % 3 = 0 THEN 'schaerbeek' END
            FROM bench_n n JOIN bench_stages s ON s.number = n.stage WHERE NOT n.done AND n.stage IN (4, 5, 7);
            """, new NpgsqlParameter("now", now));
        // Finished work and the journal: five completed tasks per pair, and a stage-started entry per step reached.
        await Run("""
            INSERT INTO work_items (id, instance_id, step_id, activation, kind, title, assignee, stage_id, status, opened_at, due_at,
                closed_at, closed_by_id, closed_by_name, result)
            SELECT gen_random_uuid(), n.instance_id, 'bench-done-' || k, 1, 'task', 'Finished task ' || k, 'mentee', 'bench', 'completed',
                   n.created + k * interval '5 days', n.created + k * interval '20 days', n.created + k * interval '10 days',
                   'bench', 'Benchmark', '{}'
            FROM bench_n n CROSS JOIN generate_series(1, 5) k;
            INSERT INTO journal_entries (instance_id, at, type, step_id, actor_id, actor_name, data)
            SELECT n.instance_id, n.created + (k - 1) * interval '20 days', 'stage-started', NULL, 'bench', 'Benchmark',
                   '{"number":' || k || '}'
            FROM bench_n n CROSS JOIN LATERAL generate_series(1, n.stage) k;
            INSERT INTO journal_entries (instance_id, at, type, step_id, actor_id, actor_name, data)
            SELECT n.instance_id, n.created + k * interval '10 days', 'task-completed', 'bench-done-' || k, 'bench', 'Benchmark',
                   '{"note":"done"}'
            FROM bench_n n CROSS JOIN generate_series(1, 5) k;
            INSERT INTO journal_entries (instance_id, at, type, step_id, actor_id, actor_name, data)
            SELECT n.instance_id, @now - interval '1 day', 'completed', NULL, 'bench', 'Benchmark', '{}'
            FROM bench_n n WHERE n.done;
            """, new NpgsqlParameter("now", now));
        await transaction.CommitAsync();
        await using var analyze = new NpgsqlCommand("ANALYZE", connection);
        await analyze.ExecuteNonQueryAsync();
    }
}
