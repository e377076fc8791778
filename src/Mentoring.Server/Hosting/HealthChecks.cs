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
