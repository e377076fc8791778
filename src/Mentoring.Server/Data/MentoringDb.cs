using Mentoring.Server.Auth;
using Mentoring.Server.Email;
using Mentoring.Server.Programme;
using Mentoring.Server.Tokens;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Mentoring.Server.Data;

public sealed class MentoringDb(DbContextOptions<MentoringDb> options) : DbContext(options)
{
    public DbSet<ProgrammeRecord> Programmes => Set<ProgrammeRecord>();
    public DbSet<City> Cities => Set<City>();
    public DbSet<ProgrammeMember> ProgrammeMembers => Set<ProgrammeMember>();
    public DbSet<Organisation> Organisations => Set<Organisation>();
    public DbSet<Person> People => Set<Person>();
    public DbSet<ProgrammePerson> ProgrammePeople => Set<ProgrammePerson>();
    public DbSet<Group> Groups => Set<Group>();
    public DbSet<GroupMember> GroupMembers => Set<GroupMember>();
    public DbSet<GroupShape> GroupShapes => Set<GroupShape>();
    public DbSet<DefinitionSnapshot> Definitions => Set<DefinitionSnapshot>();
    public DbSet<WorkflowInstance> Instances => Set<WorkflowInstance>();
    public DbSet<WorkItem> WorkItems => Set<WorkItem>();
    public DbSet<JournalEntry> Journal => Set<JournalEntry>();
    public DbSet<TimerRecord> Timers => Set<TimerRecord>();
    public DbSet<ProgrammeEvent> ProgrammeEvents => Set<ProgrammeEvent>();
    public DbSet<IdempotencyRecord> IdempotencyKeys => Set<IdempotencyRecord>();
    public DbSet<OutboxMessage> Outbox => Set<OutboxMessage>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<Comments.GroupComment> GroupComments => Set<Comments.GroupComment>();
    public DbSet<Matching.MatchingSettingsRecord> MatchingSettings => Set<Matching.MatchingSettingsRecord>();
    public DbSet<Matching.MatchingConstraintsRecord> MatchingConstraints => Set<Matching.MatchingConstraintsRecord>();
    public DbSet<Matching.MatchingPublication> MatchingPublications => Set<Matching.MatchingPublication>();
    public DbSet<Benchmarks.BenchmarkRecord> Benchmarks => Set<Benchmarks.BenchmarkRecord>();
    public DbSet<Benchmarks.BenchmarkFactorRecord> BenchmarkFactors => Set<Benchmarks.BenchmarkFactorRecord>();
    public DbSet<Benchmarks.BenchmarkChangeRecord> BenchmarkChanges => Set<Benchmarks.BenchmarkChangeRecord>();
    public DbSet<Benchmarks.BenchmarkTemplatesRecord> BenchmarkTemplates => Set<Benchmarks.BenchmarkTemplatesRecord>();
    public DbSet<Calendar.CalendarFeed> CalendarFeeds => Set<Calendar.CalendarFeed>();

    public bool IsSqlite => Database.ProviderName == "Microsoft.EntityFrameworkCore.Sqlite";

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(MentoringDb).Assembly);

    protected override void ConfigureConventions(ModelConfigurationBuilder configuration)
    {
        // SQLite has no date-time type EF can compare or order by; UTC ticks in an INTEGER sort and compare
        // correctly. PostgreSQL's timestamptz wants UTC values.
        if (IsSqlite)
        {
            configuration.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
            configuration.Properties<DateTimeOffset?>().HaveConversion<UtcTicksConverter>();
        }
        else
        {
            configuration.Properties<DateTimeOffset>().HaveConversion<UtcConverter>();
            configuration.Properties<DateTimeOffset?>().HaveConversion<UtcConverter>();
        }
    }

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.UtcTicks, v => new DateTimeOffset(v, TimeSpan.Zero));

    private sealed class UtcConverter() : ValueConverter<DateTimeOffset, DateTimeOffset>(
        v => v.ToUniversalTime(), v => v.ToUniversalTime());
}
