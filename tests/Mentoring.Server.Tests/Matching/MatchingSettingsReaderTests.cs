using Mentoring.Engine.Definitions;
using Mentoring.Server.Matching;
using Mentoring.Server.Programme.Packages;
using Mentoring.Server.Workflows;

namespace Mentoring.Server.Tests.Matching;

/// <summary>A package's matching.json: the shipped one reads, a bad one is refused naming the file and the JSON path,
/// and the package is refused with it. No database.</summary>
public sealed class MatchingSettingsReaderTests
{
    private static readonly string Folder = Path.Combine(ContentPath.Resolve("workflows"), "inclucities");
    private static readonly DefinitionCatalog Workflows = DefinitionCatalog.LoadFolder(Folder, null);

    [Fact]
    public void The_inclucities_package_reads_its_matching_settings()
    {
        var package = ProgrammePackageReader.TryReadFolder(Folder, null, out var errors);

        Assert.Empty(errors);
        var settings = package!.Matching!;
        Assert.Equal(("pair", "inclucities-pair", "mentor", "mentee", 1, true, true),
            (settings.Shape, settings.Workflow, settings.MentorRole, settings.MenteeRole, settings.Capacity, settings.EveryMenteeMatched, settings.OneGroupPerMember));
        Assert.Equal(["brussels", "mechelen", "fuenlabrada", "schaerbeek"], settings.Mentors);
        Assert.Equal(LocalizedText.Languages.Order(), settings.Note!.Keys.Order());
    }

    public static TheoryData<string, string> BadSettings() => new()
    {
        { """{ "shape": "trio", "workflow": "inclucities-pair", "sides": { "strength": "mentor", "need": "mentee" } }""", "$.shape" },
        { """{ "shape": "pair", "workflow": "nowhere", "sides": { "strength": "mentor", "need": "mentee" } }""", "$.workflow" },
        { """{ "shape": "pair", "workflow": "inclucities-pair", "sides": { "strength": "mentor", "need": "buddy" } }""", "$.sides.need" },
        { """{ "shape": "pair", "workflow": "inclucities-pair", "sides": { "strength": "mentor", "need": "mentee" }, "candidates": { "strength": ["atlantis"] } }""", "$.candidates.strength[0]" },
        { """{ "shape": "pair", "workflow": "inclucities-pair", "sides": { "strength": "mentor", "need": "mentee" }, "capacity": 0 }""", "$.capacity" },
        { """{ "shape": "pair", "workflow": "inclucities-pair", "sides": { "strength": "mentor", "need": "mentee" }, "colour": "blue" }""", "$.colour" },
        { """{ "shape": "pair", "workflow": "inclucities-pair", "sides": { "strength": "mentor", "need": "mentee" }, "note": { "de": "Hallo" } }""", "$.note.de" },
        { """{ "shape": "pair", "workflow": "inclucities-pair" """, "line" },
    };

    [Theory, MemberData(nameof(BadSettings))]
    public void A_bad_matching_file_is_refused_naming_the_file_and_the_path(string json, string path)
    {
        var package = ProgrammePackageReader.TryReadFolder(Folder, null, out _)!;

        var settings = MatchingSettingsReader.TryRead("workflows/x/matching.json", json, package, Workflows, out var errors);

        Assert.Null(settings);
        Assert.Contains(errors, e => e.File == "workflows/x/matching.json" && (e.Path == path || path == "line" && e.Path.StartsWith("line ", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_package_whose_matching_file_is_bad_is_refused_whole()
    {
        var copy = Directory.CreateTempSubdirectory("matching-").FullName;
        try
        {
            foreach (var file in Directory.GetFiles(Folder)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
            File.WriteAllText(Path.Combine(copy, MatchingSettings.FileName), """{ "shape": "trio", "workflow": "inclucities-pair", "sides": { "strength": "mentor", "need": "mentee" } }""");

            var package = ProgrammePackageReader.TryReadFolder(copy, null, out var errors);

            Assert.Null(package);
            var error = Assert.Single(errors);
            Assert.Equal(("$.shape", true), (error.Path, error.File.EndsWith(MatchingSettings.FileName, StringComparison.Ordinal)));
        }
        finally
        {
            Directory.Delete(copy, true);
        }
    }
}
