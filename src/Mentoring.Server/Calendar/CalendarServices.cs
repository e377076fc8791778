namespace Mentoring.Server.Calendar;

public static class CalendarServices
{
    /// <summary>Invitations with an .ics through the outbox, and the sources of the private feeds (the deadlines source
    /// here; visits and events register theirs).</summary>
    public static IHostApplicationBuilder AddMentoringCalendar(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ICalendarInvitations, CalendarInvitations>();
        return builder;
    }
}
