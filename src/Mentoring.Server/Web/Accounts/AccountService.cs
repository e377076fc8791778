using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Programme;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Web.Accounts;

public enum SignInOutcome { Success, Failed }

/// <summary>Passwords, lock-out, and the single-use links that set a password (invitation, reset).</summary>
public sealed class AccountService(
    IDbContextFactory<MentoringDb> dbs,
    IOptions<WebOptions> options,
    IOptions<EmailOptions> email,
    OutboxWriter outbox,
    TimeProvider clock)
{
    private static readonly PasswordHasher<Person> Hasher = new();
    // Verified against when the email is unknown, so a miss takes as long as a wrong password.
    private static readonly string DummyHash = Hasher.HashPassword(null!, "not-a-password-" + Guid.NewGuid());

    /// <summary>Checks the password; counts a failure and locks the account after too many. While locked, even the
    /// right password fails, and the caller shows the same message either way.</summary>
    public async Task<(SignInOutcome Result, Person? Person)> SignInAsync(string? emailAddress, string? password, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var db = await dbs.CreateDbContextAsync(ct);
        var address = (emailAddress ?? "").Trim();
        var person = address.Length == 0 ? null : await db.People.SingleOrDefaultAsync(p => p.Email == address, ct);
        var account = person is null ? null : await db.Set<Account>().SingleOrDefaultAsync(a => a.PersonId == person.Id, ct);
        if (person is null || account?.PasswordHash is null || string.IsNullOrEmpty(password))
        {
            Hasher.VerifyHashedPassword(null!, DummyHash, password ?? "");
            return (SignInOutcome.Failed, null);
        }

        if (account.LockedUntil is { } until && until > now) return (SignInOutcome.Failed, null);
        var verified = Hasher.VerifyHashedPassword(person, account.PasswordHash, password);
        if (verified == PasswordVerificationResult.Failed)
        {
            account.FailedSignIns++;
            if (account.FailedSignIns >= options.Value.MaxFailedSignIns)
            {
                account.LockedUntil = now + options.Value.LockoutFor;
                account.FailedSignIns = 0;
            }

            await db.SaveChangesAsync(ct);
            return (SignInOutcome.Failed, null);
        }

        account.FailedSignIns = 0;
        account.LockedUntil = null;
        if (verified == PasswordVerificationResult.SuccessRehashNeeded) account.PasswordHash = Hasher.HashPassword(person, password);
        await db.SaveChangesAsync(ct);
        return (SignInOutcome.Success, person);
    }

    public static string? PasswordProblem(string? password, int minLength) =>
        string.IsNullOrEmpty(password) || password.Length < minLength ? "password-too-short" : null;

    public void SetPassword(MentoringDb db, Person person, Account? account, string password)
    {
        if (account is null)
        {
            account = new Account { PersonId = person.Id };
            db.Set<Account>().Add(account);
        }

        account.PasswordHash = Hasher.HashPassword(person, password);
        account.PasswordChangedAt = clock.GetUtcNow();
        account.FailedSignIns = 0;
        account.LockedUntil = null;
    }

    /// <summary>Creates a link and its email (an outbox row) in the caller's context; the caller saves.</summary>
    public string AddLink(MentoringDb db, Person person, string purpose, Person? inviter, string? roleDescription)
    {
        var now = clock.GetUtcNow();
        var validFor = purpose == LinkPurpose.Invitation ? options.Value.InvitationValidFor : options.Value.PasswordResetValidFor;
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        var link = new AccountLink
        {
            PersonId = person.Id, Purpose = purpose, TokenHash = Hash(token), CreatedAt = now, ExpiresAt = now + validFor,
        };
        db.Set<AccountLink>().Add(link);

        var culture = OutboxWriter.Culture(person.Language);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(person.TimeZone);
        var path = purpose == LinkPurpose.Invitation ? "/invitations/accept" : "/password/reset";
        var model = new JsonObject
        {
            ["recipient"] = new JsonObject { ["name"] = person.Name },
            ["programme"] = new JsonObject { ["name"] = "IncluCities" },
            ["link"] = $"{email.Value.PublicUrl.TrimEnd('/')}{path}?token={token}",
            ["expires"] = TimeZoneInfo.ConvertTime(link.ExpiresAt, zone).ToString("f", culture),
        };
        if (purpose == LinkPurpose.Invitation)
        {
            model["inviter"] = new JsonObject { ["name"] = inviter?.Name ?? "IncluCities" };
            model["role"] = roleDescription ?? person.Role;
        }

        db.Outbox.Add(new OutboxMessage
        {
            MessageId = outbox.NewMessageId(), Template = purpose, Language = person.Language, RecipientId = person.Id,
            RecipientName = person.Name, RecipientEmail = person.Email, Model = model.ToJsonString(),
            Status = string.IsNullOrWhiteSpace(person.Email) ? OutboxStatus.Dead : OutboxStatus.Pending,
            LastError = string.IsNullOrWhiteSpace(person.Email) ? $"{person.Name} has no email address." : null,
            NextAttemptAt = now, CreatedAt = now,
        });
        return token;
    }

    /// <summary>The open link for this token, or null when it is unknown, used or expired.</summary>
    public async Task<(AccountLink Link, Person Person)?> FindLinkAsync(MentoringDb db, string? token, string purpose, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 200) return null;
        var hash = Hash(token);
        var link = await db.Set<AccountLink>().SingleOrDefaultAsync(l => l.TokenHash == hash && l.Purpose == purpose, ct);
        if (link is null || link.UsedAt is not null || link.ExpiresAt <= clock.GetUtcNow()) return null;
        var person = await db.People.SingleAsync(p => p.Id == link.PersonId, ct);
        return (link, person);
    }

    /// <summary>Sets the password through a link and spends it, in one save: a second use finds it used.</summary>
    public async Task<bool> UseLinkAsync(string? token, string purpose, string password, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (await FindLinkAsync(db, token, purpose, ct) is not { } found) return false;
        found.Link.UsedAt = clock.GetUtcNow();
        var account = await db.Set<Account>().SingleOrDefaultAsync(a => a.PersonId == found.Person.Id, ct);
        SetPassword(db, found.Person, account, password);
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>Random demo passwords for the facilitator and the coordinators of a freshly seeded programme.</summary>
    public async Task<IReadOnlyDictionary<string, string>> CreateDemoPasswordsAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (await db.Set<Account>().AnyAsync(ct)) return new Dictionary<string, string>();
        var people = await db.People
            .Where(p => p.Role == PersonRoles.Facilitator || p.Role == PersonRoles.Coordinator || p.Role == PersonRoles.Observer)
            .OrderBy(p => p.Role).ThenBy(p => p.Email).ToListAsync(ct);
        var passwords = new Dictionary<string, string>();
        foreach (var person in people.Where(p => p.Email is not null))
        {
            var password = Base64Url(RandomNumberGenerator.GetBytes(12));
            SetPassword(db, person, null, password);
            passwords[person.Email!] = password;
        }

        await db.SaveChangesAsync(ct);
        return passwords;
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
