using System.Security.Claims;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Mentoring.Server.Pairs;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Tests.Web;
using Mentoring.Server.Web;
using Mentoring.Server.Workflows;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Workflows;

/// <summary>The work-item command service without HTTP: a typed command in, a typed outcome out, and each outcome as
/// the API answers it (status code, problem details) and as the pages say it (a message).</summary>
[Collection(DatabaseCollection.Name)]
public sealed class WorkItemCommandTests(DatabaseFixture database)
{
    private const string MenteeTask = "mentee-needs-self-assessment";
    private const string MentorTask = "mentor-strengths-on-theme";

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task Each_refusal_comes_back_typed_and_writes_nothing_and_a_retry_gets_the_first_answer(DatabaseProvider provider)
    {
        await using var app = await StartAsync(database, provider);
        var commands = app.Service<WorkItemCommands>();
        var pair = await WebAccessTests.PairIdAsync(app, "jelgava");
        var otherPair = await WebAccessTests.PairIdAsync(app, "livadeia");
        var menteeTask = await WebAccessTests.OpenTaskAsync(app, pair, MenteeTask);
        var mentorTask = await WebAccessTests.OpenTaskAsync(app, pair, MentorTask);
        string mentorCity;
        await using (var db = app.Db()) mentorCity = await db.GroupMembers.Where(m => m.GroupId == pair && m.Role == "mentor").Select(m => m.CityId).SingleAsync();
        var jelgava = await UserAsync(app, People.Coordinator("jelgava"));
        var mentor = await UserAsync(app, People.Coordinator(mentorCity));
        var observer = await UserAsync(app, People.Observer("lps"));
        var strengths = new CompleteTaskCommand(mentorTask, new CompleteTaskRequest("Our strengths on the theme", null, null, null));

        async Task<CommandFailure?> FailureAsync(Guid? pairId, WorkItemCommand command, ClaimsPrincipal user, string? key = "k") =>
            (await commands.RunAsync(pairId, command, user, key == "k" ? Guid.NewGuid().ToString() : key, CancellationToken.None)).Failure;

        Assert.Equal(CommandFailure.KeyMissing, await FailureAsync(pair, strengths, mentor, key: null));
        Assert.Equal(CommandFailure.KeyMissing, await FailureAsync(pair, strengths, mentor, key: new string('k', 201)));
        Assert.Equal(CommandFailure.PairNotFound, await FailureAsync(Guid.NewGuid(), strengths, mentor));
        Assert.Equal(CommandFailure.NotYourPair, await FailureAsync(otherPair, strengths, jelgava));
        Assert.Equal(CommandFailure.ReadOnly, await FailureAsync(pair, strengths, observer));
        Assert.Equal(CommandFailure.FacilitatorOnly, await FailureAsync(null, strengths, jelgava));
        Assert.Equal(CommandFailure.ItemNotFound, await FailureAsync(pair, strengths with { ItemId = Guid.NewGuid() }, mentor));
        Assert.Equal(CommandFailure.ItemNotFound, await FailureAsync(pair, new ApproveCommand(mentorTask, null), mentor));
        Assert.Equal(CommandFailure.NotYours, await FailureAsync(pair, strengths, jelgava));
        var noFile = await commands.RunAsync(pair, new CompleteTaskCommand(menteeTask, new CompleteTaskRequest("Our needs", null, null, null)),
            jelgava, "no-file", CancellationToken.None);
        Assert.Equal(CommandFailure.Invalid, noFile.Failure);
        Assert.NotEmpty(noFile.Errors!);
        var foreignFile = await commands.RunAsync(pair,
            new CompleteTaskCommand(menteeTask, new CompleteTaskRequest("Our needs", null, Guid.NewGuid().ToString(), null)),
            jelgava, "foreign-file", CancellationToken.None);
        Assert.Equal((CommandFailure.Invalid, "The file cannot be attached."), (foreignFile.Failure, foreignFile.Title));
        Assert.True(foreignFile.Errors!.ContainsKey("fileId"));
        await using (var db = app.Db())
            Assert.Equal(0, await db.Journal.CountAsync(j => j.Type == "task-completed"));

        var done = await commands.RunAsync(pair, strengths, mentor, "strengths", CancellationToken.None);
        Assert.True(done.Succeeded);
        Assert.False(done.Replayed);
        var again = await commands.RunAsync(pair, strengths, mentor, "strengths", CancellationToken.None);
        Assert.Equal((true, true), (again.Succeeded, again.Replayed));
        Assert.Equivalent(done.Response, again.Response);
        var otherNote = strengths with { Body = strengths.Body with { Note = "Something else" } };
        Assert.Equal(CommandFailure.KeyReused, (await commands.RunAsync(pair, otherNote, mentor, "strengths", CancellationToken.None)).Failure);
        var late = await commands.RunAsync(pair, strengths, mentor, "strengths-again", CancellationToken.None);
        Assert.Equal(CommandFailure.AlreadyDone, late.Failure);
        Assert.Equal(app.Clock.GetUtcNow(), late.ClosedAt);
        Assert.Equal(mentor.Identity!.Name, late.ClosedBy);
        await using (var db = app.Db())
            Assert.Equal(1, await db.Journal.CountAsync(j => j.Type == "task-completed"));
    }

    public static TheoryData<CommandFailure, int> ApiStatuses => new()
    {
        { CommandFailure.KeyMissing, 400 }, { CommandFailure.Invalid, 400 }, { CommandFailure.PairNotFound, 404 },
        { CommandFailure.ItemNotFound, 404 }, { CommandFailure.WorkflowNotFound, 404 }, { CommandFailure.NoProgrammeWorkflow, 404 },
        { CommandFailure.NotYourPair, 403 }, { CommandFailure.ReadOnly, 403 }, { CommandFailure.FacilitatorOnly, 403 },
        { CommandFailure.NotYours, 403 }, { CommandFailure.AlreadyDone, 409 }, { CommandFailure.Conflict, 409 },
        { CommandFailure.KeyReused, 422 },
    };

    [Theory, MemberData(nameof(ApiStatuses))]
    public void The_API_answers_each_failure_with_its_status_and_title(CommandFailure failure, int status)
    {
        var response = new DefaultHttpContext().Response;
        var result = PairsApi.Answer(response, CommandResult.Fail(failure, "The title", "The detail",
            new Dictionary<string, string[]> { ["note"] = ["Too long."] })).Result;

        Assert.Equal(status, ((IStatusCodeHttpResult)result).StatusCode);
        var problem = result is ValidationProblem validation ? validation.ProblemDetails : ((ProblemHttpResult)result).ProblemDetails;
        Assert.Equal("The title", problem.Title);
        Assert.False(response.Headers.ContainsKey(HttpIdempotency.ReplayedHeader));
    }

    [Fact]
    public void The_API_names_when_and_by_whom_an_item_was_closed_and_marks_a_replay()
    {
        var at = new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero);
        var closed = (ProblemHttpResult)PairsApi.Answer(new DefaultHttpContext().Response, new CommandResult(null,
            Failure: CommandFailure.AlreadyDone, Title: "Already done", ClosedAt: at, ClosedBy: "Schaerbeek coordinator")).Result;
        Assert.Equal((at, "Schaerbeek coordinator"), (closed.ProblemDetails.Extensions["closedAt"], closed.ProblemDetails.Extensions["closedBy"]));

        var response = new DefaultHttpContext().Response;
        var replayed = PairsApi.Answer(response, new CommandResult(new CommandResponse(Guid.NewGuid(), "running", 1, "Matching", null, []),
            Replayed: true)).Result;
        Assert.IsType<Ok<CommandResponse>>(replayed);
        Assert.Equal("true", response.Headers[HttpIdempotency.ReplayedHeader]);
    }

    [Fact]
    public void A_page_says_each_failure_in_words_and_nothing_on_success()
    {
        using var services = new ServiceCollection().AddLogging().AddLocalization(options => options.ResourcesPath = "Resources")
            .AddSingleton<Texts>().BuildServiceProvider();
        var text = services.GetRequiredService<Texts>();
        Assert.Null(PageCommands.Message(new CommandResult(new CommandResponse(Guid.NewGuid(), "running", 1, "Matching", null, [])), text));
        Assert.Equal(text["The form is out of date: reload the page and try again."],
            PageCommands.Message(CommandResult.Fail(CommandFailure.KeyMissing, "Idempotency-Key header required", "Send one."), text));
        Assert.Equal("The file cannot be attached. That file is not yours.", PageCommands.Message(CommandResult.Fail(CommandFailure.Invalid,
            "The file cannot be attached.", errors: new Dictionary<string, string[]> { ["fileId"] = ["That file is not yours."] }), text));
        Assert.Equal("Not yours to do. The mentor city does this.",
            PageCommands.Message(CommandResult.Fail(CommandFailure.NotYours, "Not yours to do", "The mentor city does this."), text));
        Assert.Equal("No such workflow.", PageCommands.Message(CommandResult.Fail(CommandFailure.WorkflowNotFound, "No such workflow"), text));
    }

    private static async Task<ClaimsPrincipal> UserAsync(MentoringApp app, string email)
    {
        await using var db = app.Db();
        var person = await db.People.AsNoTracking().SingleAsync(p => p.Email == email);
        return new ClaimsPrincipal(new ClaimsIdentity(await CurrentUser.ClaimsAsync(db, person, CancellationToken.None), "test"));
    }
}
