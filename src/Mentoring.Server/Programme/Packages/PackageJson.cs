using System.Text.Json;
using Mentoring.Engine.Definitions;

namespace Mentoring.Server.Programme.Packages;

/// <summary>The one way a programme package's JSON files (programme.json, questionnaire.json, matching.json,
/// benchmarks.json, practices.json, assessments.json) are parsed: comments and trailing commas allowed, as people write
/// them by hand, and a syntax error reported at its line and column in the file.</summary>
internal static class PackageJson
{
    public static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>The parsed document (the caller disposes it), or null with a "not valid JSON" error added to
    /// <paramref name="errors"/>.</summary>
    public static JsonDocument? Parse(string file, string json, ICollection<DefinitionError> errors)
    {
        try
        {
            return JsonDocument.Parse(json, Options);
        }
        catch (JsonException e)
        {
            // System.Text.Json ends its message with its own path and position, which the error already gives.
            var end = e.Message.IndexOf(" Path:", StringComparison.Ordinal);
            errors.Add(new DefinitionError(file, $"line {e.LineNumber + 1}, column {e.BytePositionInLine + 1}",
                "not valid JSON: " + (end > 0 ? e.Message[..end] : e.Message)));
            return null;
        }
    }
}
