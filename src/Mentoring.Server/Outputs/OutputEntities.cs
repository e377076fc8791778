using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mentoring.Server.Outputs;

/// <summary>The closed lists an output is described with; each entry's label is a key of the page texts.</summary>
public static class OutputLists
{
    public const string OneStopShop = "one-stop-shop";
    public const string ProgrammeOwner = "programme";

    public static readonly IReadOnlyList<string> Kinds = ["action-plan", OneStopShop, "infographic", "methodological-guide", "toolkit", "other"];
    public static readonly IReadOnlyList<string> Statuses = ["planned", "in-progress", "published"];

    /// <summary>The key information a one-stop-shop for migrants should give (IncluCities' checklist).</summary>
    public static readonly IReadOnlyList<string> Checklist = ["language-courses", "legal-advice", "health", "housing", "work", "schools"];

    public static string KindLabel(string kind) => kind switch
    {
        "action-plan" => "output-kind-action-plan",
        OneStopShop => "output-kind-one-stop-shop",
        "infographic" => "output-kind-infographic",
        "methodological-guide" => "output-kind-methodological-guide",
        "toolkit" => "output-kind-toolkit",
        _ => "output-kind-other",
    };

    public static string StatusLabel(string status) => status switch
    {
        "planned" => "output-status-planned",
        "in-progress" => "output-status-in-progress",
        _ => "output-status-published",
    };

    public static string ChecklistLabel(string item) => item switch
    {
        "language-courses" => "output-checklist-language-courses",
        "legal-advice" => "output-checklist-legal-advice",
        "health" => "output-checklist-health",
        "housing" => "output-checklist-housing",
        "work" => "output-checklist-work",
        _ => "output-checklist-schools",
    };

    /// <summary>ISO 639-1: the languages an output may be written in (an output for migrants may be in Arabic, Tigrinya ...).</summary>
    public static readonly IReadOnlySet<string> LanguageCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bi", "bm", "bn", "bo", "br", "bs", "ca",
        "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da", "de", "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi",
        "fj", "fo", "fr", "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz", "ia", "id", "ie",
        "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj", "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv",
        "kw", "ky", "la", "lb", "lg", "li", "ln", "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na",
        "nb", "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi", "pl", "ps", "pt", "qu", "rm",
        "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk", "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw",
        "ta", "te", "tg", "th", "ti", "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo", "wa",
        "wo", "xh", "yi", "yo", "za", "zh", "zu",
    };
}

/// <summary>An output of the programme: owned by a member city (<see cref="CityId"/>) or by the programme itself (null).
/// <see cref="Languages"/> and <see cref="Checklist"/> are comma-separated codes (ISO 639-1; <see cref="OutputLists.Checklist"/>
/// items present); the checklist is null for any kind but a one-stop-shop.</summary>
public sealed class OutputRecord
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string ProgrammeId { get; set; } = "";
    public string? CityId { get; set; }
    public string Kind { get; set; } = "";
    public string Title { get; set; } = "";
    public string Status { get; set; } = "";
    public string? Link { get; set; }
    public Guid? FileId { get; set; }
    public string Languages { get; set; } = "";
    public string? Checklist { get; set; }
    public Guid CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class OutputRecordConfiguration : IEntityTypeConfiguration<OutputRecord>
{
    public void Configure(EntityTypeBuilder<OutputRecord> b)
    {
        b.ToTable("outputs").HasKey(o => o.Id);
        b.HasIndex(o => new { o.ProgrammeId, o.CityId });
        b.HasOne<ProgrammeRecord>().WithMany().HasForeignKey(o => o.ProgrammeId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<City>().WithMany().HasForeignKey(o => o.CityId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Person>().WithMany().HasForeignKey(o => o.CreatedBy).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Uploads.UploadedFile>().WithMany().HasForeignKey(o => o.FileId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}
