using System.Security.Cryptography;
using Mentoring.Server.Calendar;
using Mentoring.Server.Data;
using Mentoring.Server.FunderReport;
using Mentoring.Server.Setup;
using Mentoring.Server.SupportNetworks;
using Mentoring.Server.Web;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
// The support networks' answers of admin results (problem details, the Idempotency-Key), shared rather than copied.
using static Mentoring.Server.SupportNetworks.SupportNetworksApi;

namespace Mentoring.Server.Events;

/// <summary>
/// Programme-wide events over HTTP, under /api/programmes/{id}/events: the list, one event with its materials and
/// attendance, and the facilitator's changes, each in one transaction. Each POST takes an Idempotency-Key; a PUT is
/// idempotent by itself. Refusals are problem details: 400 with field errors, 403, 404, 409.
/// </summary>
public static class EventsApi
{
    public static IHostApplicationBuilder AddMentoringEvents(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<EventPlanner>();
        builder.Services.AddScoped<IEventFigures, EventFiguresSource>();
        builder.Services.AddScoped<ICalendarSource, EventCalendarSource>();
        builder.Services.AddSingleton<SupportNetworks.IConsentWithdrawalEraser, EventConsentEraser>();
        return builder;
    }

    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/programmes/{programmeId}/events").WithTags("Events").RequireAuthorization();
        api.MapGet("", (HttpContext http, string programmeId, EventPlanner events, IDbContextFactory<MentoringDb> dbs, CancellationToken ct) =>
                ReadAsync(dbs, db => events.ListAsync(db, http.User, programmeId, ct), ct))
            .WithSummary("The programme's events in date order, with the programme events holding one may raise.");
        api.MapGet("/{eventId:guid}", (HttpContext http, string programmeId, Guid eventId, EventPlanner events, IDbContextFactory<MentoringDb> dbs,
                CancellationToken ct) =>
            ReadAsync(dbs, db => events.GetAsync(db, http.User, programmeId, eventId, ct), ct))
            .WithSummary("One event with its materials and attendance per city and person.");
        api.MapPost("", (HttpContext http, string programmeId, EventRequest body, EventPlanner events, IDbContextFactory<MentoringDb> dbs,
                TimeProvider clock, CancellationToken ct) =>
            PostAsync(http, body, dbs, clock, db => events.CreateAsync(db, http.User, programmeId, body, clock.GetUtcNow(), ct), ct))
            .WithSummary("The facilitator announces an event: {kind, title, eventStart, eventEnd (local times), timeZone (default: the host " +
                         "city's, else the facilitator's), hostCity, eventVenue, url (online link), eventAgenda, raisesEvent}; invitations go out.");
        api.MapPut("/{eventId:guid}", (HttpContext http, string programmeId, Guid eventId, EventRequest body, EventPlanner events,
                IDbContextFactory<MentoringDb> dbs, TimeProvider clock, CancellationToken ct) =>
            PutAsync(dbs, db => events.UpdateAsync(db, http.User, programmeId, eventId, body, clock.GetUtcNow(), ct), ct))
            .WithSummary("Edits an event; a change of time or place sends updated invitations.");
        api.MapPost("/{eventId:guid}/held", async (HttpContext http, string programmeId, Guid eventId, EventPlanner events, WorkflowHost host,
            IDbContextFactory<MentoringDb> dbs, TimeProvider clock, CancellationToken ct) =>
        {
            var answer = await PostAsync(http, new { eventId }, dbs, clock, db => events.HoldAsync(db, http.User, programmeId, eventId, clock.GetUtcNow(), ct), ct);
            host.ProgrammeEventsCommitted();
            return answer;
        }).WithSummary("Marks the event held and raises the programme event it names (once), releasing the groups waiting for it.");
        api.MapPost("/{eventId:guid}/cancel", (HttpContext http, string programmeId, Guid eventId, EventPlanner events,
                IDbContextFactory<MentoringDb> dbs, TimeProvider clock, CancellationToken ct) =>
            PostAsync(http, new { eventId }, dbs, clock, db => events.CancelAsync(db, http.User, programmeId, eventId, clock.GetUtcNow(), ct), ct))
            .WithSummary("Calls off an event not yet held: the invited get a cancellation for their calendars; a held event is 409.");
        api.MapPut("/{eventId:guid}/attendance", (HttpContext http, string programmeId, Guid eventId, EventAttendanceRequest body, EventPlanner events,
                IDbContextFactory<MentoringDb> dbs, TimeProvider clock, CancellationToken ct) =>
            PutAsync(dbs, db => events.SetAttendanceAsync(db, http.User, programmeId, eventId, body, clock.GetUtcNow(), ct), ct))
            .WithSummary("Replaces who attended: {people: [ids of people of the programme]}; once the event has begun.");
        api.MapPost("/{eventId:guid}/materials", (HttpContext http, string programmeId, Guid eventId, EventMaterialRequest body, EventPlanner events,
                IDbContextFactory<MentoringDb> dbs, TimeProvider clock, CancellationToken ct) =>
            PostAsync(http, new { eventId, body }, dbs, clock,
                db => events.AddMaterialAsync(db, http.User, programmeId, eventId, body, null, clock.GetUtcNow(), ct), ct))
            .WithSummary("Adds a material as a link: {title, url}.");
        api.MapDelete("/{eventId:guid}/materials/{materialId:guid}", (HttpContext http, string programmeId, Guid eventId, Guid materialId,
                EventPlanner events, IDbContextFactory<MentoringDb> dbs, TimeProvider clock, CancellationToken ct) =>
            PutAsync(dbs, db => events.RemoveMaterialAsync(db, http.User, programmeId, eventId, materialId, clock.GetUtcNow(), ct), ct))
            .WithSummary("Removes a material (the facilitator); an unknown one, or one of another event, is 404.");
        api.MapPost("/{eventId:guid}/materials/file", async (HttpContext http, string programmeId, Guid eventId, IFormFile? file, EventPlanner events,
            IDbContextFactory<MentoringDb> dbs, TimeProvider clock, Texts text, IOptions<WebOptions> options, CancellationToken ct) =>
        {
            if (file is not { Length: > 0 })
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["file"] = ["Send the file as multipart/form-data, field 'file'."] });
            var (upload, error) = await Uploads.UploadedFiles.ReadAsync(file, options.Value.MaxUploadBytes, text, ct);
            if (upload is null)
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["file"] = [error!] }, title: "The file is not accepted.");
            var title = http.Request.Form["title"].ToString();
            var fingerprint = new { eventId, title, upload.FileName, sha = Convert.ToHexStringLower(SHA256.HashData(upload.Content)) };
            return await PostAsync(http, fingerprint, dbs, clock,
                db => events.AddMaterialAsync(db, http.User, programmeId, eventId, new EventMaterialRequest(title, null), upload, clock.GetUtcNow(), ct), ct);
        }).DisableAntiforgery().WithSummary("Adds a material as a file (multipart/form-data: title, file), read at GET /files/{id} by the programme's people.");
        return app;
    }
}
