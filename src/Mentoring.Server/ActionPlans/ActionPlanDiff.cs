using System.Globalization;

namespace Mentoring.Server.ActionPlans;

/// <summary>One field that differs: its id (title, start, cost, indicators, ...) and its value before and after as text
/// (dates ISO 8601, amounts with a point, lists one entry a line); null where the item did not exist.</summary>
public sealed record FieldChange(string Field, string? Old, string? New);

/// <summary>An objective or an action that differs: added, removed or changed, field by field.</summary>
public sealed record ItemDiff(Guid Id, string Title, string Change, IReadOnlyList<FieldChange> Fields);

/// <summary>What changed from one version (or the working copy) to another.</summary>
public sealed record PlanDiff(string From, string To, IReadOnlyList<FieldChange> Plan, IReadOnlyList<ItemDiff> Objectives,
    IReadOnlyList<ItemDiff> Actions)
{
    public bool Same => Plan.Count == 0 && Objectives.Count == 0 && Actions.Count == 0;
}

/// <summary>Compares two plans item by item (by the stable ids of objectives and actions) and field by field.</summary>
public static class ActionPlanDiff
{
    public const string Added = "added", Removed = "removed", Changed = "changed";

    /// <summary>The action fields in the order the page and the diff show them.</summary>
    public static readonly IReadOnlyList<string> ActionFields =
        ["title", "description", "objective", "practice", "activities", "start", "end", "responsible", "partners", "cost", "fundingSource",
         "indicators", "risks", "status"];

    public static PlanDiff Compare(string fromLabel, PlanContent from, string toLabel, PlanContent to, Func<Guid, string>? practiceTitle = null,
        Func<Guid, string>? factorTitle = null)
    {
        practiceTitle ??= id => id.ToString();
        factorTitle ??= id => id.ToString();
        var plan = Fields(
            [("language", from.Language, to.Language), ("context", from.Context, to.Context), ("needs", from.Needs, to.Needs)]);
        var objectives = Items(from.Objectives, to.Objectives, o => o.Id, o => o.Title,
            o => [("title", o.Title), ("description", o.Description), ("keyFactors", string.Join("\n", o.KeyFactors.Select(factorTitle)))]);
        var actions = Items(from.Actions, to.Actions, a => a.Id, a => a.Title, a => Values(a, a.ObjectiveId is { } id
            ? (from.Objectives.Concat(to.Objectives).FirstOrDefault(o => o.Id == id)?.Title ?? "") : "", practiceTitle));
        return new PlanDiff(fromLabel, toLabel, plan, objectives, actions);
    }

    /// <summary>An action's fields as text, in <see cref="ActionFields"/>' order.</summary>
    public static IReadOnlyList<(string Field, string Value)> Values(ActionView a, string objective, Func<Guid, string> practiceTitle) =>
    [
        ("title", a.Title), ("description", a.Description), ("objective", objective),
        ("practice", a.PracticeId is { } p ? practiceTitle(p) : ""), ("activities", string.Join("\n", a.Activities)),
        ("start", Date(a.Start)), ("end", Date(a.End)), ("responsible", a.Responsible), ("partners", a.Partners),
        ("cost", ActionPlanCommands.Money(a.Cost)), ("fundingSource", a.FundingSource),
        ("indicators", string.Join("\n", a.Indicators.Select(Indicator))),
        ("risks", string.Join("\n", a.Risks.Select(r => r.Mitigation.Length > 0 ? $"{r.Risk} → {r.Mitigation}" : r.Risk))),
        ("status", a.Status),
    ];

    /// <summary>"Migrants enrolled: 20 → 60 people".</summary>
    public static string Indicator(IndicatorView i) =>
        i.Baseline is null && i.Target is null ? i.Name
            : $"{i.Name}: {Number(i.Baseline)} → {Number(i.Target)} {i.Unit}".TrimEnd();

    private static string Number(decimal? value) => value?.ToString("0.##", CultureInfo.InvariantCulture) ?? "–";

    private static string Date(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";

    private static List<FieldChange> Fields(IEnumerable<(string Field, string Old, string New)> pairs) =>
        pairs.Where(p => p.Old != p.New).Select(p => new FieldChange(p.Field, p.Old, p.New)).ToList();

    private static List<ItemDiff> Items<T>(IReadOnlyList<T> from, IReadOnlyList<T> to, Func<T, Guid> id, Func<T, string> title,
        Func<T, IReadOnlyList<(string Field, string Value)>> values)
    {
        var before = from.ToDictionary(id);
        var after = to.ToDictionary(id);
        var diffs = new List<ItemDiff>();
        // In the newer plan's order, then what it no longer has in the older one's.
        foreach (var item in to)
        {
            var now = values(item);
            if (!before.TryGetValue(id(item), out var old))
            {
                diffs.Add(new ItemDiff(id(item), title(item), Added, now.Where(v => v.Value.Length > 0).Select(v => new FieldChange(v.Field, null, v.Value)).ToList()));
                continue;
            }

            var then = values(old);
            var fields = Fields(then.Zip(now, (o, n) => (o.Field, o.Value, n.Value)));
            if (fields.Count > 0) diffs.Add(new ItemDiff(id(item), title(item), Changed, fields));
        }

        foreach (var item in from.Where(i => !after.ContainsKey(id(i))))
            diffs.Add(new ItemDiff(id(item), title(item), Removed, values(item).Where(v => v.Value.Length > 0).Select(v => new FieldChange(v.Field, v.Value, null)).ToList()));
        return diffs;
    }
}
