using System.Text.Encodings.Web;
using Mentoring.Engine.Definitions;
using Mentoring.Server.Assessments;
using Mentoring.Server.Web;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Html;

namespace Mentoring.Server.Pages.Assessments;

/// <summary>What the assessment pages say of the commands' outcomes and of the questionnaire's texts, in the reader's language.</summary>
public static class AssessmentPage
{
    public static string CityPath(string programmeId, string cityId) => $"/programmes/{programmeId}/assessment/{cityId}";
    public static string OverviewPath(string programmeId) => $"/programmes/{programmeId}/assessments";

    /// <summary>A questionnaire's text in the reader's language; the English, marked so, when it lacks that language.</summary>
    public static IHtmlContent Say(LocalizedText text, Texts texts)
    {
        var (said, fallback) = text.In(Texts.Language);
        var encoded = HtmlEncoder.Default.Encode(said);
        return new HtmlString(fallback
            ? $"<span lang=\"en\">{encoded}</span> <span class=\"fallback\">({HtmlEncoder.Default.Encode(texts["in English"])})</span>"
            : encoded);
    }

    public static string Status(string status, Texts text) => status switch
    {
        AssessmentStatus.Submitted => text["submitted"],
        AssessmentStatus.Draft => text["draft, not submitted"],
        _ => text["not started"],
    };

    /// <summary>A refused command in words. The commands' own details are English sentences built with names, so the page
    /// says each kind of refusal in its own words instead.</summary>
    public static string Refusal<T>(AssessmentResult<T> result, Texts text) => result.Title switch
    {
        "Already submitted" => text["The assessment is submitted: it is read-only unless the facilitator reopens it."],
        "Changed meanwhile" => text["The assessment was changed by another request at the same time: reload the page and try again."],
        "Not submitted" => text["This city has not submitted its assessment, so there is nothing to reopen."],
        "Required questions are not answered." => text["Some required questions are not answered: they are named below. Your answers are kept."],
        "The answers do not fit the questionnaire." => text["Some answers do not fit their questions: they are named below."],
        _ => text[result.Detail ?? result.Title ?? ""],
    };

    /// <summary>A change made once per form key that did not take effect, in words (null: it did).</summary>
    public static string? NotDone<T>(Idempotent<T> outcome, Texts text) => outcome.Kind switch
    {
        IdempotentKind.Done or IdempotentKind.Replayed => null,
        IdempotentKind.InFlight => text[Idempotency.InFlightMessage],
        IdempotentKind.Refused when outcome.Refusal is AssessmentResult<T> refused => Refusal(refused, text),
        _ => text["The form is out of date: reload the page and try again."],
    };
}
