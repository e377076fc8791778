using Mentoring.Server.Data;
using Mentoring.Server.Practices;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Bench.Practices;

/// <summary>
/// Grows the demo library to <c>count</c> practices, through EF Core as the server writes them (so SQLite's FTS5
/// triggers and PostgreSQL's generated tsvector index them as they do in use): deterministic text from a vocabulary of
/// 3,000 made-up words and 60 real ones, 12 themes, 50 cities, mostly English with some of the other six languages,
/// nine in ten published, a few shared by another programme and shown here.
/// </summary>
public static class Seeder
{
    public const string Programme = "inclucities";

    private static readonly string[] Real =
    [
        "language", "learning", "volunteers", "newcomers", "employment", "training", "housing", "women", "children", "school",
        "health", "mentoring", "integration", "reception", "citizens", "associations", "network", "courses", "jobs", "youth",
        "refugees", "migrants", "coexistence", "rumours", "entrepreneurs", "cooperative", "library", "neighbourhood", "sport", "culture",
        "guidance", "interpreters", "orientation", "rights", "duties", "municipality", "council", "participation", "dialogue", "families",
        "childcare", "digital", "skills", "apprenticeship", "mobility", "transport", "parents", "elderly", "students", "teachers",
        "partners", "funding", "results", "evaluation", "outreach", "awareness", "campaign", "festival", "market", "garden",
    ];

    private static readonly string[] Themes =
    [
        "language learning", "employment", "volunteering", "housing", "health", "education", "citizen mobilisation", "gender-sensitive services",
        "reception of newcomers", "anti-discrimination", "participation", "city for all",
    ];

    private static readonly string[] Languages = ["en", "en", "en", "en", "en", "fr", "es", "it", "nl", "el", "lv"];

    public static async Task SeedAsync(IDbContextFactory<MentoringDb> dbs, int count)
    {
        var random = new Random(20_261_201);
        var made = Enumerable.Range(0, 3000).Select(_ => new string(Enumerable.Range(0, random.Next(4, 10))
            .Select(_ => (char)('a' + random.Next(26))).ToArray())).ToArray();
        string Word() => random.Next(4) == 0 ? Real[random.Next(Real.Length)] : made[random.Next(made.Length)];
        string Sentence(int words) => string.Join(' ', Enumerable.Range(0, words).Select(_ => Word())) + ".";

        await using (var db = await dbs.CreateDbContextAsync())
        {
            if (!await db.Programmes.AnyAsync(p => p.Id == "bench-other"))
            {
                db.Programmes.Add(new Mentoring.Server.Programme.ProgrammeRecord { Id = "bench-other", Name = "Another network", TimeZone = "Europe/Athens" });
                await db.SaveChangesAsync();
            }
        }

        var facilitator = await FacilitatorAsync(dbs);
        var existing = await CountAsync(dbs);
        for (var batch = existing; batch < count; batch += 500)
        {
            await using var db = await dbs.CreateDbContextAsync();
            await using var transaction = await db.Database.BeginTransactionAsync();
            for (var n = batch; n < Math.Min(batch + 500, count); n++)
            {
                var other = n % 50 == 0;
                var practice = new Practice
                {
                    ProgrammeId = other ? "bench-other" : Programme, Title = string.Join(' ', Enumerable.Range(0, random.Next(3, 8)).Select(_ => Word())),
                    City = $"City {random.Next(50)}", Country = "BE", Language = Languages[random.Next(Languages.Length)],
                    Summary = Sentence(random.Next(25, 60)), Achieves = Sentence(random.Next(10, 30)), RunBy = Sentence(5),
                    Resources = Sentence(random.Next(5, 15)), Results = Sentence(random.Next(10, 30)), Contact = "contact@example.org",
                    Languages = ["en"], Links = ["https://example.org/practice/" + n],
                    Status = random.Next(10) == 0 ? PracticeStatus.Proposed : PracticeStatus.Published, Shared = other,
                    ProposedAt = DateTimeOffset.UnixEpoch, UpdatedAt = DateTimeOffset.UnixEpoch, Version = 1,
                };
                db.Set<Practice>().Add(practice);
                foreach (var theme in Themes.OrderBy(_ => random.Next()).Take(random.Next(1, 4)))
                    db.Set<PracticeTheme>().Add(new PracticeTheme { PracticeId = practice.Id, Theme = theme });
                if (other && practice.Status == PracticeStatus.Published)
                    db.Set<PracticeShow>().Add(new PracticeShow { PracticeId = practice.Id, ProgrammeId = Programme, ShownBy = facilitator, ShownAt = DateTimeOffset.UnixEpoch });
            }

            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }
    }

    private static async Task<int> CountAsync(IDbContextFactory<MentoringDb> dbs)
    {
        await using var db = await dbs.CreateDbContextAsync();
        return await db.Set<Practice>().CountAsync();
    }

    private static async Task<Guid> FacilitatorAsync(IDbContextFactory<MentoringDb> dbs)
    {
        await using var db = await dbs.CreateDbContextAsync();
        return await db.ProgrammePeople.Where(p => p.ProgrammeId == Programme && p.Role == "facilitator").Select(p => p.PersonId).FirstAsync();
    }
}
