using System.Net;
using System.Net.Http.Json;
using Mentoring.Server.Data;
using Mentoring.Server.Matching;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Tests.Web;
using Mentoring.Server.Web;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Matching;

/// <summary>The matching over /api/programmes/{id}/matching on the IncluCities demo: its proposal and reasons, the
/// facilitator's constraints, publishing, and who may do any of it.</summary>
[Collection(DatabaseCollection.Name)]
public sealed class MatchingApiTests(DatabaseFixture database)
{
    internal const string Matching = "/api/programmes/inclucities/matching";

    internal static readonly (string Mentor, string Mentee)[] RealPairs =
        [("brussels", "saint-jean-de-la-ruelle"), ("mechelen", "capaci"), ("fuenlabrada", "livadeia"), ("schaerbeek", "jelgava")];

    internal static async Task<MatchingProposal> ProposalAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<MatchingProposal>($"{Matching}/proposal", Api.Json))!;

    private static Task<HttpResponseMessage> PutConstraintsAsync(HttpClient client, object body) =>
        client.PutAsync($"{Matching}/constraints", JsonContent.Create(body, options: Api.Json));

    [Fact]
    public async Task A_proposal_read_in_another_language_has_the_fingerprint_the_publisher_checks()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite);
        await using var db = app.Db();

        var french = await MatchingProposals.ProposeAsync(db, "inclucities", "fr", new Words(key => "« " + key + " »"), CancellationToken.None);
        var english = await MatchingProposals.ProposeAsync(db, "inclucities", "en", Words.English, CancellationToken.None);

        Assert.NotEqual(english.Value!.Pairs[0].Breakdown[0].Text, french.Value!.Pairs[0].Breakdown[0].Text);
        Assert.Equal(english.Value.Fingerprint, french.Value.Fingerprint);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task The_demo_proposal_is_the_four_real_pairs_with_their_reasons_and_publishing_it_forms_nothing_twice(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var facilitator = await app.ClientForAsync(People.Facilitator);

        var proposal = await ProposalAsync(facilitator);

        Assert.Equal(RealPairs.Order(), proposal.Pairs.Select(p => (p.Mentor, p.Mentee)).Order());
        Assert.Equal(proposal.Pairs.Sum(p => p.Score), proposal.Total);
        Assert.All(proposal.Pairs, p =>
        {
            Assert.NotEmpty(p.Breakdown);
            Assert.Equal(p.Score, p.Breakdown.Sum(b => b.Points));
            Assert.True(p.RunnerUp is { Gap: > 0 }, $"{p.Mentee}: the real mentor leads its runner-up");
        });
        Assert.Equal(4, proposal.Matrix.Count);
        Assert.All(proposal.Matrix, row => Assert.Equal(4, row.Cells.Count));
        Assert.Equal(4, proposal.Existing.Count(g => g.InProposal));
        Assert.Null(proposal.Unconstrained);
        Assert.Contains("2020", proposal.Note);

        var published = await facilitator.CommandAsync($"{Matching}/publish", new { fingerprint = proposal.Fingerprint });
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        var result = (await published.Content.ReadFromJsonAsync<PublishResult>(Api.Json))!;
        Assert.Null(result.Publication);
        Assert.All(result.Groups, g => Assert.False(g.Created));
        await using var db = app.Db();
        Assert.Equal(4, await db.Groups.CountAsync(g => g.ProgrammeId == "inclucities"));
        Assert.Equal(0, await db.MatchingPublications.CountAsync());
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Constraints_are_checked_kept_when_solving_again_and_their_cost_is_shown(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var facilitator = await app.ClientForAsync(People.Facilitator);

        var both = await PutConstraintsAsync(facilitator, new
        {
            locks = new[] { new { mentor = "brussels", mentee = "capaci" } }, forbids = new[] { new { mentor = "brussels", mentee = "capaci" } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
        Assert.True((await both.ProblemAsync()).GetProperty("errors").TryGetProperty("forbids[0]", out _));
        var strangers = await PutConstraintsAsync(facilitator, new { locks = new[] { new { mentor = "capaci", mentee = "atlantis" } } });
        Assert.Equal(HttpStatusCode.BadRequest, strangers.StatusCode);
        var errors = (await strangers.ProblemAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("locks[0].mentor", out _) && errors.TryGetProperty("locks[0].mentee", out _));

        var impossible = await PutConstraintsAsync(facilitator, new
        {
            capacity = new Dictionary<string, int> { ["brussels"] = 0, ["mechelen"] = 0, ["fuenlabrada"] = 1, ["schaerbeek"] = 1 },
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, impossible.StatusCode);
        Assert.Contains("capacities are too small", (await impossible.ProblemAsync()).GetProperty("detail").GetString());
        await using (var db = app.Db()) Assert.Equal(0, await db.MatchingConstraints.CountAsync());

        var locked = await PutConstraintsAsync(facilitator, new
        {
            locks = new[] { new { mentor = "brussels", mentee = "capaci" } }, forbids = new[] { new { mentor = "schaerbeek", mentee = "jelgava" } },
        });
        Assert.Equal(HttpStatusCode.OK, locked.StatusCode);
        var proposal = await ProposalAsync(facilitator);
        Assert.True(proposal.Pairs.Single(p => p.Mentee == "capaci") is { Mentor: "brussels", Locked: true });
        Assert.DoesNotContain(proposal.Pairs, p => p is { Mentor: "schaerbeek", Mentee: "jelgava" });
        Assert.True(proposal.Cost > 0);
        Assert.Equal(proposal.Unconstrained!.Total - proposal.Total, proposal.Cost);
        var kept = (await facilitator.GetFromJsonAsync<MatchingConstraints>($"{Matching}/constraints", Api.Json))!;
        Assert.Equal([new Pairing("brussels", "capaci")], kept.Locks);

        // Capaci and Brussels are in pairs of IncluCities already, and a city is in one pair only.
        var refused = await facilitator.CommandAsync($"{Matching}/publish");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("Capaci is already in pair 2", (await refused.ProblemAsync()).GetProperty("detail").GetString());
        var stale = await facilitator.CommandAsync($"{Matching}/publish", new { fingerprint = "0000" });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("changed since it was read", (await stale.ProblemAsync()).GetProperty("detail").GetString());
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Publishing_forms_and_starts_the_groups_once_recorded_with_the_proposal_it_came_from(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var facilitator = await app.ClientForAsync(People.Facilitator);
        await using (var db = app.Db())
            foreach (var group in await db.Groups.Where(g => g.ProgrammeId == "inclucities").ToListAsync())
            {
                Assert.Equal(HttpStatusCode.OK, (await facilitator.CommandAsync($"/api/instances/{group.InstanceId}/cancel", new { reason = "matched again" })).StatusCode);
                Assert.Equal(HttpStatusCode.OK, (await facilitator.DeleteAsync($"/api/programmes/inclucities/groups/{group.Id}")).StatusCode);
            }

        var proposal = await ProposalAsync(facilitator);
        Assert.Empty(proposal.Existing);
        var key = Guid.NewGuid().ToString();
        var published = await facilitator.CommandAsync($"{Matching}/publish", new { fingerprint = proposal.Fingerprint }, key);
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        var result = (await published.Content.ReadFromJsonAsync<PublishResult>(Api.Json))!;
        Assert.Equal(4, result.Groups.Count(g => g.Created));
        var replayed = await facilitator.CommandAsync($"{Matching}/publish", new { fingerprint = proposal.Fingerprint }, key);
        Assert.Equal("true", replayed.Headers.GetValues(HttpIdempotency.ReplayedHeader).Single());
        var again = (await (await facilitator.CommandAsync($"{Matching}/publish")).Content.ReadFromJsonAsync<PublishResult>(Api.Json))!;
        Assert.Null(again.Publication);
        Assert.All(again.Groups, g => Assert.False(g.Created));

        await using var after = app.Db();
        var groups = await after.Groups.Where(g => g.ProgrammeId == "inclucities").ToListAsync();
        Assert.Equal(4, groups.Count);
        var formed = groups.Select(g => g.InstanceId).ToList();
        Assert.Equal(4, await after.Instances.CountAsync(i => formed.Contains(i.Id) && i.Status == "running"));
        var publication = await after.MatchingPublications.SingleAsync();
        Assert.Equal(result.Publication, publication.Id);
        Assert.Contains(proposal.Fingerprint, publication.Proposal);
        Assert.All(result.Groups, g => Assert.Contains(g.Group.ToString(), publication.Groups));
        Assert.Equal(RealPairs.Order(), (await facilitator.PairsAsync()).Select(p => (p.Mentor.Id, p.Mentee.Id)).Order());
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Only_the_programmes_facilitator_matches_its_cities_and_another_programme_is_not_there(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var network = await ProgrammesApiTests.CreateNetworkAsync(app);
        var coordinator = await app.ClientForAsync(People.Coordinator("jelgava"));
        var facilitator = await app.ClientForAsync(People.Facilitator);

        Assert.Equal(HttpStatusCode.Forbidden, (await coordinator.GetAsync($"{Matching}/proposal")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PutConstraintsAsync(coordinator, new { locks = Array.Empty<object>() })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await coordinator.CommandAsync($"{Matching}/publish")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await network.GetAsync($"{Matching}/proposal")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await network.CommandAsync($"{Matching}/publish")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await facilitator.GetAsync($"/api/programmes/{ProgrammesApiTests.Network}/matching/proposal")).StatusCode);
        var none = await network.GetAsync($"/api/programmes/{ProgrammesApiTests.Network}/matching/proposal");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, none.StatusCode);
        Assert.Contains("matching.json", (await none.ProblemAsync()).GetProperty("detail").GetString());
        await using var db = app.Db();
        Assert.Equal(0, await db.MatchingConstraints.CountAsync());
        Assert.NotNull(await db.MatchingSettings.SingleOrDefaultAsync(s => s.ProgrammeId == "inclucities"));
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Without_submitted_assessments_the_proposal_is_a_422_saying_so_and_nothing_is_published(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var facilitator = await app.ClientForAsync(People.Facilitator);
        await using (var db = app.Db())
        {
            await db.Database.ExecuteSqlRawAsync("DELETE FROM assessment_answers");
            await db.Database.ExecuteSqlRawAsync("DELETE FROM assessments");
        }

        var none = await facilitator.GetAsync($"{Matching}/proposal");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, none.StatusCode);
        Assert.Contains("No city has submitted its assessment yet", (await none.ProblemAsync()).GetProperty("detail").GetString());
        var publish = await facilitator.CommandAsync($"{Matching}/publish");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, publish.StatusCode);
        await using var after = app.Db();
        Assert.Equal(0, await after.MatchingPublications.CountAsync());
    }
}
