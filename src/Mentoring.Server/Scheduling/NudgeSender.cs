using System.Globalization;
using System.Text.Json;
using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Mentoring.Server.Scheduling;

/// <summary>How many due nudge timers a batch took, and how many emails they became.</summary>
public sealed record NudgeBatch(int Claimed, int Sent);

/// <summary>
/// Turns due nudge timers (reminder, due-today, overdue, follow-up) into outbox rows. Nudges do not change instance
/// state, so they skip the workflow host: one transaction per batch claims the timers, re-checks their work items
/// are still open, writes the outbox rows and journal lines, schedules the next overdue escalation and deletes the
/// timers. A message's id is derived from its timer and recipient, so no retry or second node can mail it twice.
/// </summary>
public sealed class NudgeSender(
    IDbContextFactory<MentoringDb> dbs,
    DefinitionStore definitions,
    OutboxWriter outbox,
    TimeProvider clock,
    IOptions<SchedulingOptions> options,
    ILogger<NudgeSender> logger)
{
    private static readonly string ResumePurpose = EffectWriter.Kebab(TimerPurpose.Resume);

    public async Task<NudgeBatch> SendBatchAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var hours = options.Value.WorkingHours();
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var phases = System.Diagnostics.Stopwatch.StartNew();
        var claimed = await ClaimAsync(db, now, options.Value.BatchSize, cancellationToken);
        if (claimed.Count == 0) return new NudgeBatch(0, 0);
        var claimTime = phases.ElapsedMilliseconds;

        // Everything the batch needs, read once for all its timers rather than once per timer.
        var instanceIds = claimed.Select(t => t.InstanceId).Distinct().ToList();
        var instances = await db.Instances.AsNoTracking().Where(i => instanceIds.Contains(i.Id)).ToListAsync(cancellationToken);
        var contexts = await InstanceContext.LoadManyAsync(db, instances, hours, cancellationToken);
        var byId = instances.ToDictionary(i => i.Id);
        // Inside the claim's transaction: a step completed meanwhile has a closed item here and gets no nudge. A study
        // visit's follow-ups are the exception: they are about the time after the visit, so they go once it is reported
        // too (the engine cancels them when a visit is cancelled or sent back).
        var openItems = (await db.WorkItems.AsNoTracking()
                .Where(w => instanceIds.Contains(w.InstanceId)
                            && (w.Status == WorkItemStatus.Open || (w.Kind == "study-visit" && w.Status == WorkItemStatus.Completed)))
                .Select(w => new OpenItem(w.Id, w.InstanceId, w.StepId, w.Activation, w.Title, w.DueAt, w.VisitDate, w.VisitHost, w.Status,
                    w.VisitPhase))
                .ToListAsync(cancellationToken))
            .ToDictionary(w => (w.InstanceId, w.StepId, w.Activation));

        var loadTime = phases.ElapsedMilliseconds;
        var sent = 0;
        var rows = new BatchRows();
        foreach (var timer in claimed)
        {
            if (!openItems.TryGetValue((timer.InstanceId, timer.StepId, timer.Activation), out var item)) continue;
            if (item.Status != WorkItemStatus.Open && timer.Purpose != "follow-up") continue;
            // A prompt to propose a visit date is moot once one is proposed, even if its timer outlived the proposal.
            if (timer.Purpose != "follow-up" && item.VisitPhase is { } phase && phase != EffectWriter.Kebab(VisitPhase.Proposing)) continue;
            var instance = byId[timer.InstanceId];
            if (Plans.WorkingCalendars.DeferredFromDayOff(timer, contexts[instance.Id], now) is { } later)
            {
                // A day off in the recipients' city (entered after the nudge was planned): it waits for the next working day.
                db.Timers.Add(new TimerRecord
                {
                    InstanceId = timer.InstanceId, StepId = timer.StepId, Activation = timer.Activation, Purpose = timer.Purpose,
                    DueAt = later, Data = timer.Data,
                });
                continue;
            }

            var nudge = new Nudge(timer, item, instance, contexts[instance.Id],
                definitions.Get(instance.DefinitionId, instance.DefinitionVersion),
                timer.Data is null ? new Dictionary<string, string>() : JsonSerializer.Deserialize<Dictionary<string, string>>(timer.Data, WorkflowHost.Json)!,
                now, rows);
            sent += Write(db, nudge);
        }

        var writeTime = phases.ElapsedMilliseconds;
        var ids = claimed.Select(t => t.Id).ToList();
        var deleted = await db.Timers.Where(t => ids.Contains(t.Id)).ExecuteDeleteAsync(cancellationToken);
        if (deleted != claimed.Count)
        {
            // Only possible if something bypassed the claim; leave the batch to the next sweep rather than guess.
            logger.LogWarning("Claimed {Claimed} nudge timers but could delete only {Deleted}; rolling the batch back", claimed.Count, deleted);
            return new NudgeBatch(claimed.Count, 0);
        }

        var deleteTime = phases.ElapsedMilliseconds;
        await InsertAsync(db, rows, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        var saveTime = phases.ElapsedMilliseconds;
        await transaction.CommitAsync(cancellationToken);
        Hosting.Telemetry.NudgesWritten(sent, claimed.Select(t => t.DueAt), now);
        logger.LogDebug("Nudge batch of {Count}: claim {Claim} ms, load {Load} ms, build {Write} ms, delete {Delete} ms, insert {Save} ms, commit {Commit} ms",
            claimed.Count, claimTime, loadTime - claimTime, writeTime - loadTime, deleteTime - writeTime, saveTime - deleteTime,
            phases.ElapsedMilliseconds - saveTime);
        return new NudgeBatch(claimed.Count, sent);
    }

    /// <summary>Due nudge timers of running instances, locked for this transaction. On PostgreSQL rows another
    /// claim holds are skipped, not waited for; SQLite's write transaction admits one claimer at a time.</summary>
    private static async Task<List<TimerRecord>> ClaimAsync(MentoringDb db, DateTimeOffset now, int batchSize,
        CancellationToken cancellationToken)
    {
        if (db.IsSqlite)
        {
            // Take the write lock first, so the rows read are the rows this transaction deletes.
            await db.Database.ExecuteSqlRawAsync("DELETE FROM timers WHERE 0", cancellationToken);
            return await db.Timers.AsNoTracking()
                .Where(t => t.Purpose != ResumePurpose && t.DueAt <= now)
                .Join(Plans.WorkingCalendars.NotPaused(db.Instances.Where(i => i.Status == "running"), db), t => t.InstanceId, i => i.Id, (t, _) => t)
                .OrderBy(t => t.DueAt).Take(batchSize)
                .ToListAsync(cancellationToken);
        }

        return await db.Timers.FromSql($"""
                SELECT t.* FROM timers t JOIN workflow_instances i ON i.id = t.instance_id
                WHERE t.purpose <> {ResumePurpose} AND t.due_at <= {now} AND i.status = 'running'
                  AND NOT EXISTS (SELECT 1 FROM programme_pauses p WHERE p.programme_id = i.programme_id AND p.resumed_at IS NULL)
                ORDER BY t.due_at LIMIT {batchSize}
                FOR UPDATE OF t SKIP LOCKED
                """).AsNoTracking().ToListAsync(cancellationToken);
    }

    /// <summary>The batch's outbox rows and journal lines. On PostgreSQL one binary COPY each, in the batch's
    /// transaction: row-by-row inserts were four fifths of a batch's time.</summary>
    private static async Task InsertAsync(MentoringDb db, BatchRows rows, CancellationToken cancellationToken)
    {
        if (db.Database.GetDbConnection() is not NpgsqlConnection connection)
        {
            db.Outbox.AddRange(rows.Outbox);
            db.Journal.AddRange(rows.Journal);
            return;
        }

        await using (var copy = await connection.BeginBinaryImportAsync("""
            COPY outbox_messages (id, message_id, instance_id, template, language, recipient_id, recipient_name, recipient_email,
                model, status, attempts, next_attempt_at, last_error, created_at) FROM STDIN (FORMAT BINARY)
            """, cancellationToken))
        {
            foreach (var m in rows.Outbox)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(m.Id, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(m.MessageId, NpgsqlDbType.Text, cancellationToken);
                await WriteNullableAsync(copy, m.InstanceId, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(m.Template, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(m.Language, NpgsqlDbType.Text, cancellationToken);
                await WriteNullableAsync(copy, m.RecipientId, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(m.RecipientName, NpgsqlDbType.Text, cancellationToken);
                await WriteNullableAsync(copy, m.RecipientEmail, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(m.Model, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(m.Status, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(m.Attempts, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(m.NextAttemptAt.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
                await WriteNullableAsync(copy, m.LastError, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(m.CreatedAt.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
            }

            await copy.CompleteAsync(cancellationToken);
        }

        await using (var copy = await connection.BeginBinaryImportAsync("""
            COPY journal_entries (instance_id, at, type, step_id, actor_id, actor_name, data) FROM STDIN (FORMAT BINARY)
            """, cancellationToken))
        {
            foreach (var j in rows.Journal)
            {
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(j.InstanceId, NpgsqlDbType.Uuid, cancellationToken);
                await copy.WriteAsync(j.At.UtcDateTime, NpgsqlDbType.TimestampTz, cancellationToken);
                await copy.WriteAsync(j.Type, NpgsqlDbType.Text, cancellationToken);
                await WriteNullableAsync(copy, j.StepId, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(j.ActorId, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(j.ActorName, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(j.Data, NpgsqlDbType.Text, cancellationToken);
            }

            await copy.CompleteAsync(cancellationToken);
        }
    }

    private static async Task WriteNullableAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
    {
        if (value is null) await copy.WriteNullAsync(cancellationToken);
        else await copy.WriteAsync(value, type, cancellationToken);
    }

    private static async Task WriteNullableAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
        where T : struct
    {
        if (value is { } v) await copy.WriteAsync(v, type, cancellationToken);
        else await copy.WriteNullAsync(cancellationToken);
    }

    private sealed record OpenItem(Guid Id, Guid InstanceId, string StepId, int Activation, string Title, DateTimeOffset? DueAt,
        DateOnly? VisitDate, string? VisitHost, string Status, string? VisitPhase);

    /// <summary>The rows a batch writes, inserted together at its end.</summary>
    private sealed class BatchRows
    {
        public List<OutboxMessage> Outbox { get; } = [];
        public List<JournalEntry> Journal { get; } = [];
    }

    private sealed record Nudge(TimerRecord Timer, OpenItem Item, WorkflowInstance Instance, InstanceContext Context,
        WorkflowDefinition Definition, Dictionary<string, string> Data, DateTimeOffset Now, BatchRows Rows)
    {
        public Role Role => Data.TryGetValue("role", out var role) && Enum.TryParse<Role>(role, true, out var parsed) ? parsed : Role.Both;

        /// <summary>A study visit's prompt to propose a date: its due date and title travel in the timer.</summary>
        public bool IsPlanning => Data.ContainsKey("planning");

        public DateTimeOffset? DueAt => IsPlanning
            ? DateTimeOffset.Parse(Data["due"], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)
            : Item.DueAt;

        public string Title => Data.TryGetValue("title", out var title) ? title : Item.Title;

        /// <summary>The reminder rules the timer came from, and who owes the work.</summary>
        public (ReminderRules? Rules, Role Assignee) Source => Definition.Locate(Timer.StepId).Step switch
        {
            TaskStep task => (task.Reminders, task.Assignee),
            StudyVisitStep visit => (visit.Planning?.Reminders, visit.Proposer),
            _ => (null, Role.Both),
        };
    }

    /// <summary>Writes one timer's emails, journal line and next escalation; returns the number of emails.</summary>
    private int Write(MentoringDb db, Nudge nudge)
    {
        var purpose = Enum.Parse<TimerPurpose>(nudge.Timer.Purpose.Replace("-", ""), ignoreCase: true);
        return purpose switch
        {
            TimerPurpose.Reminder => Reminder(db, nudge, "task-reminder", "reminder-sent", dueToday: false),
            TimerPurpose.DueToday => Reminder(db, nudge, "task-due-today", "due-today-sent", dueToday: true),
            TimerPurpose.Overdue => Overdue(db, nudge),
            TimerPurpose.FollowUp => FollowUp(db, nudge),
            _ => 0,
        };
    }

    private int Reminder(MentoringDb db, Nudge nudge, string template, string journalType, bool dueToday)
    {
        // A reminder fired after the due date (the nodes were down) would remind of a date gone by: the overdue
        // escalation speaks for it instead.
        if (nudge.DueAt is not { } dueAt || nudge.Now > dueAt) return 0;
        var sent = new List<string>();
        foreach (var person in nudge.Context.PeopleFor(nudge.Role))
        {
            var recipient = nudge.Context.ToRecipient(person, nudge.Role);
            var data = TaskData(nudge, dueAt);
            if (!dueToday) data["task.daysLeft"] = Days(LocalDate(dueAt, recipient) .DayNumber - LocalDate(nudge.Now, recipient).DayNumber);
            Add(db, nudge, template, recipient, data, "");
            sent.Add(recipient.Name);
        }

        Journal(db, nudge, journalType, template, sent, null);
        return sent.Count;
    }

    private int Overdue(MentoringDb db, Nudge nudge)
    {
        if (nudge.DueAt is not { } dueAt) return 0;
        var (rules, assignee) = nudge.Source;
        if (rules?.Overdue is not { } rule) return 0;
        var zone = nudge.Context.TimeZoneOf(nudge.Role);
        var calendar = nudge.Context.Calendar;
        var count = nudge.Data.TryGetValue("count", out var c) ? int.Parse(c, CultureInfo.InvariantCulture) : 1;
        var current = NudgeSchedule.LatestEscalationDue(dueAt, count, rule, zone, calendar, nudge.Role, nudge.Now);

        // A copy chain (the rule emails the facilitator's copies) is the facilitator's own, in their own slots; a
        // coordinator's chain never copies anyone, so a task owed by both coordinators still makes one copy.
        var isCopy = nudge.Data.ContainsKey("copy");
        var sent = new List<string>();
        foreach (var person in nudge.Context.PeopleFor(nudge.Role))
            sent.Add(OverdueTo(db, nudge, dueAt, assignee, nudge.Context.ToRecipient(person, nudge.Role), isCopy));

        DateTimeOffset? next = null;
        if (current < rule.Max)
        {
            next = NudgeSchedule.OverdueAt(dueAt, current + 1, rule, zone, calendar, nudge.Role);
            var data = new Dictionary<string, string>(nudge.Data) { ["count"] = (current + 1).ToString(CultureInfo.InvariantCulture) };
            db.Timers.Add(new TimerRecord
            {
                InstanceId = nudge.Timer.InstanceId, StepId = nudge.Timer.StepId, Activation = nudge.Timer.Activation,
                Purpose = nudge.Timer.Purpose, DueAt = next.Value, Data = JsonSerializer.Serialize(data, WorkflowHost.Json),
            });
        }

        Journal(db, nudge, "overdue-sent", "task-overdue", sent, new Dictionary<string, object?>
        {
            ["count"] = current, ["missed"] = current - count, ["next"] = next,
        });
        return sent.Count;
    }

    private string OverdueTo(MentoringDb db, Nudge nudge, DateTimeOffset dueAt, Role assignee, Recipient recipient, bool isCopy)
    {
        var data = TaskData(nudge, dueAt);
        data["task.daysOverdue"] = Days(LocalDate(nudge.Now, recipient).DayNumber - LocalDate(dueAt, recipient).DayNumber);
        // The city that owes the task; a programme task is the facilitator's own and names no city.
        var cities = (assignee == Role.Both ? [Role.Mentor, Role.Mentee] : new[] { assignee })
            .Select(nudge.Context.CityName).OfType<string>().ToList();
        if (cities.Count > 0) data["task.assignee"] = string.Join(" / ", cities);
        data["isCopy"] = isCopy ? "true" : "false";
        Add(db, nudge, "task-overdue", recipient, data, isCopy ? "-copy" : "");
        return recipient.Name;
    }

    private int FollowUp(MentoringDb db, Nudge nudge)
    {
        if (nudge.Definition.Locate(nudge.Timer.StepId).Step is not StudyVisitStep visit) return 0;
        var index = nudge.Data.TryGetValue("followUp", out var i) ? int.Parse(i, CultureInfo.InvariantCulture) : 0;
        if (index >= visit.FollowUps.Count) return 0;
        var followUp = visit.FollowUps[index];
        var phase = nudge.Item.VisitPhase is { } p && Enum.TryParse<VisitPhase>(p, true, out var parsed) ? parsed
            : nudge.Item.Status == WorkItemStatus.Completed ? VisitPhase.Reported : VisitPhase.Held;
        if (NudgeSchedule.IsUnnecessary(followUp, phase)) return 0;
        var data = new Dictionary<string, string> { ["visit.title"] = nudge.Item.Title };
        if (nudge.Item.VisitDate is { } date) data["visit.date"] = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (nudge.Item.VisitHost is { } host) data["visit.host"] = CityName(nudge.Context, host);
        var sent = new List<string>();
        // A timer per side (the role in its data); one written before that was for every side at once.
        foreach (var role in nudge.Data.ContainsKey("role") ? [nudge.Role] : followUp.To.Distinct())
        foreach (var person in nudge.Context.PeopleFor(role))
        {
            var recipient = nudge.Context.ToRecipient(person, role);
            if (sent.Contains(recipient.Name)) continue;
            Add(db, nudge, followUp.Template, recipient, data, "");
            sent.Add(recipient.Name);
        }

        Journal(db, nudge, "follow-up-sent", followUp.Template, sent, null);
        return sent.Count;
    }

    private static Dictionary<string, string> TaskData(Nudge nudge, DateTimeOffset dueAt) => new()
    {
        ["task.title"] = nudge.Title,
        // An instant: OutboxWriter shows it as a date in the recipient's own time zone and language.
        ["task.due"] = dueAt.ToString("O", CultureInfo.InvariantCulture),
    };

    private void Add(MentoringDb db, Nudge nudge, string template, Recipient recipient, Dictionary<string, string> data, string suffix)
    {
        var model = outbox.Model(nudge.Context, recipient, data, nudge.Item.Id);
        nudge.Rows.Outbox.Add(outbox.Keyed($"nudge-{nudge.Timer.Id:N}-{recipient.PersonId}{suffix}", nudge.Instance.Id, template,
            recipient, model, nudge.Now));
    }

    private static void Journal(MentoringDb db, Nudge nudge, string type, string template, List<string> to,
        Dictionary<string, object?>? extra)
    {
        var data = new Dictionary<string, object?> { ["template"] = template, ["to"] = to, ["dueAt"] = nudge.Timer.DueAt };
        foreach (var (key, value) in extra ?? []) data[key] = value;
        nudge.Rows.Journal.Add(new JournalEntry
        {
            InstanceId = nudge.Instance.Id, At = nudge.Now, Type = type, StepId = nudge.Timer.StepId, ActorId = Actor.System.Id,
            ActorName = Actor.System.Name, Data = JsonSerializer.Serialize(data, WorkflowHost.Json),
        });
    }

    private static string CityName(InstanceContext context, string host) =>
        context.MentorCity is { } mentor && (mentor.Id == host || mentor.Name == host) ? mentor.Name
        : context.MenteeCity is { } mentee && (mentee.Id == host || mentee.Name == host) ? mentee.Name
        : host;

    private static DateOnly LocalDate(DateTimeOffset instant, Recipient recipient) =>
        NudgeSchedule.LocalDate(instant, TimeZoneInfo.FindSystemTimeZoneById(recipient.TimeZone));

    private static string Days(int days) => days.ToString(CultureInfo.InvariantCulture);
}
