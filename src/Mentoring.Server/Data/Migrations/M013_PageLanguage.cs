namespace Mentoring.Server.Data.Migrations;

/// <summary>
/// The page language a person chose with the language switch, kept apart from <c>language</c> (the language of their
/// emails, set by the facilitator): choosing Greek pages on a shared screen must not change what their mail says.
/// Null until they choose, and then the browser's Accept-Language decides.
/// </summary>
internal sealed class M013_PageLanguage : Migration
{
    public override int Version => 13;
    public override string Name => "page language";

    protected override string Sql => """
        ALTER TABLE people ADD COLUMN page_language text NULL;
        """;
}
