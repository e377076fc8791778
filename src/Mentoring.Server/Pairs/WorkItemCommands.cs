using System.Security.Claims;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Uploads;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pairs;

/// <summary>A person's change to one work item of a pair (or of the programme's own workflow), as the API and the pages
/// send it: typed, transport-free.</summary>
public abstract record WorkItemCommand(Guid ItemId)
{
    internal abstract string Kind { get; }

    internal abstract WorkflowCommand ToEngine(Actor actor, WorkItem item);

    /// <summary>What the Idempotency-Key's fingerprint covers: the command's fields (a file's bytes are left out).</summary>
    internal virtual object Fingerprint => this;
}

/// <param name="Upload">The file sent with the completion, read and checked, stored only if the completion is applied.</param>
public sealed record CompleteTaskCommand(Guid ItemId, CompleteTaskRequest Body, PendingUpload? Upload = null) : WorkItemCommand(ItemId)
{
    internal override string Kind => "task";
    internal override object Fingerprint => Body;

    internal override WorkflowCommand ToEngine(Actor actor, WorkItem item) =>
        new CompleteTask(actor, item.StepId, item.Activation, Body.Note, Body.Link, (Upload?.Id.ToString() ?? Body.FileId)?.Trim(), Body.Choice);
}

public sealed record ProposeVisitCommand(Guid ItemId, DateOnly Date, string HostCity) : WorkItemCommand(ItemId)
{
    internal override string Kind => "study-visit";
    internal override WorkflowCommand ToEngine(Actor actor, WorkItem item) => new ProposeVisit(actor, item.StepId, item.Activation, Date, HostCity);
}

public sealed record ConfirmVisitCommand(Guid ItemId) : WorkItemCommand(ItemId)
{
    internal override string Kind => "study-visit";
    internal override WorkflowCommand ToEngine(Actor actor, WorkItem item) => new ConfirmVisit(actor, item.StepId, item.Activation);
}

public sealed record RecordVisitHeldCommand(Guid ItemId, IReadOnlyList<string> Participants) : WorkItemCommand(ItemId)
{
    internal override string Kind => "study-visit";
    internal override WorkflowCommand ToEngine(Actor actor, WorkItem item) => new RecordVisitHeld(actor, item.StepId, item.Activation, Participants);
}

public sealed record ReportVisitCommand(Guid ItemId, string? Note, string? Link) : WorkItemCommand(ItemId)
{
    internal override string Kind => "study-visit";
    internal override WorkflowCommand ToEngine(Actor actor, WorkItem item) => new ReportVisit(actor, item.StepId, item.Activation, Note, Link);
}

public sealed record ApproveCommand(Guid ItemId, string? Comment) : WorkItemCommand(ItemId)
{
    internal override string Kind => "approval";
    internal override WorkflowCommand ToEngine(Actor actor, WorkItem item) => new Approve(actor, item.StepId, item.Activation, Comment);
}

public sealed record SendBackCommand(Guid ItemId, string Reason) : WorkItemCommand(ItemId)
{
    internal override string Kind => "approval";
    internal override WorkflowCommand ToEngine(Actor actor, WorkItem item) => new SendBack(actor, item.StepId, item.Activation, Reason);
}

/// <summary>Why a command was not applied. Each transport says it its own way: the API in problem details with a status
/// code, the pages as a message on the page (or their not-found and forbidden pages).</summary>
public enum CommandFailure
{
    /// <summary>No usable Idempotency-Key (the API's header, or a page's hidden form key).</summary>
    KeyMissing,
    PairNotFound,
    /// <summary>A pair the caller may not see.</summary>
    NotYourPair,
    /// <summary>A pair the caller may follow but not act on (an association).</summary>
    ReadOnly,
    /// <summary>The programme's own workflow, which is its facilitator's and its programme-scope roles' (a coordination
    /// team's) only.</summary>
    FacilitatorOnly,
    NoProgrammeWorkflow,
    ItemNotFound,
    WorkflowNotFound,
    /// <summary>The input is refused (field errors), or a file that cannot be attached.</summary>
    Invalid,
    /// <summary>The engine says it is not this caller's side to do.</summary>
    NotYours,
    /// <summary>The item is closed: <see cref="CommandResult.ClosedAt"/> and <see cref="CommandResult.ClosedBy"/> say when and by whom.</summary>
    AlreadyDone,
    KeyReused,
    /// <summary>Not possible now (a suspended workflow, a race lost too often, a key still in flight).</summary>
    Conflict,
}

/// <summary>What a <see cref="WorkItemCommand"/> came to: applied (or the first answer again, for a retry), or a typed
/// failure with a title and detail in words.</summary>
public sealed record CommandResult(CommandResponse? Response, bool Replayed = false, CommandFailure? Failure = null, string? Title = null,
    string? Detail = null, IReadOnlyDictionary<string, string[]>? Errors = null, DateTimeOffset? ClosedAt = null, string? ClosedBy = null)
{
    public bool Succeeded => Failure is null;

    public static CommandResult Fail(CommandFailure failure, string title, string? detail = null,
        IReadOnlyDictionary<string, string[]>? errors = null) => new(null, Failure: failure, Title: title, Detail: detail, Errors: errors);
}

/// <summary>A feature's own rows that stand or fall with a work-item command (a study visit's plan with its proposal,
/// its invitations with its confirmation): added to the resume's context after the item and the caller's right to act
/// were checked, so the engine's refusal, or this one's, leaves none of them written. Run again with the whole resume
/// when it loses a race.</summary>
public interface IWorkItemCommandRows
{
    /// <returns>A refusal (nothing is written), or null.</returns>
    Task<CommandResult?> AddAsync(MentoringDb db, WorkItemCommand command, WorkItem item, ClaimsPrincipal user, CancellationToken ct);
}

/// <summary>
/// The one path by which a person's change to a work item becomes a resume, for the API and the pages alike: who may
/// act, the open work item of the right kind, a file to attach, the Idempotency-Key, and the command, all read and
/// written with one context in the resume's one transaction.
/// </summary>
public sealed class WorkItemCommands(WorkflowHost host, DefinitionStore definitions, WorkItemRequirements requirements, TimeProvider clock,
    IEnumerable<IWorkItemCommandRows> rows)
{
    /// <param name="pairId">The pair whose item it is; null for the programme's own workflow (its facilitator's and its
    /// programme-scope roles').</param>
    /// <param name="key">The caller's Idempotency-Key as sent (header or form field); fingerprinted here with the command.</param>
    public async Task<CommandResult> RunAsync(Guid? pairId, WorkItemCommand command, ClaimsPrincipal user, string? key,
        CancellationToken cancellationToken)
    {
        var personId = user.PersonId();
        var idempotencyKey = Idempotency.For(key, user.Identity?.Name,
            $"{command.GetType().Name} {pairId?.ToString() ?? "programme"}/{command.ItemId}", command.Fingerprint);
        WorkItem? found = null;
        var upload = (command as CompleteTaskCommand)?.Upload;
        Action<MentoringDb>? store = upload is null ? null
            : db => UploadedFiles.Add(db, upload, personId, pairId, command.ItemId, clock.GetUtcNow());

        var outcome = await host.ExecuteAsync(async (db, ct) =>
        {
            var (instanceId, actor, refusal) = await WhoAndWhereAsync(db, pairId, user, ct);
            if (refusal is not null) return Prepared.Refuse(refusal);
            if (idempotencyKey is null)
                return Prepared.Refuse(CommandResult.Fail(CommandFailure.KeyMissing, "Idempotency-Key header required",
                    "Send a unique Idempotency-Key header (for example a new UUID) with every change, and the same one when you retry it."));

            found = await db.WorkItems.AsNoTracking()
                .SingleOrDefaultAsync(w => w.Id == command.ItemId && w.InstanceId == instanceId && w.Kind == command.Kind, ct);
            if (found is null)
            {
                var kind = command.Kind.Replace('-', ' ');
                return Prepared.Refuse(CommandResult.Fail(CommandFailure.ItemNotFound, $"No such {kind}",
                    $"This pair has no {kind} {command.ItemId}."));
            }

            if (command is CompleteTaskCommand or ApproveCommand
                && await requirements.UnmetAsync(db, found, approving: command is ApproveCommand, ct) is { } unmet)
                return Prepared.Refuse(CommandResult.Fail(CommandFailure.Conflict, unmet.Title, unmet.Detail));
            if (command is CompleteTaskCommand { Upload: null, Body.FileId: { } fileId } && !string.IsNullOrWhiteSpace(fileId)
                && await UploadedFiles.CheckAttachableAsync(db, fileId.Trim(), personId, found, ct) is { } error)
                return Prepared.Refuse(CommandResult.Fail(CommandFailure.Invalid, "The file cannot be attached.",
                    errors: new Dictionary<string, string[]> { ["fileId"] = [error] }));
            foreach (var feature in rows)
                if (await feature.AddAsync(db, command, found, user, ct) is { } refused) return Prepared.Refuse(refused);
            return new Prepared(instanceId, command.ToEngine(actor!, found));
        }, idempotencyKey, cancellationToken, store);

        return outcome.Kind switch
        {
            OutcomeKind.Applied => new CommandResult(outcome.Response),
            OutcomeKind.Replayed => new CommandResult(outcome.Response, Replayed: true),
            OutcomeKind.NotFound => CommandResult.Fail(CommandFailure.WorkflowNotFound, "No such workflow"),
            OutcomeKind.KeyReused => CommandResult.Fail(CommandFailure.KeyReused, "Idempotency-Key reused", outcome.Rejection!.Message),
            _ when outcome.Refusal is CommandResult refused => refused,
            _ => Rejected(outcome.Rejection!, found),
        };
    }

    /// <summary>The instance the command goes to and the caller's part in it, or why they may not act there.</summary>
    private async Task<(Guid InstanceId, Actor? Actor, CommandResult? Refusal)> WhoAndWhereAsync(MentoringDb db, Guid? pairId,
        ClaimsPrincipal user, CancellationToken ct)
    {
        if (pairId is not { } id)
        {
            var (instance, definition) = await definitions.ProgrammeWorkflowAsync(db, user.ProgrammeId(), ct);
            if (instance is null) return (Guid.Empty, null, CommandResult.Fail(CommandFailure.NoProgrammeWorkflow, "No programme workflow"));
            // The facilitator and the programme-scope roles of the workflow act on it (the engine says on which steps);
            // an admin who is not its facilitator may look.
            return user.ProgrammeActorFor(instance.ProgrammeId, definition) is { } own ? (instance.Id, own, null)
                : (Guid.Empty, null, CommandResult.Fail(CommandFailure.FacilitatorOnly, "Not yours to do",
                    "The programme's own tasks are its facilitator's and those of the roles its workflow gives them to."));
        }

        if (await PairQueries.FindAsync(db, id, user.ProgrammeId(), ct) is not { } found)
            return (Guid.Empty, null, CommandResult.Fail(CommandFailure.PairNotFound, "No such pair", $"There is no pair {id}."));
        if (!user.CanRead(found.Group, found.Members, found.Associations))
            return (Guid.Empty, null, CommandResult.Fail(CommandFailure.NotYourPair, "Not your pair",
                "You can only see the pairs of your own city or association."));
        return user.ActorFor(found.Group, found.Members) is { } actor ? (found.Group.InstanceId, actor, null)
            : (Guid.Empty, null, CommandResult.Fail(CommandFailure.ReadOnly, "Read-only", "You can follow this pair but not act on it."));
    }

    private static CommandResult Rejected(Rejection rejection, WorkItem? item) => rejection.Kind switch
    {
        RejectionKind.Invalid => CommandResult.Fail(CommandFailure.Invalid, rejection.Message,
            errors: rejection.FieldErrors ?? new Dictionary<string, string[]>()),
        RejectionKind.Forbidden => CommandResult.Fail(CommandFailure.NotYours, "Not yours to do", rejection.Message),
        RejectionKind.NotOpen => new CommandResult(null, Failure: CommandFailure.AlreadyDone, Title: "Already done",
            Detail: item?.ClosedAt is { } at ? $"'{item.Title}' was {Describe(item.Status)} on {at:yyyy-MM-dd HH:mm} UTC by {item.ClosedByName}."
                : rejection.Message,
            ClosedAt: item?.ClosedAt, ClosedBy: item?.ClosedByName),
        _ => CommandResult.Fail(CommandFailure.Conflict, "Not possible now", rejection.Message),
    };

    private static string Describe(string status) => status switch
    {
        WorkItemStatus.Completed => "completed",
        WorkItemStatus.SentBack => "sent back",
        _ => "cancelled",
    };
}
