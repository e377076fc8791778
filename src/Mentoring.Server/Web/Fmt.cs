using System.Globalization;

namespace Mentoring.Server.Web;

/// <summary>
/// Dates and numbers in the reader's culture (the request culture: English or Greek) and time zone (the signed-in
/// person's, or their city's for a coordinator: see <see cref="ReaderTimeZone"/>). A time always names its zone;
/// a date is the reader's local date, so a task due at 23:30 UTC is due "tomorrow" in Riga.
/// </summary>
public static class Fmt
{
    private static readonly AsyncLocal<TimeZoneInfo?> ReaderZone = new();

    /// <summary>The zone of this request's reader; UTC when nobody is signed in.</summary>
    public static TimeZoneInfo Zone
    {
        get => ReaderZone.Value ?? TimeZoneInfo.Utc;
        set => ReaderZone.Value = value;
    }

    public static DateTimeOffset Local(DateTimeOffset value) => TimeZoneInfo.ConvertTime(value, Zone);
    public static DateOnly Today(DateTimeOffset now) => DateOnly.FromDateTime(Local(now).DateTime);

    public static string Date(DateTimeOffset value) => Local(value).ToString("d MMM yyyy", CultureInfo.CurrentCulture);
    public static string Date(DateOnly value) => value.ToString("d MMM yyyy", CultureInfo.CurrentCulture);

    /// <summary>Date, time and zone: "12 Jan 2026 10:30 Europe/Riga (UTC+02:00)".</summary>
    public static string DateTime(DateTimeOffset value)
    {
        var local = Local(value);
        return $"{local.ToString("d MMM yyyy HH:mm", CultureInfo.CurrentCulture)} {ZoneName(local)}";
    }

    /// <summary>For the datetime attribute of a date: the reader's local date.</summary>
    public static string IsoDate(DateTimeOffset value) => Local(value).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>For the datetime attribute of a time: local time with its offset.</summary>
    public static string IsoDateTime(DateTimeOffset value) => Local(value).ToString("yyyy-MM-ddTHH:mmzzz", CultureInfo.InvariantCulture);

    public static string ZoneName(DateTimeOffset local) => Zone == TimeZoneInfo.Utc ? "UTC"
        : $"{Zone.Id} (UTC{(local.Offset < TimeSpan.Zero ? "-" : "+")}{local.Offset:hh\\:mm})";

    public static string Number(int value) => value.ToString("N0", CultureInfo.CurrentCulture);
}
