using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Accounts;
using Mentoring.Server.Uploads;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Mentoring.Server.Retention;

/// <summary>
/// The daily clean-up of personal data past its retention time: delivered mail (by the outbox's own dispatcher),
/// the payloads of finished instances' journal entries and the results of their tasks, the uploads of finished programmes
/// and the files whose material was removed, the names of finished pairs' visit delegations, and revoked calendar feeds.
/// Each is one statement, so a clean-up interrupted half-way leaves every row either as it was or cleaned, and the next
/// run goes on. Only this class erases journal payloads, task results and uploads by time (their owners never take them
/// away; a withdrawal of consent redacts a person's mentions at once, SupportNetworks/).
/// </summary>
public sealed class RetentionCleanup(
    IDbContextFactory<MentoringDb> dbs,
    OutboxDispatcher outbox,
    IOptions<RetentionOptions> options,
    TimeProvider clock,
    ILogger<RetentionCleanup> logger)
{
    /// <summary>What a journal entry's payload becomes: an empty object, which every reader of the history takes.</summary>
    public const string ErasedPayload = "{}";

    private static readonly string[] Finished = ["completed", "cancelled"];

    public async Task<RetentionResult> RunAsync(CancellationToken cancellationToken)
    {
        var sentMail = await outbox.DeleteDeliveredAsync(cancellationToken);
        var now = clock.GetUtcNow();
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var (payloads, results) = (0, 0);
        if (options.Value.JournalPayloadsFor > TimeSpan.Zero)
        {
            var before = now - options.Value.JournalPayloadsFor;
            var finished = db.Instances.Where(i => Finished.Contains(i.Status) && i.UpdatedAt < before).Select(i => i.Id);
            payloads = await db.Journal.Where(j => finished.Contains(j.InstanceId) && j.Data != ErasedPayload)
                .ExecuteUpdateAsync(set => set.SetProperty(j => j.Data, ErasedPayload), cancellationToken);
            // A closed task keeps what was written when it was done (note, link, choice, visit participants) too.
            results = await db.WorkItems.Where(w => finished.Contains(w.InstanceId) && (w.Result != null || w.VisitParticipants != null))
                .ExecuteUpdateAsync(set => set.SetProperty(w => w.Result, (string?)null).SetProperty(w => w.VisitParticipants, (string?)null),
                    cancellationToken);
        }

        var uploads = 0;
        if (options.Value.UploadsFor > TimeSpan.Zero)
        {
            var before = now - options.Value.UploadsFor;
            // A programme is finished when its own workflow (the instance without a group) is.
            var programmes = db.Instances.Where(i => i.GroupId == null && Finished.Contains(i.Status) && i.UpdatedAt < before)
                .Select(i => i.ProgrammeId);
            var items = db.WorkItems.Where(w => db.Instances.Any(i => i.Id == w.InstanceId && programmes.Contains(i.ProgrammeId)))
                .Select(w => w.Id);
            var groups = db.Groups.Where(g => programmes.Contains(g.ProgrammeId)).Select(g => (Guid?)g.Id);
            uploads = await db.Set<UploadedFile>()
                .Where(f => (f.WorkItemId != null && items.Contains(f.WorkItemId.Value)) || groups.Contains(f.GroupId))
                .ExecuteDeleteAsync(cancellationToken);
        }

        // A removed material's file: marked in the removal's transaction, so the removal is committed before the file goes,
        // and a file a crashed run left is deleted by the next one.
        var removedUploads = await db.Set<UploadedFile>().Where(f => f.RemovedAt != null && f.RemovedAt <= now).ExecuteDeleteAsync(cancellationToken);

        var delegates = 0;
        if (options.Value.DelegationsFor > TimeSpan.Zero)
        {
            var before = now - options.Value.DelegationsFor;
            var finished = db.Instances.Where(i => Finished.Contains(i.Status) && i.UpdatedAt < before).Select(i => i.Id);
            var items = db.WorkItems.Where(w => finished.Contains(w.InstanceId)).Select(w => w.Id);
            delegates = await db.Set<Visits.VisitParticipant>()
                .Where(p => p.Delegation && items.Contains(p.ItemId) && (p.Name != null || p.Role != null || p.Email != null))
                .ExecuteUpdateAsync(set => set.SetProperty(p => p.Name, (string?)null).SetProperty(p => p.Role, (string?)null)
                    .SetProperty(p => p.Email, (string?)null), cancellationToken);
        }

        var feeds = 0;
        if (options.Value.RevokedFeedsFor > TimeSpan.Zero)
        {
            var before = now - options.Value.RevokedFeedsFor;
            feeds = await db.CalendarFeeds.Where(f => f.RevokedAt != null && f.RevokedAt < before).ExecuteDeleteAsync(cancellationToken);
        }

        if (sentMail + payloads + results + uploads + removedUploads + delegates + feeds > 0)
            logger.LogInformation("Retention clean-up: {SentMail} delivered email(s) deleted, {Payloads} journal payload(s) and " +
                                  "{Results} task result(s) erased, {Uploads} uploaded file(s) and {RemovedUploads} removed file(s) deleted, " +
                                  "{Delegates} delegation member(s) erased, {Feeds} revoked calendar feed(s) deleted",
                sentMail, payloads, results, uploads, removedUploads, delegates, feeds);
        return new RetentionResult(sentMail, payloads, results, uploads, removedUploads, delegates, feeds);
    }
}

public sealed record RetentionResult(int SentMail, int JournalPayloads, int TaskResults, int Uploads, int RemovedUploads = 0,
    int DelegationMembers = 0, int RevokedFeeds = 0);

public static class RetentionServices
{
    public static IHostApplicationBuilder AddMentoringRetention(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<RetentionOptions>(builder.Configuration.GetSection(RetentionOptions.Section));
        builder.Services.AddSingleton<RetentionCleanup>();
        return builder;
    }
}
