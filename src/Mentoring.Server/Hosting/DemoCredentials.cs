namespace Mentoring.Server.Hosting;

/// <summary>
/// Gives the people of a freshly seeded demo programme a way in, shown once on the console: API tokens, web
/// passwords. Each area that has a way in registers one, so start-up does not depend on the web app.
/// </summary>
public interface IDemoCredentialIssuer
{
    /// <summary>The line printed above the list.</summary>
    string Heading { get; }

    /// <summary>Creates the credentials; returns them by email address.</summary>
    Task<IReadOnlyDictionary<string, string>> IssueAsync(CancellationToken cancellationToken);
}
