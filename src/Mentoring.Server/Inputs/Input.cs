using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace Mentoring.Server.Inputs;

/// <summary>How long each kind of text a person sends may be. The README's API section lists them; change both.</summary>
public static class Limits
{
    /// <summary>Names, host cities, ids, choices, query and route values: any text without a limit of its own.</summary>
    public const int Line = 200;
    public const int Email = 254; // the longest address SMTP carries (RFC 5321)
    public const int TokenName = 100;
    public const int Link = 2000;
    public const int Note = 4000;
    public const int Comment = 2000;
    public const int Participants = 100;
    public const int IdempotencyKey = 200;

    /// <summary>A date further than this from today is a typing error, and near the calendar's end it overflows.</summary>
    public const int DateWindowYears = 10;
}

/// <summary>The rule for a text property of a request: its longest length, whether it may span lines (tab and line
/// breaks allowed), and for a list, how many entries it may have. A text without this attribute is one line of
/// <see cref="Limits.Line"/> characters.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class TextAttribute(int maxLength) : Attribute
{
    public int MaxLength { get; } = maxLength;
    public bool MultiLine { get; init; }
    public int MaxItems { get; init; } = 1;
}

/// <summary>One thing wrong with an input: the field (as the JSON names it), a label for people, and the message
/// as a template (so a page can show it in its own language) with its arguments after the label.</summary>
public sealed record InputError(string Field, string Label, string Template, params object[] Args)
{
    public string Format(Func<string, string> translate) =>
        string.Format(CultureInfo.CurrentCulture, translate(Template), [translate(Label), .. Args]);

    public string English => string.Format(CultureInfo.InvariantCulture, Template, [Label, .. Args]);
}

/// <summary>
/// The one check of what people send, used by the API (every endpoint, through <see cref="InputFilter"/>) and by
/// the pages' forms (on the same request records): no text longer than its limit, no control characters (NUL and the
/// like break PostgreSQL and every reader downstream; tab and line breaks only where text may span lines), no half
/// of a surrogate pair, and no date outside <see cref="Limits.DateWindowYears"/> of today.
/// </summary>
public static class Input
{
    public const string TooLong = "{0} can be at most {1} characters long.";
    public const string BadCharacters = "{0} contains control characters (such as NUL) that are not allowed here.";
    public const string TooMany = "{0} can have at most {1} entries.";
    public const string OutOfRange = "{0} must be between {1} and {2}.";

    private static readonly TextAttribute OneLine = new(Limits.Line);
    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();

    /// <summary>Every problem with the request's text, list and date properties; empty when it is fine.</summary>
    public static List<InputError> Check(object? request, DateTimeOffset now)
    {
        var errors = new List<InputError>();
        Check(errors, request, now);
        return errors;
    }

    public static void Check(List<InputError> errors, object? request, DateTimeOffset now)
    {
        if (request is null) return;
        foreach (var property in Properties.GetOrAdd(request.GetType(), Readable))
        {
            var field = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            var label = Label(property.Name);
            var rule = property.GetCustomAttribute<TextAttribute>() ?? OneLine;
            switch (property.GetValue(request))
            {
                case string text:
                    CheckText(errors, field, label, text, rule);
                    break;
                case IEnumerable<string?> list:
                    var items = list.ToList();
                    if (items.Count > rule.MaxItems) errors.Add(new InputError(field, label, TooMany, rule.MaxItems));
                    foreach (var item in items.Take(rule.MaxItems)) CheckText(errors, field, label, item, rule);
                    break;
                case DateOnly date:
                    CheckDate(errors, field, label, date, now);
                    break;
                case DateTimeOffset at:
                    CheckDate(errors, field, label, DateOnly.FromDateTime(at.UtcDateTime), now);
                    break;
            }
        }
    }

    /// <summary>Adds at most one error for <paramref name="value"/>: a text over its limit is not also searched.</summary>
    public static void CheckText(List<InputError> errors, string field, string label, string? value, TextAttribute rule)
    {
        if (value is null || errors.Any(e => e.Field == field)) return;
        if (value.Length > rule.MaxLength) errors.Add(new InputError(field, label, TooLong, rule.MaxLength));
        else if (!Clean(value, rule.MultiLine)) errors.Add(new InputError(field, label, BadCharacters));
    }

    public static void CheckDate(List<InputError> errors, string field, string label, DateOnly date, DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        DateOnly first = today.AddYears(-Limits.DateWindowYears), last = today.AddYears(Limits.DateWindowYears);
        if (date < first || date > last)
            errors.Add(new InputError(field, label, OutOfRange, first.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                last.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));
    }

    /// <summary>The errors as an RFC 7807 validation problem's field errors, in English.</summary>
    public static Dictionary<string, string[]> Problem(IEnumerable<InputError> errors) =>
        errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.English).ToArray());

    private static bool Clean(string value, bool multiLine)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) i++;
            else if (char.IsSurrogate(c)) return false;
            else if (char.IsControl(c) && !(multiLine && c is '\t' or '\n' or '\r')) return false;
        }

        return true;
    }

    private static PropertyInfo[] Readable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0
            && (p.PropertyType == typeof(string) || p.PropertyType == typeof(DateOnly) || p.PropertyType == typeof(DateOnly?)
                || p.PropertyType == typeof(DateTimeOffset) || p.PropertyType == typeof(DateTimeOffset?)
                || (typeof(IEnumerable).IsAssignableFrom(p.PropertyType) && p.PropertyType != typeof(string)))).ToArray();

    /// <summary>"HostCity" -> "Host city".</summary>
    public static string Label(string name)
    {
        var words = System.Text.RegularExpressions.Regex.Replace(name, "(?<=[a-z])(?=[A-Z])", " ").ToLowerInvariant();
        return char.ToUpperInvariant(words[0]) + words[1..];
    }
}
