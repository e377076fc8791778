using Mentoring.Server.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Mentoring.Server.Hosting;

/// <summary>Ready when start-up has finished and the database answers.</summary>
public sealed class DatabaseReadyCheck(IDbContextFactory<MentoringDb> dbs, ReadinessState readiness) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!readiness.Ready) return HealthCheckResult.Unhealthy("Starting: migrations and seeding are not finished.");
        try
        {
            await using var db = await dbs.CreateDbContextAsync(cancellationToken);
            return await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The database does not answer.");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("The database does not answer.", e);
        }
    }
}

/// <summary>The overall status on the first line (just <c>Healthy</c> when all is well, as the default writer has it),
/// then one line per check that is not healthy, with its reason, so an operator sees why without reading logs.</summary>
public static class HealthReportText
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        var lines = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy)
            .Select(e => $"{e.Key}: {e.Value.Status}: {e.Value.Description}")
            .Prepend(report.Status.ToString());
        return context.Response.WriteAsync(string.Join("\n", lines));
    }
}
