namespace Mentoring.Server.Email;

/// <summary>The <c>Email</c> section of appsettings.json.</summary>
public sealed class EmailOptions
{
    public const string Section = "Email";

    /// <summary>The address people reach the app at; deep links in emails start with it.</summary>
    public string PublicUrl { get; set; } = "http://localhost:5000";

    public string FromAddress { get; set; } = "nudges@mentoring.example";
    public string FromName { get; set; } = "IncluCities mentoring";

    /// <summary>SMTP server; empty means write each email as an .eml file under <see cref="PickupDirectory"/>.</summary>
    public string? SmtpHost { get; set; }
    public int SmtpPort { get; set; } = 587;
    /// <summary>Upgrade the connection with STARTTLS.</summary>
    public bool UseStartTls { get; set; } = true;
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
}
