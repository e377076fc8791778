namespace Mentoring.Engine.Tests.Support;

internal static class Zones
{
    public static readonly TimeZoneInfo Brussels = TimeZoneInfo.FindSystemTimeZoneById("Europe/Brussels");
    public static readonly TimeZoneInfo Riga = TimeZoneInfo.FindSystemTimeZoneById("Europe/Riga");
    public static readonly TimeZoneInfo Athens = TimeZoneInfo.FindSystemTimeZoneById("Europe/Athens");

    /// <summary>A local wall-clock instant with its expected offset, written the way a person reads a calendar.</summary>
    public static DateTimeOffset Local(int year, int month, int day, int hour, int minute, int offsetHours) =>
        new(year, month, day, hour, minute, 0, TimeSpan.FromHours(offsetHours));

    /// <summary>The last instant of a local day: what "due on that day" means.</summary>
    public static DateTimeOffset EndOfDay(int year, int month, int day, int offsetHours) =>
        new DateTimeOffset(year, month, day, 0, 0, 0, TimeSpan.FromHours(offsetHours)).AddDays(1).AddTicks(-1);
}
