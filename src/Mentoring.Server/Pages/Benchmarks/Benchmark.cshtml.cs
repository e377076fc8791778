using Mentoring.Server.Auth;
using Mentoring.Server.Benchmarks;
using Mentoring.Server.Data;
using Mentoring.Server.Pairs;
using Mentoring.Server.Programme;
using Mentoring.Server.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Pages.Benchmarks;

/// <summary>A pair's benchmark: its key factors, the cities' forms to change them and add local factors, the
/// facilitator's agree button and the history. The forms post the same typed commands as the API.</summary>
public sealed class BenchmarkModel(IDbContextFactory<MentoringDb> dbs, BenchmarkCommands commands, Texts texts) : PageModel
{
    public BenchmarkView Benchmark { get; private set; } = null!;
    public IReadOnlyList<BenchmarkChangeView> History { get; private set; } = [];
    public string GroupTitle { get; private set; } = "";
    /// <summary>The reader's role in the group when they may edit (a member city's coordinator), else null.</summary>
    public string? Role { get; private set; }
    public bool MayAgree => User.SeesWholeProgramme();
    public string FormKey { get; } = PageCommands.NewKey();
    public string? Error { get; private set; }

    public Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => ShowAsync(id, ct);

    public async Task<IActionResult> OnPostTitleAsync(Guid id, int version, string? title, string? key, CancellationToken ct)
    {
        var request = new BenchmarkEditRequest(version, title, null);
        return await AnswerAsync(id, await commands.EditAsync(User, id, request, HttpContext.FormKey(key, request), ct), ct);
    }

    public async Task<IActionResult> OnPostFactorAsync(Guid id, int version, Guid factorId, string? title, string? whyAndHow, string? questions,
        string? examples, string? key, CancellationToken ct)
    {
        var request = new BenchmarkEditRequest(version, null, [new FactorRequest(factorId, title, whyAndHow ?? "", Lines(questions), Examples(examples))]);
        return await AnswerAsync(id, await commands.EditAsync(User, id, request, HttpContext.FormKey(key, request), ct), ct);
    }

    public async Task<IActionResult> OnPostAddAsync(Guid id, int version, string? title, string? whyAndHow, string? questions, string? examples,
        string? key, CancellationToken ct)
    {
        var request = new NewFactorRequest(version, title, whyAndHow, Lines(questions), Examples(examples));
        return await AnswerAsync(id, await commands.AddFactorAsync(User, id, request, HttpContext.FormKey(key, request), ct), ct);
    }

    public async Task<IActionResult> OnPostAgreeAsync(Guid id, int version, string? key, CancellationToken ct)
    {
        var request = new AgreeRequest(version);
        return await AnswerAsync(id, await commands.AgreeAsync(User, id, request, HttpContext.FormKey(key, request), ct), ct);
    }

    /// <summary>One line per guiding question.</summary>
    private static List<string> Lines(string? text) =>
        (text ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();

    /// <summary>One example per line: its text, then after " | " a web address or the id of a practice of the library.</summary>
    private static List<ExampleRequest> Examples(string? text) => Lines(text).Select(line =>
    {
        var bar = line.LastIndexOf(" | ", StringComparison.Ordinal);
        if (bar < 0) return new ExampleRequest(line, null, null);
        var (words, address) = (line[..bar].Trim(), line[(bar + 3)..].Trim());
        return Guid.TryParse(address, out var practice) ? new ExampleRequest(words, practice, null) : new ExampleRequest(words, null, address);
    }).ToList();

    /// <summary>The example as the edit form writes it back, so saving a form unchanged changes nothing.</summary>
    public static string Line(MentorExample example) =>
        example.Text + (example.PracticeId is { } practice ? $" | {practice}" : example.Url is { } url ? $" | {url}" : "");

    private async Task<IActionResult> AnswerAsync(Guid id, BenchmarkResult<BenchmarkView> result, CancellationToken ct)
    {
        switch (result.Outcome)
        {
            case BenchmarkOutcome.Done:
                TempData["Message"] = result.ReturnedToDraft
                    ? texts["Saved. The benchmark was agreed: this change makes it a draft again, for the facilitator to agree."]
                    : texts["Saved."];
                return Redirect($"/pairs/{id}/benchmark");
            case BenchmarkOutcome.NotFound: return NotFound();
            case BenchmarkOutcome.Forbidden: return Forbid();
        }

        Error = result.Outcome switch
        {
            BenchmarkOutcome.Invalid => texts["The change is refused: a key factor needs a title, an example a text, and a link starts with http:// or https://."]
                                        + " " + string.Join(" ", (result.Errors ?? new Dictionary<string, string[]>()).SelectMany(e => e.Value)),
            BenchmarkOutcome.KeyMissing or BenchmarkOutcome.KeyReused => texts["The form is out of date: reload the page and try again."],
            _ when result.Title == "Nothing to agree yet" => texts["A benchmark needs at least one key factor before it is agreed."],
            _ => texts["The benchmark was changed meanwhile: here it is as it is now; make your change again."],
        };
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return await ShowAsync(id, ct);
    }

    private async Task<IActionResult> ShowAsync(Guid id, CancellationToken ct)
    {
        var opened = await commands.OpenAsync(User, id, ct);
        if (opened.Outcome == BenchmarkOutcome.NotFound) return NotFound();
        if (opened.Outcome != BenchmarkOutcome.Done) return Forbid();
        Benchmark = opened.Value!;
        await using var db = await dbs.CreateDbContextAsync(ct);
        var (_, group, members) = await PairPageData.CheckAsync(db, User, id, ct);
        GroupTitle = group!.Title;
        Role = User.IsInRole(PersonRoles.Coordinator) ? members.FirstOrDefault(m => m.CityId == User.CityId())?.Role : null;
        History = await BenchmarkCommands.HistoryAsync(db, id, ct);
        return Page();
    }
}
