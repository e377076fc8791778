using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;

namespace Mentoring.Engine.Tests.Definitions;

public class DefinitionParserTests
{
    private const string File = "workflows/test.v1.json";

    /// <summary>A definition around the given stages' step arrays (JSON text), one stage each.</summary>
    private static string Definition(params string[] stageSteps) =>
        $$"""
        {
          "$schema": "./workflow.schema.json",
          "id": "test-pair",
          "version": 1,
          "name": "Test pair",
          "kind": "pair",
          "stages": [{{string.Join(",", stageSteps.Select((steps, i) =>
              $$"""{ "id": "stage-{{i + 1}}", "number": {{i + 1}}, "name": "Stage {{i + 1}}", "steps": [{{steps}}] }"""))}}]
        }
        """;

    /// <summary>Steps (JSON text) one after another in a single stage.</summary>
    private static string Sequence(params string[] steps) => string.Join(", ", steps);

    private const string Task = """{ "type": "task", "id": "write-plan", "title": "Write the plan", "assignee": "mentee" }""";
    private const string Visit = """{ "type": "studyVisit", "id": "visit-1", "title": "Visit", "proposer": "mentee", "confirmer": "mentor" }""";

    private static IReadOnlyList<DefinitionError> Errors(string json, Func<string, bool>? templateExists = null)
    {
        var definition = DefinitionParser.TryParse(File, json, templateExists, out var errors);
        Assert.Null(definition);
        Assert.All(errors, e => Assert.Equal(File, e.File));
        return errors;
    }

    private static DefinitionError SingleError(string json, Func<string, bool>? templateExists = null) =>
        Assert.Single(Errors(json, templateExists));

    [Fact]
    public void A_minimal_definition_parses_with_every_task_field()
    {
        var json = Definition("""
            { "type": "task", "id": "collect-good-practices", "title": "Collect good practices", "description": "Why",
              "assignee": "mentor", "due": { "daysAfterStageStart": 21 }, "requires": ["note", "link", "note"],
              "choice": { "variable": "extraWorkshop", "options": ["yes", "no"] },
              "reminders": { "daysBefore": [2, 7], "onDueDate": true, "overdue": { "everyDays": 3, "max": 4, "copyFacilitatorFrom": 2 } } }
            """);

        var definition = DefinitionParser.Parse(File, json);

        Assert.Equal(("test-pair", 1, "Test pair", WorkflowKind.Pair), (definition.Id, definition.Version, definition.Name, definition.Kind));
        var stage = Assert.Single(definition.Stages);
        Assert.Equal(("stage-1", 1, "Stage 1"), (stage.Id, stage.Number, stage.Name));
        var task = Assert.IsType<TaskStep>(Assert.Single(stage.Steps));
        Assert.Equal(Role.Mentor, task.Assignee);
        Assert.Equal(new DaysAfterStageStart(21), task.Due);
        Assert.Equal([Requirement.Note, Requirement.Link], task.Requires);
        Assert.Equal("extraWorkshop", task.Choice!.Variable);
        Assert.Equal([7, 2], task.Reminders!.DaysBefore);
        Assert.True(task.Reminders.OnDueDate);
        Assert.Equal(new OverdueRule(3, 4, 2), task.Reminders.Overdue);
        Assert.Equal(File, definition.SourceFile);
        Assert.Equal(json, definition.Source);
        Assert.Matches("^[0-9a-f]{64}$", definition.ContentHash);
        Assert.Same(task, definition.Locate("collect-good-practices").Step);
    }

    [Fact]
    public void Steps_inside_parallel_branches_and_condition_arms_are_indexed_by_id()
    {
        var definition = DefinitionParser.Parse(File, Definition(
            """{ "type": "task", "id": "decide", "title": "Decide", "assignee": "both", "choice": { "variable": "go", "options": ["yes", "no"] } }""",
            """
            { "type": "parallel", "id": "work", "branches": [
                [ { "type": "task", "id": "a", "title": "A", "assignee": "mentor" } ],
                [ { "type": "condition", "id": "if-go", "if": { "variable": "go", "in": ["yes"] },
                    "then": [ { "type": "timer", "id": "wait", "title": "Wait", "hours": 12 } ] } ] ] }
            """));

        Assert.IsType<BranchOwner>(definition.Locate("a").Sequence.Owner);
        Assert.IsType<ConditionOwner>(definition.Locate("wait").Sequence.Owner);
        Assert.Equal(TimeSpan.FromHours(12), Assert.IsType<TimerStep>(definition.Locate("wait").Step).Delay);
        Assert.Empty(Assert.IsType<ConditionStep>(definition.Locate("if-go").Step).Else);
        Assert.Throws<KeyNotFoundException>(() => definition.Locate("nowhere"));
    }

    [Fact]
    public void Comments_and_trailing_commas_are_allowed()
    {
        var json = Definition(Task).Replace("\"kind\": \"pair\",", "\"kind\": \"pair\", // one instance per pair\n");

        Assert.Equal("test-pair", DefinitionParser.Parse(File, json).Id);
    }

    [Fact]
    public void Bad_json_reports_the_line_and_column()
    {
        const string json = "{\n  \"id\": \"test-pair\",\n  \"version\": 1\n  \"name\": \"Test pair\"\n}";

        var error = SingleError(json);

        Assert.Equal("line 4, column 3", error.Path);
        Assert.StartsWith("not valid JSON", error.Message);
    }

    [Fact]
    public void An_unknown_step_type_is_reported_at_its_type()
    {
        var error = SingleError(Definition(Sequence(Task, """{ "type": "meeting", "id": "kick-off", "title": "Kick-off" }""")));

        Assert.Equal("$.stages[0].steps[1].type", error.Path);
        Assert.Contains("unknown step type 'meeting'", error.Message);
    }

    [Fact]
    public void A_task_without_assignee_is_reported_at_the_task()
    {
        var error = SingleError(Definition(Sequence(Task, """{ "type": "task", "id": "orphan", "title": "Nobody's" }""")));

        Assert.Equal("$.stages[0].steps[1]", error.Path);
        Assert.StartsWith("missing 'assignee'", error.Message);
    }

    [Fact]
    public void A_duplicate_step_id_names_where_it_was_used_first()
    {
        var error = SingleError(Definition(Task, Task.Replace("Write the plan", "Write it again")));

        Assert.Equal("$.stages[1].steps[0].id", error.Path);
        Assert.Contains("'write-plan' is used already at $.stages[0].steps[0]", error.Message);
    }

    [Fact]
    public void A_duplicate_stage_id_is_reported()
    {
        var json = Definition(Task, Task.Replace("write-plan", "other")).Replace("\"stage-2\"", "\"stage-1\"");

        Assert.Equal("$.stages[1].id", SingleError(json).Path);
    }

    [Theory]
    [InlineData("""{ "type": "task", "id": "t", "title": "T", "assignee": "mayor" }""", "$.stages[0].steps[0].assignee")]
    [InlineData("""{ "type": "approval", "id": "a", "title": "A", "approver": 3 }""", "$.stages[0].steps[0].approver")]
    [InlineData("""{ "type": "studyVisit", "id": "v", "title": "V", "proposer": "mentee", "confirmer": "Mentor" }""", "$.stages[0].steps[0].confirmer")]
    [InlineData("""{ "type": "email", "id": "e", "title": "E", "template": "stage-started", "to": ["both", "city"] }""", "$.stages[0].steps[0].to[1]")]
    public void A_bad_role_is_reported_at_the_property(string step, string path)
    {
        var error = SingleError(Definition(step));

        Assert.Equal(path, error.Path);
        Assert.EndsWith("one of mentor, mentee, both, facilitator", error.Message);
    }

    [Fact]
    public void An_unknown_property_is_reported_by_name()
    {
        var errors = Errors(Definition("""{ "type": "task", "id": "t", "title": "T", "asignee": "mentee" }"""));

        Assert.Equal(["$.stages[0].steps[0].asignee", "$.stages[0].steps[0]"], errors.Select(e => e.Path));
        Assert.Equal("unknown property 'asignee'", errors[0].Message);
    }

    [Fact]
    public void An_unknown_property_at_the_top_is_reported()
    {
        var error = SingleError(Definition(Task).Replace("\"kind\": \"pair\",", "\"kind\": \"pair\", \"owner\": \"CEMR\","));

        Assert.Equal("$.owner", error.Path);
    }

    [Fact]
    public void A_due_date_relative_to_a_missing_visit_is_reported()
    {
        var error = SingleError(Definition(
            """{ "type": "task", "id": "t", "title": "T", "assignee": "mentee", "due": { "visit": "visit-9", "daysAfter": 3 } }"""));

        Assert.Equal("$.stages[0].steps[0].due.visit", error.Path);
        Assert.Contains("'visit-9'", error.Message);
    }

    [Fact]
    public void A_due_date_relative_to_a_visit_that_comes_later_is_reported()
    {
        // The task would open before the visit exists and so never get a due date.
        var errors = Errors(Definition(
            """{ "type": "task", "id": "t", "title": "T", "assignee": "mentee", "due": { "visit": "visit-1", "daysAfter": -7 } }""",
            Visit));

        Assert.Equal("$.stages[0].steps[0].due.visit", Assert.Single(errors).Path);
    }

    [Fact]
    public void A_due_date_relative_to_an_earlier_visit_parses()
    {
        var definition = DefinitionParser.Parse(File, Definition(Visit,
            """{ "type": "task", "id": "t", "title": "T", "assignee": "mentee", "due": { "visit": "visit-1", "daysAfter": -7 } }"""));

        Assert.Equal(new DaysAfterVisit("visit-1", -7), ((TaskStep)definition.Locate("t").Step).Due);
    }

    [Fact]
    public void A_due_rule_with_both_forms_is_reported()
    {
        var error = SingleError(Definition(Visit,
            """{ "type": "task", "id": "t", "title": "T", "assignee": "mentee", "due": { "daysAfterStageStart": 3, "visit": "visit-1" } }"""));

        Assert.Equal("$.stages[1].steps[0].due", error.Path);
    }

    [Fact]
    public void Due_rules_for_late_opened_tasks_parse()
    {
        var definition = DefinitionParser.Parse(File, Definition(Sequence(
            """{ "type": "task", "id": "a", "title": "A", "assignee": "mentee", "due": { "daysAfterStageStart": 75, "atLeastDaysAfterOpen": 45 } }""",
            """{ "type": "task", "id": "b", "title": "B", "assignee": "mentee", "due": { "daysAfterOpen": 21 } }""")));

        Assert.Equal(new DaysAfterStageStart(75, 45), ((TaskStep)definition.Locate("a").Step).Due);
        Assert.Equal(new DaysAfterOpen(21), ((TaskStep)definition.Locate("b").Step).Due);
        Assert.Equal(14, new DaysAfterStageStart(75).MinimumDaysAfterOpen);
        Assert.Equal(7, new DaysAfterStageStart(7).MinimumDaysAfterOpen);
    }

    [Fact]
    public void A_minimum_after_open_without_the_stage_rule_is_reported()
    {
        var error = SingleError(Definition(
            """{ "type": "task", "id": "t", "title": "T", "assignee": "mentee", "due": { "daysAfterOpen": 3, "atLeastDaysAfterOpen": 5 } }"""));

        Assert.Equal("$.stages[0].steps[0].due.atLeastDaysAfterOpen", error.Path);
    }

    [Fact]
    public void Visit_planning_follow_up_skips_and_emailed_copies_parse()
    {
        var definition = DefinitionParser.Parse(File, Definition(Sequence(
            """
            { "type": "studyVisit", "id": "visit-1", "title": "Visit", "proposer": "mentee", "confirmer": "mentor",
              "planning": { "proposeWithinDays": 45, "reminders": { "daysBefore": [7], "overdue": { "everyDays": 7, "max": 4 } } },
              "followUps": [ { "daysAfter": 3, "template": "visit-report-due", "to": ["both"], "unlessVisitIs": "reported" } ] }
            """,
            """{ "type": "task", "id": "t", "title": "T", "assignee": "both", "reminders": { "overdue": { "everyDays": 3, "max": 4, "copyFacilitatorFrom": 2, "copyFacilitatorByEmail": true } } }""")));

        var visit = (StudyVisitStep)definition.Locate("visit-1").Step;
        Assert.Equal(("Propose a date for “Visit”", 45), (visit.Planning!.Title, visit.Planning.ProposeWithinDays));
        Assert.Equal(new OverdueRule(7, 4, int.MaxValue), visit.Planning.Reminders.Overdue);
        Assert.Equal(VisitPhase.Reported, visit.FollowUps[0].UnlessVisitIs);
        Assert.True(((TaskStep)definition.Locate("t").Step).Reminders!.Overdue!.CopyFacilitatorByEmail);
    }

    [Fact]
    public void A_follow_up_skipped_in_an_unknown_phase_is_reported()
    {
        var error = SingleError(Definition(
            """{ "type": "studyVisit", "id": "v", "title": "V", "proposer": "mentee", "confirmer": "mentor", "followUps": [ { "daysAfter": 3, "template": "visit-report-due", "to": ["both"], "unlessVisitIs": "proposed" } ] }"""));

        Assert.Equal("$.stages[0].steps[0].followUps[0].unlessVisitIs", error.Path);
    }

    [Fact]
    public void A_condition_on_a_variable_no_choice_sets_is_reported()
    {
        var error = SingleError(Definition(Sequence(Task,
            """{ "type": "condition", "id": "c", "if": { "variable": "extraWorkshop", "equals": "yes" }, "then": [ { "type": "signal", "id": "s", "title": "S", "event": "e" } ] }""")));

        Assert.Equal("$.stages[0].steps[1].if.variable", error.Path);
        Assert.Contains("'extraWorkshop'", error.Message);
    }

    [Fact]
    public void A_condition_on_a_variable_set_only_by_a_later_choice_is_reported()
    {
        // The condition would run before anyone chose, and always take "else".
        var errors = Errors(Definition(
            """{ "type": "condition", "id": "c", "if": { "variable": "extraWorkshop", "equals": "yes" }, "then": [ { "type": "signal", "id": "s", "title": "S", "event": "e" } ] }""",
            """{ "type": "task", "id": "decide", "title": "Decide", "assignee": "both", "choice": { "variable": "extraWorkshop", "options": ["yes", "no"] } }"""));

        Assert.Equal("$.stages[0].steps[0].if.variable", Assert.Single(errors).Path);
    }

    [Fact]
    public void A_condition_needs_exactly_one_operator()
    {
        var error = SingleError(Definition(
            """{ "type": "task", "id": "decide", "title": "Decide", "assignee": "both", "choice": { "variable": "go", "options": ["yes", "no"] } }""",
            """{ "type": "condition", "id": "c", "if": { "variable": "go", "equals": "yes", "notEquals": "no" }, "then": [ { "type": "signal", "id": "s", "title": "S", "event": "e" } ] }"""));

        Assert.Equal("$.stages[1].steps[0].if", error.Path);
    }

    [Fact]
    public void A_parallel_step_with_one_branch_is_reported()
    {
        var error = SingleError(Definition("""{ "type": "parallel", "id": "p", "branches": [ [ {{Task}} ] ] }""".Replace("{{Task}}", Task)));

        Assert.Equal("$.stages[0].steps[0].branches", error.Path);
        Assert.Contains("at least 2 branches", error.Message);
    }

    [Fact]
    public void An_empty_parallel_branch_is_reported_at_the_branch()
    {
        var error = SingleError(Definition("""{ "type": "parallel", "id": "p", "branches": [ [ {{Task}} ], [] ] }""".Replace("{{Task}}", Task)));

        Assert.Equal("$.stages[0].steps[0].branches[1]", error.Path);
    }

    [Fact]
    public void A_missing_template_is_reported_for_email_steps_and_visit_follow_ups()
    {
        var errors = Errors(Definition(
                """{ "type": "email", "id": "e", "title": "E", "template": "stage-begun", "to": ["both"] }""",
                """
                { "type": "studyVisit", "id": "v", "title": "V", "proposer": "mentee", "confirmer": "mentor",
                  "followUps": [ { "daysAfter": 3, "template": "visit-report-due", "to": ["both"] },
                                 { "daysAfter": 14, "template": "plan-update", "to": ["mentee"] } ] }
                """),
            templateExists: name => name is "stage-started" or "visit-report-due");

        Assert.Equal(["$.stages[0].steps[0].template", "$.stages[1].steps[0].followUps[1].template"], errors.Select(e => e.Path));
        Assert.Contains("'stage-begun'", errors[0].Message);
    }

    [Fact]
    public void Without_a_template_check_any_template_name_is_accepted()
    {
        var json = Definition("""{ "type": "email", "id": "e", "title": "E", "template": "anything", "to": ["both"] }""");

        Assert.NotNull(DefinitionParser.Parse(File, json, templateExists: null));
    }

    [Fact]
    public void A_timer_without_a_delay_is_reported()
    {
        Assert.Equal("$.stages[0].steps[0]", SingleError(Definition("""{ "type": "timer", "id": "t", "title": "T", "days": 0 }""")).Path);
    }

    [Fact]
    public void Every_error_in_a_file_is_reported_in_one_pass()
    {
        var json = Definition(
            """{ "type": "task", "id": "a", "title": "A", "assignee": "mayor", "colour": "red" }""",
            """{ "type": "task", "id": "a", "title": "A again", "assignee": "mentor", "due": { "visit": "nowhere", "daysAfter": 1 } }""",
            """{ "type": "party", "id": "b", "title": "B" }""")
            .Replace("\"version\": 1", "\"version\": 0");

        var errors = Errors(json);

        Assert.Equal(
        [
            "$.version",
            "$.stages[0].steps[0].colour",
            "$.stages[0].steps[0].assignee",
            "$.stages[1].steps[0].id",
            "$.stages[1].steps[0].due.visit",
            "$.stages[2].steps[0].type",
        ], errors.Select(e => e.Path)); // in file order
    }

    [Fact]
    public void Parse_throws_with_every_error_in_the_message()
    {
        var json = Definition("""{ "type": "task", "id": "a", "title": "A", "assignee": "mayor" }""", """{ "type": "party", "id": "b", "title": "B" }""");

        var exception = Assert.Throws<DefinitionException>(() => DefinitionParser.Parse(File, json));

        Assert.Equal(2, exception.Errors.Count);
        Assert.Contains($"{File}: $.stages[0].steps[0].assignee: unknown role 'mayor'", exception.Message);
        Assert.Contains($"{File}: $.stages[1].steps[0].type: unknown step type 'party'", exception.Message);
    }
}
