using System.Text.Json.Nodes;
using Mentoring.Engine.Definitions;
using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Dashboard;

/// <summary>A running group where nothing has happened for the programme's <c>stuckAfterDays</c>: the last thing its
/// journal recorded (its type, the step and its title), when, and how many whole days ago.</summary>
public sealed record StuckGroup(Guid GroupId, int Number, string Line, string LastType, string? LastStepId, string? LastStepTitle,
    DateTimeOffset LastAt, int Days);

/// <summary>The groups that have gone quiet, for the facilitator's dashboard and weekly digest. Activity is the group's
/// journal: every task done, visit, approval, send-back, email step and timer of its workflow writes an entry there, so
/// its last entry is the last thing that happened. Only running groups count: a completed, cancelled, suspended or
/// faulted one is not waiting for its members (a faulted one is an incident).</summary>
public static class StuckGroups
{
    /// <summary>Used when the programme's package sets no <c>settings.stuckAfterDays</c>.</summary>
    public const int DefaultStuckAfterDays = 21;

    /// <summary>The programme's setting (<see cref="ProgrammeRecord.Settings"/>), else <see cref="DefaultStuckAfterDays"/>.</summary>
    public static int StuckAfterDays(ProgrammeRecord programme) =>
        JsonNode.Parse(string.IsNullOrWhiteSpace(programme.Settings) ? "{}" : programme.Settings)?["stuckAfterDays"] is JsonValue value
        && value.TryGetValue<int>(out var days) && days > 0
            ? days
            : DefaultStuckAfterDays;

    /// <summary>The programme's setting and its stuck groups, the longest quiet first.</summary>
    public static async Task<(int StuckAfterDays, List<StuckGroup> Groups)> ListAsync(MentoringDb db, DefinitionCatalog catalog, string programmeId, DateTimeOffset now,
        CancellationToken ct)
    {
        var programme = await db.Programmes.AsNoTracking().SingleOrDefaultAsync(p => p.Id == programmeId, ct);
        if (programme is null) return (DefaultStuckAfterDays, []);
        var days = StuckAfterDays(programme);
        var cutoff = now - TimeSpan.FromDays(days);
        var running = db.Instances.Where(i => i.ProgrammeId == programmeId && i.GroupId != null && i.Status == "running").Select(i => i.Id);
        var last = db.Journal.Where(j => running.Contains(j.InstanceId)).GroupBy(j => j.InstanceId).Select(g => g.Max(j => j.Id));
        var rows = await (from entry in db.Journal
                where last.Contains(entry.Id) && entry.At < cutoff
                join instance in db.Instances on entry.InstanceId equals instance.Id
                join grp in db.Groups on instance.GroupId equals grp.Id
                select new { GroupId = grp.Id, grp.Number, entry.Type, entry.StepId, entry.At, instance.DefinitionId, instance.DefinitionVersion })
            .AsNoTracking().ToListAsync(ct);
        if (rows.Count == 0) return (days, []);
        var names = await GroupNames.LoadAsync(db, rows.Select(r => r.GroupId).ToList(), ct, catalog);
        return (days, rows.Select(r =>
            {
                var title = r.StepId is { } stepId && catalog.Find(r.DefinitionId, r.DefinitionVersion) is { } definition
                            && definition.Steps.TryGetValue(stepId, out var location) ? location.Step.Title : null;
                return new StuckGroup(r.GroupId, r.Number, names.TryGetValue(r.GroupId, out var n) ? n.Line : "", r.Type, r.StepId, title, r.At,
                    (int)Math.Floor((now - r.At).TotalDays));
            })
            .OrderBy(s => s.LastAt).ThenBy(s => s.Number).ToList());
    }
}
