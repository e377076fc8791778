using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Mentoring.Engine.Definitions;
using Mentoring.Engine.Runtime;
using Mentoring.Engine.Templates;
using Mentoring.Server.Email;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Tests.Email;

/// <summary>A message as MailDev caught it.</summary>
public sealed record CaughtMail(string Id, string MessageId, string Subject, string Text, string Html, IReadOnlyList<string> To);

/// <summary>The MailDev server tests/run.sh starts: its SMTP port and its REST API.</summary>
public sealed class MailDev
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private MailDev(string host, int port, string url) => (SmtpHost, SmtpPort, Url) = (host, port, url.TrimEnd('/'));

    public string SmtpHost { get; }
    public int SmtpPort { get; }
    public string Url { get; }

    /// <summary>Fails (never skips) when the test was not started through tests/run.sh.</summary>
    public static MailDev FromEnvironment()
    {
        var host = Environment.GetEnvironmentVariable("MENTORING_TEST_SMTP_HOST");
        var port = Environment.GetEnvironmentVariable("MENTORING_TEST_SMTP_PORT");
        var url = Environment.GetEnvironmentVariable("MENTORING_TEST_MAILDEV_URL");
        var smtpPort = 0;
        if (string.IsNullOrWhiteSpace(host) || !int.TryParse(port, out smtpPort) || string.IsNullOrWhiteSpace(url))
            Assert.Fail("MailDev is not configured (MENTORING_TEST_SMTP_HOST, MENTORING_TEST_SMTP_PORT, MENTORING_TEST_MAILDEV_URL). " +
                        "Run the tests with `bash tests/run.sh`, which starts MailDev and sets them.");
        return new MailDev(host!, smtpPort, url!);
    }

    /// <summary>Settings that point the app at MailDev (it speaks plain SMTP, no STARTTLS).</summary>
    public Dictionary<string, string?> Settings(IDictionary<string, string?>? more = null) => MailTestKit.SmtpSettings(SmtpHost, SmtpPort, more);

    public async Task ClearAsync() => (await Http.DeleteAsync($"{Url}/email/all")).EnsureSuccessStatusCode();

    public async Task<List<CaughtMail>> AllAsync()
    {
        var messages = await Http.GetFromJsonAsync<JsonArray>($"{Url}/email") ?? [];
        return messages.OfType<JsonObject>().Select(m => new CaughtMail((string?)m["id"] ?? "",
            (string?)m["headers"]?["message-id"] ?? (string?)m["messageId"] ?? "",
            (string?)m["subject"] ?? "", (string?)m["text"] ?? "", (string?)m["html"] ?? "",
            (m["to"] as JsonArray ?? []).Select(t => (string?)t?["address"] ?? "").ToList())).ToList();
    }

    /// <summary>The message as it came over the wire (MailDev's <c>html</c> field is re-serialized, not the original).</summary>
    public async Task<EmlFile> SourceAsync(CaughtMail mail) =>
        EmlFile.Parse((await Http.GetStringAsync($"{Url}/email/{mail.Id}/source")).ReplaceLineEndings("\r\n"));

    /// <summary>The messages with this Message-ID, once at least <paramref name="atLeast"/> of them arrived.</summary>
    public async Task<List<CaughtMail>> WaitForAsync(IReadOnlyCollection<string> messageIds, int atLeast, TimeSpan? timeout = null)
    {
        var ids = messageIds.Select(Bare).ToHashSet();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var found = (await AllAsync()).Where(m => ids.Contains(Bare(m.MessageId))).ToList();
            if (found.Count >= atLeast || DateTime.UtcNow > deadline) return found;
            await Task.Delay(100);
        }
    }

    public static string Bare(string messageId) => messageId.Trim().Trim('<', '>');
}

/// <summary>
/// A tiny SMTP server on loopback that answers what a test chooses: a reply per recipient (550 for an unknown mailbox,
/// 450 for a full one), a sign-in that is refused or accepted, as real servers do (MailDev accepts everything). It
/// counts connections and keeps the recipients of every message it accepted. A real socket server, not a mock: the
/// app's MailKit client talks SMTP to it.
/// </summary>
public sealed class ScriptedSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connections;
    private int _signIns;

    public ScriptedSmtpServer()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The reply to <c>RCPT TO</c> for an address; accepts every recipient unless set.</summary>
    public Func<string, string> RecipientReply { get; set; } = _ => "250 2.1.5 OK";

    /// <summary>When set, AUTH PLAIN is offered and answered with this ("535 5.7.8 ..." or "235 2.7.0 ...").</summary>
    public string? SignInReply { get; set; }

    public int Connections => Volatile.Read(ref _connections);
    public int SignIns => Volatile.Read(ref _signIns);

    /// <summary>The recipients of each message the server accepted, in order.</summary>
    public ConcurrentQueue<string> Delivered { get; } = new();

    /// <summary>Settings that point the app at this server.</summary>
    public Dictionary<string, string?> Settings(IDictionary<string, string?>? more = null) => MailTestKit.SmtpSettings("127.0.0.1", Port, more);

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                _ = ServeAsync(client);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.UTF8);
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 scripted.test ESMTP");
            var recipients = new List<string>();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = line.Split(' ', ':')[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-scripted.test");
                        if (SignInReply is not null) await writer.WriteLineAsync("250-AUTH PLAIN");
                        await writer.WriteLineAsync("250 8BITMIME");
                        break;
                    case "AUTH":
                        Interlocked.Increment(ref _signIns);
                        if (line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length < 3)
                        {
                            await writer.WriteLineAsync("334 ");
                            await reader.ReadLineAsync(_stop.Token);
                        }

                        await writer.WriteLineAsync(SignInReply ?? "503 5.5.1 AUTH not offered");
                        break;
                    case "MAIL":
                        recipients.Clear();
                        await writer.WriteLineAsync("250 2.1.0 OK");
                        break;
                    case "RCPT":
                        var address = line[(line.IndexOf('<') + 1)..line.IndexOf('>')];
                        var reply = RecipientReply(address);
                        if (reply.StartsWith('2')) recipients.Add(address);
                        await writer.WriteLineAsync(reply);
                        break;
                    case "DATA":
                        if (recipients.Count == 0)
                        {
                            await writer.WriteLineAsync("503 5.5.1 No valid recipients");
                            break;
                        }

                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        while (await reader.ReadLineAsync(_stop.Token) is { } data && data != ".")
                        {
                        }

                        foreach (var recipient in recipients) Delivered.Enqueue(recipient);
                        recipients.Clear();
                        await writer.WriteLineAsync("250 2.0.0 Queued");
                        break;
                    case "RSET":
                        recipients.Clear();
                        await writer.WriteLineAsync("250 2.0.0 OK");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 2.0.0 Bye");
                        return;
                    default:
                        await writer.WriteLineAsync("250 OK");
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
    }
}

/// <summary>Sends through the real transport, then runs <paramref name="afterAccept"/>: what happens on the node right
/// after the server said "250 OK".</summary>
public sealed class AfterAcceptTransport(IEmailTransport inner, Func<OutboxMessage, CancellationToken, Task> afterAccept) : IEmailTransport
{
    public string Destination => inner.Destination;

    public async Task<IEmailConnection> ConnectAsync(CancellationToken cancellationToken) =>
        new Connection(await inner.ConnectAsync(cancellationToken), afterAccept);

    private sealed class Connection(IEmailConnection inner, Func<OutboxMessage, CancellationToken, Task> afterAccept) : IEmailConnection
    {
        public async Task SendAsync(OutboxMessage message, RenderedEmail email, CancellationToken cancellationToken)
        {
            await inner.SendAsync(message, email, cancellationToken);
            await afterAccept(message, cancellationToken);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

public static class MailTestKit
{
    /// <summary>Settings that point the app at a plain (no TLS) SMTP server.</summary>
    public static Dictionary<string, string?> SmtpSettings(string host, int port, IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Email:SmtpHost"] = host, ["Email:SmtpPort"] = port.ToString(), ["Email:SmtpSecurity"] = "None",
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string?>()) settings[key] = value;
        return settings;
    }

    /// <summary>A loopback port nothing listens on: connecting is refused at once, like an SMTP server that is down.</summary>
    public static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Queues a task reminder to the mentee coordinator of the pair of <paramref name="menteeCity"/> the way a
    /// workflow does (OutboxWriter in a transaction), and returns the rows it wrote.</summary>
    public static async Task<List<OutboxMessage>> QueueReminderAsync(this MentoringApp app, string menteeCity = "livadeia",
        string title = "Needs assessment: who needs what", int count = 1)
    {
        await using var db = app.Db();
        var pair = await db.Groups.AsNoTracking().SingleAsync(p => db.GroupMembers.Any(m => m.GroupId == p.Id && m.Role == "mentee" && m.CityId == menteeCity));
        var instance = await db.Instances.SingleAsync(i => i.Id == pair.InstanceId);
        var context = await InstanceContext.LoadAsync(db, instance, WorkingHours.Default, CancellationToken.None);
        var writer = app.Service<OutboxWriter>();
        var now = app.Clock.GetUtcNow();
        for (var i = 0; i < count; i++)
            writer.Add(db, context, instance, new EmailRequested("task-reminder", [Role.Mentee], null, new Dictionary<string, string>
            {
                ["task.title"] = count == 1 ? title : $"{title} #{i + 1}", ["task.due"] = "2026-01-26", ["task.daysLeft"] = "7",
            }), now);
        var added = db.ChangeTracker.Entries<OutboxMessage>().Select(e => e.Entity).ToList();
        await db.SaveChangesAsync();
        return added;
    }

    public static async Task<OutboxMessage> RowAsync(this MentoringApp app, Guid id)
    {
        await using var db = app.Db();
        return await db.Outbox.AsNoTracking().SingleAsync(m => m.Id == id);
    }

    public static RenderedEmail Expected(this MentoringApp app, OutboxMessage row) =>
        app.Service<TemplateCatalog>().Render(row.Template, row.Language, (JsonObject)JsonNode.Parse(row.Model)!);

    /// <summary>A dispatcher of <paramref name="app"/>'s database and clock with its own transport settings, as another
    /// node (or the same node after its configuration changed) would have.</summary>
    /// <param name="wrap">Puts a test's transport around the real one (to act after the server accepted a message).</param>
    public static OutboxDispatcher Dispatcher(this MentoringApp app, string? smtpHost, int smtpPort, Action<EmailOptions>? configure = null,
        Func<IEmailTransport, IEmailTransport>? wrap = null)
    {
        var options = new EmailOptions
        {
            PublicUrl = app.Setting("Email:PublicUrl"), PickupDirectory = app.Setting("Email:PickupDirectory"),
            SmtpHost = smtpHost, SmtpPort = smtpPort, SmtpSecurity = MailKit.Security.SecureSocketOptions.None,
        };
        configure?.Invoke(options);
        var transport = EmailTransports.Create(options, app.Clock);
        return new OutboxDispatcher(app.Service<IDbContextFactory<Data.MentoringDb>>(), app.Service<TemplateCatalog>(),
            wrap is null ? transport : wrap(transport), Options.Create(options), app.Clock,
            NullLogger<OutboxDispatcher>.Instance, app.Service<OutboxSecrets>(), new EmailDeliveryStatus());
    }

    public static string Normalize(string body) => body.ReplaceLineEndings("\n").Trim();
}

/// <summary>Just enough of RFC 822/2045/2047 to read back what the pickup transport wrote.</summary>
public sealed partial class EmlFile
{
    public required IReadOnlyDictionary<string, string> Headers { get; init; }
    public required IReadOnlyDictionary<string, string> Bodies { get; init; }

    public static EmlFile Parse(string raw)
    {
        var (headers, body) = Split(raw);
        var bodies = new Dictionary<string, string>();
        var boundary = Regex.Match(headers["content-type"], "boundary=\"?([^\";]+)\"?").Groups[1].Value;
        foreach (var part in body.Split("--" + boundary).Skip(1))
        {
            if (part.StartsWith("--")) break;
            var (partHeaders, partBody) = Split(part.TrimStart('\r', '\n'));
            var type = partHeaders["content-type"].Split(';')[0].Trim();
            var encoding = partHeaders.GetValueOrDefault("content-transfer-encoding", "7bit").Trim().ToLowerInvariant();
            bodies[type] = encoding switch
            {
                "quoted-printable" => QuotedPrintable(partBody),
                "base64" => Encoding.UTF8.GetString(Convert.FromBase64String(partBody.Trim())),
                _ => partBody,
            };
        }

        return new EmlFile { Headers = headers, Bodies = bodies };
    }

    private static (Dictionary<string, string> Headers, string Body) Split(string raw)
    {
        var end = raw.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var unfolded = Regex.Replace(raw[..end], "\r\n[ \t]+", " ");
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in unfolded.Split("\r\n"))
        {
            var colon = line.IndexOf(':');
            headers[line[..colon].Trim().ToLowerInvariant()] = DecodeWords(line[(colon + 1)..].Trim());
        }

        return (headers, raw[(end + 4)..]);
    }

    private static string DecodeWords(string value)
    {
        // Adjacent encoded words are one string cut anywhere, even inside a character: join their bytes, then decode.
        value = Regex.Replace(value, @"\?=\s+=\?", "?==?");
        return EncodedRun().Replace(value, run =>
        {
            var bytes = new List<byte>();
            foreach (Match word in EncodedWord().Matches(run.Value))
                bytes.AddRange(word.Groups["enc"].Value.Equals("B", StringComparison.OrdinalIgnoreCase)
                    ? Convert.FromBase64String(word.Groups["text"].Value)
                    : QuotedPrintableBytes(word.Groups["text"].Value.Replace('_', ' ')));
            return Encoding.UTF8.GetString(bytes.ToArray());
        });
    }

    private static string QuotedPrintable(string text) => Encoding.UTF8.GetString(QuotedPrintableBytes(text.Replace("=\r\n", "")));

    private static byte[] QuotedPrintableBytes(string text)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '=' && i + 2 < text.Length && Uri.IsHexDigit(text[i + 1]) && Uri.IsHexDigit(text[i + 2]))
            {
                bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else bytes.AddRange(Encoding.UTF8.GetBytes(text[i].ToString()));
        }

        return bytes.ToArray();
    }

    [GeneratedRegex(@"(=\?utf-8\?[BQ]\?[^?]*\?=)+", RegexOptions.IgnoreCase)]
    private static partial Regex EncodedRun();

    [GeneratedRegex(@"=\?utf-8\?(?<enc>[BQ])\?(?<text>[^?]*)\?=", RegexOptions.IgnoreCase)]
    private static partial Regex EncodedWord();
}
