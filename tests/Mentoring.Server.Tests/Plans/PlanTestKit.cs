using Mentoring.Server.Plans;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Tests.Plans;

/// <summary>What the plan tests read back: open due dates by step, the programme's own workflow, its pauses.</summary>
internal static class PlanTestKit
{
    public static async Task<Dictionary<string, DateTimeOffset>> OpenDueAsync(this MentoringApp app, Guid instanceId)
    {
        await using var db = app.Db();
        return (await db.WorkItems.AsNoTracking()
                .Where(w => w.InstanceId == instanceId && w.Status == WorkItemStatus.Open && w.DueAt != null).ToListAsync())
            .ToDictionary(w => w.StepId, w => w.DueAt!.Value);
    }

    public static async Task<Guid> ProgrammeInstanceAsync(this MentoringApp app)
    {
        await using var db = app.Db();
        return (await db.Programmes.AsNoTracking().SingleAsync()).ProgrammeInstanceId!.Value;
    }

    public static async Task<List<ProgrammePause>> PausesAsync(this MentoringApp app)
    {
        await using var db = app.Db();
        return await db.Set<ProgrammePause>().AsNoTracking().ToListAsync();
    }

    public static async Task<List<JournalEntry>> JournalAsync(this MentoringApp app, Guid instanceId, string type)
    {
        await using var db = app.Db();
        return (await db.Journal.AsNoTracking().Where(j => j.InstanceId == instanceId && j.Type == type).ToListAsync())
            .OrderBy(j => j.Id).ToList();
    }

    /// <summary>POSTs a late task record as multipart/form-data with a small PDF, as the plan page does.</summary>
    public static Task<HttpResponseMessage> RecordDoneWithFileAsync(this HttpClient client, string path, DateOnly date, string note)
    {
        var content = new MultipartFormDataContent
        {
            { new StringContent(date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)), "date" },
            { new StringContent(note), "note" },
            { new ByteArrayContent(Api.Pdf), "file", "minutes.pdf" },
        };
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return client.SendAsync(request);
    }

    public static Dictionary<string, DateTimeOffset> Plus(this Dictionary<string, DateTimeOffset> dates, int days) =>
        dates.ToDictionary(d => d.Key, d => d.Value.AddDays(days));

    public static List<(Guid, DateTimeOffset)> Moments(this IEnumerable<TimerRecord> timers, int plusDays = 0) =>
        timers.Select(t => (t.Id, t.DueAt.AddDays(plusDays).ToUniversalTime())).OrderBy(t => t.Id).ToList();
}
