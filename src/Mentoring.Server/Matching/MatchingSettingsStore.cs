using System.Text.Json;
using Mentoring.Server.Data;
using Mentoring.Server.Programme.Packages;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Matching;

/// <summary>The one writer of <c>matching_settings</c>: the package import keeps a programme's matching.json there.</summary>
public static class MatchingSettingsStore
{
    /// <summary>Adds or updates the package's settings in the import's context; a package without matching.json leaves
    /// what an earlier import stored. Returns the plan's line, or null when nothing changes.</summary>
    public static async Task<string?> UpsertAsync(MentoringDb db, ProgrammePackage package, CancellationToken ct)
    {
        if (package.Matching is not { } settings) return null;
        var json = JsonSerializer.Serialize(settings, MatchingSettings.Json);
        var row = await db.MatchingSettings.SingleOrDefaultAsync(s => s.ProgrammeId == package.Id, ct);
        if (row is null)
        {
            db.MatchingSettings.Add(new MatchingSettingsRecord { ProgrammeId = package.Id, Settings = json });
            return "create the matching settings";
        }

        if (row.Settings == json) return null;
        row.Settings = json;
        return "update the matching settings";
    }

    public static async Task<MatchingSettings?> ReadAsync(MentoringDb db, string programmeId, CancellationToken ct) =>
        await db.MatchingSettings.AsNoTracking().Where(s => s.ProgrammeId == programmeId).Select(s => s.Settings).SingleOrDefaultAsync(ct) is { } json
            ? JsonSerializer.Deserialize<MatchingSettings>(json, MatchingSettings.Json)
            : null;
}
