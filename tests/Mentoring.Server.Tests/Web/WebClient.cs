using System.Net;
using System.Text.RegularExpressions;
using Mentoring.Server.Email;
using Mentoring.Server.Tests.Email;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Accounts;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Tests.Web;

/// <summary>A browser-like client of the pages: keeps cookies, does not follow redirects, and posts forms with the
/// antiforgery token of the page they were on.</summary>
public sealed partial class WebClient(HttpClient http)
{
    public HttpClient Http { get; } = http;
    public string LastPage { get; private set; } = "";

    public static WebClient For(MentoringApp app) =>
        new(app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));

    public async Task<HttpResponseMessage> GetAsync(string path)
    {
        var response = await Http.GetAsync(path);
        LastPage = await response.Content.ReadAsStringAsync();
        return response;
    }

    public async Task<HttpResponseMessage> PostAsync(string path, IDictionary<string, string> form, bool withToken = true)
    {
        var fields = new Dictionary<string, string>(form);
        if (withToken) fields["__RequestVerificationToken"] = Token();
        var response = await Http.PostAsync(path, new FormUrlEncodedContent(fields));
        LastPage = await response.Content.ReadAsStringAsync();
        return response;
    }

    public async Task<HttpResponseMessage> PostMultipartAsync(string path, IDictionary<string, string> form, string fileName, byte[] file,
        string field = "file")
    {
        var content = new MultipartFormDataContent();
        foreach (var (key, value) in form) content.Add(new StringContent(value), key);
        content.Add(new StringContent(Token()), "__RequestVerificationToken");
        content.Add(new ByteArrayContent(file), field, fileName);
        var response = await Http.PostAsync(path, content);
        LastPage = await response.Content.ReadAsStringAsync();
        return response;
    }

    /// <summary>The page's error message (role="alert"), for assertion messages.</summary>
    public static string Alert(string page) => Regex.Match(page, "role=\"alert\"[^>]*>([^<]*)<").Groups[1].Value is { Length: > 0 } alert
        ? alert : page[..Math.Min(page.Length, 2000)];

    /// <summary>The antiforgery token of the last page that had a form (a double submit re-sends the same one).</summary>
    public string Token() => TokenPattern().Match(LastPage) is { Success: true } match ? _token = match.Groups[1].Value : _token;

    private string _token = "";

    /// <summary>The value of the first hidden input with this name on the last page.</summary>
    public string Hidden(string name) => Regex.Match(LastPage, $"name=\"{name}\" value=\"([^\"]*)\"").Groups[1].Value;

    public async Task<HttpResponseMessage> SignInAsync(string email, string password)
    {
        await GetAsync("/signin");
        return await PostAsync("/signin", new Dictionary<string, string> { ["email"] = email, ["password"] = password });
    }

    public static async Task<WebClient> SignedInAsync(MentoringApp app, string email)
    {
        var password = await SetPasswordAsync(app, email);
        var client = For(app);
        var response = await client.SignInAsync(email, password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    public static async Task<string> SetPasswordAsync(MentoringApp app, string email, string password = "correct horse battery")
    {
        await using var db = app.Db();
        var person = await db.People.SingleAsync(p => p.Email == email);
        var account = await db.Set<Account>().SingleOrDefaultAsync(a => a.PersonId == person.Id);
        app.Service<AccountService>().SetPassword(db, person, account, password);
        await db.SaveChangesAsync();
        return password;
    }

    /// <summary>Sends the outbox and reads the single-use link out of the newest mail of this template that went: the
    /// only place the link's token is, once sent.</summary>
    public static async Task<string> MailedLinkAsync(MentoringApp app, string template)
    {
        Assert.True(await app.Service<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None) >= 1);
        var newest = Directory.GetFiles(app.Setting("Email:PickupDirectory"), $"*-{template}-*.eml").Max()!;
        var text = EmlFile.Parse(await File.ReadAllTextAsync(newest)).Bodies["text/plain"];
        return LinkPattern().Match(text) is { Success: true } match ? match.Value : throw new InvalidOperationException(text);
    }

    [GeneratedRegex(@"https?://\S+\?token=[A-Za-z0-9_-]+")]
    private static partial Regex LinkPattern();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
