using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mentoring.Server.Tokens;

/// <summary>A personal API token. Only its SHA-256 hash is stored; the token is shown once, when created.</summary>
public sealed class ApiToken
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid PersonId { get; init; }
    public required string Name { get; init; }
    public required string Hash { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; set; }
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
