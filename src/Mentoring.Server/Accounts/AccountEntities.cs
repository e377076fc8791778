using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Mentoring.Server.Accounts;

/// <summary>A person's sign-in: the password hash (PasswordHasher, never the password), the lock-out counters, and
/// the security stamp every session cookie carries: changing it ends all of them.</summary>
public sealed class Account
{
    public Guid PersonId { get; init; }
    public string? PasswordHash { get; set; }
    public int FailedSignIns { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
    public DateTimeOffset? PasswordChangedAt { get; set; }
    public string SecurityStamp { get; set; } = "";
}

public static class LinkPurpose
{
    public const string Invitation = "invitation";
    public const string PasswordReset = "password-reset";
}

/// <summary>A single-use, expiring link (invitation or password reset). Only the token's SHA-256 is stored.</summary>
public sealed class AccountLink
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid PersonId { get; init; }
    public required string Purpose { get; init; }
    public required string TokenHash { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset? UsedAt { get; set; }
}

public sealed class DataProtectionKey
{
    public long Id { get; init; }
    public required string FriendlyName { get; init; }
    public required string Xml { get; init; }
}

internal sealed class AccountConfiguration : IEntityTypeConfiguration<Account>
{
    public void Configure(EntityTypeBuilder<Account> b)
    {
        b.ToTable("accounts").HasKey(a => a.PersonId);
        b.Property(a => a.PersonId).ValueGeneratedNever();
        b.HasOne<Person>().WithOne().HasForeignKey<Account>(a => a.PersonId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class AccountLinkConfiguration : IEntityTypeConfiguration<AccountLink>
{
    public void Configure(EntityTypeBuilder<AccountLink> b)
    {
        b.ToTable("account_links").HasKey(l => l.Id);
        b.HasOne<Person>().WithMany().HasForeignKey(l => l.PersonId).OnDelete(DeleteBehavior.Restrict);
        b.Snake();
    }
}

internal sealed class DataProtectionKeyConfiguration : IEntityTypeConfiguration<DataProtectionKey>
{
    public void Configure(EntityTypeBuilder<DataProtectionKey> b)
    {
        b.ToTable("data_protection_keys").HasKey(k => k.Id);
        b.Property(k => k.Id).ValueGeneratedOnAdd();
        b.Snake();
    }
}
