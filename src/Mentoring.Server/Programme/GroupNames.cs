using Mentoring.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Programme;

/// <summary>How lists and emails name a group by its member cities: a pair's mentor and mentee, any group's members
/// by role, and a one-line name ("Schaerbeek – Jelgava", "Athens, Larissa, Trikala").</summary>
public sealed record GroupNames(IReadOnlyList<(string Role, string CityId, string Name)> Members)
{
    public string Of(string role) => string.Join(", ", Members.Where(m => m.Role == role).Select(m => m.Name));

    public string Mentor => Of("mentor");
    public string Mentee => Of("mentee");

    public string Line => Mentor.Length > 0 && Mentee.Length > 0 ? $"{Mentor} – {Mentee}" : string.Join(", ", Members.Select(m => m.Name));

    public IReadOnlyList<string> CityIds(string role) => Members.Where(m => m.Role == role).Select(m => m.CityId).ToList();

    /// <summary>The names of these groups' members, one query.</summary>
    public static async Task<Dictionary<Guid, GroupNames>> LoadAsync(MentoringDb db, IReadOnlyCollection<Guid> groupIds, CancellationToken ct)
    {
        var rows = await (from m in db.GroupMembers.AsNoTracking()
                where groupIds.Contains(m.GroupId)
                join c in db.Cities.AsNoTracking() on m.CityId equals c.Id
                orderby m.GroupId, m.Role, c.Name
                select new { m.GroupId, m.Role, c.Id, c.Name })
            .ToListAsync(ct);
        var names = rows.GroupBy(r => r.GroupId).ToDictionary(g => g.Key, g => new GroupNames(g.Select(r => (r.Role, r.Id, r.Name)).ToList()));
        foreach (var id in groupIds) names.TryAdd(id, new GroupNames([]));
        return names;
    }
}
