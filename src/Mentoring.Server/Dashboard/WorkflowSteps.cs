using Mentoring.Engine.Definitions;

namespace Mentoring.Server.Dashboard;

/// <summary>One step as the pages show it: a stage number of the definition and its (English) name, which the page
/// shows in the reader's language through the definition's texts.</summary>
public sealed record StepColumn(int Number, string Name);

/// <summary>
/// The steps a workflow's instances go through, read from the definition and nowhere else: the distinct stage numbers
/// in order (two stages may share a number, as the programme workflow's step 7 does; numbers may skip, as its 1, 3, 6
/// do), each named by its first stage. "Step N of M" is a stage number of the highest there is.
/// </summary>
public sealed record WorkflowSteps(string WorkflowId, string Name, IReadOnlyList<StepColumn> Steps)
{
    public int Last => Steps.Count == 0 ? 0 : Steps.Max(s => s.Number);

    /// <summary>The colour class of a step on the timeline: by its place among the steps, so any count of steps gets
    /// distinct neighbours from the four accessible colours of the style sheet.</summary>
    public string ColourClass(int number)
    {
        var index = Steps.ToList().FindIndex(s => s.Number == number);
        return $"step-c{Math.Max(0, index) % 4}";
    }

    public StepColumn? Find(int number) => Steps.FirstOrDefault(s => s.Number == number);

    public static WorkflowSteps Of(WorkflowDefinition definition) => Of([definition]);

    /// <summary>The steps of every version of one workflow that instances run: the union of their stage numbers, in
    /// the order and with the names of the newest version that has each.</summary>
    public static WorkflowSteps Of(IReadOnlyCollection<WorkflowDefinition> versions)
    {
        var newestFirst = versions.OrderByDescending(v => v.Version).ToList();
        var steps = new List<StepColumn>();
        foreach (var version in newestFirst)
            foreach (var stage in version.Stages)
                if (steps.All(s => s.Number != stage.Number))
                    steps.Add(new StepColumn(stage.Number, stage.Name));
        var newest = newestFirst.First();
        return new WorkflowSteps(newest.Id, newest.Name, steps.OrderBy(s => s.Number).ToList());
    }
}
