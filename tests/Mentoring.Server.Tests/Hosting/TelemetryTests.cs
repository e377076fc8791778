using System.Diagnostics;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Hosting;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Tests.Scheduling;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Hosting;

[Collection(DatabaseCollection.Name)]
public sealed class TelemetryTests(DatabaseFixture database)
{
    [Fact]
    public async Task A_resume_a_sweep_and_a_dispatch_leave_spans_and_move_the_counters()
    {
        var spans = new List<Activity>();
        var metrics = new List<MetricSnapshot>();
        // Always on: the test host's request activity is not sampled (no ASP.NET Core instrumentation here), and the
        // default sampler would drop the resume beneath it.
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource(Telemetry.Name).SetSampler(new AlwaysOnSampler())
            .AddInMemoryExporter(spans).Build();
        using var meters = Sdk.CreateMeterProviderBuilder().AddMeter(Telemetry.Name).AddInMemoryExporter(metrics).Build();
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        var pair = await app.PairAsync(4);
        var jelgava = await app.ClientForAsync(People.Coordinator("jelgava"));

        var item = await jelgava.OpenItemAsync(pair.Id, "mentee-needs-self-assessment");
        (await jelgava.CompleteAsync(pair.Id, item.Id)).EnsureSuccessStatusCode();
        app.Clock.Advance(TimeSpan.FromDays(30));
        var swept = await app.SweepAsync();
        meters.ForceFlush();
        var depth = Last(metrics, "mentoring.email.outbox_depth");
        var delivered = await app.Service<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None);
        tracing.ForceFlush();
        metrics.Clear();
        meters.ForceFlush();

        var resume = Assert.Single(spans, s => s.OperationName == "workflow.resume" && (string?)s.GetTagItem("mentoring.outcome") == "Applied"
                                              && (string?)s.GetTagItem("mentoring.command") == "CompleteTask");
        Assert.Equal(pair.InstanceId, resume.GetTagItem("mentoring.instance.id"));
        var sweep = Assert.Single(spans, s => s.OperationName == "scheduling.sweep");
        Assert.Equal(swept.Nudges, sweep.GetTagItem("mentoring.nudges"));
        Assert.Contains(spans, s => s.OperationName == "email.batch" && (int?)s.GetTagItem("mentoring.batch.delivered") > 0);

        Assert.True(swept.Nudges > 0, "a month on, nudges are due");
        Assert.True(Sum(metrics, "mentoring.workflow.resumes", ("mentoring.outcome", "Applied")) >= 1);
        Assert.Equal(swept.Nudges, Sum(metrics, "mentoring.nudges.sent"));
        Assert.True(Count(metrics, "mentoring.nudges.lag") >= swept.Nudges);
        Assert.Equal(delivered, Sum(metrics, "mentoring.email.sent"));
        Assert.Equal(delivered, Count(metrics, "mentoring.email.due_to_sent"));
        Assert.True(depth >= delivered, $"the outbox held {depth} before the dispatch sent {delivered}");
        Assert.Equal(0, Last(metrics, "mentoring.email.outbox_depth"));
    }

    [Fact]
    public async Task A_refused_recipient_counts_as_a_dead_letter()
    {
        var metrics = new List<MetricSnapshot>();
        using var meters = Sdk.CreateMeterProviderBuilder().AddMeter(Telemetry.Name).AddInMemoryExporter(metrics).Build();
        await using var server = new Email.ScriptedSmtpServer { RecipientReply = _ => "550 5.1.1 No such user" };
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite, server.Settings());
        await Email.MailTestKit.QueueReminderAsync(app, "jelgava", count: 2);

        await app.Service<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None);
        meters.ForceFlush();

        Assert.Equal(2, Sum(metrics, "mentoring.email.dead_letters", ("mentoring.template", "task-reminder")));
    }

    [Fact]
    public async Task Nothing_is_exported_unless_an_OTLP_endpoint_is_set()
    {
        await using (var off = await StartAsync(database, DatabaseProvider.Sqlite))
        {
            Assert.Null(off.Services.GetService(typeof(TracerProvider)));
            Assert.Null(off.Services.GetService(typeof(MeterProvider)));
        }

        // Read where an operator sets it, from the environment, as the host is built (the test host's own settings
        // arrive only after the services are registered).
        Environment.SetEnvironmentVariable(Telemetry.EndpointSetting, "http://127.0.0.1:4317");
        try
        {
            await using var on = await StartAsync(database, DatabaseProvider.Sqlite);
            Assert.NotNull(on.Services.GetService(typeof(TracerProvider)));
            Assert.NotNull(on.Services.GetService(typeof(MeterProvider)));
        }
        finally
        {
            Environment.SetEnvironmentVariable(Telemetry.EndpointSetting, null);
        }
    }

    private static IEnumerable<MetricPoint> Points(List<MetricSnapshot> metrics, string name) =>
        metrics.Where(m => m.Name == name).SelectMany(m => m.MetricPoints);

    private static bool Has(MetricPoint point, (string Key, string Value)? tag)
    {
        if (tag is null) return true;
        foreach (var t in point.Tags)
            if (t.Key == tag.Value.Key && (string?)t.Value == tag.Value.Value) return true;
        return false;
    }

    /// <summary>The counter's total over the last export (cumulative), for the points with the tag.</summary>
    private static long Sum(List<MetricSnapshot> metrics, string name, (string, string)? tag = null) =>
        metrics.Where(m => m.Name == name).TakeLast(1).SelectMany(m => m.MetricPoints).Where(p => Has(p, tag)).Sum(p => p.GetSumLong());

    private static long Count(List<MetricSnapshot> metrics, string name) =>
        metrics.Where(m => m.Name == name).TakeLast(1).SelectMany(m => m.MetricPoints).Sum(p => p.GetHistogramCount());

    private static long Last(List<MetricSnapshot> metrics, string name) =>
        Points(metrics, name).Select(p => p.GetGaugeLastValueLong()).LastOrDefault(-1);
}
