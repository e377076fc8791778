using Mentoring.Server.Data;
using Mentoring.Server.SupportNetworks;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Workflows;

/// <summary>
/// A network member who withdraws their consent keeps no trace in the programme's workflow instances: a visit's
/// participants as recorded when it was held (names typed on the pair page), a report's note and the journal's copies of
/// them lose every mention of the person. The instance's version rises with its state, so a resume that read the state
/// before the withdrawal fails and runs again on the redacted state.
/// </summary>
internal sealed class InstanceConsentEraser : IConsentWithdrawalEraser
{
    public async Task EraseAsync(MentoringDb db, WithdrawnPerson person, CancellationToken ct)
    {
        if (person.Mentions.Count == 0) return;
        var instances = await db.Instances.Where(i => i.ProgrammeId == person.ProgrammeId).ToListAsync(ct);
        foreach (var instance in instances)
        {
            var state = ConsentJson.Redact(instance.State, person.Mentions);
            if (ReferenceEquals(state, instance.State)) continue;
            instance.State = state;
            instance.Version++;
        }

        var ids = instances.Select(i => i.Id).ToList();
        foreach (var item in await db.WorkItems.Where(w => ids.Contains(w.InstanceId) && (w.VisitParticipants != null || w.Result != null)).ToListAsync(ct))
        {
            if (item.VisitParticipants is { } participants) item.VisitParticipants = SupportNetwork.Redact(participants, person.Mentions);
            if (item.Result is { } result) item.Result = SupportNetwork.Redact(result, person.Mentions);
        }

        var entries = await db.Journal.AsNoTracking().Where(j => ids.Contains(j.InstanceId)).Select(j => new { j.Id, j.Data }).ToListAsync(ct);
        foreach (var entry in entries)
        {
            var data = ConsentJson.Redact(entry.Data, person.Mentions);
            if (!ReferenceEquals(data, entry.Data))
                await db.Journal.Where(j => j.Id == entry.Id).ExecuteUpdateAsync(set => set.SetProperty(j => j.Data, data), ct);
        }
    }
}
