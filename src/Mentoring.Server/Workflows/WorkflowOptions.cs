namespace Mentoring.Server.Workflows;

/// <summary>The <c>Workflows</c> section of appsettings.json.</summary>
public sealed class WorkflowOptions
{
    public const string Section = "Workflows";

    /// <summary>The folder of workflow definition files.</summary>
    public string DefinitionsPath { get; set; } = "workflows";

    /// <summary>The folder of email templates.</summary>
    public string TemplatesPath { get; set; } = "templates";

    /// <summary>How often a resume that lost an optimistic-concurrency race is tried again before answering 409.</summary>
    public int MaxConcurrencyRetries { get; set; } = 8;
}
