using Mentoring.Server.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mentoring.Server.Pages.Dashboard;

/// <summary>A facilitator's page of forms: each change runs with the form's hidden key as its Idempotency-Key (<see cref="KeyFor"/>), then
/// back to the page with "Saved.", or the page again with what went wrong (422).</summary>
public abstract class FormPage : PageModel
{
    public string FormKey { get; } = PageCommands.NewKey();
    public string? Error { get; private set; }

    /// <summary>The key the form was sent with, for <see cref="KeyFor"/>.</summary>
    private string? _sentKey;

    protected abstract string PagePath { get; }

    protected abstract Task LoadAsync(CancellationToken ct);

    /// <param name="act">Null when the change was made; else what went wrong, in words.</param>
    protected async Task<IActionResult> ActAsync(string? key, Func<Task<string?>> act, CancellationToken ct)
    {
        var text = HttpContext.RequestServices.GetRequiredService<Texts>();
        if (string.IsNullOrWhiteSpace(key))
        {
            Error = text["The form is out of date: reload the page and try again."];
        }
        else
        {
            _sentKey = key;
            Error = await act();
        }

        if (Error is null)
        {
            TempData["Message"] = text["Saved."];
            return Redirect(PagePath);
        }

        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        await LoadAsync(ct);
        return Page();
    }

    /// <summary>The form's key for this change, fingerprinted with its fields (<see cref="HttpIdempotency.FormKey"/>).</summary>
    protected Workflows.IdempotencyKey KeyFor(object body) => HttpContext.FormKey(_sentKey, body)!;
}
