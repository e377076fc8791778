using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;
using Mentoring.Engine.Templates;
using MimeKit;
using MimeKit.Text;

namespace Mentoring.Server.Email;

/// <summary>Hands rendered emails to the outside world, one dispatch batch at a time: <see cref="ConnectAsync"/> opens
/// what the batch is sent through (one SMTP conversation), the dispatcher sends each message of the batch on it and
/// then disposes it. Failures are thrown as they come (MailKit's <see cref="SmtpCommandException"/>,
/// <see cref="AuthenticationException"/>, socket and I/O errors); the dispatcher decides from them what to do.</summary>
public interface IEmailTransport
{
    /// <summary>Where mail goes, for the log and the reasons a message failed: <c>host:port</c> or the pickup folder.</summary>
    string Destination { get; }

    /// <summary>Connects (and signs in, when credentials are set), within <see cref="EmailOptions.SendTimeout"/>.</summary>
    Task<IEmailConnection> ConnectAsync(CancellationToken cancellationToken);
}

/// <summary>One open conversation with the mail server; disposing it ends the conversation (QUIT).</summary>
public interface IEmailConnection : IAsyncDisposable
{
    Task SendAsync(OutboxMessage message, RenderedEmail email, CancellationToken cancellationToken);
}

public static class EmailTransports
{
    /// <summary>SMTP when a host is configured, otherwise .eml files in the pickup folder (the embedded default).</summary>
    public static IEmailTransport Create(EmailOptions options, TimeProvider clock) =>
        string.IsNullOrWhiteSpace(options.SmtpHost) ? new PickupTransport(options, clock) : new SmtpTransport(options, clock);

    /// <summary>multipart/alternative with the plain-text and HTML bodies, all UTF-8, and the row's stable Message-ID.</summary>
    public static MimeMessage ToMimeMessage(OutboxMessage message, RenderedEmail email, EmailOptions options, DateTimeOffset date)
    {
        if (email.Subject.Contains('\n') || email.Subject.Contains('\r'))
            throw new InvalidOperationException($"The subject of '{message.Template}' ({email.Language}) spans more than one line.");
        var mime = new MimeMessage { Date = date, MessageId = message.MessageId.Trim().Trim('<', '>') };
        // UTF-8 for every encoded word: MimeKit would otherwise pick the smallest charset that fits (Latin-1 for French).
        mime.From.Add(new MailboxAddress(Encoding.UTF8, SenderName(message, options), options.FromAddress));
        mime.To.Add(new MailboxAddress(Encoding.UTF8, message.RecipientName, message.RecipientEmail!));
        mime.Headers.Replace(HeaderId.Subject, Encoding.UTF8, email.Subject);
        var body = new MultipartAlternative { Part(TextFormat.Plain, email.Text), Part(TextFormat.Html, email.Html) };
        mime.Body = message.Attachment is null ? body : new Multipart("mixed") { body, Attachment(message) };
        return mime;
    }

    /// <summary><c>Email:FromName</c> when set, else the name of the programme the message is of, as its model has it
    /// (in the recipient's language), else the product's name.</summary>
    public static string SenderName(OutboxMessage message, EmailOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.FromName)) return options.FromName;
        try
        {
            if (JsonNode.Parse(message.Model)?["programme"]?["name"] is JsonValue value && value.TryGetValue<string>(out var name)
                && !string.IsNullOrWhiteSpace(name))
                return name.ReplaceLineEndings(" ");
        }
        catch (JsonException)
        {
            // An unreadable model is refused by the renderer before any send; the sender still has a name.
        }

        return Programme.ProgrammeTerms.ProductName;
    }

    /// <summary>The message's attachment as a UTF-8 part of its own type (<c>text/calendar; method=REQUEST</c> for an
    /// invitation, which calendar clients offer to add), base64 so no line of it is rewrapped on the way.</summary>
    private static MimePart Attachment(OutboxMessage message)
    {
        var type = ContentType.Parse(message.AttachmentType ?? "application/octet-stream");
        if (type.MediaType.Equals("text", StringComparison.OrdinalIgnoreCase)) type.Charset = "utf-8";
        return new MimePart(type)
        {
            Content = new MimeContent(new MemoryStream(Encoding.UTF8.GetBytes(message.Attachment!))),
            ContentDisposition = new ContentDisposition(ContentDisposition.Attachment),
            ContentTransferEncoding = ContentEncoding.Base64,
            FileName = message.AttachmentName ?? "attachment",
        };
    }

    private static TextPart Part(TextFormat format, string body)
    {
        // Quoted-printable keeps Latin text readable in the raw .eml; Greek is encoded either way.
        var part = new TextPart(format) { ContentTransferEncoding = ContentEncoding.QuotedPrintable };
        part.SetText(Encoding.UTF8, body);
        return part;
    }

    /// <summary>A token that is cancelled by <paramref name="cancellationToken"/> or after <paramref name="limit"/>.</summary>
    internal static CancellationTokenSource Within(TimeSpan limit, CancellationToken cancellationToken)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        return timeout;
    }
}

/// <summary>Sends through the SMTP server of <see cref="EmailOptions.SmtpHost"/> with MailKit: one connection per
/// dispatch batch, secured as <see cref="EmailOptions.SmtpSecurity"/> says, signed in when a user name is set.</summary>
public sealed class SmtpTransport(EmailOptions options, TimeProvider clock) : IEmailTransport
{
    private EmailOptions Options => options;
    private TimeProvider Clock => clock;

    public string Destination => $"{options.SmtpHost}:{options.SmtpPort}";

    public async Task<IEmailConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        // Timeout bounds each read and write on the socket; the token below bounds the whole exchange.
        var client = new SmtpClient { Timeout = (int)Math.Min(int.MaxValue, options.SendTimeout.TotalMilliseconds) };
        try
        {
            await OpenAsync(client, cancellationToken);
            return new Connection(this, client);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private async Task OpenAsync(SmtpClient client, CancellationToken cancellationToken)
    {
        using var timeout = EmailTransports.Within(options.SendTimeout, cancellationToken);
        try
        {
            await client.ConnectAsync(options.SmtpHost!, options.SmtpPort, options.SmtpSecurity, timeout.Token);
            if (!string.IsNullOrEmpty(options.Username))
                await client.AuthenticateAsync(options.Username, options.Password ?? "", timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The SMTP server {Destination} did not answer within {options.SendTimeout}.");
        }
    }

    private sealed class Connection(SmtpTransport transport, SmtpClient client) : IEmailConnection
    {
        public async Task SendAsync(OutboxMessage message, RenderedEmail email, CancellationToken cancellationToken)
        {
            var mime = EmailTransports.ToMimeMessage(message, email, transport.Options, transport.Clock.GetUtcNow());
            // A server that closed the conversation between two messages (a limit per connection) gets a new one.
            if (!client.IsConnected) await transport.OpenAsync(client, cancellationToken);
            using var timeout = EmailTransports.Within(transport.Options.SendTimeout, cancellationToken);
            try
            {
                await client.SendAsync(mime, timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"The SMTP server {transport.Destination} did not accept the message within {transport.Options.SendTimeout}.");
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (client.IsConnected)
                {
                    using var timeout = EmailTransports.Within(transport.Options.SendTimeout, CancellationToken.None);
                    await client.DisconnectAsync(quit: true, timeout.Token);
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SmtpProtocolException or SmtpCommandException
                                          or System.Net.Sockets.SocketException)
            {
                // Every message is recorded by now; a QUIT the server does not answer changes nothing.
            }
            finally
            {
                client.Dispose();
            }
        }
    }
}

/// <summary>
/// Writes each message as an RFC 822 <c>.eml</c> file under <see cref="EmailOptions.PickupDirectory"/>, named after
/// the message (<c>20260105-080000-task-reminder-&lt;id&gt;.eml</c>), for a laptop install without a mail server: open
/// the file with any mail program. The file is written under a temporary name and then renamed, so a mail program
/// watching the folder never opens half a message.
/// </summary>
public sealed class PickupTransport(EmailOptions options, TimeProvider clock) : IEmailTransport, IEmailConnection
{
    private static readonly FormatOptions Format = CrLf();

    public string Destination => "the pickup folder";

    public Task<IEmailConnection> ConnectAsync(CancellationToken cancellationToken) => Task.FromResult<IEmailConnection>(this);

    public async Task SendAsync(OutboxMessage message, RenderedEmail email, CancellationToken cancellationToken)
    {
        var folder = Path.GetFullPath(options.PickupDirectory);
        Directory.CreateDirectory(folder);
        var mime = EmailTransports.ToMimeMessage(message, email, options, clock.GetUtcNow());
        var partial = Path.Combine(folder, $".{Guid.NewGuid():N}.partial");
        try
        {
            await using (var file = File.Create(partial)) await mime.WriteToAsync(Format, file, cancellationToken);
            File.Move(partial, Path.Combine(folder, FileName(message)), overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Sorts by creation time, says what it is, and is unique per message (a resend overwrites its own file).</summary>
    public static string FileName(OutboxMessage message)
    {
        var id = new string(message.MessageId.Trim('<', '>').TakeWhile(c => c != '@').Where(char.IsAsciiLetterOrDigit).ToArray());
        return $"{message.CreatedAt.UtcDateTime:yyyyMMdd-HHmmss}-{message.Template}-{id}.eml";
    }

    /// <summary>RFC 5322 line endings, as a message on the wire has, whatever the platform's.</summary>
    private static FormatOptions CrLf()
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        return format;
    }
}
