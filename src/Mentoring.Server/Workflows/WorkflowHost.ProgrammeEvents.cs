using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Workflows;

public enum RaiseResult { Raised, AlreadyRaised, Unknown }

// A programme event raised by a feature (Events/: the facilitator marks a training academy held) rather than by the
// programme workflow's own signal step. It goes through the same writer as the signal step's effect (EffectWriter), so
// programme_events keeps one writer and a name is raised once however many times it is asked for; the pairs waiting for
// it are released by DueWorkProcessor as for a signal step.
public sealed partial class WorkflowHost
{
    /// <summary>The programme events this programme's workflow raises (its signal steps), which a feature may raise in its
    /// stead; empty when the programme has no programme workflow.</summary>
    public async Task<IReadOnlySet<string>> ProgrammeSignalsAsync(MentoringDb db, string programmeId, CancellationToken cancellationToken)
    {
        var (_, definition) = await definitions.ProgrammeWorkflowAsync(db, programmeId, cancellationToken);
        return definition?.StepsOf<SignalStep>().Select(s => s.Event).ToHashSet(StringComparer.Ordinal) ?? [];
    }

    /// <summary>Raises <paramref name="eventName"/> for the programme in the caller's unit of work, as its programme workflow's
    /// signal step would, with a journal line of the programme instance saying who raised it and from what. The caller saves
    /// and commits, then calls <see cref="ProgrammeEventsCommitted"/>. Unknown when the programme's workflow raises no such
    /// event; AlreadyRaised (nothing written) when it was raised before, by the workflow or by a feature.</summary>
    public async Task<RaiseResult> RaiseProgrammeEventAsync(MentoringDb db, string programmeId, string eventName, DateTimeOffset occurredAt,
        Actor by, string raisedFrom, CancellationToken cancellationToken)
    {
        var (instance, definition) = await definitions.ProgrammeWorkflowAsync(db, programmeId, cancellationToken);
        if (instance is null || definition is null || !definition.StepsOf<SignalStep>().Any(s => s.Event == eventName)) return RaiseResult.Unknown;
        if (!await EffectWriter.RaiseAsync(db, instance, eventName, occurredAt, cancellationToken)) return RaiseResult.AlreadyRaised;
        db.Journal.Add(EffectWriter.JournalRow(instance.Id, new JournalRecord(clock.GetUtcNow(), "event-raised", null, by,
            new Dictionary<string, object?> { ["event"] = eventName, ["occurredAt"] = occurredAt, ["from"] = raisedFrom })));
        return RaiseResult.Raised;
    }

    /// <summary>Wakes this node's sweeper after a commit that raised a programme event, so the waiting pairs move on at once.</summary>
    public void ProgrammeEventsCommitted() => dueWork.Wake();
}
