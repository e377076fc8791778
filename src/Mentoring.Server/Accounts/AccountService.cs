using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Programme;
using Mentoring.Server.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Accounts;

public enum SignInOutcome { Success, Failed }

public sealed record SignInResult(SignInOutcome Outcome, Person? Person = null, string? SecurityStamp = null);

public enum SignOutEverywhereOutcome { Done, NotFound }

/// <summary>Passwords, lock-out, sessions, and the single-use links that set a password (invitation, reset).</summary>
public sealed class AccountService(
    IDbContextFactory<MentoringDb> dbs,
    IOptions<WebOptions> options,
    IOptions<EmailOptions> email,
    OutboxWriter outbox,
    OutboxSecrets secrets,
    TimeProvider clock)
{
    /// <summary>The claim of a session cookie that must match the account's stamp on every request.</summary>
    public const string SecurityStampClaim = "mentoring:security-stamp";

    private static readonly PasswordHasher<Person> Hasher = new();
    // Verified against when the email is unknown, so a miss takes as long as a wrong password.
    private static readonly string DummyHash = Hasher.HashPassword(null!, "not-a-password-" + Guid.NewGuid());

    /// <summary>Checks the password; counts a failure and locks the account after too many. While locked, even the
    /// right password fails, and the caller shows the same message either way. Every change to the counters is one
    /// conditional UPDATE computed from the row as it is then, so parallel attempts cannot overwrite each other's
    /// count (they did when each saved the count it had read).</summary>
    public async Task<SignInResult> SignInAsync(string? emailAddress, string? password, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var db = await dbs.CreateDbContextAsync(ct);
        var person = await EmailAddress.FindAsync(db, emailAddress, ct);
        var account = person is null ? null : await db.Set<Account>().AsNoTracking().SingleOrDefaultAsync(a => a.PersonId == person.Id, ct);
        if (person is null || account?.PasswordHash is null || string.IsNullOrEmpty(password))
        {
            Hasher.VerifyHashedPassword(null!, DummyHash, password ?? "");
            return new SignInResult(SignInOutcome.Failed);
        }

        if (account.LockedUntil is { } until && until > now) return new SignInResult(SignInOutcome.Failed);
        var verified = Hasher.VerifyHashedPassword(person, account.PasswordHash, password);
        var accounts = db.Set<Account>().Where(a => a.PersonId == person.Id);
        if (verified == PasswordVerificationResult.Failed)
        {
            var max = options.Value.MaxFailedSignIns;
            DateTimeOffset? lockedUntil = now + options.Value.LockoutFor;
            // Both SET clauses read the row's old values, on SQLite and PostgreSQL alike.
            await accounts.ExecuteUpdateAsync(s => s
                .SetProperty(a => a.LockedUntil, a => a.FailedSignIns + 1 >= max ? lockedUntil : a.LockedUntil)
                .SetProperty(a => a.FailedSignIns, a => a.FailedSignIns + 1 >= max ? 0 : a.FailedSignIns + 1), ct);
            return new SignInResult(SignInOutcome.Failed);
        }

        // Only while nothing changed since the read: a lock-out by a parallel attempt, or a new password, wins.
        var hash = verified == PasswordVerificationResult.SuccessRehashNeeded ? Hasher.HashPassword(person, password) : account.PasswordHash;
        var updated = await accounts
            .Where(a => a.PasswordHash == account.PasswordHash && (a.LockedUntil == null || a.LockedUntil <= now))
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.FailedSignIns, 0)
                .SetProperty(a => a.LockedUntil, (DateTimeOffset?)null)
                .SetProperty(a => a.PasswordHash, hash), ct);
        return updated == 1 ? new SignInResult(SignInOutcome.Success, person, account.SecurityStamp) : new SignInResult(SignInOutcome.Failed);
    }

    /// <summary>Is the session cookie with this stamp still one of the person's sessions? Asked on every
    /// cookie-authenticated request, so a sign-out or a new password ends copies of the cookie at once.</summary>
    public async Task<bool> IsSessionCurrentAsync(Guid personId, string? stamp, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(stamp)) return false;
        await using var db = await dbs.CreateDbContextAsync(ct);
        return await db.Set<Account>().AnyAsync(a => a.PersonId == personId && a.SecurityStamp == stamp, ct);
    }

    /// <summary>Ends every session of the person, on every device and node: their own sign-out, their "sign out
    /// everywhere", and the facilitator's for them. Their API tokens are separate credentials and stay.</summary>
    public async Task<SignOutEverywhereOutcome> SignOutEverywhereAsync(Guid personId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (!await db.People.AnyAsync(p => p.Id == personId, ct)) return SignOutEverywhereOutcome.NotFound;
        var stamp = NewStamp();
        await db.Set<Account>().Where(a => a.PersonId == personId).ExecuteUpdateAsync(s => s.SetProperty(a => a.SecurityStamp, stamp), ct);
        return SignOutEverywhereOutcome.Done;
    }

    public static string? PasswordProblem(string? password, int minLength) =>
        string.IsNullOrEmpty(password) || password.Length < minLength ? "password-too-short" : null;

    /// <summary>Sets a new password in the caller's context; the caller saves. It also changes the security stamp,
    /// so every session signed in with the old password ends.</summary>
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
        account.SecurityStamp = NewStamp();
    }

    /// <summary>Creates a link and its email (an outbox row) in the caller's context; the caller saves. The link row
    /// keeps only the token's hash; the email carries the token as a secret field of the outbox row, erased when it is
    /// sent, while its model keeps the "forgot your password" page as the link, so a resend still leads somewhere.</summary>
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
        var site = email.Value.PublicUrl.TrimEnd('/');
        var path = purpose == LinkPurpose.Invitation ? "/invitations/accept" : "/password/reset";
        var model = new JsonObject { ["expires"] = TimeZoneInfo.ConvertTime(link.ExpiresAt, zone).ToString("f", culture) };
        if (purpose == LinkPurpose.Invitation)
        {
            model["inviter"] = new JsonObject { ["name"] = inviter?.Name ?? OutboxWriter.ProgrammeName(db, person.CurrentProgramme, person.Language) };
            model["role"] = roleDescription ?? db.ProgrammePeople.Where(p => p.PersonId == person.Id && p.ProgrammeId == person.CurrentProgramme)
                .Select(p => p.Role).FirstOrDefault() ?? "";
        }

        outbox.AddToPerson(db, person, purpose, model, $"{site}/password/forgot", now,
            protectedSecret: secrets.Protect(new JsonObject { ["link"] = $"{site}{path}?token={token}" }));
        return token;
    }

    /// <summary>The open link for this token, or null when it is unknown, used or expired.</summary>
    public async Task<(AccountLink Link, Person Person)?> FindLinkAsync(MentoringDb db, string? token, string purpose, CancellationToken ct)
    {
        if (!WellFormed(token)) return null;
        var hash = Hash(token!);
        var link = await db.Set<AccountLink>().SingleOrDefaultAsync(l => l.TokenHash == hash && l.Purpose == purpose, ct);
        if (link is null || link.UsedAt is not null || link.ExpiresAt <= clock.GetUtcNow()) return null;
        var person = await db.People.SingleAsync(p => p.Id == link.PersonId, ct);
        return (link, person);
    }

    /// <summary>Sets the password through a link and spends it, in one transaction. Spending is a conditional UPDATE
    /// that only one caller can win (the others find it used and change nothing); it also spends the person's other
    /// open links, of either kind, since each of them would set the password again.</summary>
    public async Task<bool> UseLinkAsync(string? token, string purpose, string password, CancellationToken ct)
    {
        if (!WellFormed(token)) return false;
        var now = clock.GetUtcNow();
        var hash = Hash(token!);
        await using var db = await dbs.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var won = await db.Set<AccountLink>()
            .Where(l => l.TokenHash == hash && l.Purpose == purpose && l.UsedAt == null && l.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.UsedAt, now), ct);
        if (won != 1) return false;

        var personId = await db.Set<AccountLink>().Where(l => l.TokenHash == hash).Select(l => l.PersonId).SingleAsync(ct);
        await db.Set<AccountLink>().Where(l => l.PersonId == personId && l.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.UsedAt, now), ct);
        var person = await db.People.SingleAsync(p => p.Id == personId, ct);
        var account = await db.Set<Account>().SingleOrDefaultAsync(a => a.PersonId == personId, ct);
        SetPassword(db, person, account, password);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    /// <summary>Random demo passwords for the facilitator and the coordinators of a freshly seeded programme.</summary>
    public async Task<IReadOnlyDictionary<string, string>> CreateDemoPasswordsAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (await db.Set<Account>().AnyAsync(ct)) return new Dictionary<string, string>();
        var people = await (from person in db.People
                where !person.IsAdmin && db.ProgrammePeople.Any(p => p.PersonId == person.Id
                    && (p.Role == PersonRoles.Facilitator || p.Role == PersonRoles.Coordinator || p.Role == PersonRoles.Observer))
                orderby db.ProgrammePeople.Where(p => p.PersonId == person.Id).Min(p => p.Role), person.Email
                select person).ToListAsync(ct);
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

    private static bool WellFormed(string? token) => !string.IsNullOrWhiteSpace(token) && token.Length <= 200;

    private static string NewStamp() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
