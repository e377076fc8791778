using System.Globalization;
using Mentoring.Server.Pairs;
using Mentoring.Server.Plans;
using Mentoring.Server.Programme;
using Mentoring.Server.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Mentoring.Server.Pages.Dashboard;

/// <summary>The holiday calendar: days off and "August off" for the whole programme and for each city.</summary>
[Authorize(Roles = PersonRoles.Facilitator)]
public sealed class CalendarModel(PlanService plans, Texts text) : FormPage
{
    public CalendarView? Calendar { get; private set; }

    public Task OnGetAsync(CancellationToken ct) => LoadAsync(ct);

    public Task<IActionResult> OnPostAddAsync(string? cityId, string? date, string? reason, string? key, CancellationToken ct) =>
        ActAsync(key, async () =>
        {
            if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                return text["Give the date (yyyy-mm-dd)."];
            var body = new DayOffRequest(string.IsNullOrEmpty(cityId) ? null : cityId, day, reason);
            return PlansApi.Message(await plans.AddDayOffAsync(PlanCaller.From(User), body, KeyFor(body), ct));
        }, ct);

    public Task<IActionResult> OnPostAugustAsync(string? cityId, bool off, string? key, CancellationToken ct) =>
        ActAsync(key, async () =>
        {
            var body = new AugustOffRequest(string.IsNullOrEmpty(cityId) ? null : cityId, off);
            return PlansApi.Message(await plans.SetAugustOffAsync(PlanCaller.From(User), body, KeyFor(body), ct));
        }, ct);

    public Task<IActionResult> OnPostRemoveAsync(Guid id, string? key, CancellationToken ct) =>
        ActAsync(key, async () =>
        {
            var outcome = await plans.RemoveDayOffAsync(PlanCaller.From(User), id, ct);
            // Removed already (a double submit): nothing left to do, which is what was asked.
            return outcome.Kind == Workflows.OutcomeKind.NotFound ? null : PlansApi.Message(outcome);
        }, ct);


    protected override string PagePath => "/dashboard/calendar";

    protected override async Task LoadAsync(CancellationToken ct) => Calendar = (await plans.CalendarAsync(PlanCaller.From(User), ct)).Response;
}
