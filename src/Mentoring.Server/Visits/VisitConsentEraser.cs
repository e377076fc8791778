using Mentoring.Server.Data;
using Mentoring.Server.SupportNetworks;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Visits;

/// <summary>
/// A network member who withdraws their consent keeps no trace in the programme's study visits: their participation stays
/// as a row with their id only (so the visit's and the funder's participant counts stay), a delegation member entered with
/// their email or name loses name, role and email (the row stays, counted, shown as withdrawn), and every mention of them
/// (name, email, phone) in the agendas, the sessions' titles and places, the reports and the next steps is redacted.
/// </summary>
internal sealed class VisitConsentEraser : IConsentWithdrawalEraser
{
    public async Task EraseAsync(MentoringDb db, WithdrawnPerson person, CancellationToken ct)
    {
        var items = db.Set<VisitPlan>().Where(p => p.ProgrammeId == person.ProgrammeId).Select(p => p.ItemId);
        foreach (var participant in await db.Set<VisitParticipant>().Where(p => p.SupportPersonId == person.PersonId).ToListAsync(ct))
            (participant.Name, participant.Role, participant.Email) = (null, null, null);

        var email = person.Email?.Trim().ToLowerInvariant();
        foreach (var member in await db.Set<VisitParticipant>().Where(p => p.Delegation && items.Contains(p.ItemId)).ToListAsync(ct))
        {
            var isThem = (email is { Length: > 0 } && member.Email?.Trim().ToLowerInvariant() == email)
                         || person.Mentions.Any(m => string.Equals(member.Name?.Trim(), m, StringComparison.OrdinalIgnoreCase));
            if (isThem) (member.Name, member.Role, member.Email) = (SupportNetwork.Redacted, null, null);
            else if (member.Role is { } role) member.Role = SupportNetwork.Redact(role, person.Mentions);
        }

        if (person.Mentions.Count == 0) return;
        foreach (var plan in await db.Set<VisitPlan>().Where(p => p.ProgrammeId == person.ProgrammeId).ToListAsync(ct))
            plan.Agenda = SupportNetwork.Redact(plan.Agenda, person.Mentions);
        foreach (var session in await db.Set<VisitSession>().Where(s => items.Contains(s.ItemId)).ToListAsync(ct))
        {
            session.Title = SupportNetwork.Redact(session.Title, person.Mentions);
            if (session.Place is { } place) session.Place = SupportNetwork.Redact(place, person.Mentions);
        }

        foreach (var report in await db.Set<VisitReport>().Where(r => items.Contains(r.ItemId)).ToListAsync(ct))
        {
            report.Seen = SupportNetwork.Redact(report.Seen, person.Mentions);
            report.Learnt = SupportNetwork.Redact(report.Learnt, person.Mentions);
        }

        foreach (var step in await db.Set<VisitNextStep>().Where(s => items.Contains(s.ItemId)).ToListAsync(ct))
            step.Text = SupportNetwork.Redact(step.Text, person.Mentions);
    }
}
