using System.Data.Common;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mentoring.Engine.Templates;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Mentoring.Server.Data;
using Mentoring.Server.Programme;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using Telemetry = Mentoring.Server.Hosting.Telemetry;

namespace Mentoring.Server.Email;

/// <summary>
/// Sends what the workflows put in the outbox. Safe to run on every node at once: a message is only sent by the
/// dispatcher holding its lease (<c>locked_until</c>), taken in one short statement - with <c>FOR UPDATE SKIP LOCKED</c>
/// on PostgreSQL, so two nodes never claim the same row.
/// </summary>
/// <remarks>
/// Exactly-once is not possible with SMTP; this is at-least-once with one narrow window. A dispatcher claims a small
/// batch (<see cref="EmailOptions.BatchSize"/>) and sends it one message at a time; it starts a send only while its
/// lease outlasts the send's time limit plus the commit after it (renewing the lease when it would not), and it marks
/// each message sent in its own commit as soon as the server has accepted it, before anything else - also when
/// shutdown has begun, which stops the batch between two messages, never inside a send. So a message goes twice only
/// if the process dies (kill -9, power loss) or loses the database between the server's "250 OK" and that commit: at
/// most the one message each dispatcher had in flight, sent again once its lease has run out. The row's Message-ID is
/// the same on every attempt, so a receiving server or mail client that drops duplicates by Message-ID drops it.
/// </remarks>
public sealed class OutboxDispatcher(
    IDbContextFactory<MentoringDb> dbs,
    TemplateCatalog templates,
    IEmailTransport transport,
    IOptions<EmailOptions> options,
    TimeProvider clock,
    ILogger<OutboxDispatcher> logger,
    OutboxSecrets secrets,
    EmailDeliveryStatus status)
{
    /// <summary>Time left on a lease, beyond the send's own limit, for recording the outcome of the send.</summary>
    public static readonly TimeSpan RecordAllowance = TimeSpan.FromSeconds(10);

    private EmailOptions Options => options.Value;

    /// <summary>How long a claim or a renewal holds its messages: <see cref="EmailOptions.LeaseFor"/>, but never less
    /// than one send and its record.</summary>
    private TimeSpan LeaseFor => Options.LeaseFor > Options.SendTimeout + RecordAllowance ? Options.LeaseFor : Options.SendTimeout + RecordAllowance;

    /// <summary>Sends every message that is due, batch by batch, one connection per batch; returns how many were
    /// delivered. Cancelling stops it before the next message; the send in progress finishes (within
    /// <see cref="EmailOptions.SendTimeout"/>) and is recorded, and the rest of the batch is let go at once. A failure of
    /// the server rather than of one message (it is down, it refused the sign-in) ends the run after its batch.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken)
    {
        // After a refused sign-in, the same credentials are tried again only once the wait is over.
        if (status.SignInRefused is { } refused && clock.GetUtcNow() < refused.RetryAt) return 0;
        var delivered = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var batch = await ClaimAsync(cancellationToken);
            if (batch.Count == 0) return delivered;
            var (sent, serverFailed) = await SendBatchAsync(batch, cancellationToken);
            delivered += sent;
            if (serverFailed || batch.Count < Options.BatchSize) return delivered;
        }

        return delivered;
    }

    /// <summary>Sends one claimed batch over one connection; returns how many were delivered and whether the server
    /// failed (so the run stops: the next batch would fail the same way).</summary>
    private async Task<(int Delivered, bool ServerFailed)> SendBatchAsync(List<OutboxMessage> batch, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.Source.StartActivity("email.batch");
        activity?.SetTag("mentoring.batch.size", batch.Count).SetTag("server.address", transport.Destination);
        var lease = batch[0].LockedUntil!.Value;
        var done = 0;
        var delivered = 0;
        IEmailConnection? connection = null;
        try
        {
            try
            {
                connection = await transport.ConnectAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return (0, true);
            }
            catch (Exception e)
            {
                var failure = Classify(e);
                activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, failure.Reason);
                await ServerFailedAsync(batch, failure, e);
                done = batch.Count;
                return (0, true);
            }

            status.SignedIn();
            while (done < batch.Count && !cancellationToken.IsCancellationRequested)
            {
                var rest = batch.Skip(done).Select(m => m.Id).ToList();
                if (!Covers(lease))
                {
                    var (renewed, lost) = await RenewAsync(rest, lease);
                    lease = renewed;
                    // Only when this dispatcher stalled past its lease: another has those messages now.
                    batch.RemoveAll(m => lost.Contains(m.Id));
                    if (done >= batch.Count) break;
                }

                var message = batch[done];
                var failure = await SendAsync(connection, message);
                // A refused sign-in leaves this message as it was too; any other failure has been recorded for it.
                if (failure?.Scope != FailureScope.Authentication) done++;
                if (failure is null) delivered++;
                else if (failure.Scope != FailureScope.Message)
                {
                    // The connection is gone or the server refused us: the rest of the batch shares the message's fate.
                    await ServerFailedAsync(batch.Skip(done).ToList(), failure, null);
                    done = batch.Count;
                    return (delivered, true);
                }
            }
        }
        finally
        {
            activity?.SetTag("mentoring.batch.delivered", delivered);
            // Stopped half-way (shutdown, an error): let the rest go now rather than when their lease runs out.
            if (done < batch.Count) await ReleaseAsync(batch.Skip(done).Select(m => m.Id).ToList(), lease);
            if (connection is not null) await connection.DisposeAsync();
        }

        return (delivered, false);
    }

    /// <summary>The server, not a message, failed: a connection failure counts as a failed attempt of every message it
    /// kept from being sent (each retries with backoff); a refused sign-in is no message's fault, so they are let go
    /// untouched but for the reason, and this node waits before it signs in again.</summary>
    private async Task ServerFailedAsync(List<OutboxMessage> messages, SendFailure failure, Exception? exception)
    {
        if (failure.Scope != FailureScope.Authentication)
        {
            foreach (var message in messages) await FailAsync(message, failure.Permanent, failure.Reason, exception);
            return;
        }

        var refusal = status.Refused(failure.Reason, clock.GetUtcNow(), Options);
        logger.LogError(exception, "No email is sent: {Reason}. Trying again at {RetryAt:u}", failure.Reason, refusal.RetryAt);
        var ids = messages.Select(m => m.Id).ToList();
        await using var db = await dbs.CreateDbContextAsync(CancellationToken.None);
        await db.Outbox.Where(m => ids.Contains(m.Id) && m.Status == OutboxStatus.Pending)
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.LastError, $"Not sent yet: {failure.Reason}")
                .SetProperty(m => m.LockedUntil, (DateTimeOffset?)null), CancellationToken.None);
    }

    /// <summary>Deletes delivered mail older than <see cref="EmailOptions.KeepSentFor"/>; returns how many rows went.</summary>
    public async Task<int> DeleteDeliveredAsync(CancellationToken cancellationToken)
    {
        var before = clock.GetUtcNow() - Options.KeepSentFor;
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.Outbox.Where(m => m.Status == OutboxStatus.Sent && m.SentAt < before).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Whether the lease surely outlasts a send started now and the commit that records it.</summary>
    private bool Covers(DateTimeOffset lease) => clock.GetUtcNow() + Options.SendTimeout + RecordAllowance < lease;

    /// <summary>A lease time from now, in whole milliseconds so that both databases store exactly this value (it is
    /// compared to tell this dispatcher's rows from another's).</summary>
    private DateTimeOffset NewLease()
    {
        var until = clock.GetUtcNow() + LeaseFor;
        return new DateTimeOffset(until.UtcTicks - until.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
    }

    /// <summary>Extends the lease on the batch's unsent messages that still carry <paramref name="lease"/>; returns the
    /// new lease and the messages that no longer carried it.</summary>
    private async Task<(DateTimeOffset Lease, HashSet<Guid> Lost)> RenewAsync(List<Guid> ids, DateTimeOffset lease)
    {
        var renewed = NewLease();
        await using var db = await dbs.CreateDbContextAsync(CancellationToken.None);
        var count = await db.Outbox.Where(m => ids.Contains(m.Id) && m.Status == OutboxStatus.Pending && m.LockedUntil == lease)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.LockedUntil, renewed), CancellationToken.None);
        if (count == ids.Count) return (renewed, []);
        var kept = await db.Outbox.Where(m => ids.Contains(m.Id) && m.Status == OutboxStatus.Pending && m.LockedUntil == renewed)
            .Select(m => m.Id).ToListAsync(CancellationToken.None);
        logger.LogWarning("The outbox lease ran out while this dispatcher held it; {Lost} message(s) were left to another",
            ids.Count - kept.Count);
        return (renewed, ids.Except(kept).ToHashSet());
    }

    /// <summary>Takes a lease on up to a batch of due messages and loads them.</summary>
    private async Task<List<OutboxMessage>> ClaimAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var until = NewLease();
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        // One statement, so one short transaction. SQLite has a single writer, so its conditional UPDATE cannot
        // interleave with another node's; PostgreSQL needs SKIP LOCKED to let two nodes claim disjoint rows at once.
        var sql = $"""
            UPDATE outbox_messages SET locked_until = @until
            WHERE id IN (
                SELECT id FROM outbox_messages
                WHERE status = 'pending' AND next_attempt_at <= @now AND (locked_until IS NULL OR locked_until <= @now)
                ORDER BY next_attempt_at
                LIMIT @take{(db.IsSqlite ? "" : " FOR UPDATE SKIP LOCKED")})
            RETURNING id
            """;
        var ids = new List<Guid>();
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = sql;
            Parameter(command, "until", db.IsSqlite ? until.UtcTicks : until.ToUniversalTime());
            Parameter(command, "now", db.IsSqlite ? now.UtcTicks : now.ToUniversalTime());
            Parameter(command, "take", Options.BatchSize);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) ids.Add(reader.GetGuid(0));
        }

        if (ids.Count == 0) return [];
        return await db.Outbox.AsNoTracking().Where(m => ids.Contains(m.Id)).OrderBy(m => m.NextAttemptAt)
            .ToListAsync(cancellationToken);
    }

    private static void Parameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>The words of the programme <paramref name="message"/> was queued for, in its language: the programme of its
    /// workflow instance, or none for a message without one.</summary>
    private async Task<ProgrammeTerms> TermsAsync(OutboxMessage message)
    {
        await using var db = await dbs.CreateDbContextAsync(CancellationToken.None);
        var programmeId = message.InstanceId is { } instanceId
            ? await db.Instances.AsNoTracking().Where(i => i.Id == instanceId).Select(i => i.ProgrammeId).SingleOrDefaultAsync(CancellationToken.None)
            : null;
        return await ProgrammeTerms.LoadAsync(db, programmeId, message.Language, CancellationToken.None);
    }

    /// <summary>Renders and sends one leased message on <paramref name="connection"/> and records the outcome; null when
    /// it was delivered, else why not. A refused sign-in is left to the caller to record, for the whole batch.</summary>
    private async Task<SendFailure?> SendAsync(IEmailConnection connection, OutboxMessage message)
    {
        if (string.IsNullOrWhiteSpace(message.RecipientEmail))
            return await FailAsync(message, new SendFailure(FailureScope.Message, true, $"{message.RecipientName} has no email address."), null);

        RenderedEmail email;
        try
        {
            var model = JsonNode.Parse(message.Model) as JsonObject
                        ?? throw new JsonException("the model is not a JSON object");
            secrets.Reveal(message, model);
            if (OutboxWriter.NeedsUpgrade(model)) OutboxWriter.Upgrade(model, await TermsAsync(message));
            email = templates.Render(message.Template, message.Language, model);
        }
        catch (Exception e)
        {
            return await FailAsync(message, new SendFailure(FailureScope.Message, true,
                $"The template '{message.Template}' ({message.Language}) could not be rendered: {e.Message}"), e);
        }

        try
        {
            // Not the shutdown token: a send cut off after the server's "250 OK" but before the client returned would
            // leave the message unrecorded and sent again. The transport's own limit (SendTimeout) bounds the wait.
            await connection.SendAsync(message, email, CancellationToken.None);
        }
        catch (Exception e)
        {
            var failure = Classify(e);
            if (failure.Scope == FailureScope.Authentication) return failure;
            return await FailAsync(message, failure, e);
        }

        // The first thing after the server accepted it, in its own commit, even when shutdown has begun: the server
        // has the message now, and forgetting that is what would send it twice.
        var now = clock.GetUtcNow();
        await using var db = await dbs.CreateDbContextAsync(CancellationToken.None);
        await db.Outbox.Where(m => m.Id == message.Id && m.Status == OutboxStatus.Pending)
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, OutboxStatus.Sent)
                .SetProperty(m => m.SentAt, now)
                .SetProperty(m => m.Attempts, m => m.Attempts + 1)
                .SetProperty(m => m.LastError, (string?)null)
                .SetProperty(m => m.SecretModel, (string?)null)
                .SetProperty(m => m.LockedUntil, (DateTimeOffset?)null), CancellationToken.None);
        Telemetry.EmailSent(message, now);
        logger.LogInformation("Sent email {Template} ({Language}) to {Recipient} as {MessageId}",
            message.Template, email.Language, message.RecipientEmail, message.MessageId);
        return null;
    }

    /// <summary>What a failure means, from the SMTP reply and the command it answered. A refused recipient (5xx to RCPT
    /// TO, such as 550 or 553) or message will not get better by retrying: that message is dead and the batch goes on.
    /// A 4xx reply is retried with backoff, and the batch goes on (MailKit resets the transaction, the connection
    /// stays). A lost or refused connection, a timeout or 421 (the server is closing) is retried with backoff, with
    /// the rest of the batch. A refused sign-in is the settings' fault: nothing is sent until it is fixed.</summary>
    internal SendFailure Classify(Exception e)
    {
        var server = transport.Destination;
        switch (e)
        {
            case AuthenticationException:
                return new(FailureScope.Authentication, false,
                    $"{server} refused the sign-in as '{Options.Username}' ({Describe(e)}); check {EmailOptions.Section}:Username and {EmailOptions.Section}:Password");
            case ServiceNotAuthenticatedException:
            case SmtpCommandException { StatusCode: SmtpStatusCode.AuthenticationRequired or SmtpStatusCode.AuthenticationInvalidCredentials
                or SmtpStatusCode.AuthenticationMechanismTooWeak or SmtpStatusCode.EncryptionRequiredForAuthenticationMechanism }:
                return new(FailureScope.Authentication, false,
                    $"{server} requires a sign-in it did not get ({Describe(e)}); check {EmailOptions.Section}:Username, Password and SmtpSecurity");
            case SmtpCommandException { StatusCode: SmtpStatusCode.ServiceNotAvailable } closing:
                return new(FailureScope.Connection, false, $"Could not deliver to {server} ({Reply(closing)}): {Describe(e)}");
            case SmtpCommandException { ErrorCode: SmtpErrorCode.RecipientNotAccepted } recipient when (int)recipient.StatusCode >= 500:
                return new(FailureScope.Message, true,
                    $"Rejected by {server}: the recipient {recipient.Mailbox?.Address} was refused ({Reply(recipient)}): {Describe(e)}",
                    Short(recipient));
            case SmtpCommandException command when (int)command.StatusCode is >= 500 and < 600:
                return new(FailureScope.Message, true, $"Rejected by {server} ({Command(command)}, {Reply(command)}): {Describe(e)}",
                    Short(command));
            case SmtpCommandException command when (int)command.StatusCode is >= 400 and < 500:
                return new(FailureScope.Message, false, $"Deferred by {server} ({Command(command)}, {Reply(command)}): {Describe(e)}",
                    Short(command));
            case ParseException or FormatException:
                return new(FailureScope.Message, true, $"Not a valid email address or header: {Describe(e)}", $"Not a valid address: {e.Message}");
            case InvalidOperationException when e.Message.Contains("subject", StringComparison.OrdinalIgnoreCase):
                return new(FailureScope.Message, true, Describe(e));
            case NotSupportedException:
                return new(FailureScope.Connection, false,
                    $"Could not deliver to {server} ({Describe(e)}); check {EmailOptions.Section}:SmtpSecurity");
            case TimeoutException or SocketException or IOException or SmtpProtocolException or ServiceNotConnectedException
                or SslHandshakeException or SmtpCommandException:
                return new(FailureScope.Connection, false, $"Could not deliver to {server}: {Describe(e)}");
            default:
                return new(FailureScope.Message, false, $"Unexpected error sending to {server}: {Describe(e)}");
        }
    }

    private static string Reply(SmtpCommandException e) => $"{(int)e.StatusCode} {e.StatusCode}";

    /// <summary>The server's reply as the facilitator reads it on a bounce flag: its code and its words.</summary>
    private static string Short(SmtpCommandException e) => $"{(int)e.StatusCode} {e.Message.Trim()}";

    private static string Command(SmtpCommandException e) => e.ErrorCode switch
    {
        SmtpErrorCode.SenderNotAccepted => "MAIL FROM",
        SmtpErrorCode.RecipientNotAccepted => "RCPT TO",
        SmtpErrorCode.MessageNotAccepted => "DATA",
        _ => "reply",
    };

    /// <summary>The messages of an exception and its inner ones, each once.</summary>
    internal static string Describe(Exception e)
    {
        var parts = new List<string>();
        for (var current = e; current is not null; current = current.InnerException)
            if (!parts.Contains(current.Message.Trim())) parts.Add(current.Message.Trim());
        return string.Join(" -> ", parts);
    }

    private async Task<SendFailure> FailAsync(OutboxMessage message, SendFailure failure, Exception? exception)
    {
        await FailAsync(message, failure.Permanent, failure.Reason, exception, failure.Bounce);
        return failure;
    }

    /// <param name="bounce">The server's refusal in short when the failure is the address's (<see cref="SendFailure.Bounce"/>):
    /// a message that dies of it flags its recipient on the facilitator's dashboard (<see cref="EmailBounces"/>).</param>
    private async Task FailAsync(OutboxMessage message, bool permanent, string reason, Exception? exception, string? bounce = null)
    {
        var now = clock.GetUtcNow();
        var attempts = message.Attempts + 1;
        var dead = permanent || attempts >= Options.MaxAttempts;
        if (dead && !permanent) reason = $"Gave up after {attempts} attempts. Last error: {reason}";
        var next = dead ? now : now + Backoff(attempts, Options, Random.Shared.NextDouble());
        if (dead) Telemetry.EmailDead(message);
        if (dead)
            logger.LogError(exception, "Email {Template} to {Recipient} ({MessageId}) is dead: {Error}",
                message.Template, message.RecipientEmail ?? message.RecipientName, message.MessageId, reason);
        else
            logger.LogWarning(exception, "Email {Template} to {Recipient} ({MessageId}) failed (attempt {Attempt} of {MaxAttempts}); next try at {NextAttempt:u}: {Error}",
                message.Template, message.RecipientEmail, message.MessageId, attempts, Options.MaxAttempts, next, reason);

        await using var db = await dbs.CreateDbContextAsync(CancellationToken.None);
        // The message dies and its bounce is recorded in one transaction: only the dispatcher whose update marked it dead
        // records the bounce, so a second node or a retry records none.
        var flags = dead && bounce is not null;
        await using var transaction = flags ? await db.Database.BeginTransactionAsync(CancellationToken.None) : null;
        var marked = await db.Outbox.Where(m => m.Id == message.Id && m.Status == OutboxStatus.Pending)
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Status, dead ? OutboxStatus.Dead : OutboxStatus.Pending)
                .SetProperty(m => m.Attempts, attempts)
                .SetProperty(m => m.NextAttemptAt, next)
                .SetProperty(m => m.LastError, reason)
                .SetProperty(m => m.SecretModel, m => dead ? null : m.SecretModel)
                .SetProperty(m => m.LockedUntil, (DateTimeOffset?)null), CancellationToken.None);
        if (transaction is null) return;
        if (marked == 1)
        {
            EmailBounces.Add(db, message, bounce!, now);
            await db.SaveChangesAsync(CancellationToken.None);
        }

        await transaction.CommitAsync(CancellationToken.None);
    }

    /// <summary>Gives up our lease; a row another node has leased since (ours ran out) keeps that node's lease.</summary>
    private async Task ReleaseAsync(IReadOnlyCollection<Guid> ids, DateTimeOffset? lease)
    {
        await using var db = await dbs.CreateDbContextAsync(CancellationToken.None);
        await db.Outbox.Where(m => ids.Contains(m.Id) && m.Status == OutboxStatus.Pending && m.LockedUntil == lease)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.LockedUntil, (DateTimeOffset?)null), CancellationToken.None);
    }

    /// <summary>The wait after the <paramref name="attempts"/>-th failure: <see cref="EmailOptions.FirstRetryDelay"/>,
    /// doubling each time, capped at <see cref="EmailOptions.MaxRetryDelay"/>, then spread by +/-20% (from
    /// <paramref name="random"/> in [0, 1)) so messages that failed together during an outage do not all retry together.</summary>
    public static TimeSpan Backoff(int attempts, EmailOptions options, double random)
    {
        var max = options.MaxRetryDelay.TotalSeconds;
        var exponential = options.FirstRetryDelay.TotalSeconds * Math.Pow(2, Math.Clamp(attempts - 1, 0, 30));
        var jittered = Math.Min(exponential, max) * (0.8 + 0.4 * random);
        return TimeSpan.FromSeconds(Math.Min(jittered, max));
    }
}

/// <summary>How far a failure reaches: the one message, the connection (and so the rest of the batch), or every
/// message until the credentials are fixed.</summary>
public enum FailureScope { Message, Connection, Authentication }

/// <summary>Why a message was not sent, whether retrying can help, and how far the failure reaches.</summary>
/// <param name="Bounce">When the failure is the recipient address's (a 5xx or 4xx reply to the message, an invalid
/// address): the server's reply in short, for the bounce flag should the message die of it. Null for a failure of the
/// server, the connection or the template, which says nothing about the address.</param>
public sealed record SendFailure(FailureScope Scope, bool Permanent, string Reason, string? Bounce = null);
