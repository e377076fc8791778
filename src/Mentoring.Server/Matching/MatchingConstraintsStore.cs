using System.Text.Json;
using Mentoring.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Matching;

/// <summary>The facilitator's constraints as sent: a whole document replaces the last one (PUT), so a retry is harmless.</summary>
public sealed record ConstraintsRequest(IReadOnlyList<PairingRequest>? Locks, IReadOnlyList<PairingRequest>? Forbids,
    IReadOnlyDictionary<string, int>? Capacity, bool? EveryMenteeMatched);
public sealed record PairingRequest(string? Mentor, string? Mentee);

/// <summary>The one writer of <c>matching_constraints</c>.</summary>
public static class MatchingConstraintsStore
{
    public static async Task<MatchingConstraints> ReadAsync(MentoringDb db, string programmeId, MatchingSettings settings, CancellationToken ct)
    {
        var row = await db.MatchingConstraints.AsNoTracking().SingleOrDefaultAsync(c => c.ProgrammeId == programmeId, ct);
        return row is null
            ? new MatchingConstraints([], [], new Dictionary<string, int>(), settings.EveryMenteeMatched)
            : new MatchingConstraints(Read<List<Pairing>>(row.Locks), Read<List<Pairing>>(row.Forbids), Read<Dictionary<string, int>>(row.Capacities),
                row.EveryMenteeMatched ?? settings.EveryMenteeMatched);
    }

    private static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, MatchingSettings.Json)!;

    /// <summary>
    /// Checks the constraints and replaces the stored ones, in the caller's transaction. Refused (400, each field named)
    /// for a city that is not a candidate of its side, a pairing both locked and forbidden, a city paired with itself or
    /// a capacity out of range; refused (422, the solver's reason in words) when no proposal could meet them. Nothing
    /// is written when refused.
    /// </summary>
    public static async Task<MatchingResult<MatchingConstraints>> SaveAsync(MentoringDb db, string programmeId, ConstraintsRequest request, Guid by,
        DateTimeOffset now, Words text, CancellationToken ct)
    {
        if (await MatchingSettingsStore.ReadAsync(db, programmeId, ct) is not { } settings)
            return new(MatchingOutcome.Unprocessable, Detail: text["This programme has no matching settings: its package needs a matching.json."]);
        var members = await db.ProgrammeMembers.AsNoTracking().Where(m => m.ProgrammeId == programmeId).Select(m => m.CityId).ToListAsync(ct);
        var mentorSide = (settings.Mentors ?? members).Intersect(members).ToHashSet();
        var menteeSide = (settings.Mentees ?? members).Intersect(members).ToHashSet();
        var errors = new Dictionary<string, string[]>();
        List<Pairing> Pairings(IReadOnlyList<PairingRequest>? list, string field)
        {
            var pairings = new List<Pairing>();
            for (var i = 0; i < (list?.Count ?? 0); i++)
            {
                var (mentor, mentee) = (list![i].Mentor?.Trim(), list[i].Mentee?.Trim());
                if (mentor is null || !mentorSide.Contains(mentor)) errors[$"{field}[{i}].mentor"] = [text["Choose a mentor among the programme's candidates."]];
                if (mentee is null || !menteeSide.Contains(mentee)) errors[$"{field}[{i}].mentee"] = [text["Choose a mentee among the programme's candidates."]];
                else if (mentor == mentee) errors[$"{field}[{i}].mentee"] = [text["A city does not mentor itself."]];
                else if (mentor is not null && !pairings.Contains(new Pairing(mentor, mentee))) pairings.Add(new Pairing(mentor, mentee));
            }

            return pairings;
        }

        var locks = Pairings(request.Locks, "locks");
        var forbids = Pairings(request.Forbids, "forbids");
        foreach (var both in forbids.Where(locks.Contains))
            errors[$"forbids[{forbids.IndexOf(both)}]"] = [string.Format(text["{0} → {1} is locked as well: a pairing is either locked or forbidden."], both.Mentor, both.Mentee)];
        var capacity = new Dictionary<string, int>();
        foreach (var (city, value) in request.Capacity ?? new Dictionary<string, int>())
        {
            if (!mentorSide.Contains(city)) errors[$"capacity.{city}"] = [text["Choose a mentor among the programme's candidates."]];
            else if (value is < 0 or > 100) errors[$"capacity.{city}"] = [text["A capacity is a whole number from 0 to 100."]];
            else capacity[city] = value;
        }

        if (errors.Count > 0) return new(MatchingOutcome.Invalid, Errors: errors);
        var constraints = new MatchingConstraints(locks, forbids, capacity, request.EveryMenteeMatched ?? settings.EveryMenteeMatched);

        // Constraints no proposal can meet are refused now, with the solver's reason, rather than stored to fail later.
        var inputs = await MatchingProposals.InputsAsync(db, programmeId, text, ct);
        if (inputs.Outcome == MatchingOutcome.Done
            && MatchingProposals.Propose(programmeId, inputs.Value!, constraints, [], "en", text) is { Outcome: not MatchingOutcome.Done } refused)
            return refused.As<MatchingConstraints>();

        var row = await db.MatchingConstraints.SingleOrDefaultAsync(c => c.ProgrammeId == programmeId, ct);
        if (row is null) db.MatchingConstraints.Add(row = new MatchingConstraintsRecord { ProgrammeId = programmeId });
        row.Locks = JsonSerializer.Serialize(locks, MatchingSettings.Json);
        row.Forbids = JsonSerializer.Serialize(forbids, MatchingSettings.Json);
        row.Capacities = JsonSerializer.Serialize(capacity, MatchingSettings.Json);
        row.EveryMenteeMatched = request.EveryMenteeMatched;
        row.UpdatedAt = now;
        row.UpdatedBy = by;
        return MatchingResult<MatchingConstraints>.Done(constraints);
    }
}
