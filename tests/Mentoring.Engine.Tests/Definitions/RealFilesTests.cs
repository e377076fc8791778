using System.Text.Json.Nodes;
using Mentoring.Engine.Definitions;
using Mentoring.Engine.Templates;
using Mentoring.Engine.Tests.Support;

namespace Mentoring.Engine.Tests.Definitions;

/// <summary>The repository's own workflows/ and templates/ load as the server loads them at start-up.</summary>
public class RealFilesTests
{
    private static readonly Lazy<TemplateCatalog> Templates = new(() => TemplateCatalog.LoadFolder(Repository.Templates));

    public static TheoryData<string> Languages() => new(Directory.EnumerateDirectories(Repository.Templates)
        .Select(Path.GetFileName).OfType<string>().Where(name => name.Length == 2).Order());

    [Fact]
    public void The_workflows_folder_loads_every_definition_of_the_packages_with_their_templates()
    {
        var catalog = DefinitionCatalog.LoadFolder(Repository.Workflows, Templates.Value.Exists);

        Assert.Equal(["cities-network-membership", "cities-network-programme", "connection-cluster", "connection-programme", "greek-network-visits",
            "inclucities-pair", "inclucities-programme"],
            catalog.All.Select(d => d.Id).Distinct().Order());
        // The programme workflow's v2 makes its needs analysis require the cities' submitted assessments; the pair
        // workflow's v2 makes its step-2 gate require the agreed benchmark.
        string[] twoVersions = ["inclucities-pair", "inclucities-programme"];
        Assert.All(catalog.All.Where(d => !twoVersions.Contains(d.Id)), d => Assert.Equal(1, d.Version));
        Assert.All(twoVersions, id => Assert.Equal([1, 2], catalog.All.Where(d => d.Id == id).Select(d => d.Version).Order()));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void The_pair_workflow_follows_the_seven_steps_of_the_method(int version)
    {
        var pair = DefinitionCatalog.LoadFolder(Repository.Workflows, Templates.Value.Exists).Get("inclucities-pair", version);

        Assert.Equal(WorkflowKind.Pair, pair.Kind);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], pair.Stages.Select(s => s.Number));
        Assert.Equal(["visit-1", "visit-2", "visit-3"], pair.StepsOf<StudyVisitStep>().Select(v => v.Id));
    }

    [Fact]
    public void The_pair_workflows_v2_gates_step_2_on_the_agreed_benchmark_with_the_steps_of_v1()
    {
        var catalog = DefinitionCatalog.LoadFolder(Repository.Workflows, Templates.Value.Exists);
        var (v1, v2) = (catalog.Get("inclucities-pair", 1), catalog.Get("inclucities-pair", 2));

        Assert.Empty(Assert.IsType<ApprovalStep>(v1.Steps["approve-benchmark"].Step).Requires);
        Assert.Equal([Requirement.Benchmark], Assert.IsType<ApprovalStep>(v2.Steps["approve-benchmark"].Step).Requires);
        Assert.Contains(v2.Stages.Single(s => s.Id == "benchmark").Steps, s => s.Id == "approve-benchmark");
        // Running v1 instances move with no mapping: every step keeps its id, type and place, in the same stages.
        Assert.Equal(v1.Stages.Select(s => (s.Id, s.Number)), v2.Stages.Select(s => (s.Id, s.Number)));
        Assert.Equal(v1.Steps.Select(s => (s.Key, s.Value.Step.Type, s.Value.Index)).Order(),
            v2.Steps.Select(s => (s.Key, s.Value.Step.Type, s.Value.Index)).Order());
        Assert.Same(v2, catalog.Latest("inclucities-pair"));
    }

    [Theory]
    [InlineData("inclucities-pair", "0656570e81565c2f7f2a7dbf5959842727c63b1403778b4a582b0a2f30b11b7e")]
    [InlineData("inclucities-programme", "516749e46ba48b75f2ccbc4145da25fbc91551ff92ff4ce479e40bec696d88fc")]
    [InlineData("greek-network-visits", "86876a4f96ce736b9c24f345ce327487ca38ac1dca7f232d61f336da46f5a764")]
    public void The_shipped_v1_files_load_unchanged_with_the_roles_of_their_kind(string id, string contentHash)
    {
        // Instances ran on these versions: the server refuses a version whose hash changed, so roles must not need an edit.
        var definition = DefinitionCatalog.LoadFolder(Repository.Workflows, Templates.Value.Exists).Get(id, 1);

        Assert.Equal(contentHash, definition.ContentHash);
        Assert.Equal(definition.IsPerGroup ? ["mentor", "mentee", "facilitator"] : ["facilitator"], definition.Roles.Select(r => r.Id));
    }

    [Fact]
    public void Every_event_a_pair_waits_for_is_signalled_by_the_programme()
    {
        var catalog = DefinitionCatalog.LoadFolder(Repository.Workflows, Templates.Value.Exists);

        var awaited = catalog.Get("inclucities-pair", 1).StepsOf<WaitForEventStep>().Select(w => w.Event).ToHashSet();
        var signalled = catalog.Get("inclucities-programme", 1).StepsOf<SignalStep>().Select(s => s.Event).ToHashSet();

        Assert.Equal(["mentoring-training-held", "training-academy-held"], awaited.Order());
        Assert.Subset(signalled, awaited);
    }

    [Fact]
    public void The_templates_folder_has_every_template_in_every_language()
    {
        var catalog = Templates.Value;

        Assert.Equal(["el", "en", "es", "fr", "it", "lv", "nl"], catalog.Languages);
        Assert.Equal(14, catalog.Names.Count);
        Assert.Contains("absence-without-deputy", catalog.Names);
        Assert.Contains("calendar-invitation", catalog.Names);
        Assert.All(catalog.Names, name => Assert.All(catalog.Languages, language => Assert.True(catalog.HasLanguage(name, language), $"{language}/{name}")));
    }

    [Theory]
    [MemberData(nameof(Languages))]
    public void Every_template_renders_with_its_sample(string language)
    {
        var catalog = Templates.Value;
        foreach (var name in catalog.Names)
        {
            var sample = catalog.Sample(name);

            var email = catalog.Render(name, language, sample);

            Assert.Equal(language, email.Language);
            Assert.False(string.IsNullOrWhiteSpace(email.Subject), $"{language}/{name}: empty subject");
            Assert.DoesNotContain('\n', email.Subject);
            Assert.Contains(sample["recipient"]!["name"]!.GetValue<string>(), email.Text);
            Assert.Contains(sample["link"]!.GetValue<string>(), email.Text);
            Assert.Contains($"<html lang=\"{language}\"", email.Html);
            Assert.DoesNotContain("{{", email.Text + email.Html + email.Subject);
        }
    }

    [Fact]
    public void A_template_renders_a_model_other_than_its_sample()
    {
        var model = Templates.Value.Sample("task-reminder");
        model["task"]!["title"] = "Publish the online one-stop-shop";
        model["recipient"] = new JsonObject { ["name"] = "Sophie Lambert" };

        var email = Templates.Value.Render("task-reminder", "fr", model);

        Assert.Contains("Sophie Lambert", email.Text);
        Assert.Contains("Publish the online one-stop-shop", email.Text);
    }
}
