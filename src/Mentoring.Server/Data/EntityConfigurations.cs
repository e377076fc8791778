using Mentoring.Server.Auth;
using Mentoring.Server.Email;
using Mentoring.Server.Programme;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mentoring.Server.Data;

// Table and column names are snake_case and match the hand-written SQL in Migrations/.

internal sealed class ProgrammeConfiguration : IEntityTypeConfiguration<ProgrammeRecord>
{
    public void Configure(EntityTypeBuilder<ProgrammeRecord> b)
    {
        b.ToTable("programmes").HasKey(p => p.Id);
        b.Snake();
    }
}

internal sealed class CityConfiguration : IEntityTypeConfiguration<City>
{
    public void Configure(EntityTypeBuilder<City> b)
    {
        b.ToTable("cities").HasKey(c => c.Id);
        b.HasOne<ProgrammeRecord>().WithMany().HasForeignKey(c => c.ProgrammeId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class PersonConfiguration : IEntityTypeConfiguration<Person>
{
    public void Configure(EntityTypeBuilder<Person> b)
    {
        b.ToTable("people").HasKey(p => p.Id);
        b.HasOne<ProgrammeRecord>().WithMany().HasForeignKey(p => p.ProgrammeId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<City>().WithMany().HasForeignKey(p => p.CityId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class PairConfiguration : IEntityTypeConfiguration<Pair>
{
    public void Configure(EntityTypeBuilder<Pair> b)
    {
        b.ToTable("pairs").HasKey(p => p.Id);
        b.HasOne<ProgrammeRecord>().WithMany().HasForeignKey(p => p.ProgrammeId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<City>().WithMany().HasForeignKey(p => p.MentorCityId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<City>().WithMany().HasForeignKey(p => p.MenteeCityId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

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

internal sealed class OutboxConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> b)
    {
        b.ToTable("outbox_messages").HasKey(m => m.Id);
        b.Snake();
    }
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> b)
    {
        b.ToTable("api_tokens").HasKey(t => t.Id);
        b.HasOne<Person>().WithMany().HasForeignKey(t => t.PersonId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal static class SnakeCase
{
    public static void Snake<T>(this EntityTypeBuilder<T> builder) where T : class
    {
        foreach (var property in builder.Metadata.GetDeclaredProperties())
            property.SetColumnName(ToSnake(property.Name));
    }

    public static string ToSnake(string name)
    {
        var builder = new System.Text.StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) builder.Append('_');
            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }
}
