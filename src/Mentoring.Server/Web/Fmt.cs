using System.Globalization;

namespace Mentoring.Server.Web;

/// <summary>Dates and numbers in the reader's culture (the request culture: English or Greek).</summary>
public static class Fmt
{
    public static string Date(DateTimeOffset value) => value.UtcDateTime.ToString("d MMM yyyy", CultureInfo.CurrentCulture);
    public static string Date(DateOnly value) => value.ToString("d MMM yyyy", CultureInfo.CurrentCulture);
    public static string DateTime(DateTimeOffset value) => value.UtcDateTime.ToString("g", CultureInfo.CurrentCulture) + " UTC";
    public static string Number(int value) => value.ToString("N0", CultureInfo.CurrentCulture);
}
