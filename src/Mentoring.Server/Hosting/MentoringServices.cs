using Mentoring.Engine.Templates;
using Mentoring.Server.Accounts;
using Mentoring.Server.ActionPlans;
using Mentoring.Server.Assessments;
using Mentoring.Server.Benchmarks;
using Mentoring.Server.Benchmarks.Scores;
using Mentoring.Server.Calendar;
using Mentoring.Server.Auth;
using Mentoring.Server.Dashboard;
using Mentoring.Server.Comments;
using Mentoring.Server.Data;
using Mentoring.Server.Data.Migrations;
using Mentoring.Server.Email;
using Mentoring.Server.FunderReport;
using Mentoring.Server.Inbox;
using Mentoring.Server.Inputs;
using Mentoring.Server.Matching;
using Mentoring.Server.Pairs;
using Mentoring.Server.Plans;
using Mentoring.Server.Practices;
using Mentoring.Server.Programme;
using Mentoring.Server.Programme.Packages;
using Mentoring.Server.Retention;
using Mentoring.Server.Teams;
using Mentoring.Server.Scheduling;
using Mentoring.Server.Setup;
using Mentoring.Server.Events;
using Mentoring.Server.SupportNetworks;
using Mentoring.Server.Tokens;
using Mentoring.Server.Uploads;
using Mentoring.Server.Versions;
using Mentoring.Server.Visits;
using Mentoring.Server.Web;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Hosting;

public static class MentoringServices
{
    /// <summary>Everything the server runs: the endpoints <see cref="UseMentoring"/> maps need every area's services.</summary>
    public static IHostApplicationBuilder AddMentoring(this IHostApplicationBuilder builder) =>
        builder.AddMentoringData().AddMentoringWorkflows().AddMentoringScheduling().AddMentoringApi()
            .AddMentoringEmail().AddMentoringWeb().AddAccounts().AddMentoringPlans().AddMentoringProgrammeAdmin().AddMentoringHosting()
            .AddMentoringRetention().AddMentoringTelemetry().AddMentoringVersions()
            .AddComments()
            .AddMentoringAssessments()
            .AddMentoringMatching()
            .AddMentoringPractices()
            .AddMentoringBenchmarks()
            .AddMentoringSupportNetworks()
            .AddMentoringCalendar()
            .AddMentoringVisits()
            .AddMentoringEvents()
            .AddMentoringActionPlans()
            .AddMentoringOutputs()
            .AddMentoringInbox()
            .AddMentoringTeams();

    /// <summary>The database: EF Core on SQLite (embedded default) or PostgreSQL, and the migration runner.</summary>
    public static IHostApplicationBuilder AddMentoringData(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<DatabaseOptions>(builder.Configuration.GetSection(DatabaseOptions.Section));
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<DatabaseOptions>>().Value);
        builder.Services.AddPooledDbContextFactory<MentoringDb>((sp, options) =>
        {
            var database = sp.GetRequiredService<DatabaseOptions>();
            if (database.Provider == DatabaseProvider.Postgres) options.UseNpgsql(PostgresConnectionString(database.ConnectionString));
            else options.UseSqlite(database.ConnectionString);
        });
        builder.Services.AddSingleton<MigrationRunner>();
        return builder;
    }

    /// <summary>Npgsql prepares statements it sees repeatedly when asked to; a resume runs the same few statements
    /// every time, so unless the connection string says otherwise, let it (PostgreSQL then skips parse and plan).</summary>
    public static string PostgresConnectionString(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase)) builder.MaxAutoPrepare = 64;
        return builder.ConnectionString;
    }

    /// <summary>Workflow definitions, email templates, the runtime host and the pair API's command path.</summary>
    public static IHostApplicationBuilder AddMentoringWorkflows(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<WorkflowOptions>(builder.Configuration.GetSection(WorkflowOptions.Section));
        builder.Services.Configure<EmailOptions>(builder.Configuration.GetSection(EmailOptions.Section));
        // The runner reckons nudges in the working hours of the Scheduling section, and every commit may wake the sweeper.
        builder.Services.Configure<SchedulingOptions>(builder.Configuration.GetSection(SchedulingOptions.Section));
        builder.Services.AddSingleton<DueWorkSignal>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp =>
            TemplateCatalog.LoadFolder(ContentPath.Resolve(sp.GetRequiredService<IOptions<WorkflowOptions>>().Value.TemplatesPath)));
        builder.Services.AddSingleton<DefinitionStore>();
        builder.Services.AddSingleton<OutboxWriter>();
        builder.Services.AddSingleton<WorkflowHost>();
        builder.Services.AddSingleton<WorkItemCommands>();
        builder.Services.AddSingleton<WorkItemRequirements>();
        builder.Services.AddSingleton<SupportNetworks.IConsentWithdrawalEraser, InstanceConsentEraser>();
        builder.Services.AddSingleton<ProgrammeImporter>();
        builder.Services.AddSingleton<DemoProgramme>();
        builder.Services.AddSingleton<ReadinessState>();
        // ServerStart runs it before the host starts; it is also the first hosted service, so that a host started
        // directly (the benchmarks) starts nothing else before the database is migrated and seeded.
        builder.Services.AddSingleton<StartupTasks>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StartupTasks>());
        return builder;
    }

    /// <summary>API authentication (personal tokens), problem details and health checks.</summary>
    public static IHostApplicationBuilder AddMentoringApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(ApiTokenAuthentication.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiTokenAuthentication>(
                ApiTokenAuthentication.SchemeName, null);
        builder.Services.AddAuthorization();
        builder.Services.AddProblemDetails();
        builder.Services.AddHealthChecks().AddCheck<DatabaseReadyCheck>("database", tags: ["ready"]);
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter());
            // {"note":"a","note":"b"} is refused (400), not read as whichever came last: a client and a proxy or
            // log that reads the first would disagree about what was sent.
            options.SerializerOptions.AllowDuplicateProperties = false;
        });
        return builder;
    }

    public static WebApplication UseMentoring(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        // needs the signed-in user, so it comes after authentication
        Web.ReaderTimeZone.UseReaderTimeZone(app);
        app.UseJobsDashboard();
        app.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains("ready"), ResponseWriter = HealthReportText.WriteAsync });
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });
        var api = app.MapGroup("").ValidateInput();
        api.MapPairsApi();
        Instances.InstancesApi.MapInstancesApi(api);
        api.MapEmailApi();
        api.MapPlansApi();
        api.MapTokensApi();
        api.MapDashboardApi();
        api.MapSetupApi();
        api.MapProgrammesApi();
        api.MapProgrammeSwitch();
        api.MapVersionsApi();
        api.MapCommentsApi();
        api.MapAssessmentsApi();
        api.MapMatchingApi();
        api.MapPracticesApi();
        api.MapBenchmarksApi();
        api.MapBenchmarkScoresApi();
        api.MapSupportNetworksApi();
        api.MapCalendarApi();
        api.MapVisitsApi();
        api.MapEventsApi();
        api.MapActionPlansApi();
        FunderReport.FunderReportApi.MapOutputsAndReport(api);
        Inbox.InboxApi.MapInboxApi(api);
        api.MapTeamsApi();
        app.MapFiles();
        return app;
    }
}
