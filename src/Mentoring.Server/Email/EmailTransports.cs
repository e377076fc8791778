using System.Net;
using System.Net.Mail;
using System.Net.Mime;
using System.Text;
using Mentoring.Engine.Templates;

namespace Mentoring.Server.Email;

/// <summary>Hands one rendered email to the outside world. Throws <see cref="SmtpException"/> (or an I/O error) when it
/// could not; the dispatcher decides from the exception whether to retry.</summary>
public interface IEmailTransport
{
    Task SendAsync(OutboxMessage message, RenderedEmail email, CancellationToken cancellationToken);
}

public static class EmailTransports
{
    /// <summary>SMTP when a host is configured, otherwise .eml files in the pickup folder (the embedded default).</summary>
    public static IEmailTransport Create(EmailOptions options) =>
        string.IsNullOrWhiteSpace(options.SmtpHost) ? new PickupTransport(options) : new SmtpTransport(options);

    /// <summary>multipart/alternative with the plain-text and HTML bodies, all UTF-8, and the row's stable Message-ID.</summary>
    public static MailMessage ToMailMessage(OutboxMessage message, RenderedEmail email, EmailOptions options)
    {
        if (email.Subject.Contains('\n') || email.Subject.Contains('\r'))
            throw new InvalidOperationException($"The subject of '{message.Template}' ({email.Language}) spans more than one line.");
        var mail = new MailMessage
        {
            From = new MailAddress(options.FromAddress, options.FromName, Encoding.UTF8),
            Subject = email.Subject,
            SubjectEncoding = Encoding.UTF8,
            HeadersEncoding = Encoding.UTF8,
            BodyEncoding = Encoding.UTF8,
        };
        mail.To.Add(new MailAddress(message.RecipientEmail!, message.RecipientName, Encoding.UTF8));
        mail.Headers.Add("Message-ID", message.MessageId);
        mail.AlternateViews.Add(View(email.Text, MediaTypeNames.Text.Plain));
        mail.AlternateViews.Add(View(email.Html, MediaTypeNames.Text.Html));
        return mail;
    }

    private static AlternateView View(string body, string mediaType)
    {
        var view = AlternateView.CreateAlternateViewFromString(body, new ContentType(mediaType) { CharSet = "utf-8" });
        // Quoted-printable keeps Latin text readable in the raw .eml; Greek is encoded either way.
        view.TransferEncoding = TransferEncoding.QuotedPrintable;
        return view;
    }
}

/// <summary>Sends through the SMTP server of <see cref="EmailOptions.SmtpHost"/>, one connection per message
/// (<see cref="SmtpClient"/> does not pool), with STARTTLS and credentials when configured.</summary>
public sealed class SmtpTransport(EmailOptions options) : IEmailTransport
{
    public async Task SendAsync(OutboxMessage message, RenderedEmail email, CancellationToken cancellationToken)
    {
        using var mail = EmailTransports.ToMailMessage(message, email, options);
        using var client = new SmtpClient(options.SmtpHost, options.SmtpPort)
        {
            EnableSsl = options.UseStartTls,
            DeliveryMethod = SmtpDeliveryMethod.Network,
            Timeout = (int)options.SendTimeout.TotalMilliseconds,
        };
        if (!string.IsNullOrEmpty(options.Username))
            client.Credentials = new NetworkCredential(options.Username, options.Password);
        else
            client.UseDefaultCredentials = false;

        // SendMailAsync ignores SmtpClient.Timeout, so a server that stops answering is cut off here.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.SendTimeout);
        try
        {
            await client.SendMailAsync(mail, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The SMTP server {options.SmtpHost}:{options.SmtpPort} did not answer within {options.SendTimeout}.");
        }
    }
}

/// <summary>
/// Writes each message as an RFC 822 <c>.eml</c> file under <see cref="EmailOptions.PickupDirectory"/>, named after
/// the message (<c>20260105-080000-task-reminder-&lt;id&gt;.eml</c>), for a laptop install without a mail server: open
/// the file with any mail program. SmtpClient's pickup mode names files by a random GUID, so it writes into a private
/// folder and the file is then moved to its readable name.
/// </summary>
public sealed class PickupTransport(EmailOptions options) : IEmailTransport
{
    public async Task SendAsync(OutboxMessage message, RenderedEmail email, CancellationToken cancellationToken)
    {
        var folder = Path.GetFullPath(options.PickupDirectory);
        var staging = Path.Combine(folder, ".staging", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        try
        {
            using var mail = EmailTransports.ToMailMessage(message, email, options);
            using var client = new SmtpClient
            {
                DeliveryMethod = SmtpDeliveryMethod.SpecifiedPickupDirectory, PickupDirectoryLocation = staging,
            };
            await client.SendMailAsync(mail, cancellationToken);
            var written = Directory.EnumerateFiles(staging, "*.eml").Single();
            File.Move(written, Path.Combine(folder, FileName(message)), overwrite: true);
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>Sorts by creation time, says what it is, and is unique per message (a resend overwrites its own file).</summary>
    public static string FileName(OutboxMessage message)
    {
        var id = new string(message.MessageId.Trim('<', '>').TakeWhile(c => c != '@').Where(char.IsAsciiLetterOrDigit).ToArray());
        return $"{message.CreatedAt.UtcDateTime:yyyyMMdd-HHmmss}-{message.Template}-{id}.eml";
    }
}
