using System.Text.Json;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Data;
using Mentoring.Server.Setup;
using Mentoring.Server.Web;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Matching;

/// <summary>Publishing: <see cref="Fingerprint"/>, when given, is the proposal the facilitator read; a proposal that has
/// changed since (new answers, new constraints) is refused rather than published unseen.</summary>
public sealed record PublishRequest(string? Fingerprint);

public sealed record PublishedGroup(Guid Group, int Number, string Title, string Mentor, string Mentee, bool Created);

/// <summary>What a publication came to: <see cref="Publication"/> is null when every pair already ran as a group, so
/// nothing was written.</summary>
public sealed record PublishResult(Guid? Publication, string Fingerprint, IReadOnlyList<PublishedGroup> Groups);

/// <summary>
/// Publishes the current proposal, in the caller's transaction: each pair that does not run yet becomes a group of the
/// settings' shape and workflow, formed and started as the set-up pages form one (<see cref="ProgrammeAdmin.FormGroupAsync"/>),
/// and the publication is recorded with the proposal it came from. A pair that already runs as a group is not formed
/// again, so publishing twice makes no group twice; a city already in another group of a one-group-per-member shape
/// refuses the whole publication, naming it.
/// </summary>
public sealed class MatchingPublisher(ProgrammeAdmin admin)
{
    public async Task<MatchingResult<PublishResult>> PublishAsync(MentoringDb db, string programmeId, PublishRequest request, Actor by, Guid personId,
        DateTimeOffset now, CancellationToken ct)
    {
        var proposed = await MatchingProposals.ProposeAsync(db, programmeId, "en", Words.English, ct);
        if (proposed.Outcome != MatchingOutcome.Done) return proposed.As<PublishResult>();
        var proposal = proposed.Value!;
        if (request.Fingerprint is { Length: > 0 } seen && seen != proposal.Fingerprint)
            return new(MatchingOutcome.Conflict, Detail: "The proposal has changed since it was read (new answers or constraints): read it again and publish that one.");
        var settings = (await MatchingSettingsStore.ReadAsync(db, programmeId, ct))!;
        var names = proposal.Mentors.Concat(proposal.Mentees).DistinctBy(c => c.Id).ToDictionary(c => c.Id, c => c.Name);

        var groups = await db.Groups.AsNoTracking().Where(g => g.ProgrammeId == programmeId && g.Shape == settings.Shape).ToListAsync(ct);
        var groupIds = groups.Select(g => g.Id).ToList();
        var members = (await db.GroupMembers.AsNoTracking().Where(m => groupIds.Contains(m.GroupId)).ToListAsync(ct)).ToLookup(m => m.GroupId);
        var published = new List<PublishedGroup>();
        var problems = new List<PageText>();
        var toForm = new List<ProposedPair>();
        foreach (var pair in proposal.Pairs)
        {
            var same = groups.FirstOrDefault(g => members[g.Id].Any(m => m.CityId == pair.Mentor && m.Role == settings.MentorRole)
                                                  && members[g.Id].Any(m => m.CityId == pair.Mentee && m.Role == settings.MenteeRole));
            if (same is not null)
            {
                published.Add(new PublishedGroup(same.Id, same.Number, same.Title, pair.Mentor, pair.Mentee, false));
                continue;
            }

            if (settings.OneGroupPerMember)
                foreach (var city in new[] { pair.Mentor, pair.Mentee })
                {
                    var taken = groups.FirstOrDefault(g => members[g.Id].Any(m => m.CityId == city));
                    if (taken is not null)
                        problems.Add(new("{0} is already in {1} {2} ({3}), and a city is in one {1} only", names[city], settings.Shape, taken.Number, taken.Title));
                    else if (proposal.Pairs.Count(p => p.Mentor == city || p.Mentee == city) is > 1 and var count)
                        problems.Add(new("{0} would be in {1} groups, and a city is in one {2} only: set its capacity to 1", names[city], count, settings.Shape));
                }

            toForm.Add(pair);
        }

        if (problems.Count > 0)
        {
            var distinct = problems.DistinctBy(p => p.English).ToList();
            return new(MatchingOutcome.Conflict, Detail: "Not published: " + string.Join("; ", distinct.Select(p => p.English)) + ".",
                Lines: [new PageText("Not published:"), .. distinct]);
        }
        if (toForm.Count == 0) return MatchingResult<PublishResult>.Done(new PublishResult(null, proposal.Fingerprint, published));

        var themes = proposal.Themes.ToDictionary(t => t.Id, t => t.Title);
        foreach (var pair in toForm)
        {
            var formed = await admin.FormGroupAsync(db, programmeId, new FormGroupRequest(settings.Shape, settings.Workflow, themes.GetValueOrDefault(pair.Theme, pair.Theme),
                $"Matched on {pair.Score} of {pair.Possible} points (proposal {proposal.Fingerprint}, {now:yyyy-MM-dd}).",
                new Dictionary<string, IReadOnlyList<string>> { [settings.MentorRole] = [pair.Mentor], [settings.MenteeRole] = [pair.Mentee] }), by, ct);
            if (formed.Outcome != AdminOutcome.Done)
                return new(MatchingOutcome.Conflict, Detail: $"Not published: {names[pair.Mentor]} → {names[pair.Mentee]}: " +
                                                               (formed.Detail ?? string.Join(" ", formed.Errors!.SelectMany(e => e.Value))),
                    Lines: [new PageText("Not published: {0} → {1}:", names[pair.Mentor], names[pair.Mentee]),
                        .. formed.Lines ?? [.. (formed.Detail is { } detail ? [detail] : formed.Errors!.SelectMany(e => e.Value)).Select(e => new PageText(e))]]);
            published.Add(new PublishedGroup(formed.Value!.Id, formed.Value.Number, formed.Value.Title, pair.Mentor, pair.Mentee, true));
        }

        var publication = new MatchingPublication
        {
            ProgrammeId = programmeId, PublishedAt = now, PublishedBy = personId, Proposal = JsonSerializer.Serialize(proposal, MatchingSettings.Json),
            Groups = JsonSerializer.Serialize(published, MatchingSettings.Json),
        };
        db.MatchingPublications.Add(publication);
        return MatchingResult<PublishResult>.Done(new PublishResult(publication.Id, proposal.Fingerprint, published.OrderBy(g => g.Number).ToList()));
    }
}
