using System.Security.Claims;
using System.Text.Json;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Inputs;
using Mentoring.Server.Pairs;
using Mentoring.Server.Programme;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Benchmarks;

public enum BenchmarkOutcome { Done, Invalid, NotFound, Forbidden, Conflict, KeyMissing, KeyReused }

/// <summary>What a benchmark command or read came to; each transport says it its own way (problem details, a page message).
/// <see cref="ReturnedToDraft"/>: the change was made to an agreed benchmark, which is a draft again.</summary>
public sealed record BenchmarkResult<T>(BenchmarkOutcome Outcome, T? Value = default, string? Title = null, string? Detail = null,
    IReadOnlyDictionary<string, string[]>? Errors = null, bool Replayed = false, bool ReturnedToDraft = false)
{
    public static BenchmarkResult<T> Done(T value, bool returnedToDraft = false) => new(BenchmarkOutcome.Done, value, ReturnedToDraft: returnedToDraft);

    public static BenchmarkResult<T> Fail(BenchmarkOutcome outcome, string title, string? detail = null,
        IReadOnlyDictionary<string, string[]>? errors = null) => new(outcome, default, title, detail, errors);

    public BenchmarkResult<TOther> As<TOther>() => new(Outcome, default, Title, Detail, Errors);
}

/// <summary>A mentor example as the API and the page send it: a text, and optionally a practice of the library or a page.</summary>
public sealed record ExampleRequest([property: Text(Limits.Comment, MultiLine = true)] string? Text, Guid? PracticeId,
    [property: Text(Limits.Link)] string? Url);

/// <summary>A key factor as sent. <see cref="Id"/>: the factor to change (PUT); new factors are added with POST.</summary>
public sealed record FactorRequest(Guid? Id, string? Title, [property: Text(Limits.Note, MultiLine = true)] string? WhyAndHow,
    [property: Text(Limits.Comment, MaxItems = BenchmarkCommands.MaxQuestions)] List<string>? GuidingQuestions, List<ExampleRequest>? Examples);

/// <summary>PUT: the version read, and what changes: the title, and the factors named by id (the others stay as they are).</summary>
public sealed record BenchmarkEditRequest(int? Version, string? Title, List<FactorRequest>? Factors);

/// <summary>POST factors: the version read and the new factor.</summary>
public sealed record NewFactorRequest(int? Version, string? Title, [property: Text(Limits.Note, MultiLine = true)] string? WhyAndHow,
    [property: Text(Limits.Comment, MaxItems = BenchmarkCommands.MaxQuestions)] List<string>? GuidingQuestions, List<ExampleRequest>? Examples);

/// <summary>POST agree: the version the facilitator read and agrees.</summary>
public sealed record AgreeRequest(int? Version);

/// <summary>One line of the history: who changed which field (of the benchmark, or of the factor named), when, old -> new.</summary>
public sealed record BenchmarkChangeView(long Id, DateTimeOffset At, string By, int Version, Guid? FactorId, string? Factor, string Field,
    string? Old, string? New);

/// <summary>
/// The one writer of <c>benchmarks</c>, <c>benchmark_factors</c> and <c>benchmark_changes</c>. A group's benchmark is
/// created from its theme's template on first open (<see cref="OpenAsync"/>) by whoever may read it: a pair's benchmark
/// step then starts from the package's key factors, and nothing has to happen when a workflow step starts (a group
/// formed later, or a template imported later, is covered as well). Both sides of the group (its member cities'
/// coordinators) edit the title and the factors, and add factors: a factor added by a city that is not the mentor is
/// an additional local factor. The facilitator agrees it. An edit of an agreed benchmark returns it to draft (the
/// history says so), so what the gate requires is always what the facilitator last agreed. Every change names the
/// version it read (stale: 409), is one transaction with its history lines and its Idempotency-Key, and is refused
/// whole (nothing written) when any part of it is wrong.
/// </summary>
public sealed class BenchmarkCommands(IDbContextFactory<MentoringDb> dbs, TimeProvider clock)
{
    public const int MaxQuestions = 20;
    public const int MaxExamples = 20;
    public const int MaxFactors = 40;
    public const string MentorRole = "mentor";

    /// <summary>The caller's access to the group: its row and members, or why not (404 another programme's or none, 403).</summary>
    private static async Task<(Group? Group, IReadOnlyList<GroupMember> Members, BenchmarkResult<T>? Refusal)> AccessAsync<T>(MentoringDb db,
        ClaimsPrincipal user, Guid groupId, CancellationToken ct)
    {
        var (access, group, members) = await PairPageData.CheckAsync(db, user, groupId, ct);
        return access switch
        {
            PairPageData.Access.Ok => (group, members, null),
            PairPageData.Access.Forbidden => (null, [], BenchmarkResult<T>.Fail(BenchmarkOutcome.Forbidden, "Not your pair",
                "You can only see the benchmarks of your own city's or association's pairs.")),
            _ => (null, [], BenchmarkResult<T>.Fail(BenchmarkOutcome.NotFound, "No such pair", $"There is no pair {groupId}.")),
        };
    }

    /// <summary>The group's benchmark for a reader who may see the group, created from its theme's template when it has none yet.</summary>
    public async Task<BenchmarkResult<BenchmarkView>> OpenAsync(ClaimsPrincipal user, Guid groupId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var (group, _, refusal) = await AccessAsync<BenchmarkView>(db, user, groupId, ct);
        if (refusal is not null) return refusal;
        if (await BenchmarkQueries.ForGroupAsync(db, groupId, ct) is { } existing) return BenchmarkResult<BenchmarkView>.Done(existing);
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            await BenchmarkTemplates.CreateAsync(db, group!, clock.GetUtcNow(), ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Two first readers at once (two nodes): the unique index on group_id lets one create it; the other reads it.
        }

        await using var again = await dbs.CreateDbContextAsync(ct);
        return BenchmarkResult<BenchmarkView>.Done((await BenchmarkQueries.ForGroupAsync(again, groupId, ct))!);
    }

    /// <summary>The benchmark's history, newest first, for a reader who may see the group.</summary>
    public async Task<BenchmarkResult<IReadOnlyList<BenchmarkChangeView>>> HistoryAsync(ClaimsPrincipal user, Guid groupId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var (_, _, refusal) = await AccessAsync<IReadOnlyList<BenchmarkChangeView>>(db, user, groupId, ct);
        if (refusal is not null) return refusal;
        return BenchmarkResult<IReadOnlyList<BenchmarkChangeView>>.Done(await HistoryAsync(db, groupId, ct));
    }

    public static async Task<IReadOnlyList<BenchmarkChangeView>> HistoryAsync(MentoringDb db, Guid groupId, CancellationToken ct)
    {
        var rows = await (from change in db.BenchmarkChanges
                          join benchmark in db.Benchmarks on change.BenchmarkId equals benchmark.Id
                          where benchmark.GroupId == groupId
                          orderby change.Id descending
                          select change).AsNoTracking().Take(500).ToListAsync(ct);
        var ids = rows.Where(r => r.FactorId != null).Select(r => r.FactorId!.Value).Distinct().ToList();
        var titles = await db.BenchmarkFactors.AsNoTracking().Where(f => ids.Contains(f.Id)).ToDictionaryAsync(f => f.Id, f => f.Title, ct);
        return rows.Select(r => new BenchmarkChangeView(r.Id, r.ChangedAt, r.ChangedByName, r.Version, r.FactorId,
            r.FactorId is { } id ? titles.GetValueOrDefault(id) : null, r.Field, r.OldValue, r.NewValue)).ToList();
    }

    /// <summary>A side of the group changes the title and the factors it names.</summary>
    public Task<BenchmarkResult<BenchmarkView>> EditAsync(ClaimsPrincipal user, Guid groupId, BenchmarkEditRequest request, IdempotencyKey? key,
        CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Title is not null) CheckTitle(errors, "title", request.Title, "Give the benchmark a title.");
        var factors = request.Factors ?? [];
        for (var i = 0; i < factors.Count; i++)
        {
            if (factors[i] is not { } factor) { errors[$"factors[{i}]"] = ["Must be a key factor."]; continue; }
            if (factor.Id is null) errors[$"factors[{i}].id"] = ["Name the key factor to change by its id; add new ones with POST .../benchmark/factors."];
            CheckFactor(errors, $"factors[{i}].", factor.Title, factor.WhyAndHow, factor.GuidingQuestions, factor.Examples, factor.Title is null);
        }

        if (factors.Where(f => f?.Id is not null).GroupBy(f => f.Id).Any(g => g.Count() > 1)) errors["factors"] = ["A key factor is named twice."];
        if (request.Version is null) errors["version"] = ["Send the version you read (the benchmark's 'version')."];
        return ChangeAsync(user, groupId, request, errors, key, ct, async (db, benchmark, actor, changes) =>
        {
            if (request.Title is { } title && title.Trim() != benchmark.Title)
            {
                changes.Add((null, "title", benchmark.Title, title.Trim()));
                benchmark.Title = title.Trim();
            }

            var stored = await db.BenchmarkFactors.Where(f => f.BenchmarkId == benchmark.Id).ToDictionaryAsync(f => f.Id, ct);
            var unknown = new Dictionary<string, string[]>();
            for (var i = 0; i < factors.Count; i++)
            {
                if (!stored.TryGetValue(factors[i].Id!.Value, out var factor))
                {
                    unknown[$"factors[{i}].id"] = [$"This benchmark has no key factor {factors[i].Id}."];
                    continue;
                }

                var examples = await ExamplesAsync(db, benchmark.ProgrammeId, factors[i].Examples, $"factors[{i}].examples", unknown, ct);
                Apply(factor, factors[i].Title, factors[i].WhyAndHow, factors[i].GuidingQuestions, examples, changes);
            }

            return unknown.Count > 0 ? unknown : null;
        });
    }

    /// <summary>A side of the group adds a key factor: the mentor's is a key factor, any other member's an additional local one.</summary>
    public Task<BenchmarkResult<BenchmarkView>> AddFactorAsync(ClaimsPrincipal user, Guid groupId, NewFactorRequest request, IdempotencyKey? key,
        CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        CheckFactor(errors, "", request.Title, request.WhyAndHow, request.GuidingQuestions, request.Examples, titleOptional: false);
        if (request.Version is null) errors["version"] = ["Send the version you read (the benchmark's 'version')."];
        return ChangeAsync(user, groupId, request, errors, key, ct, async (db, benchmark, actor, changes) =>
        {
            var existing = await db.BenchmarkFactors.Where(f => f.BenchmarkId == benchmark.Id).Select(f => f.Position).ToListAsync(ct);
            if (existing.Count >= MaxFactors)
                return new Dictionary<string, string[]> { ["title"] = [$"A benchmark can have at most {MaxFactors} key factors."] };
            var invalid = new Dictionary<string, string[]>();
            var examples = await ExamplesAsync(db, benchmark.ProgrammeId, request.Examples, "examples", invalid, ct);
            if (invalid.Count > 0) return invalid;
            var factor = new BenchmarkFactorRecord
            {
                BenchmarkId = benchmark.Id, Position = existing.Count == 0 ? 1 : existing.Max() + 1, Title = request.Title!.Trim(),
                WhyAndHow = request.WhyAndHow?.Trim() ?? "", GuidingQuestions = Json(Questions(request.GuidingQuestions)),
                Examples = Json(examples ?? []), Local = actor != MentorRole, CreatedAt = clock.GetUtcNow(),
            };
            db.BenchmarkFactors.Add(factor);
            changes.Add((factor.Id, factor.Local ? "local factor added" : "factor added", null, factor.Title));
            return null;
        });
    }

    /// <summary>The facilitator agrees the version they read. Agreeing an agreed benchmark again changes nothing.</summary>
    public async Task<BenchmarkResult<BenchmarkView>> AgreeAsync(ClaimsPrincipal user, Guid groupId, AgreeRequest request, IdempotencyKey? key,
        CancellationToken ct)
    {
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            var (_, _, refusal) = await AccessAsync<BenchmarkView>(db, user, groupId, ct);
            if (refusal is not null) return refusal;
        }

        if (!user.SeesWholeProgramme())
            return BenchmarkResult<BenchmarkView>.Fail(BenchmarkOutcome.Forbidden, "Only the facilitator agrees a benchmark",
                "The pair's cities write the benchmark; the programme's facilitator agrees it.");
        if (request.Version is null)
            return BenchmarkResult<BenchmarkView>.Fail(BenchmarkOutcome.Invalid, "The benchmark cannot be agreed.",
                errors: new Dictionary<string, string[]> { ["version"] = ["Send the version you read (the benchmark's 'version')."] });
        if (key is null) return KeyMissing();
        var opened = await OpenAsync(user, groupId, ct);
        if (opened.Outcome != BenchmarkOutcome.Done) return opened;
        var outcome = await Idempotency.RunAsync<BenchmarkView>(dbs, key, clock, async db =>
        {
            var benchmark = await db.Benchmarks.SingleAsync(b => b.GroupId == groupId, ct);
            if (benchmark.Version != request.Version) return Idempotent<BenchmarkView>.Refused(Stale(benchmark));
            if (benchmark.Status == BenchmarkRecord.Agreed) return Idempotent<BenchmarkView>.Done(await ViewAsync(db, benchmark, ct));
            if (!await db.BenchmarkFactors.AnyAsync(f => f.BenchmarkId == benchmark.Id, ct))
                return Idempotent<BenchmarkView>.Refused(BenchmarkResult<BenchmarkView>.Fail(BenchmarkOutcome.Conflict, "Nothing to agree yet",
                    "A benchmark needs at least one key factor before it is agreed."));
            var now = clock.GetUtcNow();
            benchmark.Status = BenchmarkRecord.Agreed;
            benchmark.AgreedAt = now;
            benchmark.AgreedBy = user.Identity?.Name;
            benchmark.Version++;
            benchmark.UpdatedAt = now;
            Record(db, benchmark, user, now, [(null, "status", BenchmarkRecord.Draft, BenchmarkRecord.Agreed)]);
            if (await SavedAsync(db, ct) is { } lost) return Idempotent<BenchmarkView>.Refused(lost);
            return Idempotent<BenchmarkView>.Done(await ViewAsync(db, benchmark, ct));
        }, ct);
        return Answer(outcome, returnedToDraft: false);
    }

    private delegate Task<Dictionary<string, string[]>?> Change(MentoringDb db, BenchmarkRecord benchmark, string role,
        List<(Guid? Factor, string Field, string? Old, string? New)> changes);

    /// <summary>The part every edit shares: access (a member city's coordinator), the field errors found before, the
    /// Idempotency-Key, the version read, the change itself and its history, in one transaction.</summary>
    private async Task<BenchmarkResult<BenchmarkView>> ChangeAsync(ClaimsPrincipal user, Guid groupId, object request,
        Dictionary<string, string[]> errors, IdempotencyKey? key, CancellationToken ct, Change change)
    {
        string role;
        await using (var db = await dbs.CreateDbContextAsync(ct))
        {
            var (_, members, refusal) = await AccessAsync<BenchmarkView>(db, user, groupId, ct);
            if (refusal is not null) return refusal;
            role = (user.IsInRole(PersonRoles.Coordinator) ? members.FirstOrDefault(m => m.CityId == user.CityId())?.Role : null) ?? "";
            if (role.Length == 0)
                return BenchmarkResult<BenchmarkView>.Fail(BenchmarkOutcome.Forbidden, "Read-only",
                    user.SeesWholeProgramme()
                        ? "The pair's cities write the benchmark; the facilitator agrees it (POST .../benchmark/agree)."
                        : "You can follow this pair's benchmark but not change it.");
        }

        foreach (var (field, messages) in Input.Problem(Input.Check(request, clock.GetUtcNow()))) errors.TryAdd(field, messages);
        if (errors.Count > 0) return BenchmarkResult<BenchmarkView>.Fail(BenchmarkOutcome.Invalid, "The benchmark change is refused.", errors: errors);
        if (key is null) return KeyMissing();
        var opened = await OpenAsync(user, groupId, ct);
        if (opened.Outcome != BenchmarkOutcome.Done) return opened;
        var version = request switch { BenchmarkEditRequest e => e.Version, NewFactorRequest n => n.Version, _ => null };
        var returnedToDraft = false;
        var outcome = await Idempotency.RunAsync<BenchmarkView>(dbs, key, clock, async db =>
        {
            var benchmark = await db.Benchmarks.SingleAsync(b => b.GroupId == groupId, ct);
            if (benchmark.Version != version) return Idempotent<BenchmarkView>.Refused(Stale(benchmark));
            var changes = new List<(Guid? Factor, string Field, string? Old, string? New)>();
            if (await change(db, benchmark, role, changes) is { } invalid)
                return Idempotent<BenchmarkView>.Refused(BenchmarkResult<BenchmarkView>.Fail(BenchmarkOutcome.Invalid,
                    "The benchmark change is refused.", errors: invalid));
            // Nothing different from what is stored: no new version, no history line, the benchmark as it is.
            if (changes.Count == 0) return Idempotent<BenchmarkView>.Done(await ViewAsync(db, benchmark, ct));
            var now = clock.GetUtcNow();
            if (benchmark.Status == BenchmarkRecord.Agreed)
            {
                changes.Add((null, "status", BenchmarkRecord.Agreed, BenchmarkRecord.Draft));
                benchmark.Status = BenchmarkRecord.Draft;
                benchmark.AgreedAt = null;
                benchmark.AgreedBy = null;
                returnedToDraft = true;
            }

            benchmark.Version++;
            benchmark.UpdatedAt = now;
            Record(db, benchmark, user, now, changes);
            if (await SavedAsync(db, ct) is { } lost) return Idempotent<BenchmarkView>.Refused(lost);
            return Idempotent<BenchmarkView>.Done(await ViewAsync(db, benchmark, ct));
        }, ct);
        return Answer(outcome, returnedToDraft);
    }

    /// <summary>Saves, or says the race was lost: the version changed between this change's read and its write (the
    /// version column is the row's concurrency token, so two nodes cannot both write on top of the same version).</summary>
    private static async Task<BenchmarkResult<BenchmarkView>?> SavedAsync(MentoringDb db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return BenchmarkResult<BenchmarkView>.Fail(BenchmarkOutcome.Conflict, "The benchmark was changed meanwhile",
                "Someone saved the benchmark while you were editing it: read it again and make your change on the new version.");
        }
    }

    private static BenchmarkResult<BenchmarkView> Stale(BenchmarkRecord benchmark) =>
        BenchmarkResult<BenchmarkView>.Fail(BenchmarkOutcome.Conflict, "The benchmark was changed meanwhile",
            $"You read an older version; the benchmark is at version {benchmark.Version} now: read it again and make your change on it.");

    private static BenchmarkResult<BenchmarkView> KeyMissing() =>
        BenchmarkResult<BenchmarkView>.Fail(BenchmarkOutcome.KeyMissing, "Idempotency-Key header required",
            "Send a unique Idempotency-Key header (for example a new UUID) with every change, and the same one when you retry it.");

    private static BenchmarkResult<BenchmarkView> Answer(Idempotent<BenchmarkView> outcome, bool returnedToDraft) => outcome.Kind switch
    {
        IdempotentKind.Done => BenchmarkResult<BenchmarkView>.Done(outcome.Response!, returnedToDraft),
        IdempotentKind.Replayed => new BenchmarkResult<BenchmarkView>(BenchmarkOutcome.Done, outcome.Response, Replayed: true),
        IdempotentKind.KeyReused => BenchmarkResult<BenchmarkView>.Fail(BenchmarkOutcome.KeyReused, "Idempotency-Key reused",
            "This Idempotency-Key was used for another request; send a new one."),
        IdempotentKind.InFlight => BenchmarkResult<BenchmarkView>.Fail(BenchmarkOutcome.Conflict, "In progress", Idempotency.InFlightMessage),
        _ => (BenchmarkResult<BenchmarkView>)outcome.Refusal!,
    };

    private static void Record(MentoringDb db, BenchmarkRecord benchmark, ClaimsPrincipal user, DateTimeOffset now,
        IEnumerable<(Guid? Factor, string Field, string? Old, string? New)> changes)
    {
        Guid? personId = Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;
        foreach (var (factor, field, old, @new) in changes)
            db.BenchmarkChanges.Add(new BenchmarkChangeRecord
            {
                BenchmarkId = benchmark.Id, FactorId = factor, Version = benchmark.Version, Field = field, OldValue = old, NewValue = @new,
                ChangedBy = personId, ChangedByName = user.Identity?.Name ?? "", ChangedAt = now,
            });
    }

    private static async Task<BenchmarkView> ViewAsync(MentoringDb db, BenchmarkRecord benchmark, CancellationToken ct)
    {
        var factors = await db.BenchmarkFactors.Where(f => f.BenchmarkId == benchmark.Id).ToListAsync(ct);
        // Factors added in this change are tracked, not yet in the database.
        var added = db.ChangeTracker.Entries<BenchmarkFactorRecord>().Where(e => e.State == EntityState.Added).Select(e => e.Entity);
        return BenchmarkQueries.View(benchmark, factors.Union(added).Where(f => f.BenchmarkId == benchmark.Id));
    }

    /// <summary>Changes what the request gives (a null leaves a field as it is), noting each change for the history.</summary>
    private static void Apply(BenchmarkFactorRecord factor, string? title, string? whyAndHow, List<string>? questions,
        IReadOnlyList<MentorExample>? examples, List<(Guid?, string, string?, string?)> changes)
    {
        if (title is not null && title.Trim() != factor.Title)
        {
            changes.Add((factor.Id, "factor title", factor.Title, title.Trim()));
            factor.Title = title.Trim();
        }

        if (whyAndHow is not null && whyAndHow.Trim() != factor.WhyAndHow)
        {
            changes.Add((factor.Id, "why and how", factor.WhyAndHow, whyAndHow.Trim()));
            factor.WhyAndHow = whyAndHow.Trim();
        }

        if (questions is not null && Json(Questions(questions)) is var newQuestions && newQuestions != factor.GuidingQuestions)
        {
            changes.Add((factor.Id, "guiding questions", Lines(BenchmarkQueries.Questions(factor.GuidingQuestions)), Lines(Questions(questions))));
            factor.GuidingQuestions = newQuestions;
        }

        if (examples is not null && Json(examples) is var newExamples && newExamples != factor.Examples)
        {
            changes.Add((factor.Id, "mentor examples", Lines(BenchmarkQueries.Examples(factor.Examples).Select(Describe)), Lines(examples.Select(Describe))));
            factor.Examples = newExamples;
        }
    }

    private static string Describe(MentorExample example) =>
        example.Text + (example.Url is { } url ? $" <{url}>" : "") + (example.PracticeId is { } practice ? $" [practice {practice}]" : "");

    private static string Lines(IEnumerable<string> lines) => string.Join("\n", lines);

    private static List<string> Questions(IEnumerable<string>? questions) =>
        (questions ?? []).Select(q => q?.Trim() ?? "").Where(q => q.Length > 0).ToList();

    internal static string Json<T>(T value) => JsonSerializer.Serialize(value, BenchmarkRecord.Json);

    private static void CheckTitle(Dictionary<string, string[]> errors, string field, string? title, string missing)
    {
        if (string.IsNullOrWhiteSpace(title)) errors[field] = [missing];
    }

    private static void CheckFactor(Dictionary<string, string[]> errors, string prefix, string? title, string? whyAndHow,
        List<string>? questions, List<ExampleRequest>? examples, bool titleOptional)
    {
        if (!titleOptional || title is not null) CheckTitle(errors, prefix + "title", title, "Give the key factor a title.");
        var found = new List<InputError>();
        Input.CheckText(found, prefix + "title", "Title", title, new TextAttribute(Limits.Line));
        Input.CheckText(found, prefix + "whyAndHow", "Why and how", whyAndHow, new TextAttribute(Limits.Note) { MultiLine = true });
        if (questions is { Count: > MaxQuestions }) errors[prefix + "guidingQuestions"] = [$"A key factor can have at most {MaxQuestions} guiding questions."];
        foreach (var question in questions ?? []) Input.CheckText(found, prefix + "guidingQuestions", "Guiding questions", question, new TextAttribute(Limits.Comment));
        if (examples is { Count: > MaxExamples }) errors[prefix + "examples"] = [$"A key factor can have at most {MaxExamples} mentor examples."];
        for (var i = 0; i < (examples?.Count ?? 0); i++)
        {
            var field = $"{prefix}examples[{i}]";
            if (examples![i] is not { } example) { errors[field] = ["Must be an example: {text, practiceId, url}."]; continue; }
            if (string.IsNullOrWhiteSpace(example.Text)) errors[field + ".text"] = ["Say what the example is."];
            Input.CheckText(found, field + ".text", "Text", example.Text, new TextAttribute(Limits.Comment) { MultiLine = true });
            Input.CheckText(found, field + ".url", "Url", example.Url, new TextAttribute(Limits.Link));
            if (example.Url is { Length: > 0 } url && !(Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
                errors[field + ".url"] = ["Must be a web address starting with http:// or https://."];
        }

        foreach (var (field, messages) in Input.Problem(found)) errors.TryAdd(field, messages);
    }

    /// <summary>The examples as stored, each practice checked to be one this programme's library shows (its own or shared
    /// with it); null when the request leaves them as they are.</summary>
    private static async Task<IReadOnlyList<MentorExample>?> ExamplesAsync(MentoringDb db, string programmeId, List<ExampleRequest>? examples,
        string field, Dictionary<string, string[]> errors, CancellationToken ct)
    {
        if (examples is null) return null;
        var wanted = examples.Where(e => e.PracticeId is not null).Select(e => e.PracticeId!.Value).Distinct().ToList();
        var known = await BenchmarkTemplates.VisiblePracticesAsync(db, programmeId, wanted, ct);
        for (var i = 0; i < examples.Count; i++)
            if (examples[i].PracticeId is { } practice && !known.Contains(practice))
                errors[$"{field}[{i}].practiceId"] = [$"There is no practice {practice} in this programme's library."];
        return examples.Select(e => new MentorExample(e.Text!.Trim(), e.PracticeId,
            string.IsNullOrWhiteSpace(e.Url) ? null : e.Url.Trim())).ToList();
    }
}
