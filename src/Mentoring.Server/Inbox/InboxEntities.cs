using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mentoring.Server.Inbox;

/// <summary>The priorities a task may have; a task without a row is <see cref="Normal"/>.</summary>
public static class TaskPriorities
{
    public const string Low = "low";
    public const string Normal = "normal";
    public const string High = "high";
    public static readonly IReadOnlyList<string> All = [Low, Normal, High];

    /// <summary>For sorting: high first.</summary>
    public static int Rank(string priority) => priority switch { High => 2, Low => 0, _ => 1 };

    public static string Label(string priority) => priority switch
    {
        High => "inbox-priority-high",
        Low => "inbox-priority-low",
        _ => "inbox-priority-normal",
    };
}

/// <summary>A task's priority, shared by everyone who sees it: set by its city or the facilitator.</summary>
public sealed class TaskPriorityRecord
{
    public Guid WorkItemId { get; init; }
    public string Priority { get; set; } = TaskPriorities.Normal;
    public Guid SetBy { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One person's "look at this again on" for one task: their own, nobody else sees it. Until that day (in the
/// person's time zone) the task is hidden from their "mine" list and from the count in the header.</summary>
public sealed class TaskFollowUpRecord
{
    public Guid PersonId { get; init; }
    public Guid WorkItemId { get; init; }
    public DateOnly FollowUpOn { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class TaskPriorityRecordConfiguration : IEntityTypeConfiguration<TaskPriorityRecord>
{
    public void Configure(EntityTypeBuilder<TaskPriorityRecord> b)
    {
        b.ToTable("task_priorities").HasKey(p => p.WorkItemId);
        b.HasOne<WorkItem>().WithMany().HasForeignKey(p => p.WorkItemId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Person>().WithMany().HasForeignKey(p => p.SetBy).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class TaskFollowUpRecordConfiguration : IEntityTypeConfiguration<TaskFollowUpRecord>
{
    public void Configure(EntityTypeBuilder<TaskFollowUpRecord> b)
    {
        b.ToTable("task_follow_ups").HasKey(f => new { f.PersonId, f.WorkItemId });
        b.HasOne<Person>().WithMany().HasForeignKey(f => f.PersonId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<WorkItem>().WithMany().HasForeignKey(f => f.WorkItemId).OnDelete(DeleteBehavior.Cascade);
        b.Snake();
    }
}
