using System.Text.Json.Nodes;
using Mentoring.Engine.Definitions;
using Mentoring.Server.Assessments;
using Mentoring.Server.Programme.Packages;
using Mentoring.Server.Workflows;

namespace Mentoring.Server.Tests.Assessments;

/// <summary>The questionnaire reader on the shipped IncluCities questionnaire and on copies of it broken one way each:
/// each is refused naming the file, the JSON path and the problem. No database.</summary>
public class QuestionnaireReaderTests
{
    private static readonly string Folder = Path.Combine(ContentPath.Resolve("workflows"), "inclucities");
    private static readonly string File = Path.Combine(Folder, QuestionnaireReader.FileName);

    private static JsonNode Original() => JsonNode.Parse(System.IO.File.ReadAllText(File))!;

    private static (Questionnaire? Questionnaire, IReadOnlyList<DefinitionError> Errors) Read(JsonNode json) =>
        (QuestionnaireReader.TryRead("questionnaire.json", json.ToJsonString(), out var errors), errors);

    [Fact]
    public void The_inclucities_questionnaire_reads_with_four_themes_in_all_seven_languages()
    {
        var (questionnaire, errors) = Read(Original());

        Assert.Empty(errors);
        Assert.NotNull(questionnaire);
        Assert.Equal(["needs-assessment-gender", "city-for-all", "employment-entrepreneurship", "language-learning"], questionnaire.Themes.Select(t => t.Id));
        Assert.InRange(questionnaire.Questions.Count(), 12, 20);
        var texts = questionnaire.Themes.Select(t => t.Title).Concat(questionnaire.Sections.Select(s => s.Title))
            .Concat(questionnaire.Questions.SelectMany(q => q.ScaleLabels.Append(q.Text).Concat(q.Options.Select(o => o.Text))));
        Assert.All(texts, text => Assert.Equal(LocalizedText.Languages.Order(), text.ByLanguage.Keys.Order()));
        var providers = questionnaire.Questions.Single(q => q.Id == "lang-providers");
        Assert.Equal((QuestionKind.Choice, Measures.Both), (providers.Kind, providers.Measures));
        Assert.All(providers.Options, o => Assert.NotNull(o.Level));
        Assert.All(questionnaire.Questions.Where(q => q.Kind == QuestionKind.Scale), q => Assert.Equal(5, q.ScaleLabels.Count));
    }

    [Fact]
    public void The_inclucities_package_carries_its_questionnaire_and_the_eight_demo_assessments()
    {
        var package = ProgrammePackageReader.TryReadFolder(Folder, null, out var errors);

        Assert.Empty(errors);
        Assert.Equal("inclucities-needs-assessment", package!.Assessments!.Questionnaire.Id);
        Assert.Equal(package.Members.Select(m => m.Id).Order(), package.Assessments.Demo.Select(a => a.CityId).Order());
    }

    /// <summary>Each mentor of the real pairs is strongest on its pair's theme among the mentors, and each mentee needs
    /// it more than the other mentees do: the demo's answers tell the story the programme record tells.</summary>
    [Fact]
    public void In_the_demo_each_mentor_is_strong_and_each_mentee_in_need_on_its_pairs_theme()
    {
        var package = ProgrammePackageReader.TryReadFolder(Folder, null, out _)!;
        var questionnaire = package.Assessments!.Questionnaire;
        var profiles = package.Assessments.Demo.ToDictionary(a => a.CityId, a => AssessmentRules.Profile(questionnaire, a.Answers));
        (string Mentor, string Mentee, string Theme)[] pairs =
        [
            ("brussels", "saint-jean-de-la-ruelle", "needs-assessment-gender"), ("mechelen", "capaci", "city-for-all"),
            ("fuenlabrada", "livadeia", "employment-entrepreneurship"), ("schaerbeek", "jelgava", "language-learning"),
        ];
        foreach (var (mentor, mentee, theme) in pairs)
        {
            int Of(string city, Func<ThemeProfile, int?> value) => value(profiles[city].Single(p => p.Theme == theme))!.Value;
            Assert.All(pairs.Where(p => p.Mentor != mentor), other => Assert.True(Of(mentor, p => p.Strength) > Of(other.Mentor, p => p.Strength),
                $"{mentor} should be stronger than {other.Mentor} on {theme}"));
            Assert.All(pairs.Where(p => p.Mentee != mentee), other => Assert.True(Of(mentee, p => p.Need) > Of(other.Mentee, p => p.Need),
                $"{mentee} should need {theme} more than {other.Mentee}"));
        }
    }

    public static TheoryData<string, string, string> BadQuestionnaires() => new()
    {
        { "unknown theme", "$.sections[1].questions[0].themes[0]", "unknown theme 'housing'" },
        { "scale with four labels", "$.scales.level", "exactly 5 labels" },
        { "weight without measures", "$.sections[0].questions[0].weight", "counts only for a question that measures" },
        { "weight out of range", "$.sections[1].questions[0].weight", "from 1 to 10" },
        { "theme nobody measures", "$.themes[4]", "no question measures the theme 'housing'" },
        { "measuring choice without levels", "$.sections[4].questions[2].options[0]", "missing 'level'" },
        { "measuring text", "$.sections[5].questions[1].measures", "free-text answer has no level" },
        { "measures without a theme", "$.sections[1].questions[0].themes", "must name the theme" },
        { "duplicate question", "$.sections[1].questions[1].id", "is used already at $.sections[1].questions[0]" },
        { "unknown property", "$.sections[0].questions[0].colour", "unknown property 'colour'" },
        { "text without English", "$.themes[0].title", "has no English" },
    };

    [Theory]
    [MemberData(nameof(BadQuestionnaires))]
    public void A_questionnaire_whose_weights_or_themes_do_not_match_is_refused_naming_the_path(string problem, string path, string message)
    {
        var json = Original();
        var sections = json["sections"]!.AsArray();
        var first = sections[1]!["questions"]![0]!;
        switch (problem)
        {
            case "unknown theme": first["themes"] = new JsonArray("housing"); break;
            case "scale with four labels": json["scales"]!["level"]!.AsArray().RemoveAt(4); break;
            case "weight without measures": sections[0]!["questions"]![0]!["weight"] = 3; break;
            case "weight out of range": first["weight"] = 11; break;
            case "theme nobody measures": json["themes"]!.AsArray().Add(new JsonObject { ["id"] = "housing", ["title"] = "Housing" }); break;
            case "measuring choice without levels": sections[4]!["questions"]![2]!["options"]![0]!.AsObject().Remove("level"); break;
            case "measuring text":
                sections[5]!["questions"]![1]!["measures"] = "need";
                sections[5]!["questions"]![1]!["themes"] = new JsonArray("city-for-all");
                break;
            case "measures without a theme": first.AsObject().Remove("themes"); break;
            case "duplicate question": sections[1]!["questions"]![1]!["id"] = first["id"]!.GetValue<string>(); break;
            case "unknown property": sections[0]!["questions"]![0]!["colour"] = "blue"; break;
            case "text without English": json["themes"]![0]!["title"]!.AsObject().Remove("en"); break;
        }

        var (questionnaire, errors) = Read(json);

        Assert.Null(questionnaire);
        var error = Assert.Single(errors, e => e.Path == path);
        Assert.Equal("questionnaire.json", error.File);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_package_with_a_bad_questionnaire_is_refused_whole_naming_the_file()
    {
        var copy = Directory.CreateTempSubdirectory("questionnaire-");
        try
        {
            foreach (var file in Directory.GetFiles(Folder)) System.IO.File.Copy(file, Path.Combine(copy.FullName, Path.GetFileName(file)));
            var json = Original();
            json["sections"]![1]!["questions"]![0]!["themes"] = new JsonArray("housing");
            System.IO.File.WriteAllText(Path.Combine(copy.FullName, QuestionnaireReader.FileName), json.ToJsonString());

            var package = ProgrammePackageReader.TryReadFolder(copy.FullName, null, out var errors);

            Assert.Null(package);
            var error = Assert.Single(errors);
            Assert.EndsWith(QuestionnaireReader.FileName, error.File);
            Assert.Equal("$.sections[1].questions[0].themes[0]", error.Path);
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_package_without_a_questionnaire_still_reads()
    {
        var copy = Directory.CreateTempSubdirectory("questionnaire-");
        try
        {
            foreach (var file in Directory.GetFiles(Folder).Where(f => !f.EndsWith(QuestionnaireReader.FileName) && !f.EndsWith(AssessmentFiles.DemoFileName)))
                System.IO.File.Copy(file, Path.Combine(copy.FullName, Path.GetFileName(file)));

            var package = ProgrammePackageReader.TryReadFolder(copy.FullName, null, out var errors);

            Assert.Empty(errors);
            Assert.Null(package!.Assessments);
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }
}
