namespace Mentoring.Server.Accounts;

public static class AccountsServices
{
    /// <summary>Sign-in accounts, invitation and reset links, and the demo passwords printed on the first start. The
    /// cookie and data-protection pipeline that uses them is the web app's (<see cref="Web.WebServices"/>).</summary>
    public static IHostApplicationBuilder AddAccounts(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AccountService>();
        builder.Services.AddSingleton<Hosting.IDemoCredentialIssuer, DemoPasswords>();
        return builder;
    }
}
