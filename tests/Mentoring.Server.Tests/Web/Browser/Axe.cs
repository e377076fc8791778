using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Mentoring.Server.Tests.Web.Browser;

/// <summary>Runs axe-core (shipped inside the Deque.AxeCore.Playwright package) on a page: WCAG 2.1 A and AA rules.</summary>
public static class Axe
{
    private static readonly AxeRunOptions Wcag21AA = new()
    {
        RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    };

    public static async Task AssertNoViolationsAsync(IPage page)
    {
        var result = await page.RunAxe(Wcag21AA);
        var violations = result.Violations
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help}\n  " + string.Join("\n  ", v.Nodes.Select(n => $"{n.Target} {n.Html} " + string.Join("; ", n.Any.Concat(n.All).Concat(n.None).Select(c => c.Message)))))
            .ToList();
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
