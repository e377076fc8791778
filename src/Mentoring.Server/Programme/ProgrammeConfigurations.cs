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
