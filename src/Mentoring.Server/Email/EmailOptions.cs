using MailKit.Security;
using MimeKit;

namespace Mentoring.Server.Email;

/// <summary>The <c>Email</c> section of appsettings.json.</summary>
public sealed class EmailOptions
{
    public const string Section = "Email";

    /// <summary>The address people reach the app at; deep links in emails start with it.</summary>
    public string PublicUrl { get; set; } = "http://localhost:5000";

    public string FromAddress { get; set; } = "nudges@mentoring.example";
    /// <summary>The sender's name on every message; empty (the default): each message's programme's name, in its
    /// recipient's language ("Δίκτυο Πόλεων για την Ένταξη"), or the product's name when no programme applies.</summary>
    public string? FromName { get; set; }

    /// <summary>SMTP server; empty means write each email as an .eml file under <see cref="PickupDirectory"/>.</summary>
    public string? SmtpHost { get; set; }
    public int SmtpPort { get; set; } = 587;
    /// <summary>How the connection is secured: <c>StartTls</c> (upgrade a plain connection, required), <c>SslOnConnect</c>
    /// (TLS from the first byte, usually port 465), <c>StartTlsWhenAvailable</c>, <c>Auto</c> (SSL on 465, else STARTTLS
    /// when offered) or <c>None</c> (a local relay or a test server).</summary>
    public SecureSocketOptions SmtpSecurity { get; set; } = SecureSocketOptions.StartTls;
    public string? Username { get; set; }
    public string? Password { get; set; }
    public string PickupDirectory { get; set; } = "data/mail";

    /// <summary>How many times a message is tried before it is dead-lettered for the facilitator.</summary>
    public int MaxAttempts { get; set; } = 8;
    /// <summary>The first retry delay; each later one doubles, with jitter.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(2);
    /// <summary>How long one SMTP conversation may take before it counts as a (transient) failure.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>How many due messages a dispatcher claims under one lease: small, so that the lease covers a few seconds
    /// of sending, and the messages of a node that died are free again soon.</summary>
    public int BatchSize { get; set; } = 10;
    /// <summary>How long a claim holds its batch. Before each send the dispatcher renews it if it would not outlast the
    /// send (<see cref="SendTimeout"/>) and its record; it is never shorter than that. After a node dies, its unsent
    /// messages wait at most this long for another.</summary>
    public TimeSpan LeaseFor { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>Delivered mail older than this is deleted by the clean-up job.</summary>
    public TimeSpan KeepSentFor { get; set; } = TimeSpan.FromDays(90);

    /// <summary>What in these settings cannot work, one sentence per setting, naming it; empty when they can.</summary>
    public List<string> Problems()
    {
        var problems = new List<string>();
        if (!string.IsNullOrWhiteSpace(SmtpHost))
        {
            var host = SmtpHost.Trim();
            if (host.Contains(':') && Uri.CheckHostName(host) != UriHostNameType.IPv6)
                problems.Add($"{Section}:SmtpHost '{SmtpHost}' is not a host name: give the host alone (smtp.example.org) and the port in {Section}:SmtpPort.");
            else if (Uri.CheckHostName(host) == UriHostNameType.Unknown)
                problems.Add($"{Section}:SmtpHost '{SmtpHost}' is not a host name or an IP address.");
        }

        if (SmtpPort is < 1 or > 65535)
            problems.Add($"{Section}:SmtpPort {SmtpPort} is out of range: use a port from 1 to 65535 (587 for STARTTLS, 465 for SslOnConnect).");
        if (!Enum.IsDefined(SmtpSecurity))
            problems.Add($"{Section}:SmtpSecurity '{(int)SmtpSecurity}' is not a security mode: use {SecurityModes}.");
        if (string.IsNullOrWhiteSpace(Username) && !string.IsNullOrEmpty(Password))
            problems.Add($"{Section}:Password is set but {Section}:Username is not: credentials are sent only with a user name.");
        if (!MailboxAddress.TryParse(FromAddress, out var from) || from.Address != FromAddress.Trim() || !FromAddress.Contains('@'))
            problems.Add($"{Section}:FromAddress '{FromAddress}' is not an email address.");
        if (SendTimeout <= TimeSpan.Zero) problems.Add($"{Section}:SendTimeout must be longer than zero.");
        if (BatchSize < 1) problems.Add($"{Section}:BatchSize must be at least 1.");
        if (MaxAttempts < 1) problems.Add($"{Section}:MaxAttempts must be at least 1.");
        return problems;
    }

    /// <summary>The values <see cref="SmtpSecurity"/> takes, for error messages.</summary>
    public static string SecurityModes => string.Join(", ", Enum.GetNames<SecureSocketOptions>());
}
