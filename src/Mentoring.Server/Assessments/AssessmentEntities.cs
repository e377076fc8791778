using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mentoring.Server.Assessments;

/// <summary>A programme's questionnaire as its package last gave it (the file's text, read again by
/// <see cref="QuestionnaireReader"/>), and when the facilitator shared the submitted answers with every city.</summary>
public sealed class QuestionnaireRecord
{
    public string ProgrammeId { get; set; } = "";
    public string QuestionnaireId { get; set; } = "";
    public string Source { get; set; } = "";
    public string Hash { get; set; } = "";
    public DateTimeOffset ImportedAt { get; set; }
    public DateTimeOffset? SharedAt { get; set; }
}

public static class AssessmentStatus
{
    public const string Draft = "draft";
    public const string Submitted = "submitted";
}

/// <summary>One city's assessment in one programme: a draft until submitted, read-only after, unless the facilitator
/// reopens it. <see cref="Revision"/> goes up with every change, so two writers at once cannot both win.</summary>
public sealed class AssessmentRecord
{
    public Guid Id { get; set; } = Guid.CreateVersion7();
    public string ProgrammeId { get; set; } = "";
    public string CityId { get; set; } = "";
    public string Status { get; set; } = AssessmentStatus.Draft;
    public int Revision { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }
    public DateTimeOffset? SubmittedAt { get; set; }
    public string? SubmittedBy { get; set; }
    public DateTimeOffset? ReopenedAt { get; set; }
}

/// <summary>One answer: a scale's level, the option ids of a choice (a JSON array), or a text.</summary>
public sealed class AssessmentAnswerRecord
{
    public Guid AssessmentId { get; set; }
    public string QuestionId { get; set; } = "";
    public int? Level { get; set; }
    public string? Options { get; set; }
    public string? Text { get; set; }
}

internal sealed class QuestionnaireConfiguration : IEntityTypeConfiguration<QuestionnaireRecord>
{
    public void Configure(EntityTypeBuilder<QuestionnaireRecord> b)
    {
        b.ToTable("questionnaires").HasKey(q => q.ProgrammeId);
        b.HasOne<ProgrammeRecord>().WithMany().HasForeignKey(q => q.ProgrammeId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class AssessmentConfiguration : IEntityTypeConfiguration<AssessmentRecord>
{
    public void Configure(EntityTypeBuilder<AssessmentRecord> b)
    {
        b.ToTable("assessments").HasKey(a => a.Id);
        b.HasIndex(a => new { a.ProgrammeId, a.CityId }).IsUnique();
        b.HasOne<ProgrammeRecord>().WithMany().HasForeignKey(a => a.ProgrammeId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<City>().WithMany().HasForeignKey(a => a.CityId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class AssessmentAnswerConfiguration : IEntityTypeConfiguration<AssessmentAnswerRecord>
{
    public void Configure(EntityTypeBuilder<AssessmentAnswerRecord> b)
    {
        b.ToTable("assessment_answers").HasKey(a => new { a.AssessmentId, a.QuestionId });
        b.HasOne<AssessmentRecord>().WithMany().HasForeignKey(a => a.AssessmentId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}
