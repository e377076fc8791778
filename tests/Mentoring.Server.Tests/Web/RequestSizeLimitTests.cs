using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Accounts;
using Mentoring.Server.Uploads;
using Microsoft.EntityFrameworkCore;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;
using static Mentoring.Server.Tests.Web.WebAccessTests;

namespace Mentoring.Server.Tests.Web;

[Collection(DatabaseCollection.Name)]
public sealed class RequestSizeLimitTests(DatabaseFixture database)
{
    /// <summary>1 MB files, so the request cap is 1.5 MB.</summary>
    private static readonly Dictionary<string, string?> SmallLimit = new() { ["Web:MaxUploadBytes"] = "1048576" };

    [Fact]
    public async Task An_upload_over_the_request_limit_is_refused_unread_and_the_page_says_why()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite, SmallLimit);
        var pair = await PairIdAsync(app, "jelgava");
        var item = await OpenTaskAsync(app, pair, "mentee-needs-self-assessment");
        var jelgava = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        await jelgava.GetAsync($"/pairs/{pair}");

        var file = new CountingContent(8 * 1024 * 1024);
        var form = new MultipartFormDataContent
        {
            { new StringContent(jelgava.Token()), "__RequestVerificationToken" },
            { new StringContent(item.ToString()), "itemId" },
            { new StringContent(jelgava.Hidden("key")), "key" },
            { new StringContent("see file"), "note" },
            { file, "file", "report.pdf" },
        };
        var response = await jelgava.Http.PostAsync($"/pairs/{pair}?handler=Complete", form);
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("role=\"alert\">The file is too large: at most 1 MB. Nothing was saved.<", page);
        Assert.Contains("Schaerbeek – Jelgava", page);
        Assert.True(file.BytesRead < 1024 * 1024, $"the server read {file.BytesRead} bytes of the upload");
        await AssertStillOpenAsync(app, item);
        await using var db = app.Db();
        Assert.Equal(0, await db.Set<UploadedFile>().CountAsync());
    }

    [Fact]
    public async Task An_API_request_over_the_limit_gets_a_413_problem()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite, SmallLimit);
        var facilitator = await app.ClientForAsync(People.Facilitator);
        var pair = await PairIdAsync(app, "jelgava");
        var item = await OpenTaskAsync(app, pair, "mentee-needs-self-assessment");
        var body = new StringContent($"{{\"note\":\"{new string('x', 2 * 1024 * 1024)}\"}}", Encoding.UTF8, "application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/pairs/{pair}/tasks/{item}/complete") { Content = body };
        request.Headers.Add("Idempotency-Key", "too-large-1");

        var response = await facilitator.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("\"status\":413", await response.Content.ReadAsStringAsync());
        await AssertStillOpenAsync(app, item);
    }

    /// <summary>A PDF-looking body of a given length that counts how much of it the server pulled.</summary>
    private sealed class CountingContent : HttpContent
    {
        private readonly long _length;
        public long BytesRead;

        public CountingContent(long length)
        {
            _length = length;
            Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var chunk = new byte[16 * 1024];
            "%PDF-1.7\n"u8.CopyTo(chunk);
            for (long sent = 0; sent < _length; sent += chunk.Length)
            {
                var size = (int)Math.Min(chunk.Length, _length - sent);
                await stream.WriteAsync(chunk.AsMemory(0, size));
                Interlocked.Add(ref BytesRead, size);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _length;
            return true;
        }
    }
}
