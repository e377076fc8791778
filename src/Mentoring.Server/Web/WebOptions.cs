namespace Mentoring.Server.Web;

/// <summary>The <c>Web</c> section of appsettings.json: sign-in, lock-out, links and uploads.</summary>
public sealed class WebOptions
{
    public const string Section = "Web";

    /// <summary>Failed sign-ins in a row that lock the account.</summary>
    public int MaxFailedSignIns { get; set; } = 5;
    public TimeSpan LockoutFor { get; set; } = TimeSpan.FromMinutes(15);
    /// <summary>Sign-in attempts one address may make per minute (the rate limiter; 429 beyond it).</summary>
    public int SignInAttemptsPerMinute { get; set; } = 20;
    public TimeSpan InvitationValidFor { get; set; } = TimeSpan.FromDays(7);
    public TimeSpan PasswordResetValidFor { get; set; } = TimeSpan.FromHours(2);
    public TimeSpan SessionLength { get; set; } = TimeSpan.FromHours(8);
    public int MaxUploadBytes { get; set; } = 10 * 1024 * 1024;
    /// <summary>The cap on any request body: the largest file plus room for the form's other fields.</summary>
    public long MaxRequestBytes => MaxUploadBytes + 512L * 1024;
    public int MinPasswordLength { get; set; } = 10;
}
