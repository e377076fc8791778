using System.Data.Common;
using System.Net;
using System.Text.Json;
using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Data;
using Mentoring.Server.Data.Migrations;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Workflows;

/// <summary>
/// M014 moves pairs to groups, cities to the installation and people's roles to their programmes. An IncluCities
/// database written before it (M013: one programme, cities with their association, people with role and city, a pair
/// whose instance is running) comes through: the pair is a group of shape "pair" with its mentor and mentee, its
/// instance goes on where it stood, and everybody keeps their rights.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class ProgrammeUpgradeTests(DatabaseFixture database)
{
    private static readonly DateTimeOffset Then = DefaultStart.AddDays(-30);

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task An_M013_database_upgrades_and_its_running_pair_goes_on(DatabaseProvider provider)
    {
        var connectionString = await database.ResetAsync(provider);
        var runner = new MigrationRunner(new DatabaseOptions { Provider = provider, ConnectionString = connectionString },
            NullLogger<MigrationRunner>.Instance);
        await runner.MigrateAsync(MigrationRunner.All.Where(m => m.Version <= 13).ToList(), CancellationToken.None);
        var (pairId, instanceId) = await WriteAsM013Async(provider, connectionString);

        await using var app = StartOnExisting(provider, connectionString);

        await using (var db = app.Db())
        {
            var group = await db.Groups.SingleAsync();
            Assert.Equal((pairId, "pair", "inclucities-pair", "Formal and informal language learning", "CAMIM, VIA-BAPA", instanceId),
                (group.Id, group.Shape, group.WorkflowId, group.Title, group.Notes, group.InstanceId));
            Assert.Equal([("jelgava", "mentee"), ("schaerbeek", "mentor")],
                (await db.GroupMembers.OrderBy(m => m.CityId).ToListAsync()).Select(m => (m.CityId, m.Role)));
            Assert.Equal(pairId, (await db.Instances.SingleAsync(i => i.Id == instanceId)).GroupId);
            Assert.Equal([("jelgava", "lps"), ("schaerbeek", "brulocalis")],
                (await db.ProgrammeMembers.OrderBy(m => m.CityId).ToListAsync()).Select(m => (m.CityId, m.Association)));
            Assert.Equal(["brulocalis:association", "cemr:coordinator", "lps:association", "migration-work:facilitator"],
                (await db.Organisations.OrderBy(o => o.Id).ToListAsync()).Select(o => $"{o.Id}:{o.Kind}"));
            var cemr = await db.People.SingleAsync(p => p.Email == People.Cemr);
            Assert.True(cemr.IsAdmin);
            Assert.Equal("inclucities", cemr.CurrentProgramme);
            Assert.Equal(5, await db.ProgrammePeople.CountAsync(p => p.ProgrammeId == "inclucities"));
            Assert.Equal("jelgava", (await db.Set<Mentoring.Server.Plans.CalendarDayOff>().SingleAsync()).CityId);
            Assert.Equal(pairId, (await db.Set<Mentoring.Server.Uploads.UploadedFile>().SingleAsync()).GroupId);
        }

        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));
        var pair = Assert.Single(await jelgava.PairsAsync());
        Assert.Equal((pairId, "schaerbeek", "jelgava"), (pair.Id, pair.Mentor.Id, pair.Mentee.Id));
        var task = (await jelgava.PairAsync(pairId)).OpenItems.First(i => i.Kind == "task" && i.Assignee == "mentee");
        Assert.Equal(HttpStatusCode.OK, (await jelgava.CompleteAsync(pairId, task.Id)).StatusCode);
        await using (var db = app.Db())
            Assert.Equal(WorkItemStatus.Completed, await db.WorkItems.Where(w => w.Id == task.Id).Select(w => w.Status).SingleAsync());

        var lps = await app.ClientForAsync(People.Observer("LPS"));
        Assert.Equal([pairId], (await lps.PairsAsync()).Select(p => p.Id));
        var other = (await lps.PairAsync(pairId)).OpenItems.First(i => i.Kind == "task");
        Assert.Equal(HttpStatusCode.Forbidden, (await lps.CompleteAsync(pairId, other.Id)).StatusCode);
        var facilitator = await app.ClientForAsync(People.Facilitator);
        Assert.Equal([pairId], (await facilitator.PairsAsync()).Select(p => p.Id));
    }

    /// <summary>Writes the rows the M013 code wrote for pair 4 of IncluCities, its instance started by the engine.</summary>
    private static async Task<(Guid Pair, Guid Instance)> WriteAsM013Async(DatabaseProvider provider, string connectionString)
    {
        var definitionFile = Directory.EnumerateFiles(ContentPath.Resolve("workflows"), "inclucities-pair.v1.json", SearchOption.AllDirectories).Single();
        var definition = DefinitionParser.Parse(definitionFile, File.ReadAllText(definitionFile));
        var started = new WorkflowRunner().Run(definition, null, new StartInstance(Actor.System), new OldServices(), Then);
        Assert.True(started.Applied);
        var (pairId, instanceId) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        OldPerson[] people =
        [
            new(Guid.CreateVersion7(), "Migration Work (facilitator)", People.Facilitator, "facilitator", null, "Migration Work"),
            new(Guid.CreateVersion7(), "CEMR (programme coordinator)", People.Cemr, "admin", null, "CEMR"),
            new(Guid.CreateVersion7(), "Schaerbeek coordinator", People.Coordinator("schaerbeek"), "coordinator", "schaerbeek", "Brulocalis"),
            new(Guid.CreateVersion7(), "Jelgava coordinator", People.Coordinator("jelgava"), "coordinator", "jelgava", "LPS"),
            new(Guid.CreateVersion7(), "LPS (national association)", People.Observer("LPS"), "observer", null, "LPS"),
        ];

        await using DbConnection connection = provider == DatabaseProvider.Postgres
            ? new Npgsql.NpgsqlConnection(connectionString)
            : new Microsoft.Data.Sqlite.SqliteConnection(connectionString);
        await connection.OpenAsync();
        async Task Insert(string sql, params object?[] values)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            for (var i = 0; i < values.Length; i++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = $"@p{i}";
                parameter.Value = values[i] switch
                {
                    null => DBNull.Value,
                    Guid g when provider == DatabaseProvider.Sqlite => g.ToString().ToUpperInvariant(),
                    DateTimeOffset t when provider == DatabaseProvider.Sqlite => t.UtcTicks,
                    DateTimeOffset t => t.ToUniversalTime(),
                    DateOnly d when provider == DatabaseProvider.Sqlite => d.ToString("yyyy-MM-dd"),
                    var v => v,
                };
                command.Parameters.Add(parameter);
            }

            await command.ExecuteNonQueryAsync();
        }

        await Insert("INSERT INTO programmes (id, name, pair_workflow, programme_workflow, programme_instance_id, created_at) VALUES ('inclucities', 'IncluCities', 'inclucities-pair', NULL, NULL, @p0)", Then);
        await Insert("INSERT INTO cities (id, programme_id, name, country, association, time_zone, language) VALUES ('schaerbeek', 'inclucities', 'Schaerbeek', 'BE', 'Brulocalis', 'Europe/Brussels', 'fr')");
        await Insert("INSERT INTO cities (id, programme_id, name, country, association, time_zone, language) VALUES ('jelgava', 'inclucities', 'Jelgava', 'LV', 'LPS', 'Europe/Riga', 'lv')");
        foreach (var p in people)
            await Insert("INSERT INTO people (id, programme_id, name, email, role, city_id, organisation, language, time_zone, created_at) VALUES (@p0, 'inclucities', @p1, @p2, @p3, @p4, @p5, 'en', 'Europe/Brussels', @p6)",
                p.Id, p.Name, p.Email, p.Role, p.City, p.Org, Then);
        await Insert("INSERT INTO pairs (id, programme_id, number, mentor_city_id, mentee_city_id, theme, practices, instance_id) VALUES (@p0, 'inclucities', 4, 'schaerbeek', 'jelgava', 'Formal and informal language learning', 'CAMIM, VIA-BAPA', @p1)",
            pairId, instanceId);
        var progress = started.Progress;
        await Insert("INSERT INTO workflow_instances (id, definition_id, definition_version, programme_id, pair_id, status, stage_number, stage_id, stage_name, next_due_at, state, fault, version, created_at, updated_at) VALUES (@p0, 'inclucities-pair', 1, 'inclucities', @p1, 'running', @p2, @p3, @p4, @p5, @p6, NULL, 1, @p7, @p7)",
            instanceId, pairId, progress.StageNumber, progress.StageId, progress.StageName, progress.NextDueAt,
            JsonSerializer.Serialize(started.State, WorkflowHost.Json), Then);
        Guid? firstItem = null;
        foreach (var opened in started.Effects.OfType<WorkItemOpened>())
        {
            var itemId = Guid.CreateVersion7();
            firstItem ??= itemId;
            await Insert("INSERT INTO work_items (id, instance_id, step_id, activation, kind, title, description, assignee, waits_for, stage_id, status, opened_at, due_at, visit_phase) VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, 'open', @p10, @p11, @p12)",
                itemId, instanceId, opened.StepId, opened.Activation, EffectWriter.Kebab(opened.Kind), opened.Title, opened.Description,
                opened.Assignee?.Id, opened.WaitsFor, opened.StageId, Then, opened.DueAt,
                opened.Kind == WorkItemKind.StudyVisit ? "proposing" : null);
        }

        await Insert("INSERT INTO uploaded_files (id, uploaded_by, file_name, content_type, size, content, uploaded_at, pair_id, work_item_id) VALUES (@p0, @p1, 'needs.pdf', 'application/pdf', 3, @p2, @p3, @p4, @p5)",
            Guid.CreateVersion7(), people[3].Id, new byte[] { 1, 2, 3 }, Then, pairId, firstItem);
        await Insert("INSERT INTO calendar_days_off (id, programme_id, city_id, date, month, reason, created_at) VALUES (@p0, 'inclucities', 'jelgava', @p1, NULL, 'Jāņi', @p2)",
            Guid.CreateVersion7(), new DateOnly(2026, 6, 24), Then);
        return (pairId, instanceId);
    }

    private sealed record OldPerson(Guid Id, string Name, string Email, string Role, string? City, string? Org);

    /// <summary>What the M013 host answered the engine for pair 4 (the engine's rules have not changed).</summary>
    private sealed class OldServices : IWorkflowServices
    {
        public WorkingCalendar Calendar { get; } = new(WorkingHours.Default);

        public IReadOnlyList<Recipient> ResolveRecipients(IReadOnlyList<Role> roles) =>
            [new("someone", "Someone", "someone@example.org", "en", "Europe/Brussels", roles[0])];

        public TimeZoneInfo TimeZoneOf(Role role) =>
            TimeZoneInfo.FindSystemTimeZoneById(role == Role.Mentor || role == Role.Facilitator ? "Europe/Brussels" : "Europe/Riga");

        public bool HasEventOccurred(string eventName) => false;
    }
}
