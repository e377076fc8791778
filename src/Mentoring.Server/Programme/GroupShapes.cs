using System.Text.Json;
using System.Text.Json.Serialization;
using Mentoring.Server.Data;
using Mentoring.Server.Programme.Packages;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mentoring.Server.Programme;

/// <summary>A programme's group shape as its package declared it (<c>group_shapes</c>, written by the importer): the
/// roles a group of this shape fills with how many members each, and whether a member may be in one group of it only.</summary>
public sealed class GroupShape
{
    public required string ProgrammeId { get; init; }
    public required string Id { get; init; }
    /// <summary>JSON: <c>[{"role": "core", "min": 2, "max": 4}, ...]</c>; no max is no limit.</summary>
    public required string Roles { get; set; }
    public bool OneGroupPerMember { get; set; }

    public PackageShape ToPackageShape() =>
        new(Id, JsonSerializer.Deserialize<List<StoredRole>>(Roles, GroupShapes.Json)!.Select(r => new ShapeRole(r.Role, r.Min, r.Max)).ToList(),
            OneGroupPerMember);

    internal sealed record StoredRole(string Role, int Min, int? Max);
}

internal sealed class GroupShapeConfiguration : IEntityTypeConfiguration<GroupShape>
{
    public void Configure(EntityTypeBuilder<GroupShape> b)
    {
        b.ToTable("group_shapes").HasKey(s => new { s.ProgrammeId, s.Id });
        b.HasOne<ProgrammeRecord>().WithMany().HasForeignKey(s => s.ProgrammeId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

/// <summary>One broken shape rule: <see cref="Rule"/> is <c>role</c>, <c>min</c>, <c>max</c> or <c>oneGroupPerMember</c>.
/// A member already in another group is a conflict with the data (409); the rest is bad input (400).</summary>
public sealed record ShapeViolation(string Rule, string Role, Web.PageText Text)
{
    /// <summary>In English, for the API and the package's errors.</summary>
    public string Message => Text.English;

    public bool IsConflict => Rule == GroupShapes.OneGroupPerMemberRule;
}

/// <summary>A group already in the programme, as the one-group-per-member rule sees it.</summary>
public sealed record PlacedGroup(int Number, string Title, string Shape, IReadOnlyCollection<string> Members);

/// <summary>
/// The rules of a shape, the same for every path that forms or changes a group: the package's own groups at import,
/// <c>POST /api/programmes/{id}/groups</c> and the set-up page. Pure: the callers load what it needs.
/// </summary>
public static class GroupShapes
{
    public const string OneGroupPerMemberRule = "oneGroupPerMember";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string RolesJson(PackageShape shape) =>
        JsonSerializer.Serialize(shape.Roles.Select(r => new GroupShape.StoredRole(r.Role, r.Min, r.Max)), Json);

    public static Task<List<GroupShape>> OfAsync(MentoringDb db, string programmeId, CancellationToken ct) =>
        db.GroupShapes.AsNoTracking().Where(s => s.ProgrammeId == programmeId).OrderBy(s => s.Id).ToListAsync(ct);

    /// <summary>What the group <paramref name="title"/> of <paramref name="shape"/> breaks, given its members by role and the
    /// programme's other groups (the group itself left out).</summary>
    /// <param name="names">City names by id, for the messages (an id without one is shown as it is).</param>
    public static List<ShapeViolation> Check(PackageShape shape, string title, IReadOnlyDictionary<string, IReadOnlyList<string>> byRole,
        IEnumerable<PlacedGroup> others, IReadOnlyDictionary<string, string> names)
    {
        var violations = new List<ShapeViolation>();
        foreach (var role in byRole.Where(r => r.Value.Count > 0).Select(r => r.Key).Where(r => shape.Roles.All(s => s.Role != r)))
            violations.Add(new ShapeViolation("role", role, new("The shape '{0}' has no role '{1}'; its roles are {2} (group '{3}').",
                shape.Id, role, string.Join(", ", shape.Roles.Select(r => r.Role)), title)));
        foreach (var role in shape.Roles)
        {
            var count = byRole.GetValueOrDefault(role.Role)?.Count ?? 0;
            if (count < role.Min)
                violations.Add(new ShapeViolation("min", role.Role, new(
                    "The shape '{0}' takes at least {1} member(s) as '{2}', and the group '{3}' has {4} (rule: min).", shape.Id, role.Min, role.Role, title, count)));
            else if (role.Max is { } max && count > max)
                violations.Add(new ShapeViolation("max", role.Role, new(
                    "The shape '{0}' takes at most {1} member(s) as '{2}', and the group '{3}' has {4} (rule: max).", shape.Id, max, role.Role, title, count)));
        }

        if (!shape.OneGroupPerMember) return violations;
        var placed = others.Where(g => g.Shape == shape.Id).ToList();
        foreach (var (role, members) in byRole)
        foreach (var member in members)
            if (placed.FirstOrDefault(g => g.Members.Contains(member)) is { } other)
                violations.Add(new ShapeViolation(OneGroupPerMemberRule, role, new(
                    "{0} is already in group {1} ({2}), and a member may be in only one group of the shape '{3}' (rule: oneGroupPerMember; role '{4}', group '{5}').",
                    names.GetValueOrDefault(member, member), other.Number, other.Title, shape.Id, role, title)));
        return violations;
    }

    /// <summary>The programme's groups with their members, for <see cref="Check"/>.</summary>
    public static async Task<List<PlacedGroup>> PlacedAsync(MentoringDb db, string programmeId, CancellationToken ct)
    {
        var groups = await db.Groups.AsNoTracking().Where(g => g.ProgrammeId == programmeId).ToListAsync(ct);
        var ids = groups.Select(g => g.Id).ToList();
        var members = (await db.GroupMembers.AsNoTracking().Where(m => ids.Contains(m.GroupId)).ToListAsync(ct)).ToLookup(m => m.GroupId, m => m.CityId);
        return groups.OrderBy(g => g.Number).Select(g => new PlacedGroup(g.Number, g.Title, g.Shape, members[g.Id].ToList())).ToList();
    }

    /// <summary>Takes the programme's row lock for the rest of the transaction, so two nodes forming groups at once check
    /// the one-group-per-member rule (and number their groups) one after the other.</summary>
    public static Task LockProgrammeAsync(MentoringDb db, string programmeId, CancellationToken ct) =>
        db.Database.ExecuteSqlInterpolatedAsync($"UPDATE programmes SET package_hash = package_hash WHERE id = {programmeId}", ct);
}
