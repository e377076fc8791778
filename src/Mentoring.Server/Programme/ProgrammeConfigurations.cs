using Mentoring.Server.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mentoring.Server.Programme;

// Table and column names are snake_case and match the hand-written SQL in Data/Migrations/.

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
        b.Snake();
    }
}

internal sealed class ProgrammeMemberConfiguration : IEntityTypeConfiguration<ProgrammeMember>
{
    public void Configure(EntityTypeBuilder<ProgrammeMember> b)
    {
        b.ToTable("programme_members").HasKey(m => new { m.ProgrammeId, m.CityId });
        b.HasOne<ProgrammeRecord>().WithMany().HasForeignKey(m => m.ProgrammeId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<City>().WithMany().HasForeignKey(m => m.CityId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class OrganisationConfiguration : IEntityTypeConfiguration<Organisation>
{
    public void Configure(EntityTypeBuilder<Organisation> b)
    {
        b.ToTable("organisations").HasKey(o => new { o.ProgrammeId, o.Id });
        b.HasOne<ProgrammeRecord>().WithMany().HasForeignKey(o => o.ProgrammeId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class PersonConfiguration : IEntityTypeConfiguration<Person>
{
    public void Configure(EntityTypeBuilder<Person> b)
    {
        b.ToTable("people").HasKey(p => p.Id);
        b.HasOne<ProgrammeRecord>().WithMany().HasForeignKey(p => p.CurrentProgramme).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class ProgrammePersonConfiguration : IEntityTypeConfiguration<ProgrammePerson>
{
    public void Configure(EntityTypeBuilder<ProgrammePerson> b)
    {
        b.ToTable("programme_people").HasKey(p => new { p.ProgrammeId, p.PersonId });
        b.HasOne<ProgrammeRecord>().WithMany().HasForeignKey(p => p.ProgrammeId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Person>().WithMany().HasForeignKey(p => p.PersonId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<City>().WithMany().HasForeignKey(p => p.CityId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class GroupConfiguration : IEntityTypeConfiguration<Group>
{
    public void Configure(EntityTypeBuilder<Group> b)
    {
        b.ToTable("groups").HasKey(g => g.Id);
        b.HasOne<ProgrammeRecord>().WithMany().HasForeignKey(g => g.ProgrammeId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class GroupMemberConfiguration : IEntityTypeConfiguration<GroupMember>
{
    public void Configure(EntityTypeBuilder<GroupMember> b)
    {
        b.ToTable("group_members").HasKey(m => new { m.GroupId, m.CityId });
        b.HasOne<Group>().WithMany().HasForeignKey(m => m.GroupId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<City>().WithMany().HasForeignKey(m => m.CityId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}
