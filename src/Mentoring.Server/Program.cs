using Mentoring.Server.Hosting;
using Mentoring.Server.Web;
using Microsoft.Extensions.DependencyInjection.Extensions;

var builder = WebApplication.CreateBuilder(ServerStart.Options(args));
builder.AddMentoring();

if (ServerCommands.IsCommand(args))
{
    // Commands need configuration and services, not the web server or the hosted services.
    builder.Services.RemoveAll<IHostedService>();
    await using var commands = builder.Build();
    return await ServerCommands.RunAsync(commands.Services, args);
}

var app = builder.Build();
app.UseMentoringProxy().UseMentoringWeb().UseMentoring();
return await ServerStart.RunAsync(app);
