using System.Diagnostics;
using System.Diagnostics.Metrics;
using Mentoring.Engine.Runtime;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Mentoring.Server.Hosting;

/// <summary>
/// The app's own traces and metrics, all under the name <see cref="Name"/>: a span per resume, sweep and email batch,
/// and the counters an operator watches (resumes, nudges, email sent and given up, the outbox's depth, how long due
/// email waits). The instruments are static, as .NET's own libraries have them, so that the code they measure calls
/// them in one line without taking another dependency; they cost nothing while nobody listens.
/// </summary>
public static class Telemetry
{
    public const string Name = "Mentoring";

    /// <summary>Set, an OTLP endpoint turns the export on; unset, nothing is collected or sent.</summary>
    public const string EndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    private static readonly Counter<long> Resumes = Meter.CreateCounter<long>("mentoring.workflow.resumes", "{resume}",
        "Commands run against a workflow instance, by command and outcome (applied, rejected, conflict, ...).");

    private static readonly Counter<long> Nudges = Meter.CreateCounter<long>("mentoring.nudges.sent", "{nudge}",
        "Nudges (reminders, escalations, follow-ups) written to the outbox by the sweep.");

    private static readonly Histogram<double> NudgeLag = Meter.CreateHistogram<double>("mentoring.nudges.lag", "s",
        "From a nudge timer's due time to the sweep that wrote its email.");

    private static readonly Counter<long> EmailsSent = Meter.CreateCounter<long>("mentoring.email.sent", "{email}",
        "Emails the SMTP server (or the pickup folder) accepted, by template.");

    private static readonly Counter<long> DeadLetters = Meter.CreateCounter<long>("mentoring.email.dead_letters", "{email}",
        "Emails the dispatcher gave up on (refused, unrenderable, or out of attempts), by template.");

    private static readonly Histogram<double> DueToSent = Meter.CreateHistogram<double>("mentoring.email.due_to_sent", "s",
        "From the moment an email was due (queued in the outbox) to the server's acceptance, retries included.");

    private static Func<long?>? _outboxDepth;

    static Telemetry() =>
        Meter.CreateObservableGauge("mentoring.email.outbox_depth", () => _outboxDepth?.Invoke() is { } depth
                ? [new Measurement<long>(depth)] : Array.Empty<Measurement<long>>(),
            "{email}", "Emails waiting to be sent (pending, due or not), read from the database when metrics are collected.");

    /// <summary>Registers the traces and metrics; the OTLP export only when <see cref="EndpointSetting"/> is set
    /// (environment or configuration; the exporter reads its other <c>OTEL_*</c> settings itself).</summary>
    public static IHostApplicationBuilder AddMentoringTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<OutboxDepthProbe>();
        if (string.IsNullOrWhiteSpace(builder.Configuration[EndpointSetting])) return builder;
        // MailKit's own spans and metrics (one per SMTP command, connection times) are off until asked for.
        MailKit.Telemetry.SmtpClient.Configure();
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? "mentoring"))
            .WithTracing(tracing => tracing.AddSource(Name, MailKit.Telemetry.SmtpClient.ActivitySourceName)
                .AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddNpgsql().AddOtlpExporter())
            .WithMetrics(metrics => metrics.AddMeter(Name, MailKit.Telemetry.SmtpClient.MeterName)
                .AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddNpgsqlInstrumentation().AddOtlpExporter());
        return builder;
    }

    /// <summary>A span for one command against one instance, ended (with its outcome) by <see cref="Resumed"/>.</summary>
    public static Activity? StartResume() => Source.StartActivity("workflow.resume");

    /// <summary>The resume's instance and command, once the caller's check has built it.</summary>
    public static void Resuming(Activity? activity, Guid instanceId, WorkflowCommand command)
    {
        activity?.SetTag("mentoring.instance.id", instanceId);
        activity?.SetTag("mentoring.command", command.GetType().Name);
    }

    /// <summary>A resume finished; <paramref name="command"/> is null when the caller's check refused it first.</summary>
    public static void Resumed(Activity? activity, WorkflowCommand? command, OutcomeKind outcome)
    {
        activity?.SetTag("mentoring.outcome", outcome.ToString());
        Resumes.Add(1, new("mentoring.command", command?.GetType().Name ?? "refused"), new("mentoring.outcome", outcome.ToString()));
    }

    public static void Failed(Activity? activity, Exception e)
    {
        activity?.SetStatus(ActivityStatusCode.Error, e.Message);
        activity?.AddException(e);
    }

    /// <summary>One nudge batch committed: <paramref name="sent"/> emails written, for timers that fell due at
    /// <paramref name="dueTimes"/>.</summary>
    public static void NudgesWritten(int sent, IEnumerable<DateTimeOffset> dueTimes, DateTimeOffset now)
    {
        if (sent > 0) Nudges.Add(sent);
        foreach (var due in dueTimes) NudgeLag.Record(Math.Max(0, (now - due).TotalSeconds));
    }

    public static void EmailSent(OutboxMessage message, DateTimeOffset now)
    {
        EmailsSent.Add(1, new KeyValuePair<string, object?>("mentoring.template", message.Template));
        DueToSent.Record(Math.Max(0, (now - message.CreatedAt).TotalSeconds), new KeyValuePair<string, object?>("mentoring.template", message.Template));
    }

    public static void EmailDead(OutboxMessage message) =>
        DeadLetters.Add(1, new KeyValuePair<string, object?>("mentoring.template", message.Template));

    /// <summary>Lets the outbox-depth gauge read this host's database (in a test process, the last host started).</summary>
    private sealed class OutboxDepthProbe(IDbContextFactory<MentoringDb> dbs, ILogger<OutboxDepthProbe> logger) : IHostedService
    {
        private Func<long?>? _read;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            _outboxDepth = _read = Read;
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            // Another host of the same process (a test's second node) may have taken the gauge over since.
            Interlocked.CompareExchange(ref _outboxDepth, null, _read);
            return Task.CompletedTask;
        }

        private long? Read()
        {
            try
            {
                using var db = dbs.CreateDbContext();
                return db.Outbox.LongCount(m => m.Status == OutboxStatus.Pending);
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException)
            {
                // A database that does not answer shows in /health/ready; the gauge just skips this reading.
                logger.LogDebug(e, "Could not read the outbox depth");
                return null;
            }
        }
    }
}
