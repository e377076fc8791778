using System.Text.Json.Nodes;
using Mentoring.Engine.Definitions;
using Mentoring.Engine.Templates;
using Mentoring.Engine.Tests.Support;

namespace Mentoring.Engine.Tests.Templates;

public sealed class TemplateCatalogTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public TemplateCatalogTests() => _folder.Write("templates.json", """
        {
          "$comment": "two small templates",
          "templates": {
            "stage-started": { "sample": { "recipient": { "name": "Ilze" }, "stage": { "number": 4, "name": "Action planning" } } },
            "digest": { "sample": { "recipient": { "name": "Anna" }, "overdue": [ { "pair": "4", "task": "Plan" } ] } }
          }
        }
        """);

    public void Dispose() => _folder.Dispose();

    private void WriteTemplate(string language, string name, string subject, string text, string? html = null)
    {
        _folder.Write($"{language}/{name}.subject.hbs", subject);
        _folder.Write($"{language}/{name}.text.hbs", text);
        _folder.Write($"{language}/{name}.html.hbs", html ?? $"<p>{text}</p>");
    }

    private void WriteEnglish()
    {
        WriteTemplate("en", "stage-started", "Step {{stage.number}} has started", "Hello {{recipient.name}},\nstep {{stage.number}}: {{stage.name}}\n");
        WriteTemplate("en", "digest", "Digest", "{{#each overdue}}{{pair}}: {{task}}\n{{/each}}");
    }

    private DefinitionException LoadFails() => Assert.Throws<DefinitionException>(() => TemplateCatalog.LoadFolder(_folder.Path));

    [Fact]
    public void Templates_load_and_render_with_a_model()
    {
        WriteEnglish();

        var catalog = TemplateCatalog.LoadFolder(_folder.Path);
        var email = catalog.Render("stage-started", "en", catalog.Sample("stage-started"));

        Assert.Equal(["digest", "stage-started"], catalog.Names.Order());
        Assert.Equal("Step 4 has started", email.Subject);
        Assert.Equal("Hello Ilze,\nstep 4: Action planning\n", email.Text);
        Assert.Equal("en", email.Language);
    }

    [Fact]
    public void A_template_using_an_unknown_placeholder_fails_naming_the_file_and_line()
    {
        WriteEnglish();
        _folder.Write("en/stage-started.text.hbs", "Hello {{recipient.name}},\n\nstep {{stage.title}}\n");

        var error = Assert.Single(LoadFails().Errors);

        Assert.EndsWith(Path.Combine("en", "stage-started.text.hbs"), error.File);
        Assert.Equal("line 3", error.Path);
        Assert.Contains("unknown placeholder 'stage.title'", error.Message);
    }

    [Theory]
    [InlineData("<p>{{{stage.name}}}</p>", "'{{{stage.name}}}' writes 'stage.name' without HTML escaping: use {{stage.name}}")]
    [InlineData("<p>{{&stage.name}}</p>", "'{{&stage.name}}' writes 'stage.name' without HTML escaping: use {{stage.name}}")]
    public void Unescaped_output_in_an_HTML_template_fails_naming_the_file_line_and_placeholder(string line, string message)
    {
        WriteEnglish();
        _folder.Write("en/stage-started.html.hbs", "<p>Hello {{recipient.name}},</p>\n" + line + "\n");

        // Handlebars.Net cannot even compile '{{&...}}', and says so in a second error; the first names the file and line.
        var error = LoadFails().Errors[0];

        Assert.EndsWith(Path.Combine("en", "stage-started.html.hbs"), error.File);
        Assert.Equal(("line 2", message), (error.Path, error.Message));
    }

    [Fact]
    public void A_subject_template_with_a_line_break_fails_naming_the_file_and_line()
    {
        WriteEnglish();
        _folder.Write("en/stage-started.subject.hbs", "Step {{stage.number}}\nhas started");

        var error = Assert.Single(LoadFails().Errors);

        Assert.EndsWith(Path.Combine("en", "stage-started.subject.hbs"), error.File);
        Assert.Equal("line 1", error.Path);
        Assert.Contains("a subject is one line", error.Message);
    }

    [Fact]
    public void A_value_with_line_breaks_renders_a_one_line_subject()
    {
        WriteTemplate("en", "stage-started", "Step {{stage.number}}: {{stage.name}}", "{{stage.name}}\n");
        WriteTemplate("en", "digest", "Digest", "{{#each overdue}}{{pair}}: {{task}}\n{{/each}}");
        var catalog = TemplateCatalog.LoadFolder(_folder.Path);
        var model = catalog.Sample("stage-started");
        model["stage"]!["name"] = "Action\r\nBcc: someone@example.org\u2028planning";

        var email = catalog.Render("stage-started", "en", model);

        Assert.Equal("Step 4: Action Bcc: someone@example.org planning", email.Subject);
        Assert.Equal("Action\r\nBcc: someone@example.org\u2028planning\n", email.Text);
    }

    [Fact]
    public void Inside_each_only_the_keys_of_the_first_item_may_be_used()
    {
        WriteEnglish();
        _folder.Write("en/digest.text.hbs", "{{#each overdue}}\n{{pair}}: {{city}}\n{{/each}}");

        var error = Assert.Single(LoadFails().Errors);

        Assert.Equal(("line 2", "unknown placeholder 'city': it is not in the template's sample in templates.json"), (error.Path, error.Message));
    }

    [Fact]
    public void An_unclosed_block_fails()
    {
        WriteEnglish();
        _folder.Write("en/digest.text.hbs", "{{#each overdue}}{{pair}}: {{task}}\n");

        var errors = LoadFails().Errors;

        Assert.Contains(errors, e => e.File.EndsWith(Path.Combine("en", "digest.text.hbs"), StringComparison.Ordinal)
            && e.Path == "end of file" && e.Message == "the block #each is never closed");
    }

    [Fact]
    public void Closing_a_block_that_is_not_open_fails()
    {
        WriteEnglish();
        _folder.Write("en/stage-started.subject.hbs", "Step {{stage.number}}{{/if}}");

        Assert.Contains(LoadFails().Errors, e => e.Path == "line 1" && e.Message.Contains("closes a block that is not open", StringComparison.Ordinal));
    }

    [Fact]
    public void A_file_for_a_template_not_in_the_manifest_fails()
    {
        WriteEnglish();
        _folder.Write("en/farewell.text.hbs", "Bye");

        Assert.Contains(LoadFails().Errors, e => e.Message == "'farewell' is not in templates.json");
    }

    [Fact]
    public void An_english_template_missing_a_part_fails()
    {
        WriteEnglish();
        File.Delete(Path.Combine(_folder.Path, "en", "digest.html.hbs"));

        var error = Assert.Single(LoadFails().Errors);

        Assert.EndsWith(Path.Combine("en", "digest.html.hbs"), error.File);
    }

    [Fact]
    public void A_language_missing_a_template_falls_back_to_english_on_render()
    {
        WriteEnglish();
        WriteTemplate("lv", "stage-started", "Sākts {{stage.number}}. posms", "Labdien, {{recipient.name}}!\n");

        var catalog = TemplateCatalog.LoadFolder(_folder.Path);
        var translated = catalog.Render("stage-started", "lv", catalog.Sample("stage-started"));
        var fallback = catalog.Render("digest", "lv", catalog.Sample("digest"));

        Assert.Equal(("lv", "Sākts 4. posms"), (translated.Language, translated.Subject));
        Assert.Equal(("en", "Digest", "4: Plan\n"), (fallback.Language, fallback.Subject, fallback.Text));
        Assert.False(catalog.HasLanguage("digest", "lv"));
    }

    [Fact]
    public void A_language_without_a_folder_renders_in_english()
    {
        WriteEnglish();

        var catalog = TemplateCatalog.LoadFolder(_folder.Path);

        Assert.Equal("en", catalog.Render("stage-started", "de", catalog.Sample("stage-started")).Language);
        Assert.Throws<KeyNotFoundException>(() => catalog.Render("farewell", "en", new JsonObject()));
    }

    [Fact]
    public void A_language_with_only_some_parts_of_a_template_fails_for_each_missing_part()
    {
        WriteEnglish();
        _folder.Write("fr/stage-started.subject.hbs", "L'étape {{stage.number}} a commencé");

        var errors = LoadFails().Errors;

        Assert.Equal([Path.Combine("fr", "stage-started.text.hbs"), Path.Combine("fr", "stage-started.html.hbs")],
            errors.Select(e => Path.Combine(Path.GetFileName(Path.GetDirectoryName(e.File))!, Path.GetFileName(e.File))));
        Assert.All(errors, e => Assert.Equal("missing: a language that has a template needs all three of its parts", e.Message));
    }

    [Fact]
    public void The_html_body_escapes_values_and_the_text_body_does_not()
    {
        _folder.Write("templates.json", """{ "templates": { "note": { "sample": { "reason": "Plan < budget & \"goals\"" } } } }""");
        WriteTemplate("en", "note", "{{reason}}", "{{reason}}", "<p>{{reason}}</p>");

        var catalog = TemplateCatalog.LoadFolder(_folder.Path);
        var email = catalog.Render("note", "en", catalog.Sample("note"));

        Assert.Equal("Plan < budget & \"goals\"", email.Text);
        Assert.Equal("Plan < budget & \"goals\"", email.Subject);
        Assert.StartsWith("<p>Plan &lt; budget &amp; ", email.Html);
    }

    [Fact]
    public void A_template_that_cannot_render_for_a_programme_task_stops_start_up_naming_the_file_and_placeholder()
    {
        _folder.Write("templates.json", """
            { "templates": { "task-reminder": {
                "contexts": { "programme task": ["pair"], "task without a due date": ["task.due"] },
                "sample": { "recipient": { "name": "Ilze" }, "pair": { "mentor": "Schaerbeek" }, "task": { "title": "Plan", "due": "1 May" } } } } }
            """);
        WriteTemplate("en", "task-reminder", "{{#if pair}}{{pair.mentor}}: {{/if}}{{task.title}}",
            "Hello {{recipient.name}},\n{{#if task.due}}due {{task.due}}{{else}}no date{{/if}}\nPair: {{pair.mentor}}\n",
            "<p>{{#if pair}}{{pair.mentor}}{{/if}} {{task.title}}{{#if task.due}} {{task.due}}{{/if}}</p>");

        var errors = LoadFails().Errors;

        var error = Assert.Single(errors, e => e.Path == "line 3");
        Assert.EndsWith(Path.Combine("en", "task-reminder.text.hbs"), error.File);
        Assert.Contains("'{{pair.mentor}}' has no value for a programme task", error.Message);
        Assert.Contains("{{#if pair}}", error.Message);
        Assert.DoesNotContain(errors, e => e.Message.Contains("task without a due date", StringComparison.Ordinal) && e.Message.Contains("has no value", StringComparison.Ordinal));
    }

    [Fact]
    public void A_context_naming_a_path_the_sample_lacks_fails()
    {
        _folder.Write("templates.json", """
            { "templates": { "task-reminder": { "contexts": { "programme task": ["pair"] }, "sample": { "task": { "title": "Plan" } } } } }
            """);
        WriteTemplate("en", "task-reminder", "{{task.title}}", "{{task.title}}");

        Assert.Contains(LoadFails().Errors, e => e.Path == "$.templates.task-reminder.contexts.programme task" && e.Message.Contains("'pair'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("en")]
    [InlineData("el")]
    [InlineData("fr")]
    [InlineData("nl")]
    [InlineData("it")]
    [InlineData("es")]
    [InlineData("lv")]
    public void Task_nudges_render_for_a_pair_task_a_programme_task_and_a_task_without_a_due_date(string language)
    {
        var catalog = TemplateCatalog.LoadFolder(Repository.Templates);
        foreach (var name in new[] { "task-reminder", "task-due-today", "task-overdue" })
        {
            Assert.True(catalog.HasLanguage(name, language));
            var programmeTask = catalog.Sample(name);
            programmeTask.Remove("group");
            ((JsonObject)programmeTask["task"]!).Remove("assignee");
            var email = catalog.Render(name, language, programmeTask);
            Assert.StartsWith("IncluCities", email.Subject, StringComparison.Ordinal);
            Assert.DoesNotContain("Schaerbeek", email.Text, StringComparison.Ordinal);
        }

        var undated = catalog.Sample("task-reminder");
        ((JsonObject)undated["task"]!).Remove("due");
        ((JsonObject)undated["task"]!).Remove("daysLeft");
        var reminder = catalog.Render("task-reminder", language, undated);
        // The sample's "15" days left must be gone; the link is left out of the check (its id may hold any digits).
        var words = (reminder.Subject + reminder.Text).Replace((string)undated["link"]!, "", StringComparison.Ordinal);
        Assert.DoesNotContain("15", words, StringComparison.Ordinal);
        Assert.Contains("Schaerbeek", reminder.Subject, StringComparison.Ordinal);
    }
}
