using Hangfire;
using Hangfire.Dashboard;
using Mentoring.Server.Auth;
using Microsoft.AspNetCore.Authentication;

namespace Mentoring.Server.Scheduling;

/// <summary>
/// Hangfire's dashboard at <c>/hangfire</c>, over the app's own cookie sign-in: anybody not signed in is sent to the
/// sign-in page, admins may trigger and delete jobs, the facilitator may look, everybody else gets 403.
/// </summary>
public static class JobsDashboard
{
    public const string Path = "/hangfire";

    public static WebApplication UseJobsDashboard(this WebApplication app)
    {
        // Hangfire answers 401 to a request it refuses without a user; a browser is better sent to sign in. Only the
        // cookie counts: the dashboard is pages, and a personal API token is for the API.
        app.UseWhen(context => context.Request.Path.StartsWithSegments(Path), branch => branch.Use(async (context, next) =>
        {
            var signIn = await context.AuthenticateAsync(Web.WebServices.CookieScheme);
            if (!signIn.Succeeded)
            {
                await context.ChallengeAsync(Web.WebServices.CookieScheme);
                return;
            }

            context.User = signIn.Principal;
            await next();
        }));
        app.UseHangfireDashboard(Path, new DashboardOptions
        {
            Authorization = [new JobsDashboardAuthorization()],
            IsReadOnlyFunc = context => !context.GetHttpContext().User.IsAdmin(),
            AppPath = "/dashboard",
            DashboardTitle = "Mentoring: scheduled work",
            DisplayStorageConnectionString = false,
        }, app.Services.GetRequiredService<JobStorage>());
        return app;
    }
}

/// <summary>Admins and the facilitator may see the dashboard (what each may do there is <c>IsReadOnlyFunc</c>'s).</summary>
public sealed class JobsDashboardAuthorization : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context)
    {
        var user = context.GetHttpContext().User;
        return user.Identity?.IsAuthenticated == true && (user.IsAdmin() || user.IsFacilitator());
    }
}
