using Mentoring.Server.Hosting;

namespace Mentoring.Server.Accounts;

/// <summary>Random web sign-in passwords for the people of a freshly seeded demo programme.</summary>
internal sealed class DemoPasswords(AccountService accounts) : IDemoCredentialIssuer
{
    public string Heading => "Sign-in passwords for the web app (shown once; 'Forgot your password?' sends a new link):";

    public Task<IReadOnlyDictionary<string, string>> IssueAsync(CancellationToken cancellationToken) =>
        accounts.CreateDemoPasswordsAsync(cancellationToken);
}
