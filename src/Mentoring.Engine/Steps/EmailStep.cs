using System.Text.Json;
using Mentoring.Engine.Runtime;

namespace Mentoring.Engine.Definitions;

/// <summary>Sends <see cref="Template"/> to <see cref="To"/> and goes on.</summary>
public sealed record EmailStep(string Id, string Title, string? Description, string Template, IReadOnlyList<Role> To)
    : StepDefinition(Id, Title, Description)
{
    internal override StepKind Kind => EmailKind.Instance;
}

internal sealed class EmailKind : StepKind<EmailStep>
{
    public static readonly EmailKind Instance = new();

    public override string Type => "email";
    public override IReadOnlyList<string> Properties { get; } = ["template", "to"];

    public override StepDefinition? Parse(DefinitionParser parser, JsonElement step, string path, StepHeader header)
    {
        var template = parser.RequiredTemplate(step, path);
        var to = parser.RequiredRoles(step, path, "to");
        return template is null || to is null ? null : new EmailStep(header.Id, header.Title, header.Description, template, to);
    }

    protected override void Enter(WorkflowRunner.Execution run, EmailStep email)
    {
        var recipients = run.Services.ResolveRecipients(email.To);
        run.Effects.Add(new EmailRequested(email.Template, email.To, email.Id, run.StageData(), recipients));
        run.Record("email-queued", email.Id, Actor.System,
            new() { ["template"] = email.Template, ["to"] = recipients.Select(r => r.Name).ToList() });
        run.Continue(email.Id);
    }
}
