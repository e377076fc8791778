using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mentoring.Server.Workflows;

// Table and column names are snake_case and match the hand-written SQL in Data/Migrations/.

internal sealed class DefinitionSnapshotConfiguration : IEntityTypeConfiguration<DefinitionSnapshot>
{
    public void Configure(EntityTypeBuilder<DefinitionSnapshot> b)
    {
        b.ToTable("workflow_definitions").HasKey(d => new { d.Id, d.Version });
        b.Snake();
    }
}

internal sealed class WorkflowInstanceConfiguration : IEntityTypeConfiguration<WorkflowInstance>
{
    public void Configure(EntityTypeBuilder<WorkflowInstance> b)
    {
        b.ToTable("workflow_instances").HasKey(i => i.Id);
        b.Property(i => i.Version).IsConcurrencyToken();
        b.HasOne<ProgrammeRecord>().WithMany().HasForeignKey(i => i.ProgrammeId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class WorkItemConfiguration : IEntityTypeConfiguration<WorkItem>
{
    public void Configure(EntityTypeBuilder<WorkItem> b)
    {
        b.ToTable("work_items").HasKey(w => w.Id);
        b.HasOne<WorkflowInstance>().WithMany().HasForeignKey(w => w.InstanceId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class JournalEntryConfiguration : IEntityTypeConfiguration<JournalEntry>
{
    public void Configure(EntityTypeBuilder<JournalEntry> b)
    {
        b.ToTable("journal_entries").HasKey(j => j.Id);
        b.Property(j => j.Id).ValueGeneratedOnAdd();
        b.HasOne<WorkflowInstance>().WithMany().HasForeignKey(j => j.InstanceId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class TimerConfiguration : IEntityTypeConfiguration<TimerRecord>
{
    public void Configure(EntityTypeBuilder<TimerRecord> b)
    {
        b.ToTable("timers").HasKey(t => t.Id);
        b.HasOne<WorkflowInstance>().WithMany().HasForeignKey(t => t.InstanceId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class ProgrammeEventConfiguration : IEntityTypeConfiguration<ProgrammeEvent>
{
    public void Configure(EntityTypeBuilder<ProgrammeEvent> b)
    {
        b.ToTable("programme_events").HasKey(e => new { e.ProgrammeId, e.Name });
        b.HasOne<ProgrammeRecord>().WithMany().HasForeignKey(e => e.ProgrammeId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class IdempotencyConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> b)
    {
        b.ToTable("idempotency_keys").HasKey(k => k.Key);
        b.Snake();
    }
}
