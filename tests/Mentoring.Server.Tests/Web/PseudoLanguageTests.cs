using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Mentoring.Server.Data;
using Mentoring.Server.Tests.Infrastructure;
using Mentoring.Server.Workflows;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Web;

/// <summary>
/// A pseudo-language run: every text from the resources comes out wrapped in ⟦ ⟧, so whatever English is left
/// on a page once the wrapped texts and the data (names, cities, workflow texts, dates) are taken out was written
/// into the page instead of going through the resources.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed partial class PseudoLanguageTests(DatabaseFixture database)
{
    [Fact]
    public async Task No_page_shows_English_that_does_not_come_from_the_resources()
    {
        await using var app = await StartAsync(database, DatabaseProvider.Sqlite, services: services =>
            services.AddSingleton<IStringLocalizerFactory>(sp => new PseudoFactory(new ResourceManagerStringLocalizerFactory(
                sp.GetRequiredService<IOptions<LocalizationOptions>>(), sp.GetRequiredService<ILoggerFactory>()))));
        var data = await DataAsync(app);
        var vocabulary = Resx.In("en").Values.SelectMany(Words).Where(w => w.Length >= 4).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var context = db(app);
        var pair = await context.Groups.Where(p => context.GroupMembers.Any(m => m.GroupId == p.Id && m.Role == "mentee" && m.CityId == "jelgava"))
            .Select(p => p.Id).SingleAsync();

        // The later steps' pages with something on them: an announced event (its title and venue are data).
        var api = await app.ClientForAsync(People.Facilitator);
        var madrid = await Mentoring.Server.Tests.Events.EventTests.IdAsync(await api.CommandAsync(Mentoring.Server.Tests.Events.EventTests.Events,
            Mentoring.Server.Tests.Events.EventTests.Madrid()));
        var signals = (await api.GetFromJsonAsync<Mentoring.Server.Events.EventList>(Mentoring.Server.Tests.Events.EventTests.Events, Api.Json))!.Signals;
        // The plan's context and needs come filled in from the city's assessment (answers some cities gave in English).
        var plan = (await api.GetFromJsonAsync<Mentoring.Server.ActionPlans.ActionPlanView>($"/api/pairs/{pair}/action-plan", Api.Json))!.Working;
        var planTexts = new[] { plan.Context, plan.Needs };
        data.InsertRange(0, planTexts.Concat(planTexts.SelectMany(t => t.Split('\n').Select(l => l.TrimEnd('\r'))))
            .Concat(signals).Concat(await context.Set<Mentoring.Server.Practices.Practice>().Select(p => p.Title).ToListAsync())
            .Concat(["Training academy in Madrid", "Madrid, FEMP headquarters", "Day 1: transfer of practices. Day 2: action planning."])
            .Where(d => d.Length > 0).OrderByDescending(d => d.Length));

        var found = new List<string>();
        var anonymous = WebClient.For(app);
        foreach (var path in new[] { "/signin", "/password/forgot" })
            found.AddRange(await EnglishOnAsync(anonymous, path, data, vocabulary));
        var facilitator = await WebClient.SignedInAsync(app, People.Facilitator);
        foreach (var path in new[] { "/dashboard", "/programme", "/pairs", $"/pairs/{pair}", "/setup", "/me/tokens", "/dashboard/plan", "/dashboard/calendar", "/dashboard/email",
                     "/me/calendar", "/programmes/inclucities/events", $"/programmes/inclucities/events/{madrid}", "/programmes/inclucities/outputs",
                     "/programmes/inclucities/report", $"/pairs/{pair}/action-plan", $"/pairs/{pair}/action-plan/print", "/me/tasks",
                     "/me/tasks?filter=waiting" })
            found.AddRange(await EnglishOnAsync(facilitator, path, data, vocabulary));
        var jelgava = await WebClient.SignedInAsync(app, People.Coordinator("jelgava"));
        foreach (var path in new[] { $"/pairs/{pair}", "/me/calendar", "/programmes/inclucities/outputs", $"/pairs/{pair}/action-plan", "/me/tasks" })
            found.AddRange(await EnglishOnAsync(jelgava, path, data, vocabulary));

        // The study visit's page, at the first visit of Jelgava's pair (its title is the workflow's, translated). Last: the
        // pair's own pages would show the notes the driver writes on the way there.
        var visit = await (await PairDriver.ForAsync(app, "schaerbeek", "jelgava")).RunUntilOpenAsync("visit-1");
        // Signed in anew: driving the pair there moves the clock past the first sign-ins' session length.
        foreach (var reader in new[] { await WebClient.SignedInAsync(app, People.Facilitator), await WebClient.SignedInAsync(app, People.Coordinator("jelgava")) })
            found.AddRange(await EnglishOnAsync(reader, $"/pairs/{pair}/visits/{visit.Id}", data, vocabulary));

        Assert.True(found.Count == 0, "English not from the resources:\n" + string.Join("\n", found.Distinct()));
    }

    private static MentoringDb db(MentoringApp app) => app.Db();

    private static async Task<List<string>> EnglishOnAsync(WebClient client, string path, List<string> data, HashSet<string> vocabulary)
    {
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = Regex.Replace(client.LastPage, "<(script|style)[^>]*>.*?</\\1>", " ", RegexOptions.Singleline);
        var texts = TextNodes().Matches(html).Select(m => m.Groups[1].Value)
            .Concat(Attributes().Matches(html).Select(m => m.Groups[1].Value))
            .Select(t => WebUtility.HtmlDecode(t) ?? "");
        var found = new List<string>();
        foreach (var text in texts)
        {
            var rest = text;
            while (Wrapped().IsMatch(rest)) rest = Wrapped().Replace(rest, " ");
            foreach (var known in data) rest = rest.Replace(known, " ", StringComparison.Ordinal);
            var english = Words(rest).Where(vocabulary.Contains).ToList();
            if (english.Count > 0) found.Add($"{path}: '{text.Trim()}' ({string.Join(", ", english)})");
        }

        return found;
    }

    /// <summary>What the pages show that is data, not wording: names, cities, themes, workflow texts, time zones.</summary>
    private static async Task<List<string>> DataAsync(MentoringApp app)
    {
        await using var db = app.Db();
        var data = new List<string>();
        data.AddRange(await db.People.Select(p => p.Name).ToListAsync());
        data.AddRange(await db.People.Where(p => p.Email != null).Select(p => p.Email!).ToListAsync());
        data.AddRange(await db.Cities.Select(c => c.Name).ToListAsync());
        data.AddRange(await db.Organisations.Select(o => o.Name).ToListAsync());
        data.AddRange(await db.Groups.Select(p => p.Title).ToListAsync());
        data.AddRange(await db.Groups.Where(p => p.Notes != null).Select(p => p.Notes!).ToListAsync());
        data.AddRange(await db.Programmes.Select(p => p.Name).ToListAsync());
        data.AddRange(app.Services.GetRequiredService<DefinitionStore>().Catalog.All.SelectMany(d => d.Texts.Keys));
        data.AddRange(TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id));
        data.AddRange(Mentoring.Server.Web.Texts.Endonyms.Values);
        // The package's own words: what it calls a group and a member ("pair", "cities"), and the roles its workflows
        // declare ("mentor city"), which pages show as labels ("Pair 4", "Mentor city: Schaerbeek").
        foreach (var terms in await db.Programmes.Select(p => p.Terms).ToListAsync())
            if (System.Text.Json.Nodes.JsonNode.Parse(terms) is System.Text.Json.Nodes.JsonObject words)
                data.AddRange(words.Select(w => w.Value).OfType<System.Text.Json.Nodes.JsonObject>()
                    .SelectMany(byLanguage => byLanguage.Select(t => (string?)t.Value ?? "")));
        var definitions = app.Services.GetRequiredService<DefinitionStore>().Catalog.All;
        data.AddRange(definitions.SelectMany(d => d.Roles).Select(r => r.Name));
        data.AddRange(Mentoring.Engine.Definitions.RoleDefinition.PairDefaultTitles.SelectMany(t => t.ByLanguage.Values));
        data.AddRange(data.Where(d => d.Length > 0 && char.IsLower(d[0])).Select(d => char.ToUpperInvariant(d[0]) + d[1..]).ToList());
        data.Add("Mentoring"); // the product's name, where no programme's applies (the sign-in page)
        data.Add("https://"); // a link field's placeholder: the form of an address, not wording
        return data.Where(d => d.Length > 0).Distinct().OrderByDescending(d => d.Length).ToList();
    }

    private static IEnumerable<string> Words(string text) => WordPattern().Matches(text).Select(m => m.Value);

    [GeneratedRegex(">([^<>]+)<")]
    private static partial Regex TextNodes();

    [GeneratedRegex("(?:aria-label|title|placeholder|alt)=\"([^\"]*)\"")]
    private static partial Regex Attributes();

    [GeneratedRegex("⟦[^⟦⟧]*⟧")]
    private static partial Regex Wrapped();

    [GeneratedRegex("[A-Za-z]{4,}")]
    private static partial Regex WordPattern();

    private sealed class PseudoFactory(IStringLocalizerFactory inner) : IStringLocalizerFactory
    {
        public IStringLocalizer Create(Type resourceSource) => new Pseudo(inner.Create(resourceSource));
        public IStringLocalizer Create(string baseName, string location) => new Pseudo(inner.Create(baseName, location));
    }

    private sealed class Pseudo(IStringLocalizer inner) : IStringLocalizer
    {
        public LocalizedString this[string name] => Wrap(inner[name]);
        public LocalizedString this[string name, params object[] arguments] => Wrap(inner[name, arguments]);
        public IEnumerable<LocalizedString> GetAllStrings(bool includeParentCultures) => inner.GetAllStrings(includeParentCultures).Select(Wrap);
        private static LocalizedString Wrap(LocalizedString s) => new(s.Name, $"⟦{s.Value}⟧", s.ResourceNotFound);
    }
}
