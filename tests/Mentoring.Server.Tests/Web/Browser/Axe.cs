using System.Text.Json;
using Microsoft.Playwright;

namespace Mentoring.Server.Tests.Web.Browser;

/// <summary>Runs axe-core (installed by tests/run.sh into tests/.tools) on a page: WCAG 2.1 A and AA rules.</summary>
public static class Axe
{
    private static readonly Lazy<string> Script = new(() =>
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Mentoring.sln"))) root = root.Parent!;
        var path = Path.Combine(root.FullName, "tests", ".tools", "node_modules", "axe-core", "axe.min.js");
        if (!File.Exists(path))
            throw new InvalidOperationException($"axe-core is missing at {path}: run `npm install --prefix tests/.tools axe-core@4` (tests/run.sh does it on a fresh checkout).");
        return File.ReadAllText(path);
    });

    public static async Task AssertNoViolationsAsync(IPage page)
    {
        await page.AddScriptTagAsync(new PageAddScriptTagOptions { Content = Script.Value });
        var json = await page.EvaluateAsync<JsonElement>(
            "async () => { const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });" +
            " return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ') + ' ' + n.failureSummary) })); }");
        var violations = json.EnumerateArray().Select(v => v.ToString()).ToList();
        Assert.True(violations.Count == 0, $"axe found {violations.Count} violation(s) on {page.Url}:\n{string.Join("\n", violations)}");
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root.Parent is not null && !File.Exists(Path.Combine(root.FullName, "Mentoring.sln"))) root = root.Parent;
        if (File.Exists(Path.Combine(root.FullName, "Mentoring.sln"))) folder = Path.Combine(root.FullName, "TestResults", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }
}
