using Mentoring.Engine.Definitions;
using Mentoring.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Programme;

/// <summary>How pages, lists and emails name a group by its member cities: its members by role, in the order its
/// workflow definition declares the roles (a pair: mentor, mentee; a cluster: core, observer), and a one-line name,
/// roles apart by an en dash and a role's cities by commas ("Schaerbeek – Jelgava", "Athens", "Athens, Larissa – Trikala").</summary>
public sealed record GroupNames(IReadOnlyList<(string Role, string CityId, string Name)> Members)
{
    public static readonly GroupNames Empty = new([]);

    /// <summary>The cities holding <paramref name="role"/>, by commas.</summary>
    public string Of(string role) => string.Join(", ", Members.Where(m => m.Role == role).Select(m => m.Name));

    /// <summary>The roles its members hold, in the definition's order.</summary>
    public IReadOnlyList<string> Roles => Members.Select(m => m.Role).Distinct().ToList();

    /// <summary>The one-line name: "Schaerbeek – Jelgava".</summary>
    public string Line => string.Join(" – ", Roles.Select(Of));

    public IReadOnlyList<string> CityIds(string role) => Members.Where(m => m.Role == role).Select(m => m.CityId).ToList();

    /// <summary>The group roles of a definition in the order it declares them (its defaults when it declares none).</summary>
    public static IReadOnlyList<RoleDefinition> GroupRoles(WorkflowDefinition? definition) =>
        definition?.Roles.Where(r => r.Scope == RoleScope.Group).ToList() ?? [];

    /// <summary>Members in the order of <paramref name="definition"/>'s roles, then by name; roles it does not declare
    /// (or every role, without a definition) after them, by id.</summary>
    public static GroupNames InRoleOrder(IEnumerable<(string Role, string CityId, string Name)> members, WorkflowDefinition? definition)
    {
        var order = GroupRoles(definition).Select(r => r.Id).ToList();
        int Rank(string role) => order.IndexOf(role) is var i and >= 0 ? i : order.Count;
        return new GroupNames(members.OrderBy(m => Rank(m.Role)).ThenBy(m => m.Role, StringComparer.Ordinal)
            .ThenBy(m => m.Name, StringComparer.Ordinal).ToList());
    }

    /// <summary>The names of these groups' members, in the role order of the definition each group's instance runs
    /// (<paramref name="catalog"/>; without it, by role id).</summary>
    public static async Task<Dictionary<Guid, GroupNames>> LoadAsync(MentoringDb db, IReadOnlyCollection<Guid> groupIds, CancellationToken ct,
        DefinitionCatalog? catalog = null)
    {
        var rows = await (from m in db.GroupMembers.AsNoTracking()
                where groupIds.Contains(m.GroupId)
                join c in db.Cities.AsNoTracking() on m.CityId equals c.Id
                select new { m.GroupId, m.Role, c.Id, c.Name })
            .ToListAsync(ct);
        var runs = catalog is null
            ? new Dictionary<Guid, WorkflowDefinition?>()
            : await (from g in db.Groups.AsNoTracking()
                    where groupIds.Contains(g.Id)
                    join i in db.Instances.AsNoTracking() on g.InstanceId equals i.Id
                    select new { g.Id, i.DefinitionId, i.DefinitionVersion })
                .ToDictionaryAsync(r => r.Id, r => catalog.Find(r.DefinitionId, r.DefinitionVersion), ct);
        var names = rows.GroupBy(r => r.GroupId).ToDictionary(g => g.Key,
            g => InRoleOrder(g.Select(r => (r.Role, r.Id, r.Name)), runs.GetValueOrDefault(g.Key)));
        foreach (var id in groupIds) names.TryAdd(id, Empty);
        return names;
    }
}
