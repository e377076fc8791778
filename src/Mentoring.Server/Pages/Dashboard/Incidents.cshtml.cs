using Mentoring.Server.Data;
using Mentoring.Server.Instances;
using Mentoring.Server.Programme;
using Mentoring.Server.Web;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pages.Dashboard;

/// <summary>What the incidents partial (<c>_Incidents.cshtml</c>) shows: every open incident of the programme (the
/// dashboard, this page), or only one group's (its page, <paramref name="GroupId"/>); <paramref name="Back"/> is where
/// its forms return to.</summary>
public sealed record IncidentsSection(Guid? GroupId, string Back)
{
    public static IncidentsSection Dashboard { get; } = new(null, "/dashboard");
    public static IncidentsSection Page { get; } = new(null, "/dashboard/incidents");
    public static IncidentsSection Group(Guid groupId) => new(groupId, $"/pairs/{groupId}");
}

/// <summary>The open incidents of the programme, and where the incident forms of the dashboard and the group page post:
/// retry, suspend, resume or cancel, through <see cref="InstanceOperations"/> as the API does, then back to the page the
/// form was on; a refusal is shown here (409, or 422 for an out-of-date form).</summary>
[Authorize(Roles = PersonRoles.Facilitator + "," + PersonRoles.Admin)]
public sealed class IncidentsModel(IDbContextFactory<MentoringDb> dbs, WorkflowHost host, Texts text, TimeProvider clock) : PageModel
{
    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public Task<IActionResult> OnPostRetryAsync(Guid instanceId, string? key, string? back, CancellationToken ct) =>
        RunAsync(instanceId, InstanceOperation.Retry, null, key, back, ct);

    public Task<IActionResult> OnPostSuspendAsync(Guid instanceId, string? key, string? reason, string? back, CancellationToken ct) =>
        RunAsync(instanceId, InstanceOperation.Suspend, reason, key, back, ct);

    public Task<IActionResult> OnPostResumeAsync(Guid instanceId, string? key, string? back, CancellationToken ct) =>
        RunAsync(instanceId, InstanceOperation.Resume, null, key, back, ct);

    public Task<IActionResult> OnPostCancelAsync(Guid instanceId, string? key, string? reason, string? back, CancellationToken ct) =>
        RunAsync(instanceId, InstanceOperation.Cancel, reason, key, back, ct);

    private async Task<IActionResult> RunAsync(Guid instanceId, InstanceOperation operation, string? reason, string? key, string? back,
        CancellationToken ct)
    {
        // The API's input rules for the reason, in the page's language.
        if (PageCommands.Invalid(new OperatorRequest(reason), clock, text) is { } invalid)
        {
            Error = invalid;
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }

        var result = await InstanceOperations.RunAsync(host, dbs, instanceId, operation, reason, User, key, ct);
        switch (result.Failure)
        {
            case null:
                TempData["Message"] = operation == InstanceOperation.Retry && result.Response?.Status == "faulted"
                    ? text["Retried, but the step failed again: remove the cause, then retry."]
                    : text["Saved."];
                return Redirect(Back(back));
            case OperationFailure.Forbidden:
                return Forbid();
            case OperationFailure.NotFound:
                return NotFound();
            case OperationFailure.KeyMissing or OperationFailure.KeyReused:
                Error = text["The form is out of date: reload the page and try again."];
                Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
                return Page();
            default:
                Error = operation switch
                {
                    InstanceOperation.Retry => text["This workflow has not stopped on an error: there is nothing to retry."],
                    InstanceOperation.Resume => text["Only a suspended workflow can be resumed."],
                    InstanceOperation.Suspend => text["This workflow cannot be suspended now."],
                    _ => text["This workflow has ended already."],
                };
                Response.StatusCode = StatusCodes.Status409Conflict;
                return Page();
        }
    }

    /// <summary>The page the form was on, when it is one of ours that shows incidents; else this page.</summary>
    private string Back(string? back) =>
        back is not null && Url.IsLocalUrl(back) && (back.StartsWith("/pairs/", StringComparison.Ordinal) || back == "/dashboard")
            ? back
            : "/dashboard/incidents";
}
