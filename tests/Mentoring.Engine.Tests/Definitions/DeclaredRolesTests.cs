using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Engine.Tests.Support;

namespace Mentoring.Engine.Tests.Definitions;

/// <summary>Roles come from the definition: a cluster's core, member and observer cities, a programme's coordination
/// team; a file without <c>roles</c> keeps the pair's mentor and mentee.</summary>
public class DeclaredRolesTests
{
    private const string File = "workflows/cluster.v1.json";

    private const string Roles = """
        "roles": [
          { "id": "core", "name": { "en": "core city", "fr": "ville principale" } },
          { "id": "member", "name": "member city" },
          { "id": "observer", "name": "observer city", "acts": false },
          { "id": "coordination-team", "name": "coordination team", "scope": "programme" }
        ],
        """;

    private static string Cluster(string steps, string roles = Roles, string kind = "group") => $$"""
        {
          "id": "cluster",
          "version": 1,
          "name": "Thematic cluster",
          "kind": "{{kind}}",
          {{roles}}
          "stages": [{ "id": "work", "number": 1, "name": "Work", "steps": [{{steps}}] }]
        }
        """;

    private static WorkflowDefinition Parse(string json) => DefinitionParser.Parse(File, json);

    private static DefinitionError SingleError(string json)
    {
        Assert.Null(DefinitionParser.TryParse(File, json, null, out var errors));
        return Assert.Single(errors);
    }

    [Fact]
    public void A_pair_definition_without_roles_has_the_mentor_the_mentee_and_the_facilitator()
    {
        var definition = Parse(Cluster("""{ "type": "task", "id": "t", "title": "T", "assignee": "mentee" }""", roles: "", kind: "pair"));

        Assert.Equal(["mentor", "mentee", "facilitator"], definition.Roles.Select(r => r.Id));
        Assert.Equal([Role.Mentor, Role.Mentee], definition.ActingGroupRoles);
        Assert.Equal(RoleScope.Programme, definition.RoleNamed(Role.Facilitator)!.Scope);
    }

    [Fact]
    public void A_programme_definition_without_roles_knows_only_the_facilitator()
    {
        var definition = Parse(Cluster("""{ "type": "task", "id": "t", "title": "T", "assignee": "facilitator" }""", roles: "",
            kind: "programme"));

        Assert.Equal(["facilitator"], definition.Roles.Select(r => r.Id));
        Assert.False(definition.IsPerGroup);
    }

    [Fact]
    public void A_programme_definition_without_group_roles_refuses_both()
    {
        var error = SingleError(Cluster("""{ "type": "task", "id": "t", "title": "T", "assignee": "both" }""", roles: "",
            kind: "programme"));

        Assert.Equal("$.stages[0].steps[0].assignee", error.Path);
        Assert.Contains("has none", error.Message);
    }

    [Fact]
    public void Declared_roles_are_read_with_their_scope_whether_they_act_and_their_names_in_each_language()
    {
        var definition = Parse(Cluster("""{ "type": "task", "id": "t", "title": "T", "assignee": "core" }"""));

        Assert.Equal(WorkflowKind.Group, definition.Kind);
        Assert.True(definition.IsPerGroup);
        Assert.Equal(
            [("core", RoleScope.Group, true), ("member", RoleScope.Group, true), ("observer", RoleScope.Group, false),
                ("coordination-team", RoleScope.Programme, true), ("facilitator", RoleScope.Programme, true)],
            definition.Roles.Select(r => (r.Id, r.Scope, r.Acts)));
        Assert.Equal([new Role("core"), new Role("member")], definition.ActingGroupRoles);
        Assert.Equal("ville principale", definition.Texts["core city"].ByLanguage["fr"]);
        Assert.Equal([new Role("core"), new Role("member")], definition.Expand(Role.Both));
    }

    [Fact]
    public void A_role_the_definition_does_not_declare_is_refused_at_its_json_path()
    {
        var error = SingleError(Cluster("""
            { "type": "email", "id": "e", "title": "E", "template": "stage-started", "to": ["member", "mentor"] }
            """));

        Assert.Equal("$.stages[0].steps[0].to[1]", error.Path);
        Assert.Equal("unknown role 'mentor'; expected one of core, member, observer, coordination-team, both, facilitator", error.Message);
    }

    [Fact]
    public void A_role_that_does_not_act_may_be_told_but_not_assigned()
    {
        Parse(Cluster("""{ "type": "email", "id": "e", "title": "E", "template": "stage-started", "to": ["observer"] }"""));

        var error = SingleError(Cluster("""{ "type": "task", "id": "t", "title": "T", "assignee": "observer" }"""));

        Assert.Equal("$.stages[0].steps[0].assignee", error.Path);
        Assert.Contains("does not act", error.Message);
    }

    [Theory]
    [InlineData("""{ "id": "both", "name": "both" }""", "$.roles[0].id")]
    [InlineData("""{ "id": "core", "name": "a" }, { "id": "core", "name": "b" }""", "$.roles[1].id")]
    [InlineData("""{ "id": "facilitator", "name": "facilitator", "scope": "group" }""", "$.roles[0]")]
    [InlineData("""{ "id": "core", "name": "core", "scope": "city" }""", "$.roles[0].scope")]
    [InlineData("""{ "id": "Core", "name": "core" }""", "$.roles[0].id")]
    [InlineData("""{ "id": "core", "name": "core", "acts": "no" }""", "$.roles[0].acts")]
    [InlineData("""{ "id": "core", "name": "core", "colour": "red" }""", "$.roles[0].colour")]
    public void A_bad_role_declaration_is_refused_at_its_json_path(string roles, string path)
    {
        var json = Cluster("""{ "type": "task", "id": "t", "title": "T", "assignee": "facilitator" }""", roles: $"\"roles\": [{roles}],");

        Assert.Equal(path, SingleError(json).Path);
    }

    [Fact]
    public void An_observer_city_may_not_act_even_for_both()
    {
        var instance = Started("""{ "type": "task", "id": "t", "title": "T", "assignee": "both" }""");

        instance.Complete("t", by: new Actor("o", "Observer city", new ActorRole("observer"))).Rejected(RejectionKind.Forbidden);
        instance.Complete("t", by: new Actor("m", "Member city", new ActorRole("member"))).Applied();
    }

    [Fact]
    public void A_programme_role_acts_for_its_own_tasks_only()
    {
        var instance = Started("""
            { "type": "task", "id": "agenda", "title": "Agenda", "assignee": "coordination-team" },
            { "type": "task", "id": "minutes", "title": "Minutes", "assignee": "core" }
            """);
        var team = new Actor("ct", "Coordination team", new ActorRole("coordination-team"));

        instance.Complete("agenda", by: team).Applied();
        var refused = instance.Complete("minutes", by: team).Rejected(RejectionKind.Forbidden);

        Assert.Equal("Only the core city's coordinator can do this for 'Minutes'.", refused.Message);
    }

    [Fact]
    public void A_task_for_both_is_reminded_to_every_acting_group_role_and_not_to_observers()
    {
        var instance = Started("""
            { "type": "task", "id": "t", "title": "T", "assignee": "both", "due": { "daysAfterStageStart": 10 },
              "reminders": { "daysBefore": [2] } }
            """);

        var roles = instance.History.OfType<TimerScheduled>().Select(t => t.Data!["role"]).Order().ToList();

        Assert.Equal(["core", "member"], roles);
    }

    private static Instance Started(string steps)
    {
        var instance = new Instance(Parse(Cluster(steps)), new PairServices(), new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero));
        instance.Start().Applied();
        return instance;
    }
}
