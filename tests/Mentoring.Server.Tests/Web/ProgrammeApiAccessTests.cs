using System.Net;
using System.Net.Http.Json;
using Mentoring.Server.Data;
using Mentoring.Server.Instances;
using Mentoring.Server.Tests.Infrastructure;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Web;

[Collection(DatabaseCollection.Name)]
public sealed class ProgrammeApiAccessTests(DatabaseFixture database)
{
    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Only_the_facilitator_reads_the_programme_workflow(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);

        foreach (var person in new[] { People.Coordinator("jelgava"), People.Coordinator("capaci"), People.Observer("LPS"), People.Observer("KEDE") })
        {
            var response = await (await app.ClientForAsync(person)).GetAsync("/api/programme");
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{person}: {response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        var cookie = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        Assert.Equal(HttpStatusCode.Forbidden, (await cookie.Http.GetAsync("/api/programme")).StatusCode);

        var facilitator = await app.ClientForAsync(People.Facilitator);
        var programme = await facilitator.GetFromJsonAsync<ProgrammeView>("/api/programme", Api.Json);
        Assert.Equal("IncluCities", programme!.Name);
        Assert.NotNull(programme.Workflow);
    }
}
