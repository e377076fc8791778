using Mentoring.Server.Assessments;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Assessments;

/// <summary>What the matching reads (Contract 2): the demo's first start stores the questionnaire and the eight
/// submitted assessments, on both databases.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class AssessmentQueriesTests(DatabaseFixture database)
{
    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_demo_starts_with_the_questionnaire_and_the_eight_cities_submitted_assessments(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        await using var db = app.Db();

        var questionnaire = await AssessmentQueries.QuestionnaireAsync(db, "inclucities", CancellationToken.None);
        var submitted = await AssessmentQueries.SubmittedAsync(db, "inclucities", CancellationToken.None);

        Assert.Equal("inclucities-needs-assessment", questionnaire?.Id);
        Assert.Equal(8, submitted.Count);
        var jelgava = submitted.Single(a => a.CityId == "jelgava");
        Assert.Equal(0, jelgava.Answers["lang-informal"].Level);
        Assert.Equal(["national"], jelgava.Answers["lang-providers"].Options);
        Assert.Equal(["language-learning", "city-for-all"], jelgava.Answers["context-priorities"].Options);
        Assert.StartsWith("How to organise", jelgava.Answers["exp-learn"].Text);
        Assert.Equal(new DateTimeOffset(2020, 11, 23, 10, 0, 0, TimeSpan.Zero), jelgava.SubmittedAt);
        Assert.Null(await AssessmentQueries.QuestionnaireAsync(db, "no-such-programme", CancellationToken.None));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Drafts_are_not_submitted_assessments_and_answers_to_dropped_questions_are_not_read(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        await using (var db = app.Db())
        {
            var capaci = await db.Set<AssessmentRecord>().SingleAsync(a => a.CityId == "capaci");
            capaci.Status = AssessmentStatus.Draft;
            var brussels = await db.Set<AssessmentRecord>().SingleAsync(a => a.CityId == "brussels");
            db.Set<AssessmentAnswerRecord>().Add(new AssessmentAnswerRecord { AssessmentId = brussels.Id, QuestionId = "dropped-question", Level = 2 });
            await db.SaveChangesAsync();
        }

        await using var read = app.Db();
        var submitted = await AssessmentQueries.SubmittedAsync(read, "inclucities", CancellationToken.None);

        Assert.DoesNotContain(submitted, a => a.CityId == "capaci");
        Assert.DoesNotContain("dropped-question", submitted.Single(a => a.CityId == "brussels").Answers.Keys);
    }
}
