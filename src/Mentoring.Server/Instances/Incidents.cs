using System.Text.Json;
using Mentoring.Engine.Definitions;
using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Instances;

/// <summary>A workflow instance stopped by a fault: the group it runs for (none for the programme's own workflow), the
/// step that failed (its title from the definition), the error in one line, and when. <see cref="Status"/> is
/// <c>faulted</c>, or <c>suspended</c> when an operator suspended it faulted (it is faulted again when resumed).</summary>
public sealed record Incident(Guid InstanceId, Guid? GroupId, int? GroupNumber, string? GroupLine, string Status, string StepId,
    string? StepTitle, string Error, DateTimeOffset At);

/// <summary>The open incidents the facilitator's dashboard lists and the group page shows: read from the instances'
/// fault column and the journal's last <c>faulted</c> entry (its time and error), nothing stored of their own.</summary>
public static class Incidents
{
    /// <summary>The longest error shown: an exception's message is one sentence; anything longer is a dump.</summary>
    public const int MaxError = 300;

    /// <summary>Open incidents of a programme, the latest first; <paramref name="groupId"/> narrows them to one group's.</summary>
    public static async Task<List<Incident>> OpenAsync(MentoringDb db, DefinitionCatalog catalog, string programmeId, CancellationToken ct,
        Guid? groupId = null)
    {
        var query = db.Instances.AsNoTracking().Where(i => i.ProgrammeId == programmeId && i.Fault != null
                                                           && (i.Status == "faulted" || i.Status == "suspended"));
        if (groupId is { } only) query = query.Where(i => i.GroupId == only);
        var instances = await query.Select(i => new { i.Id, i.GroupId, i.Status, i.Fault, i.DefinitionId, i.DefinitionVersion, i.UpdatedAt })
            .ToListAsync(ct);
        if (instances.Count == 0) return [];
        var ids = instances.Select(i => i.Id).ToList();
        var faults = (await db.Journal.AsNoTracking().Where(j => ids.Contains(j.InstanceId) && j.Type == "faulted")
                .Select(j => new { j.Id, j.InstanceId, j.At, j.StepId, j.Data }).ToListAsync(ct))
            .GroupBy(j => j.InstanceId).ToDictionary(g => g.Key, g => g.MaxBy(j => j.Id)!);
        var groupIds = instances.Where(i => i.GroupId != null).Select(i => i.GroupId!.Value).Distinct().ToList();
        var numbers = await db.Groups.AsNoTracking().Where(g => groupIds.Contains(g.Id)).ToDictionaryAsync(g => g.Id, g => g.Number, ct);
        var names = await GroupNames.LoadAsync(db, groupIds, ct, catalog);
        return instances.Select(i =>
            {
                faults.TryGetValue(i.Id, out var entry);
                // The fault column is "step: error"; the journal's entry has them apart, with the time.
                var stepId = entry?.StepId ?? i.Fault!.Split(':', 2)[0];
                var error = ErrorOf(entry?.Data) ?? (i.Fault!.Split(':', 2) is [_, var rest] ? rest : i.Fault!);
                var title = catalog.Find(i.DefinitionId, i.DefinitionVersion) is { } definition
                            && definition.Steps.TryGetValue(stepId, out var location) ? location.Step.Title : null;
                return new Incident(i.Id, i.GroupId, i.GroupId is { } g ? numbers.GetValueOrDefault(g) : null,
                    i.GroupId is { } n && names.TryGetValue(n, out var groupNames) ? groupNames.Line : null, i.Status, stepId, title,
                    Plain(error), entry?.At ?? i.UpdatedAt);
            })
            .OrderByDescending(i => i.At).ToList();
    }

    private static string? ErrorOf(string? data)
    {
        if (data is null) return null;
        using var json = JsonDocument.Parse(data);
        return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("error", out var error)
               && error.ValueKind == JsonValueKind.String ? error.GetString() : null;
    }

    /// <summary>The error as a person reads it: its first line, without the exception's type or a stack trace, cut at
    /// <see cref="MaxError"/>.</summary>
    public static string Plain(string error)
    {
        var line = error.Trim().Split('\n', 2)[0].Trim();
        // "System.InvalidOperationException: Nobody can be emailed ..." reads as its message.
        if (line.IndexOf(": ", StringComparison.Ordinal) is > 0 and var colon && line[..colon].EndsWith("Exception", StringComparison.Ordinal)
            && !line[..colon].Contains(' '))
            line = line[(colon + 2)..];
        return line.Length <= MaxError ? line : line[..(MaxError - 1)] + "…";
    }
}
