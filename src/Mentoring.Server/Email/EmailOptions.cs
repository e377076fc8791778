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
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(60);
    /// <summary>How many due messages a dispatcher claims at a time.</summary>
    public int BatchSize { get; set; } = 50;
    /// <summary>How long a claimed batch stays reserved for the dispatcher that claimed it; a message whose lease has run
    /// out before it is sent is left for the next round rather than sent late. Must be well above
    /// a batch's sending time; a send usually takes well under a second.</summary>
    public TimeSpan LeaseFor { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>Delivered mail older than this is deleted by the clean-up job.</summary>
    public TimeSpan KeepSentFor { get; set; } = TimeSpan.FromDays(90);
}
