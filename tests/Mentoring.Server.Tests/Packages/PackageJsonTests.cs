using Mentoring.Server.Assessments;
using Mentoring.Server.Benchmarks;
using Mentoring.Server.Practices;

namespace Mentoring.Server.Tests.Packages;

/// <summary>Every file of a programme package that is not valid JSON is refused with the file, the line and column
/// of the fault and what is wrong, the same way whichever file it is (they share one parser); hand-written comments and
/// trailing commas are allowed.</summary>
public class PackageJsonTests
{
    // The missing value after "title": is on line 3; the fault is found at the closing brace that follows it.
    private const string Broken = "{\n  \"x\": [\n    { \"title\": }\n  ]\n}";

    [Fact]
    public void A_package_file_with_a_syntax_error_is_refused_at_its_line_and_column()
    {
        QuestionnaireReader.TryRead("workflows/net/questionnaire.json", Broken, out var questionnaire);
        BenchmarkTemplates.Read("workflows/net/benchmarks.json", Broken, null, null, out var benchmarks);
        PracticesFile.Read("workflows/net/practices.json", Broken, out var practices);

        foreach (var (errors, file) in new[] { (questionnaire, "questionnaire.json"), (benchmarks.AsReadOnly(), "benchmarks.json"), (practices.AsReadOnly(), "practices.json") })
        {
            var error = Assert.Single(errors);
            Assert.Equal($"workflows/net/{file}", error.File);
            Assert.Equal("line 3, column 16", error.Path);
            Assert.StartsWith("not valid JSON: ", error.Message);
            Assert.DoesNotContain("Path:", error.Message);
        }
    }

    [Fact]
    public void Comments_and_trailing_commas_in_a_package_file_are_not_errors()
    {
        var practices = PracticesFile.Read("workflows/net/practices.json", """
            // written by hand
            { "practices": [], }
            """, out var errors);

        Assert.Empty(errors);
        Assert.NotNull(practices);
    }
}
