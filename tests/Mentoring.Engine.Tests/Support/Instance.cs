using System.Text.Json;
using System.Text.Json.Serialization;
using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;

namespace Mentoring.Engine.Tests.Support;

/// <summary>
/// One workflow instance driven through the pure runner, the way the host drives it: the state goes through JSON
/// between commands (as it does on the instance row), and a rejected command leaves it as it was.
/// </summary>
internal sealed class Instance(WorkflowDefinition definition, IWorkflowServices services, DateTimeOffset now)
{
    /// <summary>The host's serializer settings (WorkflowHost.Json): what must survive a restart.</summary>
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    private static readonly WorkflowRunner Runner = new();
    private string? _state;

    public WorkflowDefinition Definition { get; private set; } = definition;
    public IWorkflowServices Services { get; set; } = services;
    public DateTimeOffset Now { get; set; } = now;

    /// <summary>A copy of the stored state (null before the start).</summary>
    public InstanceState State => _state is null ? new InstanceState() : JsonSerializer.Deserialize<InstanceState>(_state, Json)!;

    public InstanceStatus Status => State.Status;

    /// <summary>Every effect of every applied command, in order.</summary>
    public List<Effect> History { get; } = [];

    public List<JournalRecord> Journal { get; } = [];

    public RunResult Run(WorkflowCommand command)
    {
        var state = _state is null ? null : JsonSerializer.Deserialize<InstanceState>(_state, Json);
        var result = Runner.Run(Definition, state, command, Services, Now);
        if (!result.Applied) return result;
        _state = JsonSerializer.Serialize(result.State, Json);
        History.AddRange(result.Effects);
        Journal.AddRange(result.Journal);
        return result;
    }

    /// <summary>Moves the instance to <paramref name="to"/> as the host does: a plan refused or skipped changes nothing.</summary>
    public MigrationPlan Migrate(WorkflowDefinition to, StepMapping? mapping = null)
    {
        var plan = new InstanceMigration().Plan(Definition, to, State, mapping ?? StepMapping.ById, Services, Now, Actors.Facilitator);
        if (plan.Refused || plan.Skipped is not null) return plan;
        Definition = to;
        _state = JsonSerializer.Serialize(plan.State, Json);
        History.AddRange(plan.Effects);
        Journal.AddRange(plan.Journal);
        return plan;
    }

    public RunResult Start(IReadOnlyDictionary<string, string>? variables = null) =>
        Run(new StartInstance(Actors.Facilitator, variables));

    public void AdvanceDays(double days) => Now = Now.AddDays(days);

    public bool IsOpen(string stepId) => State.Active.ContainsKey(stepId);

    public IReadOnlyCollection<string> OpenSteps => State.Active.Keys;

    public int Activation(string stepId) =>
        State.Active.TryGetValue(stepId, out var active) ? active.Activation
        : throw new Xunit.Sdk.XunitException($"'{stepId}' is not open; open: {string.Join(", ", OpenSteps)}");

    public RunResult Complete(string stepId, Actor? by = null, string? note = "Done.", string? link = "https://example.org/doc",
        string? fileId = "file-1", string? choice = null) =>
        Run(new CompleteTask(by ?? Actors.For(((TaskStep)Definition.Locate(stepId).Step).Assignee), stepId,
            Activation(stepId), note, link, fileId, choice));

    public RunResult Propose(string stepId, DateOnly date, Actor? by = null, string hostCity = "Schaerbeek") =>
        Run(new ProposeVisit(by ?? Actors.For(VisitStep(stepId).Proposer), stepId, Activation(stepId), date, hostCity));

    public RunResult Confirm(string stepId, Actor? by = null) =>
        Run(new ConfirmVisit(by ?? Actors.For(VisitStep(stepId).Confirmer), stepId, Activation(stepId)));

    public RunResult Held(string stepId, Actor? by = null, params string[] participants) =>
        Run(new RecordVisitHeld(by ?? Actors.Mentee, stepId, Activation(stepId),
            participants.Length > 0 ? participants : ["Ilze Kalniņa", "Sophie Lambert"]));

    public RunResult Report(string stepId, Actor? by = null, string? note = "Report of the visit.", string? link = null) =>
        Run(new ReportVisit(by ?? Actors.Mentee, stepId, Activation(stepId), note, link));

    public RunResult Approve(string stepId, Actor? by = null) =>
        Run(new Approve(by ?? Actors.Facilitator, stepId, Activation(stepId)));

    public RunResult SendBack(string stepId, string reason, Actor? by = null) =>
        Run(new SendBack(by ?? Actors.Facilitator, stepId, Activation(stepId), reason));

    /// <summary>Proposes, confirms, holds on the day and reports a visit <paramref name="inDays"/> days from now.</summary>
    public void RunVisit(string stepId, int inDays = 14)
    {
        var date = DateOnly.FromDateTime(Now.UtcDateTime).AddDays(inDays);
        Applied(Propose(stepId, date));
        Applied(Confirm(stepId));
        AdvanceDays(inDays);
        Applied(Held(stepId));
        Applied(Report(stepId));
    }

    public static RunResult Applied(RunResult result)
    {
        Assert.True(result.Applied, $"Rejected: {result.Rejection?.Kind} {result.Rejection?.Message} " +
            string.Join("; ", result.Rejection?.FieldErrors?.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}") ?? []));
        return result;
    }

    private StudyVisitStep VisitStep(string stepId) => (StudyVisitStep)Definition.Locate(stepId).Step;
}

internal static class RunResultAssertions
{
    public static Rejection Rejected(this RunResult result, RejectionKind kind)
    {
        Assert.False(result.Applied, "The command was applied, but should have been rejected as " + kind);
        Assert.Equal(kind, result.Rejection!.Kind);
        return result.Rejection;
    }

    public static RunResult Applied(this RunResult result) => Instance.Applied(result);

    public static IEnumerable<T> Of<T>(this RunResult result) where T : Effect => result.Effects.OfType<T>();

    public static IReadOnlyList<string> Opened(this RunResult result) =>
        result.Effects.OfType<WorkItemOpened>().Select(o => o.StepId).ToList();

    public static IReadOnlyList<string> Closed(this RunResult result, WorkItemOutcome outcome) =>
        result.Effects.OfType<WorkItemClosed>().Where(c => c.Outcome == outcome).Select(c => c.StepId).ToList();
}
