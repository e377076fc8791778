using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Accounts;

/// <summary>
/// Addresses are one per person whatever their capitals: <c>JELGAVA@...</c> is <c>jelgava@...</c>. They are stored
/// trimmed and in lower case, looked up by lower(email) - which the unique index ix_people_email is on, so the database
/// refuses a second one whoever writes it - by sign-in, reset, invitations and set-up alike.
/// </summary>
public static class EmailAddress
{
    public static string Normalise(string? address) => (address ?? "").Trim().ToLowerInvariant();

    public static IQueryable<Person> WithEmail(this IQueryable<Person> people, string? address)
    {
        var key = Normalise(address);
        return people.Where(p => p.Email != null && p.Email.ToLower() == key);
    }

    /// <summary>The person with this address, or null (also for an empty one).</summary>
    public static async Task<Person?> FindAsync(MentoringDb db, string? address, CancellationToken ct) =>
        Normalise(address).Length == 0 ? null : await db.People.WithEmail(address).SingleOrDefaultAsync(ct);
}
