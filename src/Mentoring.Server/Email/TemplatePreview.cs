using Mentoring.Engine.Templates;
using Mentoring.Server.Workflows;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Email;

/// <summary>
/// The <c>render-templates [--out folder]</c> command: every template in every language, rendered with its sample
/// from templates.json into <c>&lt;lang&gt;/&lt;name&gt;.subject.txt|.txt|.html</c>, for translators and reviewers to
/// read. An invalid template stops it with the file and line (a <see cref="Engine.Definitions.DefinitionException"/>).
/// </summary>
public static class TemplatePreview
{
    public const string DefaultFolder = "data/template-preview";

    public static int Run(IServiceProvider services, string[] args)
    {
        var index = Array.IndexOf(args, "--out");
        if (index >= 0 && index + 1 >= args.Length)
        {
            Console.Error.WriteLine("Usage: render-templates [--out folder]");
            return 2;
        }

        var output = Path.GetFullPath(index >= 0 ? args[index + 1] : DefaultFolder);
        var options = services.GetRequiredService<IOptions<WorkflowOptions>>().Value;
        var source = ContentPath.Resolve(options.TemplatesPath);
        var catalog = TemplateCatalog.LoadFolder(source);
        var files = 0;
        foreach (var language in catalog.Languages)
        {
            var folder = Path.Combine(output, language);
            Directory.CreateDirectory(folder);
            var names = catalog.Names.Where(n => catalog.HasLanguage(n, language)).Order().ToList();
            foreach (var name in names)
            {
                var email = catalog.Render(name, language, catalog.Sample(name));
                File.WriteAllText(Path.Combine(folder, $"{name}.subject.txt"), email.Subject);
                File.WriteAllText(Path.Combine(folder, $"{name}.txt"), email.Text);
                File.WriteAllText(Path.Combine(folder, $"{name}.html"), email.Html);
                files += 3;
            }

            var missing = catalog.Names.Count - names.Count;
            Console.WriteLine($"{language}: {names.Count} templates" + (missing > 0 ? $" ({missing} fall back to English)" : ""));
        }

        Console.WriteLine($"Rendered {catalog.Names.Count} templates in {catalog.Languages.Count()} languages from {source}: {files} files in {output}.");
        return 0;
    }
}
