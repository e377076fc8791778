using Mentoring.Server.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mentoring.Server.Pages.Dashboard;

/// <summary>A facilitator's page of forms: each change runs with the form's hidden key as its Idempotency-Key, then
/// back to the page with "Saved.", or the page again with what went wrong (422).</summary>
public abstract class FormPage : PageModel
{
    public string FormKey { get; } = PageCommands.NewKey();
    public string? Error { get; private set; }

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
            PageCommands.UseFormKey(HttpContext, key);
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
}
