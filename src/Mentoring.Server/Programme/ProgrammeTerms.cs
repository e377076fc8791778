using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mentoring.Server.Auth;
using Mentoring.Server.Data;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;

namespace Mentoring.Server.Programme;

/// <summary>What a programme calls itself and its groups in one language, from its terms (its package's): its name
/// ("Δίκτυο Πόλεων για την Ένταξη"), a group ("binôme", "member", "cluster") and groups. Pages and emails use the
/// words as labels ("Binôme 4", "Μέλη"), never inside a sentence whose grammar depends on them.</summary>
public sealed record ProgrammeTerms(string Name, string Group, string Groups, string Language)
{
    /// <summary>The product's own name, where no programme applies (the sign-in page).</summary>
    public const string ProductName = "Mentoring";

    public static readonly ProgrammeTerms None = new(ProductName, "group", "groups", "en");

    /// <summary>"Binôme", "Member": a group word as a label or heading.</summary>
    public string GroupLabel => Capitalised(Group);

    /// <summary>"Binômes", "Μέλη".</summary>
    public string GroupsLabel => Capitalised(Groups);

    /// <summary>"Binôme 4", "Μέλος 3".</summary>
    public string Numbered(int number) => $"{GroupLabel} {number.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The words of <paramref name="programme"/> in <paramref name="language"/>: the language's, else the English;
    /// a programme without terms says "group" and its own name.</summary>
    public static ProgrammeTerms Of(ProgrammeRecord? programme, string language)
    {
        if (programme is null) return None with { Language = language };
        JsonObject? terms = null;
        try
        {
            terms = JsonNode.Parse(programme.Terms) as JsonObject;
        }
        catch (JsonException)
        {
            // Terms are written by the importer, the programme API and M014 only; an unreadable value still reads.
        }

        // The row's name is the English one (a rename changes it); the terms give the package's other languages.
        var name = language != "en" && terms?["name"] is JsonObject names && Text(names[language]) is { Length: > 0 } own ? own : programme.Name;
        return new ProgrammeTerms(name, Word(terms, "group", language) ?? "group",
            Word(terms, "groups", language) ?? "groups", language);
    }

    /// <summary>The words of a programme by id (none for an unknown or absent one).</summary>
    public static async Task<ProgrammeTerms> LoadAsync(MentoringDb db, string? programmeId, string language, CancellationToken ct) =>
        Of(string.IsNullOrEmpty(programmeId) ? null : await db.Programmes.AsNoTracking().SingleOrDefaultAsync(p => p.Id == programmeId, ct),
            language);

    /// <summary>The signed-in person's current programme's words in the page language, read once per request (the layout
    /// and the page both ask).</summary>
    public static async Task<ProgrammeTerms> ForPageAsync(HttpContext http, IDbContextFactory<MentoringDb> dbs)
    {
        if (http.Items[typeof(ProgrammeTerms)] is ProgrammeTerms known) return known;
        var language = Web.Texts.Language;
        var user = http.User;
        ProgrammeTerms terms;
        if (user.Identity?.IsAuthenticated == true && user.ProgrammeId() is { Length: > 0 } programmeId)
        {
            await using var db = await dbs.CreateDbContextAsync(http.RequestAborted);
            terms = await LoadAsync(db, programmeId, language, http.RequestAborted);
        }
        else
        {
            terms = None with { Language = language };
        }

        http.Items[typeof(ProgrammeTerms)] = terms;
        return terms;
    }

    /// <summary>A word of the terms: a string (one language) or a map of language to word.</summary>
    private static string? Word(JsonObject? terms, string key, string language) => terms?[key] switch
    {
        JsonValue value => Text(value),
        JsonObject map => Text(map[language]) ?? Text(map["en"]),
        _ => null,
    };

    /// <summary>A non-empty string, or null for anything else (the programme API stores the terms it is given).</summary>
    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;

    /// <summary>A word or title with a capital first letter in the terms' language, for a heading ("Ville mentor").</summary>
    public string Capitalised(string word) =>
        word.Length == 0 ? word : char.ToUpper(word[0], CultureOf(Language)) + word[1..];

    private static CultureInfo CultureOf(string language)
    {
        try
        {
            return CultureInfo.GetCultureInfo(language);
        }
        catch (CultureNotFoundException)
        {
            return CultureInfo.InvariantCulture;
        }
    }
}
