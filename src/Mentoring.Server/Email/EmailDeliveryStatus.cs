using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Mentoring.Server.Email;

/// <summary>The SMTP server refused this node's credentials: when, what it said, and when the node tries again.</summary>
public sealed record SignInRefusal(string Reason, DateTimeOffset Since, DateTimeOffset RetryAt, int Times);

/// <summary>
/// What this node's dispatcher knows about the mail server that is not about one message: whether it refused the
/// sign-in. Until a sign-in succeeds, no mail leaves this node, so <c>/health/ready</c> and the email log say so, and
/// the dispatcher waits (doubling, as for a message) before it tries the same credentials again, so that a wrong
/// password does not lock the account at the provider.
/// </summary>
public sealed class EmailDeliveryStatus
{
    private volatile SignInRefusal? _refusal;

    public SignInRefusal? SignInRefused => _refusal;

    public SignInRefusal Refused(string reason, DateTimeOffset now, EmailOptions options)
    {
        var times = (_refusal?.Times ?? 0) + 1;
        var refusal = new SignInRefusal(reason, _refusal?.Since ?? now, now + OutboxDispatcher.Backoff(times, options, 0.5), times);
        _refusal = refusal;
        return refusal;
    }

    public void SignedIn() => _refusal = null;
}

/// <summary>Degraded (still 200: the app itself works, and taking every node out of a load balancer for a mail
/// password would stop everything else too) while the SMTP server refuses the sign-in, with its reason.</summary>
public sealed class EmailDeliveryCheck(EmailDeliveryStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(status.SignInRefused is { } refused
            ? HealthCheckResult.Degraded($"No email is sent: {refused.Reason} (since {refused.Since:u}; next try {refused.RetryAt:u}).")
            : HealthCheckResult.Healthy());
}
