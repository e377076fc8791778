using System.Security.Claims;
using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Pairs;
using Mentoring.Server.Programme;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Dashboard;

/// <summary>A group waiting at a step for a programme event; <see cref="Members"/> is its one-line name
/// (<see cref="GroupNames.Line"/>).</summary>
public sealed record WaitingPair(Guid PairId, int Number, string Members, string StepTitle, DateTimeOffset Since);

/// <summary>An event the programme workflow raises (a signal step): whether it was raised, when, and the pairs waiting
/// for it now.</summary>
public sealed record ProgrammeEventView(string Event, string StepTitle, DateTimeOffset? RaisedAt, IReadOnlyList<WaitingPair> Waiting);

/// <summary>What the programme page shows: the programme workflow's step, its tasks and approvals, and its events.</summary>
public sealed record ProgrammeWork(string ProgrammeId, string ProgrammeName, WorkflowDefinition? Definition, WorkflowInstance? Instance,
    IReadOnlyList<WorkItemView> Items, IReadOnlyList<ProgrammeEventView> Events)
{
    public int LastStep => Definition is null ? 0 : WorkflowSteps.Of(Definition).Last;

    public StepDefinition? Step(string stepId) =>
        Definition is not null && Definition.Steps.TryGetValue(stepId, out var location) ? location.Step : null;

    /// <summary>The actor the signed-in person is on the programme workflow (<see cref="CurrentUser.ProgrammeActorFor"/>),
    /// null when they only look.</summary>
    public Actor? Actor { get; init; }

    /// <summary>May the signed-in person act on this item? The engine decides in the end; this only hides forms it would
    /// refuse: the facilitator may act on every item of the programme's own workflow, a programme role on those its
    /// definition gives it.</summary>
    public bool Mine(string? role) => Actor is { } actor && role is not null && Definition is { } definition
        && actor.CanActFor(new Role(role), definition);

    /// <summary>The programme-wide work of the signed-in person's programme, or null when they may not see it
    /// (<see cref="CurrentUser.SeesProgrammeWork"/>: the facilitator, admins, and the programme-scope roles of the
    /// programme workflow; coordinators and observers follow their groups).</summary>
    public static async Task<ProgrammeWork?> LoadAsync(MentoringDb db, DefinitionStore definitions, ClaimsPrincipal user,
        CancellationToken ct)
    {
        var programmeId = user.ProgrammeId();
        var programme = await db.Programmes.AsNoTracking().SingleOrDefaultAsync(p => p.Id == programmeId, ct);
        if (programme is null) return null;
        var (instance, definition) = await definitions.ProgrammeWorkflowAsync(db, programme.Id, ct);
        if (!user.SeesProgrammeWork(programme.Id, definition)) return null;
        var items = instance is null ? [] : await PairQueries.ItemsAsync(db, instance.Id, openOnly: false, ct, definition);

        var raised = await db.ProgrammeEvents.AsNoTracking().Where(e => e.ProgrammeId == programme.Id)
            .ToDictionaryAsync(e => e.Name, e => e.OccurredAt, ct);
        var waits = await (from item in db.WorkItems
                where item.Status == WorkItemStatus.Open && item.WaitsFor != null
                join grp in db.Groups on item.InstanceId equals grp.InstanceId
                where grp.ProgrammeId == programme.Id
                orderby grp.Number
                select new { item.WaitsFor, grp.Id, grp.Number, item.Title, item.OpenedAt })
            .AsNoTracking().ToListAsync(ct);
        var names = await GroupNames.LoadAsync(db, waits.Select(w => w.Id).Distinct().ToList(), ct, definitions.Catalog);
        var waiting = waits.Select(w => new { w.WaitsFor, Pair = new WaitingPair(w.Id, w.Number, names[w.Id].Line, w.Title, w.OpenedAt) })
            .ToList();

        // The events are the programme workflow's signals, in its order; an event raised or awaited that it does not
        // signal (an older version's, another workflow's) is listed after them, so no waiting pair goes unseen.
        var signals = definition?.StepsOf<SignalStep>().DistinctBy(s => s.Event).Select(s => (s.Event, s.Title)).ToList() ?? [];
        var others = raised.Keys.Concat(waiting.Select(w => w.WaitsFor!)).Distinct()
            .Where(e => signals.All(s => s.Event != e)).Order(StringComparer.Ordinal).Select(e => (Event: e, Title: e));
        var events = signals.Concat(others)
            .Select(s => new ProgrammeEventView(s.Event, s.Title, raised.TryGetValue(s.Event, out var at) ? at : null,
                waiting.Where(w => w.WaitsFor == s.Event).Select(w => w.Pair).ToList()))
            .ToList();
        return new ProgrammeWork(programme.Id, programme.Name, definition, instance,
            items.Where(i => i.Kind is "task" or "approval").ToList(), events)
        {
            Actor = user.ProgrammeActorFor(programme.Id, definition),
        };
    }
}
