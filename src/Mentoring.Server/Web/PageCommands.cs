using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Mentoring.Server.Web;

/// <summary>Pages send their changes down the API's command path (WorkItemActions); this turns its typed result
/// into a message for the page.</summary>
public static class PageCommands
{
    /// <summary>The form's hidden key becomes the request's Idempotency-Key, so a double submit is one change.</summary>
    public static void UseFormKey(HttpContext http, string? key)
    {
        if (!string.IsNullOrWhiteSpace(key)) http.Request.Headers[Pairs.WorkItemActions.IdempotencyHeader] = key;
    }

    public static string NewKey() => Guid.NewGuid().ToString("N");

    /// <summary>Null when the command was applied (or replayed); else what went wrong, in words.</summary>
    public static string? Problem(Results<Ok<CommandResponse>, ProblemHttpResult, ValidationProblem> result, Texts text) =>
        result.Result switch
        {
            Ok<CommandResponse> => null,
            ValidationProblem validation => string.Join(" ", new[] { validation.ProblemDetails.Title }
                .Concat(validation.ProblemDetails.Errors.SelectMany(e => e.Value)).Where(s => !string.IsNullOrWhiteSpace(s))),
            ProblemHttpResult problem => $"{problem.ProblemDetails.Title}. {problem.ProblemDetails.Detail}".Trim(),
            _ => text["The change could not be made."],
        };

    /// <summary>The API's input rules (<see cref="Inputs.Input"/>) for a form's request: null when it passes, else
    /// every error in the page's language.</summary>
    public static string? Invalid(object request, TimeProvider clock, Texts text)
    {
        var errors = Inputs.Input.Check(request, clock.GetUtcNow());
        return errors.Count == 0 ? null : string.Join(" ", errors.Select(e => e.Format(key => text[key])));
    }

    public static ProblemDetails? Details(IResult result) => (result as ProblemHttpResult)?.ProblemDetails;
}
