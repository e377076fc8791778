namespace Mentoring.Server.Data.Migrations;

/// <summary>
/// The facilitator's plan tools (Plans/): programme pauses, at most one open per programme (the partial unique index
/// turns two facilitators pausing at once into one pause), and days off for a programme or a city, a date or a month
/// every year, each at most once per scope.
/// </summary>
internal sealed class M009_PlansAndCalendars : Migration
{
    public override int Version => 9;
    public override string Name => "plans and calendars";

    protected override string Sql => """
        CREATE TABLE programme_pauses (
            id {uuid} PRIMARY KEY,
            programme_id text NOT NULL REFERENCES programmes(id),
            paused_at {ts} NOT NULL,
            paused_by text NOT NULL,
            reason text NOT NULL,
            resumed_at {ts} NULL,
            resumed_by text NULL,
            resume_reason text NULL,
            moved_days integer NULL
        );
        CREATE UNIQUE INDEX ix_programme_pauses_open ON programme_pauses (programme_id) WHERE resumed_at IS NULL;
        CREATE TABLE calendar_days_off (
            id {uuid} PRIMARY KEY,
            programme_id text NOT NULL REFERENCES programmes(id),
            city_id text NULL REFERENCES cities(id),
            date {date} NULL,
            month integer NULL,
            reason text NULL,
            created_at {ts} NOT NULL,
            CHECK ((date IS NULL) <> (month IS NULL))
        );
        CREATE UNIQUE INDEX ix_calendar_days_off_date ON calendar_days_off (programme_id, COALESCE(city_id, ''), date) WHERE date IS NOT NULL;
        CREATE UNIQUE INDEX ix_calendar_days_off_month ON calendar_days_off (programme_id, COALESCE(city_id, ''), month) WHERE month IS NOT NULL;
        """;
}
