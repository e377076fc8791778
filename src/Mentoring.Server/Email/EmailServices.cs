using Microsoft.Extensions.Options;

namespace Mentoring.Server.Email;

public static class EmailServices
{
    /// <summary>The outbox dispatcher and its transport (SMTP, or .eml files when no SMTP host is set), and the
    /// facilitator's email log. EmailOptions is bound in AddMentoringWorkflows (the outbox writer needs it too); the
    /// Hangfire jobs that call the dispatcher live in Scheduling/.</summary>
    public static IHostApplicationBuilder AddMentoringEmail(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp => EmailTransports.Create(sp.GetRequiredService<IOptions<EmailOptions>>().Value));
        builder.Services.AddSingleton<OutboxSecrets>();
        builder.Services.AddSingleton<OutboxDispatcher>();
        builder.Services.AddSingleton<OutboxAdmin>();
        return builder;
    }
}
