using Mentoring.Server.Pairs;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Mentoring.Server.Web;

/// <summary>Pages send their changes to the same command services as the API (<see cref="WorkItemCommands"/>); this
/// says a command's outcome as a message for the page.</summary>
public static class PageCommands
{
    public static string NewKey() => Guid.NewGuid().ToString("N");

    /// <summary>Null when the command was applied (or replayed); else what went wrong, in words.</summary>
    public static string? Message(CommandResult result, Texts text) => result.Failure switch
    {
        null => null,
        CommandFailure.KeyMissing => text["The form is out of date: reload the page and try again."],
        CommandFailure.Invalid => string.Join(" ", new[] { result.Title }.Concat(result.Errors?.SelectMany(e => e.Value) ?? [])
            .Where(s => !string.IsNullOrWhiteSpace(s))),
        _ => $"{result.Title}. {result.Detail}".Trim(),
    };

    /// <summary>The API's input rules (<see cref="Inputs.Input"/>) for a form's request: null when it passes, else
    /// every error in the page's language.</summary>
    public static string? Invalid(object request, TimeProvider clock, Texts text)
    {
        var errors = Inputs.Input.Check(request, clock.GetUtcNow());
        return errors.Count == 0 ? null : string.Join(" ", errors.Select(e => e.Format(key => text[key])));
    }

    /// <summary>A task completion sent by a form: the input rules, then the file (when one came) read and checked. The
    /// command, or what is wrong in words.</summary>
    public static async Task<(CompleteTaskCommand? Command, string? Error)> CompletionAsync(Guid itemId, CompleteTaskRequest body,
        IFormFile? file, int maxUploadBytes, TimeProvider clock, Texts text, CancellationToken ct)
    {
        if (Invalid(body, clock, text) is { } invalid) return (null, invalid);
        if (file is not { Length: > 0 }) return (new CompleteTaskCommand(itemId, body), null);
        var read = await Uploads.UploadedFiles.ReadAsync(file, maxUploadBytes, text, ct);
        return read.Error is not null ? (null, read.Error) : (new CompleteTaskCommand(itemId, body, read.Upload), null);
    }

    public static ProblemDetails? Details(IResult result) => (result as ProblemHttpResult)?.ProblemDetails;
}
