using Mentoring.Engine.Definitions;
using Mentoring.Engine.Tests.Support;

namespace Mentoring.Engine.Tests.Definitions;

public sealed class DefinitionCatalogTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static string Definition(string id, int version) =>
        $$"""
        { "id": "{{id}}", "version": {{version}}, "name": "{{id}}", "kind": "pair",
          "stages": [ { "id": "s", "number": 1, "name": "S", "steps": [ { "type": "task", "id": "t", "title": "T", "assignee": "mentee" } ] } ] }
        """;

    [Fact]
    public void Two_files_with_the_same_id_and_version_are_an_error_naming_both_files()
    {
        _folder.Write("pair-a.json", Definition("inclucities-pair", 1));
        _folder.Write("pair-b.json", Definition("inclucities-pair", 1));

        var exception = Assert.Throws<DefinitionException>(() => DefinitionCatalog.LoadFolder(_folder.Path, null));

        var error = Assert.Single(exception.Errors);
        Assert.Equal("$.version", error.Path);
        Assert.Contains("'inclucities-pair' version 1 is defined in more than one file", error.Message);
        Assert.Contains("pair-a.json", error.Message);
        Assert.Contains("pair-b.json", error.Message);
    }

    [Fact]
    public void Waiting_for_an_event_no_step_raises_is_a_warning_naming_the_file_path_and_event()
    {
        _folder.Write("pair.v1.json", """
            { "id": "pair", "version": 1, "name": "Pair", "kind": "pair",
              "stages": [ { "id": "s", "number": 1, "name": "S", "steps": [
                { "type": "waitForEvent", "id": "wait-training", "title": "Training", "event": "mentoring-training-held" },
                { "type": "waitForEvent", "id": "wait-academy", "title": "Academy", "event": "training-academy-hled" } ] } ] }
            """);
        _folder.Write("programme.v1.json", """
            { "id": "programme", "version": 1, "name": "Programme", "kind": "programme",
              "stages": [ { "id": "p", "number": 1, "name": "P", "steps": [
                { "type": "signal", "id": "training-held", "title": "Training held", "event": "mentoring-training-held" },
                { "type": "signal", "id": "academy-held", "title": "Academy held", "event": "training-academy-held" } ] } ] }
            """);

        var catalog = DefinitionCatalog.LoadFolder(_folder.Path, null);

        var warning = Assert.Single(catalog.Warnings);
        Assert.EndsWith("pair.v1.json", warning.File);
        Assert.Equal("$.stages[0].steps[1].event", warning.Path);
        Assert.Contains("'training-academy-hled'", warning.Message);
        Assert.Equal(2, catalog.All.Count);
    }

    [Fact]
    public void Schema_files_are_not_read_as_definitions()
    {
        _folder.Write("workflow.schema.json", """{ "$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object" }""");
        _folder.Write("pair.v1.json", Definition("inclucities-pair", 1));

        var catalog = DefinitionCatalog.LoadFolder(_folder.Path, null);

        Assert.Equal("inclucities-pair", Assert.Single(catalog.All).Id);
    }

    [Fact]
    public void Versions_of_one_workflow_load_side_by_side_and_new_instances_take_the_highest()
    {
        _folder.Write("pair.v1.json", Definition("inclucities-pair", 1));
        _folder.Write("pair.v2.json", Definition("inclucities-pair", 2));

        var catalog = DefinitionCatalog.LoadFolder(_folder.Path, null);

        Assert.Equal(2, catalog.Latest("inclucities-pair")!.Version);
        Assert.Equal(1, catalog.Get("inclucities-pair", 1).Version);
        Assert.Null(catalog.Find("inclucities-pair", 3));
        Assert.Throws<KeyNotFoundException>(() => catalog.Get("greek-network-visits", 1));
    }

    [Fact]
    public void Errors_of_every_file_are_reported_together()
    {
        _folder.Write("a.json", "{ \"id\": ");
        _folder.Write("b.json", Definition("b", 1).Replace("\"mentee\"", "\"mayor\""));
        _folder.Write("c.json", Definition("c", 1));

        var exception = Assert.Throws<DefinitionException>(() => DefinitionCatalog.LoadFolder(_folder.Path, null));

        Assert.Collection(exception.Errors,
            e => Assert.EndsWith("a.json", e.File),
            e => Assert.Equal(("b.json", "$.stages[0].steps[0].assignee"), (Path.GetFileName(e.File), e.Path)));
    }

    [Fact]
    public void A_folder_without_definitions_is_an_error()
    {
        _folder.Write("workflow.schema.json", "{}");

        var exception = Assert.Throws<DefinitionException>(() => DefinitionCatalog.LoadFolder(_folder.Path, null));

        Assert.Contains("no workflow definition", Assert.Single(exception.Errors).Message);
    }

    [Fact]
    public void A_missing_folder_is_an_error()
    {
        var exception = Assert.Throws<DefinitionException>(() => DefinitionCatalog.LoadFolder(Path.Combine(_folder.Path, "nope"), null));

        Assert.Contains("does not exist", Assert.Single(exception.Errors).Message);
    }
}
