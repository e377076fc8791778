using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mentoring.Engine.Definitions;
using Mentoring.Server.Programme.Packages;

namespace Mentoring.Server.Assessments;

/// <summary>A package's questionnaire (its file's text and what it reads as) and the demo's submitted assessments
/// (<c>assessments.json</c>), both optional.</summary>
public sealed record PackageAssessments(string File, string Source, Questionnaire Questionnaire, string Hash, IReadOnlyList<SubmittedAssessment> Demo);

/// <summary>
/// The package reader's part for the needs assessment: <c>questionnaire.json</c> beside programme.json, and the demo's
/// <c>assessments.json</c> checked against it (member cities, answers that fit, required questions answered). A package
/// without them reads as before.
/// </summary>
public static class AssessmentFiles
{
    public const string DemoFileName = "assessments.json";

    /// <summary>Adds the folder's questionnaire (and demo assessments) to <paramref name="package"/>, or their errors to
    /// <paramref name="errors"/> (then the package is null: refused whole).</summary>
    public static ProgrammePackage? Read(ProgrammePackage? package, string folder, ref IReadOnlyList<DefinitionError> errors)
    {
        var file = Path.Combine(folder, QuestionnaireReader.FileName);
        if (!File.Exists(file)) return package;
        var shown = Path.GetRelativePath(Directory.GetCurrentDirectory(), file);
        var source = File.ReadAllText(file);
        var questionnaire = QuestionnaireReader.TryRead(shown, source, out var questionnaireErrors);
        var all = errors.Concat(questionnaireErrors).ToList();
        var demo = new List<SubmittedAssessment>();
        var demoFile = Path.Combine(folder, DemoFileName);
        if (questionnaire is not null && File.Exists(demoFile))
            demo = ReadDemo(Path.GetRelativePath(Directory.GetCurrentDirectory(), demoFile), File.ReadAllText(demoFile), questionnaire,
                package?.Members.Select(m => m.Id).ToHashSet(), all);
        errors = all;
        if (package is null || questionnaire is null || all.Count > 0) return null;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source)));
        return package with
        {
            Assessments = new PackageAssessments(shown, source, questionnaire, hash, demo),
            Hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(package.Hash + "\n" + hash))),
        };
    }

    /// <summary>The demo's assessments: <c>{"assessments": [{"city", "submittedAt", "answers": {question: answer}}]}</c>,
    /// an answer being a scale's level (a number), a choice's option id (a text), several option ids (an array) or a
    /// free text, as its question's type says.</summary>
    private static List<SubmittedAssessment> ReadDemo(string file, string json, Questionnaire questionnaire, HashSet<string>? members,
        List<DefinitionError> errors)
    {
        void Error(string path, string message) => errors.Add(new DefinitionError(file, path, message));
        var read = new List<SubmittedAssessment>();
        var document = PackageJson.Parse(file, json, errors);
        if (document is null) return read;

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("assessments", out var list)
                || list.ValueKind != JsonValueKind.Array)
            {
                Error("$", "must be an object with an array 'assessments'");
                return read;
            }

            var questions = questionnaire.Questions.ToDictionary(q => q.Id, StringComparer.Ordinal);
            var i = 0;
            foreach (var item in list.EnumerateArray())
            {
                var path = $"$.assessments[{i++}]";
                var city = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("city", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : null;
                if (city is null) { Error(path + ".city", "must be a member city's id"); continue; }
                if (members is not null && !members.Contains(city)) { Error(path + ".city", $"'{city}' is not a member of the programme"); continue; }
                if (read.Any(a => a.CityId == city)) { Error(path + ".city", $"'{city}' has two assessments"); continue; }
                if (!item.TryGetProperty("submittedAt", out var at) || at.ValueKind != JsonValueKind.String
                    || !DateTimeOffset.TryParse(at.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var submittedAt))
                { Error(path + ".submittedAt", "must be a date and time, such as 2020-11-20T10:00:00Z"); continue; }
                if (!item.TryGetProperty("answers", out var answerMap) || answerMap.ValueKind != JsonValueKind.Object)
                { Error(path + ".answers", "must be an object of question id to answer"); continue; }

                var answers = new Dictionary<string, AssessmentAnswer>(StringComparer.Ordinal);
                foreach (var entry in answerMap.EnumerateObject())
                {
                    var value = entry.Value;
                    questions.TryGetValue(entry.Name, out var question);
                    answers[entry.Name] = value.ValueKind switch
                    {
                        JsonValueKind.Number when value.TryGetInt32(out var level) => new AssessmentAnswer(level, [], null),
                        JsonValueKind.String when question?.Kind is QuestionKind.Choice => new AssessmentAnswer(null, [value.GetString()!], null),
                        JsonValueKind.String => new AssessmentAnswer(null, [], value.GetString()),
                        JsonValueKind.Array => new AssessmentAnswer(null, value.EnumerateArray().Select(o => o.ToString()).ToList(), null),
                        _ => new AssessmentAnswer(-1, [], null),
                    };
                }

                foreach (var (field, messages) in AssessmentRules.Check(questionnaire, answers, $"{path}.answers."))
                    Error(field, messages[0]);
                foreach (var missing in AssessmentRules.Unanswered(questionnaire, answers))
                    Error($"{path}.answers", $"the required question '{missing.Id}' is not answered");
                read.Add(new SubmittedAssessment(city, submittedAt.ToUniversalTime(), answers));
            }
        }

        return read;
    }
}
