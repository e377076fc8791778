using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mentoring.Server.Uploads;

/// <summary>A file attached to a task. It belongs to the pair and work item it was uploaded for (recorded when it is
/// stored, with the completion); who may read it follows from that pair. Files stored before M007 may have neither.</summary>
public sealed class UploadedFile
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid UploadedBy { get; init; }
    /// <summary>Null for a programme task's file (facilitator only) and for an old file no completion could be found for.</summary>
    public Guid? GroupId { get; init; }
    public Guid? WorkItemId { get; init; }
    public required string FileName { get; init; }
    public required string ContentType { get; init; }
    public int Size { get; init; }
    public required byte[] Content { get; init; }
    public DateTimeOffset UploadedAt { get; init; }
    /// <summary>Set when what the file was for is removed (an event's material): nobody reads it any more, and the next
    /// retention clean-up deletes it.</summary>
    public DateTimeOffset? RemovedAt { get; set; }
}

internal sealed class UploadedFileConfiguration : IEntityTypeConfiguration<UploadedFile>
{
    public void Configure(EntityTypeBuilder<UploadedFile> b)
    {
        b.ToTable("uploaded_files").HasKey(f => f.Id);
        b.HasOne<Person>().WithMany().HasForeignKey(f => f.UploadedBy).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Group>().WithMany().HasForeignKey(f => f.GroupId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Workflows.WorkItem>().WithMany().HasForeignKey(f => f.WorkItemId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}
