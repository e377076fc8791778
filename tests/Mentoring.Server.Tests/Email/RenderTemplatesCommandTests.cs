using Mentoring.Server.Hosting;
using Mentoring.Server.Workflows;
using Microsoft.Extensions.DependencyInjection;

namespace Mentoring.Server.Tests.Email;

public sealed class RenderTemplatesCommandTests
{
    [Fact]
    public async Task Render_templates_writes_every_template_in_every_language()
    {
        var output = Path.Combine(Path.GetTempPath(), "mentoring-preview-" + Guid.NewGuid().ToString("N")[..8]);
        var (exit, stdout, _) = await RunAsync(ContentPath.Resolve("templates"), "render-templates", "--out", output);

        Assert.Equal(0, exit);
        var source = ContentPath.Resolve("templates");
        var languages = Directory.GetDirectories(source).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(["el", "en", "es", "fr", "it", "lv", "nl"], languages);
        var names = Directory.GetFiles(Path.Combine(source, "en"), "*.subject.hbs")
            .Select(f => Path.GetFileName(f).Split('.')[0]).ToList();
        // Every template of en/ (12 before the calendar invitation); other features add theirs.
        Assert.True(names.Count >= 13, string.Join(", ", names));
        Assert.Contains("calendar-invitation", names);
        foreach (var language in languages)
        foreach (var name in names)
        foreach (var suffix in new[] { ".subject.txt", ".txt", ".html" })
        {
            var file = Path.Combine(output, language!, name + suffix);
            Assert.True(File.Exists(file), $"{file} is missing");
            Assert.NotEmpty(await File.ReadAllTextAsync(file));
        }

        Assert.Contains("σχέδιο", (await File.ReadAllTextAsync(Path.Combine(output, "el", "action-plan-update.txt"))).ToLowerInvariant());
        Assert.Contains($"{names.Count} templates in {languages.Count} languages", stdout);
        Assert.Contains($"{names.Count * languages.Count * 3} files", stdout);
        Directory.Delete(output, recursive: true);
    }

    [Fact]
    public async Task Render_templates_fails_naming_the_file_and_line_of_an_invalid_template()
    {
        var broken = Path.Combine(Path.GetTempPath(), "mentoring-templates-" + Guid.NewGuid().ToString("N")[..8]);
        Copy(ContentPath.Resolve("templates"), broken);
        var file = Path.Combine(broken, "el", "task-reminder.text.hbs");
        await File.WriteAllTextAsync(file, "Αγαπητέ/ή {{recipient.name}},\n\nΕργασία: {{task.titel}}\n");

        var (exit, _, stderr) = await RunAsync(broken, "render-templates", "--out", Path.Combine(broken, "out"));

        Assert.NotEqual(0, exit);
        Assert.Contains("task-reminder.text.hbs", stderr);
        Assert.Contains("line 3", stderr);
        Assert.Contains("task.titel", stderr);
        Assert.False(Directory.Exists(Path.Combine(broken, "out")));
        Directory.Delete(broken, recursive: true);
    }

    private static async Task<(int Exit, string Out, string Error)> RunAsync(string templates, params string[] args)
    {
        var services = new ServiceCollection();
        services.Configure<WorkflowOptions>(o => o.TemplatesPath = templates);
        await using var provider = services.BuildServiceProvider();
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var (oldOut, oldError) = (Console.Out, Console.Error);
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            return (await ServerCommands.RunAsync(provider, args), stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldError);
        }
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var folder in Directory.GetDirectories(from)) Copy(folder, Path.Combine(to, Path.GetFileName(folder)));
    }
}
