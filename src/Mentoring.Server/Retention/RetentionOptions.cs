namespace Mentoring.Server.Retention;

/// <summary>The <c>Retention</c> section of appsettings.json: how long personal data outlives the work it was for (the
/// GDPR record of processing in the README lists them). Delivered mail is kept for <c>Email:KeepSentFor</c>. A zero
/// time keeps that data for good.</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>How long after a workflow instance (a pair, a programme) finished its history keeps what people wrote
    /// (notes, reports, comments, reasons, participants); after it, each entry keeps only who did what, and when.</summary>
    public TimeSpan JournalPayloadsFor { get; set; } = TimeSpan.FromDays(730);

    /// <summary>How long after a programme finished the files uploaded for it (its pairs' and its own tasks') are kept.</summary>
    public TimeSpan UploadsFor { get; set; } = TimeSpan.FromDays(365);

    /// <summary>How long after a pair's workflow finished its study visits' delegation members keep their names, roles and
    /// emails (entered by hand, with no consent record of their own); after it, the rows stay, counted, without them.</summary>
    public TimeSpan DelegationsFor { get; set; } = TimeSpan.FromDays(730);

    /// <summary>How long a revoked calendar feed's record (whose feed it was, its name) is kept after its revocation.</summary>
    public TimeSpan RevokedFeedsFor { get; set; } = TimeSpan.FromDays(30);
}
