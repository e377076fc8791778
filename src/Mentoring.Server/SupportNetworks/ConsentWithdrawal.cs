using Mentoring.Server.Data;

namespace Mentoring.Server.SupportNetworks;

/// <summary>A member of a local support network who withdrew their consent: what they were known by (their name, email
/// and phone as stored until now), for the features that hold a copy of it to erase.</summary>
public sealed record WithdrawnPerson(Guid PersonId, string ProgrammeId, string CityId, string? Email, IReadOnlyList<string> Mentions,
    DateTimeOffset At);

/// <summary>Erases what a feature holds of a network member who withdrew their consent (the invitations emailed to them,
/// for one), in the withdrawal's transaction, so their personal data is gone everywhere at once or nowhere. The network
/// erases its own tables; each feature that copies a member's data elsewhere registers one
/// (<c>services.AddSingleton&lt;IConsentWithdrawalEraser, X&gt;()</c>) in its own folder, as the writer of its tables.</summary>
public interface IConsentWithdrawalEraser
{
    Task EraseAsync(MentoringDb db, WithdrawnPerson person, CancellationToken ct);
}
