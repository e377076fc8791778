using Ical.Net.CalendarComponents;
using Mentoring.Server.Calendar;
using Mentoring.Server.Data;
using Mentoring.Server.Email;
using Mentoring.Server.Tests.Email;
using Mentoring.Server.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using MimeKit;
using static Mentoring.Server.Tests.Infrastructure.MentoringApp;

namespace Mentoring.Server.Tests.Calendar;

/// <summary>
/// Invitations with an .ics: the writer's document read back with Ical.Net's parser (the host's local time, its
/// VTIMEZONE, the iTIP method, a cancellation), and an invitation queued in the caller's unit of work reaching MailDev
/// with the .ics attached as <c>text/calendar; method=REQUEST</c>, for a person with an account and for a network member
/// without one.
/// </summary>
[Collection(DatabaseCollection.Name)]
public sealed class CalendarInvitationTests(DatabaseFixture database)
{
    private static readonly TimeSpan MadridSummer = TimeSpan.FromHours(2);

    /// <summary>Session 1 of the Fuenlabrada–Livadeia visit: 18 May 2021, 10:00–12:00 in Fuenlabrada (08:00 UTC).</summary>
    public static CalendarEntry Session(string timeZone, int sequence = 0, bool cancelled = false) => new(
        "visit-test-session-1@mentoring", "Study visit Fuenlabrada – Livadeia: session 1 of 3",
        new DateTimeOffset(2021, 5, 18, 10, 0, 0, MadridSummer), new DateTimeOffset(2021, 5, 18, 12, 0, 0, MadridSummer), timeZone,
        Location: "Online", OnlineUrl: "https://meet.example.org/fuenlabrada-livadeia-1",
        PageUrl: "https://mentoring.example.org/pairs/2", Sequence: sequence, Cancelled: cancelled);

    [Fact]
    public void The_ics_reads_back_at_the_hosts_local_time_with_its_VTIMEZONE_and_a_cancellation_replaces_it()
    {
        var now = new DateTimeOffset(2021, 5, 1, 9, 0, 0, TimeSpan.Zero);
        var organizer = new IcsPerson("IncluCities", "nudges@mentoring.example");
        var attendee = new IcsPerson("Νίκος Παπαδόπουλος", "livadeia@inclucities.example");
        var ics = IcsCalendar.Invitation(Session("Europe/Madrid"), now, organizer, attendee);

        var calendar = Ical.Net.Calendar.Load(ics)!;
        Assert.Equal("REQUEST", calendar.Method);
        var zone = Assert.Single(calendar.TimeZones);
        Assert.Equal("Europe/Madrid", zone.TzId);
        var e = Assert.Single(calendar.Events);
        AssertMadridSession(e);
        Assert.Equal(0, e.Sequence);
        Assert.Equal("CONFIRMED", e.Status);
        Assert.Equal("https://mentoring.example.org/pairs/2", e.Url!.ToString());
        Assert.Equal("mailto:livadeia@inclucities.example", Assert.Single(e.Attendees).Value!.ToString());
        Assert.Contains("DTSTART;TZID=Europe/Madrid:20210518T100000", ics);

        var cancel = Ical.Net.Calendar.Load(IcsCalendar.Invitation(Session("Europe/Madrid", 1, cancelled: true), now, organizer, attendee))!;
        Assert.Equal("CANCEL", cancel.Method);
        var cancelled = Assert.Single(cancel.Events);
        Assert.Equal(e.Uid, cancelled.Uid);
        Assert.Equal(1, cancelled.Sequence);
        Assert.Equal("CANCELLED", cancelled.Status);

        // A feed of two zones carries both VTIMEZONEs, each event at its own host's time.
        var capaci = Session("Europe/Rome") with { Uid = "capaci@mentoring", Start = new DateTimeOffset(2021, 10, 4, 9, 30, 0, MadridSummer) };
        var feed = Ical.Net.Calendar.Load(IcsCalendar.Feed([Session("Europe/Madrid"), capaci], now, "Mentoring"))!;
        Assert.Equal("PUBLISH", feed.Method);
        Assert.Equal(["Europe/Madrid", "Europe/Rome"], feed.TimeZones.Select(z => z.TzId).Order());
        var rome = feed.Events.Single(x => x.Uid == "capaci@mentoring");
        Assert.Equal(new DateTime(2021, 10, 4, 9, 30, 0), rome.DtStart!.Value);
        Assert.Equal(new DateTime(2021, 10, 4, 7, 30, 0, DateTimeKind.Utc), rome.DtStart.AsUtc);
    }

    internal static void AssertMadridSession(CalendarEvent e)
    {
        Assert.Equal("visit-test-session-1@mentoring", e.Uid);
        Assert.Equal("Europe/Madrid", e.DtStart!.TzId);
        Assert.Equal(new DateTime(2021, 5, 18, 10, 0, 0), e.DtStart.Value);
        Assert.Equal(new DateTime(2021, 5, 18, 12, 0, 0), e.DtEnd!.Value);
        Assert.Equal(new DateTime(2021, 5, 18, 8, 0, 0, DateTimeKind.Utc), e.DtStart.AsUtc);
    }

    [Theory, MemberData(nameof(DatabaseFixture.Providers), MemberType = typeof(DatabaseFixture))]
    public async Task An_invitation_reaches_MailDev_with_the_ics_attached_for_a_person_and_a_network_member_without_an_account(
        DatabaseProvider provider)
    {
        var mailDev = MailDev.FromEnvironment();
        await mailDev.ClearAsync();
        await using var app = await StartAsync(database, provider, mailDev.Settings());
        List<OutboxMessage> rows;
        await using (var db = app.Db())
        {
            var host = await db.Cities.AsNoTracking().SingleAsync(c => c.Id == "fuenlabrada");
            var livadeia = await db.People.AsNoTracking().SingleAsync(p => p.Email == People.Coordinator("livadeia"));
            var instance = await db.Instances.AsNoTracking().Where(i => i.ProgrammeId == "inclucities").Select(i => i.Id).FirstAsync();
            app.Service<ICalendarInvitations>().Queue(db, new CalendarInvitation("inclucities", instance, Session(host.TimeZone),
            [
                new InvitationRecipient(livadeia.Id, livadeia.Name, livadeia.Email!, livadeia.Language),
                new InvitationRecipient(null, "Lucía Martín", "lucia.martin@fuenlabrada-ong.example", "es"),
            ], "The first session presents Fuenlabrada's one-stop shop for migrants."));
            rows = db.ChangeTracker.Entries<OutboxMessage>().Select(e => e.Entity).ToList();
            // Nothing is written until the caller saves: the invitation is part of its unit of work.
            Assert.Equal(0, await app.Db().Outbox.CountAsync(m => m.Template == CalendarInvitations.Template));
            await db.SaveChangesAsync();
        }

        Assert.Equal(2, rows.Count);
        Assert.NotNull(rows.Single(r => r.RecipientEmail == People.Coordinator("livadeia")).RecipientId);
        Assert.Null(rows.Single(r => r.Language == "es").RecipientId);
        Assert.Equal(2, await app.Service<OutboxDispatcher>().DispatchDueAsync(CancellationToken.None));

        var caught = await mailDev.WaitForAsync(rows.Select(r => r.MessageId).ToList(), 2);
        Assert.Equal(2, caught.Count);
        foreach (var row in rows)
        {
            var mail = caught.Single(m => MailDev.Bare(m.MessageId) == MailDev.Bare(row.MessageId));
            var raw = await new HttpClient().GetStringAsync($"{mailDev.Url}/email/{mail.Id}/source");
            var mime = await MimeMessage.LoadAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(raw)));
            Assert.Equal("multipart/mixed", mime.Body!.ContentType.MimeType);
            var part = Assert.Single(mime.Attachments.OfType<MimePart>());
            Assert.Equal("text/calendar", part.ContentType.MimeType);
            Assert.Equal("REQUEST", part.ContentType.Parameters["method"]);
            Assert.Equal(CalendarInvitations.FileName, part.FileName);
            using var content = new MemoryStream();
            await part.Content!.DecodeToAsync(content);
            var calendar = Ical.Net.Calendar.Load(System.Text.Encoding.UTF8.GetString(content.ToArray()))!;
            Assert.Equal("REQUEST", calendar.Method);
            Assert.Equal("Europe/Madrid", Assert.Single(calendar.TimeZones).TzId);
            AssertMadridSession(Assert.Single(calendar.Events));
            Assert.Contains(row.RecipientEmail!, Assert.Single(calendar.Events).Attendees.Single().Value!.ToString());
            Assert.Contains("Europe/Madrid", mime.TextBody!);
            Assert.Equal(OutboxStatus.Sent, (await app.RowAsync(row.Id)).Status);
        }

        var spanish = caught.Single(m => m.To.Contains("lucia.martin@fuenlabrada-ong.example"));
        Assert.Equal("Invitación: Study visit Fuenlabrada – Livadeia: session 1 of 3", spanish.Subject);
        Assert.Contains("martes, 18 de mayo de 2021, 10:00–12:00", spanish.Text);
    }
}
