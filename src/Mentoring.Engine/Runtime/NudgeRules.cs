using System.Globalization;
using Mentoring.Engine.Definitions;

namespace Mentoring.Engine.Runtime;

/// <summary>A nudge timer (reminder, due-today, overdue, follow-up) that fell due, as the host claimed it.</summary>
/// <param name="Key">The timer's identity: the key of every message it sends, so no retry or second node mails twice.</param>
/// <param name="DueAt">When the timer was planned for (it may fire later, after an outage).</param>
public sealed record DueNudge(string Key, string StepId, int Activation, TimerPurpose Purpose, DateTimeOffset DueAt,
    IReadOnlyDictionary<string, string> Data);

/// <summary>The work item a nudge is about, as read in the claim's transaction.</summary>
/// <param name="IsOpen">False for a study visit already reported (its follow-ups still go).</param>
public sealed record NudgedItem(string Title, bool IsOpen, DateTimeOffset? DueAt, VisitPhase? VisitPhase, DateOnly? VisitDate,
    string? VisitHost);

/// <summary>Who a nudge may reach in one instance, and in which time zones and calendar.</summary>
public interface INudgeAudience
{
    /// <summary>The people acting as <paramref name="role"/>, each with their own time zone; none when nobody does.</summary>
    IReadOnlyList<Recipient> RecipientsFor(Role role);

    TimeZoneInfo TimeZoneOf(Role role);

    WorkingCalendar Calendar { get; }

    /// <summary>The city that acts as <paramref name="role"/>; null for the facilitator.</summary>
    string? CityName(Role role);

    /// <summary>A visit's host city as people know it; a proposal may name it by id or by name.</summary>
    string HostCityName(string host);
}

/// <summary>One nudge email to write to the outbox, keyed so that it is written once whatever retries.</summary>
public sealed record NudgeEmailRequested(string StepId, string Template, Recipient Recipient, IReadOnlyDictionary<string, string> Data,
    string MessageKey) : Effect;

/// <summary>What one due nudge timer comes to: emails and a next timer (<see cref="Effects"/>), and its history line.</summary>
public sealed record NudgeOutcome(IReadOnlyList<Effect> Effects, JournalRecord? Journal)
{
    public static readonly NudgeOutcome Nothing = new([], null);

    public int Emails => Effects.Count(e => e is NudgeEmailRequested);
}

/// <summary>
/// The nudge rules: what a due timer sends to whom, and when the next one is due. Pure: the timer, its work item,
/// the definition, the audience and now in; the effects to write out. The host's sender only loads and writes.
/// </summary>
public static class NudgeRules
{
    public static NudgeOutcome Decide(DueNudge timer, NudgedItem item, WorkflowDefinition definition, INudgeAudience audience,
        DateTimeOffset now)
    {
        // A step completed meanwhile gets no nudge. A study visit's follow-ups are the exception: they are about the
        // time after the visit, so they go once it is reported too (the engine cancels them when a visit is cancelled
        // or sent back).
        if (!item.IsOpen && timer.Purpose != TimerPurpose.FollowUp) return NudgeOutcome.Nothing;
        // A prompt to propose a visit date is moot once one is proposed, even if its timer outlived the proposal.
        if (timer.Purpose != TimerPurpose.FollowUp && item.VisitPhase is { } phase && phase != VisitPhase.Proposing)
            return NudgeOutcome.Nothing;

        var role = RoleOf(timer);
        if (DeferredFromDayOff(role, audience, now) is { } later)
        {
            // A day off in the recipients' city (entered after the nudge was planned): it waits for the next working day.
            return new NudgeOutcome([new TimerScheduled(timer.StepId, timer.Activation, timer.Purpose, later, timer.Data)], null);
        }

        var nudge = new Nudge(timer, item, role, audience, now);
        return timer.Purpose switch
        {
            TimerPurpose.Reminder => Reminder(nudge, "task-reminder", "reminder-sent", dueToday: false),
            TimerPurpose.DueToday => Reminder(nudge, "task-due-today", "due-today-sent", dueToday: true),
            TimerPurpose.Overdue => Overdue(nudge, definition),
            TimerPurpose.FollowUp => FollowUp(nudge, definition),
            _ => NudgeOutcome.Nothing,
        };
    }

    /// <summary>Whom a nudge timer is for: the role in its data, or both sides (a follow-up written before timers
    /// named one).</summary>
    public static Role RoleOf(IReadOnlyDictionary<string, string>? data) =>
        data?.GetValueOrDefault("role") is { Length: > 0 } name ? Role.Of(name) : Role.Both;

    private static Role RoleOf(DueNudge timer) => RoleOf(timer.Data);

    /// <summary>When the recipients are off today (a holiday entered after the nudge was planned): the first working
    /// moment after it. Null when today is a working day for them.</summary>
    private static DateTimeOffset? DeferredFromDayOff(Role role, INudgeAudience audience, DateTimeOffset now)
    {
        if (audience.Calendar is not DaysOffCalendar calendar) return null;
        var zone = audience.TimeZoneOf(role);
        return calendar.IsDayOff(NudgeSchedule.LocalDate(now, zone), role) ? calendar.WithinWorkingHours(now, role, zone) : null;
    }

    private sealed record Nudge(DueNudge Timer, NudgedItem Item, Role Role, INudgeAudience Audience, DateTimeOffset Now)
    {
        /// <summary>A study visit's prompt to propose a date: its due date and title travel in the timer.</summary>
        private bool IsPlanning => Timer.Data.ContainsKey("planning");

        public DateTimeOffset? DueAt => IsPlanning
            ? DateTimeOffset.Parse(Timer.Data["due"], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)
            : Item.DueAt;

        public string Title => Timer.Data.TryGetValue("title", out var title) ? title : Item.Title;

        public NudgeEmailRequested Email(string template, Recipient recipient, IReadOnlyDictionary<string, string> data,
            string suffix = "") =>
            new(Timer.StepId, template, recipient, data, $"nudge-{Timer.Key}-{recipient.PersonId}{suffix}");

        public JournalRecord Journal(string type, string template, List<string> to, Dictionary<string, object?>? extra = null)
        {
            var data = new Dictionary<string, object?> { ["template"] = template, ["to"] = to, ["dueAt"] = Timer.DueAt };
            foreach (var (key, value) in extra ?? []) data[key] = value;
            return new JournalRecord(Now, type, Timer.StepId, Actor.System, data);
        }
    }

    private static NudgeOutcome Reminder(Nudge nudge, string template, string journalType, bool dueToday)
    {
        // A reminder fired after the due date (the nodes were down) would remind of a date gone by: the overdue
        // escalation speaks for it instead.
        if (nudge.DueAt is not { } dueAt || nudge.Now > dueAt) return NudgeOutcome.Nothing;
        var emails = new List<Effect>();
        var sent = new List<string>();
        foreach (var recipient in nudge.Audience.RecipientsFor(nudge.Role))
        {
            var data = TaskData(nudge, dueAt);
            if (!dueToday) data["task.daysLeft"] = Days(LocalDate(dueAt, recipient).DayNumber - LocalDate(nudge.Now, recipient).DayNumber);
            emails.Add(nudge.Email(template, recipient, data));
            sent.Add(recipient.Name);
        }

        return new NudgeOutcome(emails, nudge.Journal(journalType, template, sent));
    }

    private static NudgeOutcome Overdue(Nudge nudge, WorkflowDefinition definition)
    {
        if (nudge.DueAt is not { } dueAt) return NudgeOutcome.Nothing;
        var (rules, assignee) = definition.Locate(nudge.Timer.StepId).Step switch
        {
            TaskStep task => (task.Reminders, task.Assignee),
            StudyVisitStep visit => (visit.Planning?.Reminders, visit.Proposer),
            _ => (null, Role.Both),
        };
        if (rules?.Overdue is not { } rule) return NudgeOutcome.Nothing;
        var zone = nudge.Audience.TimeZoneOf(nudge.Role);
        var calendar = nudge.Audience.Calendar;
        var count = nudge.Timer.Data.TryGetValue("count", out var c) ? int.Parse(c, CultureInfo.InvariantCulture) : 1;
        var current = NudgeSchedule.LatestEscalationDue(dueAt, count, rule, zone, calendar, nudge.Role, nudge.Now);

        // A copy chain (the rule emails the facilitator's copies) is the facilitator's own, in their own slots; a
        // coordinator's chain never copies anyone, so a task owed by both coordinators still makes one copy.
        var isCopy = nudge.Timer.Data.ContainsKey("copy");
        var effects = new List<Effect>();
        var sent = new List<string>();
        foreach (var recipient in nudge.Audience.RecipientsFor(nudge.Role))
        {
            var data = TaskData(nudge, dueAt);
            data["task.daysOverdue"] = Days(LocalDate(nudge.Now, recipient).DayNumber - LocalDate(dueAt, recipient).DayNumber);
            // The city that owes the task; a programme task is the facilitator's own and names no city.
            var cities = definition.Expand(assignee)
                .Select(nudge.Audience.CityName).OfType<string>().ToList();
            if (cities.Count > 0) data["task.assignee"] = string.Join(" / ", cities);
            data["isCopy"] = isCopy ? "true" : "false";
            effects.Add(nudge.Email("task-overdue", recipient, data, isCopy ? "-copy" : ""));
            sent.Add(recipient.Name);
        }

        DateTimeOffset? next = null;
        if (current < rule.Max)
        {
            next = NudgeSchedule.OverdueAt(dueAt, current + 1, rule, zone, calendar, nudge.Role);
            var data = new Dictionary<string, string>(nudge.Timer.Data) { ["count"] = (current + 1).ToString(CultureInfo.InvariantCulture) };
            effects.Add(new TimerScheduled(nudge.Timer.StepId, nudge.Timer.Activation, TimerPurpose.Overdue, next.Value, data));
        }

        return new NudgeOutcome(effects, nudge.Journal("overdue-sent", "task-overdue", sent, new Dictionary<string, object?>
        {
            ["count"] = current, ["missed"] = current - count, ["next"] = next,
        }));
    }

    private static NudgeOutcome FollowUp(Nudge nudge, WorkflowDefinition definition)
    {
        if (definition.Locate(nudge.Timer.StepId).Step is not StudyVisitStep visit) return NudgeOutcome.Nothing;
        var index = nudge.Timer.Data.TryGetValue("followUp", out var i) ? int.Parse(i, CultureInfo.InvariantCulture) : 0;
        if (index >= visit.FollowUps.Count) return NudgeOutcome.Nothing;
        var followUp = visit.FollowUps[index];
        var phase = nudge.Item.VisitPhase ?? (nudge.Item.IsOpen ? VisitPhase.Held : VisitPhase.Reported);
        if (NudgeSchedule.IsUnnecessary(followUp, phase)) return NudgeOutcome.Nothing;
        var data = new Dictionary<string, string> { ["visit.title"] = nudge.Item.Title };
        if (nudge.Item.VisitDate is { } date) data["visit.date"] = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (nudge.Item.VisitHost is { } host) data["visit.host"] = nudge.Audience.HostCityName(host);
        var emails = new List<Effect>();
        var sent = new List<string>();
        // A timer per side (the role in its data); one written before that was for every side at once.
        foreach (var role in nudge.Timer.Data.ContainsKey("role") ? [nudge.Role] : followUp.To.Distinct())
        foreach (var recipient in nudge.Audience.RecipientsFor(role))
        {
            if (sent.Contains(recipient.Name)) continue;
            emails.Add(nudge.Email(followUp.Template, recipient, data));
            sent.Add(recipient.Name);
        }

        return new NudgeOutcome(emails, nudge.Journal("follow-up-sent", followUp.Template, sent));
    }

    private static Dictionary<string, string> TaskData(Nudge nudge, DateTimeOffset dueAt) => new()
    {
        ["task.title"] = nudge.Title,
        // An instant: the host's outbox shows it as a date in the recipient's own time zone and language.
        ["task.due"] = dueAt.ToString("O", CultureInfo.InvariantCulture),
    };

    private static DateOnly LocalDate(DateTimeOffset instant, Recipient recipient) =>
        NudgeSchedule.LocalDate(instant, TimeZoneInfo.FindSystemTimeZoneById(recipient.TimeZone));

    private static string Days(int days) => days.ToString(CultureInfo.InvariantCulture);
}
