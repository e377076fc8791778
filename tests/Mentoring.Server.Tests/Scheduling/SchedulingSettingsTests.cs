using Mentoring.Server.Data;
using Mentoring.Server.Hosting;
using Mentoring.Server.Tests.Infrastructure;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Scheduling;

/// <summary>A scheduling setting that cannot work stops the start with a message naming it.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class SchedulingSettingsTests(DatabaseFixture database)
{
    [Theory]
    [InlineData("Scheduling:Storage", "Redis")]
    [InlineData("Scheduling:Storage", "PostgreSql")] // on SQLite
    [InlineData("Scheduling:PollInterval", "00:00:00.010")]
    [InlineData("Scheduling:PollInterval", "soon")]
    [InlineData("Scheduling:SweepInterval", "00:00:07")]
    [InlineData("Scheduling:DispatchInterval", "00:00:00")]
    [InlineData("Scheduling:SchemaName", "hang fire")]
    [InlineData("Scheduling:DigestTimeZone", "Mars/Olympus Mons")]
    [InlineData("Scheduling:DigestDay", "Someday")]
    [InlineData("Scheduling:DigestCron", "0 0 8 ? * MON")]
    public async Task A_setting_that_cannot_work_stops_the_start_naming_it(string setting, string value)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() =>
            StartAsync(database, DatabaseProvider.Sqlite, new Dictionary<string, string?> { [setting] = value }));

        var message = ServerStart.OperatorMessage(error);
        Assert.True(message is not null, $"no operator message, but {error}");
        Assert.Contains(setting, message);
    }
}
