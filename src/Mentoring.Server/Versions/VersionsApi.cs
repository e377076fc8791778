using Mentoring.Engine.Runtime;
using Mentoring.Server.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Mentoring.Server.Versions;

/// <summary>Moving running instances to a new definition version, over HTTP: the facilitator of the programme, or an
/// admin. No Idempotency-Key: the request is idempotent by itself (an instance already on the new version is skipped).</summary>
public static class VersionsApi
{
    public static IHostApplicationBuilder AddMentoringVersions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<InstanceMigrations>();
        return builder;
    }

    public static IEndpointRouteBuilder MapVersionsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/programmes").WithTags("Versions").RequireAuthorization()
            .MapPost("/{id}/migrations", MigrateAsync)
            .WithSummary("Move running instances to a new definition version")
            .WithDescription("Plans, per instance of the workflow on fromVersion, what moves (open work items keep their data and " +
                             "activation; due dates and reminders follow the new step's rules), what is dropped and what opens; finished " +
                             "steps never run again. dryRun (the default) writes nothing; with dryRun false each instance moves in its own " +
                             "transaction, journaled. Refused (422, naming the instances and steps) when an open step has no place in the new " +
                             "version and the mapping neither maps nor drops it.");
        return app;
    }

    private static async Task<Results<Ok<MigrationReport>, ProblemHttpResult, ValidationProblem>> MigrateAsync(string id,
        MigrationRequest body, HttpContext http, InstanceMigrations migrations, CancellationToken ct)
    {
        var user = http.User;
        if (!user.IsFacilitator() && !user.IsAdmin())
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Facilitator only",
                detail: "Only the programme's facilitator or an admin moves instances to a new version.");
        var actor = new Actor(user.PersonId().ToString(), user.Identity?.Name ?? "facilitator", ActorRole.Facilitator);
        var caller = new MigrationCaller(actor, user.FindFirst(CurrentUser.ProgrammeClaim)?.Value, user.IsAdmin());
        var outcome = await migrations.RunAsync(caller, id, body, ct);
        return outcome.Kind switch
        {
            MigrationOutcomeKind.Done => TypedResults.Ok(outcome.Report!),
            MigrationOutcomeKind.NotFound => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
                detail: outcome.Message),
            MigrationOutcomeKind.Invalid => TypedResults.ValidationProblem(outcome.Errors!, title: outcome.Message),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "The instances cannot move so",
                detail: outcome.Message, extensions: new Dictionary<string, object?> { ["report"] = outcome.Report }),
        };
    }
}
