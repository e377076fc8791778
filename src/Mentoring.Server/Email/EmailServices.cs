using Microsoft.Extensions.Options;

namespace Mentoring.Server.Email;

public static class EmailServices
{
    /// <summary>The outbox dispatcher and its transport (SMTP, or .eml files when no SMTP host is set), and the
    /// facilitator's email log. EmailOptions is bound in AddMentoringWorkflows (the outbox writer needs it too); the
    /// Hangfire jobs that call the dispatcher live in Scheduling/.</summary>
    public static IHostApplicationBuilder AddMentoringEmail(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp =>
            EmailTransports.Create(sp.GetRequiredService<IOptions<EmailOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<EmailDeliveryStatus>();
        builder.Services.AddHealthChecks().AddCheck<EmailDeliveryCheck>("email", tags: ["ready"]);
        builder.Services.AddSingleton<OutboxSecrets>();
        builder.Services.AddSingleton<OutboxDispatcher>();
        builder.Services.AddSingleton<OutboxAdmin>();
        builder.Services.AddSingleton<SupportNetworks.IConsentWithdrawalEraser, OutboxConsentEraser>();
        return builder;
    }

    /// <summary>Refuses to start on email settings that cannot work (a host that is no host name, a port out of range, an
    /// unknown security mode, a value of the wrong type), naming each setting: they would otherwise surface only when
    /// the first email is due, as a failing message.</summary>
    public static void CheckEmailSettings(this IServiceProvider services)
    {
        EmailOptions options;
        try
        {
            options = services.GetRequiredService<IOptions<EmailOptions>>().Value;
        }
        catch (InvalidOperationException e) when (e.Message.Contains($"'{EmailOptions.Section}:", StringComparison.Ordinal))
        {
            // The binder's own words name the setting and the value ("Failed to convert configuration value 'x' at
            // 'Email:SmtpPort' to type 'System.Int32'").
            var modes = e.Message.Contains("SmtpSecurity", StringComparison.Ordinal) ? $" Use {EmailOptions.SecurityModes}." : "";
            throw new Hosting.StartupRefusedException(e.Message + modes);
        }

        if (options.Problems() is { Count: > 0 } problems)
            throw new Hosting.StartupRefusedException(string.Join(Environment.NewLine, problems));
    }
}
