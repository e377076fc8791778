using System.Text.Json;
using Mentoring.Engine.Runtime;

// The step records keep the Definitions namespace: they are the definition model the host and the tests read.
namespace Mentoring.Engine.Definitions;

/// <summary>
/// One kind of workflow step: how a definition file writes it and what an instance does on entering it, together in
/// the kind's own file. A new kind is that file, a line in <see cref="StepKinds.All"/> and its entry in
/// <c>workflows/workflow.schema.json</c>.
/// </summary>
internal abstract class StepKind
{
    /// <summary>The <c>type</c> a definition file gives the step.</summary>
    public abstract string Type { get; }

    /// <summary>The properties the step takes besides type, id, title and description.</summary>
    public abstract IReadOnlyList<string> Properties { get; }

    /// <summary>Whether the file must give a title; a step nobody sees (a branching) may go without.</summary>
    public virtual bool NeedsTitle => true;

    /// <summary>Whether a send-back runs the step again. One that is not (a visit held, an email sent) and ended
    /// before the stage was sent back is kept, not repeated.</summary>
    public virtual bool RedoneOnSendBack => false;

    /// <summary>Reads the step's own properties (unknown ones are refused already); null when an error was reported.</summary>
    public abstract StepDefinition? Parse(DefinitionParser parser, JsonElement step, string path, StepHeader header);

    /// <summary>Runs the step as the instance reaches it: opens what it waits on, or ends it and goes on.</summary>
    public abstract void Enter(WorkflowRunner.Execution run, StepDefinition step);

    /// <summary>The step sequences nested in the step, for the definition's index.</summary>
    public virtual IEnumerable<StepSequence> Nested(StepDefinition step) => [];
}

/// <summary>A <see cref="StepKind"/> with its step record typed.</summary>
internal abstract class StepKind<T> : StepKind where T : StepDefinition
{
    public sealed override void Enter(WorkflowRunner.Execution run, StepDefinition step) => Enter(run, (T)step);

    public sealed override IEnumerable<StepSequence> Nested(StepDefinition step) => Nested((T)step);

    protected abstract void Enter(WorkflowRunner.Execution run, T step);

    protected virtual IEnumerable<StepSequence> Nested(T step) => [];
}

/// <summary>What every step has, read before its kind reads the rest.</summary>
internal sealed record StepHeader(string Id, string Title, string? Description);

/// <summary>The one table of step kinds.</summary>
internal static class StepKinds
{
    /// <summary>In the order the "unknown step type" message lists them.</summary>
    public static readonly IReadOnlyList<StepKind> All =
    [
        TaskKind.Instance, StudyVisitKind.Instance, ApprovalKind.Instance, WaitForEventKind.Instance, SignalKind.Instance,
        TimerKind.Instance, EmailKind.Instance, ParallelKind.Instance, ConditionKind.Instance,
    ];

    private static readonly Dictionary<string, StepKind> ByType = All.ToDictionary(k => k.Type, StringComparer.Ordinal);

    public static StepKind? Named(string type) => ByType.GetValueOrDefault(type);
}
