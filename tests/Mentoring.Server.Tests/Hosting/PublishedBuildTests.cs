using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Mentoring.Server.Tests.Hosting;

/// <summary>The build an operator ships, published once for the class into a folder of its own. It publishes the Debug
/// build this test run has just made (<c>--no-build</c>): the same publish targets lay out the folder as for
/// <c>-c Release</c>, and the suite pays for a copy rather than a second compile.</summary>
public sealed class PublishedBuild : IAsyncLifetime
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("mentoring-published-").FullName;
    public string Dll => Path.Combine(Folder, "Mentoring.Server.dll");

    public async Task InitializeAsync()
    {
        var repository = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(repository.FullName, "Mentoring.sln"))) repository = repository.Parent!;
        var (exit, output) = await PublishedBuildTests.RunAsync(repository.FullName, TimeSpan.FromMinutes(10), new Dictionary<string, string>(),
            "publish", "src/Mentoring.Server", "-c", "Debug", "--no-build", "-o", Folder);
        Assert.True(exit == 0, $"dotnet publish failed:\n{output}");
    }

    public Task DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }
}

public sealed partial class PublishedBuildTests(PublishedBuild build) : IClassFixture<PublishedBuild>
{
    private const string PublicUrl = "https://mentoring.example.org";

    [Fact]
    public async Task Published_build_starts_from_another_directory_configured_by_environment_variables_and_backs_up_while_it_runs()
    {
        var home = Directory.CreateTempSubdirectory("mentoring-home-").FullName;
        var certificate = ProductionNode.CertificateFile("pfx password");
        var environment = Production(certificate);
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = home, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(build.Dll);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var server = Process.Start(start)!;
        var output = new StringBuilder();
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.OutputDataReceived += (_, line) =>
        {
            lock (output) output.AppendLine(line.Data);
            if (line.Data is { } text && ListeningPattern().Match(text) is { Success: true } match) listening.TrySetResult(match.Groups[1].Value);
        };
        server.ErrorDataReceived += (_, line) => { lock (output) output.AppendLine(line.Data); };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            var started = await Task.WhenAny(listening.Task, server.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(2)));
            Assert.True(started == listening.Task, $"The published server did not start:\n{Output(output)}");
            var url = await listening.Task;
            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url + "/health/ready")).StatusCode);

            // Pages render from the published folder (views, styles, workflows and templates), through the proxy.
            var signIn = await http.SendAsync(ThroughProxy(url + "/signin"));
            Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
            Assert.True(signIn.Headers.Contains("Strict-Transport-Security"));
            Assert.Contains("<form", await signIn.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(ThroughProxy(url + "/site.css"))).StatusCode);
            Assert.Equal(HttpStatusCode.TemporaryRedirect, (await http.GetAsync(url + "/signin")).StatusCode);

            // Its data went to the working directory (the relative data/mentoring.db of the settings), not beside the dll.
            Assert.True(File.Exists(Path.Combine(home, "data", "mentoring.db")));
            Assert.False(Directory.Exists(Path.Combine(build.Folder, "data")));

            // `backup` from the same build while the server runs.
            var (exit, backupOutput) = await RunAsync(home, TimeSpan.FromMinutes(1), environment, build.Dll, "backup", "backups/mentoring.db");
            Assert.True(exit == 0, backupOutput);
            Assert.Contains("4 group(s)", backupOutput);
            Assert.True(File.Exists(Path.Combine(home, "backups", "mentoring.db")));
        }
        finally
        {
            if (!server.HasExited) server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            File.Delete(certificate);
            Directory.Delete(home, recursive: true);
        }
    }

    [Fact]
    public async Task Published_build_refuses_a_production_start_without_a_key_certificate_naming_the_setting()
    {
        var home = Directory.CreateTempSubdirectory("mentoring-home-").FullName;
        var environment = Production(certificate: null);

        var (exit, output) = await RunAsync(home, TimeSpan.FromMinutes(1), environment, build.Dll);

        Assert.Equal(1, exit);
        Assert.Contains("Hosting:KeyCertificatePath", output);
        Assert.Contains("The server did not start.", output);
        Assert.DoesNotContain("   at ", output);
        Assert.False(File.Exists(Path.Combine(home, "data", "mentoring.db")));
        Directory.Delete(home, recursive: true);
    }

    private static HttpRequestMessage ThroughProxy(string url)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "mentoring.example.org");
        return request;
    }

    /// <summary>What the README's systemd unit sets, the way an operator sets it: environment variables.</summary>
    private static Dictionary<string, string> Production(string? certificate)
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["PublicBaseUrl"] = PublicUrl,
            ["Hosting__KnownProxies__0"] = "127.0.0.1",
            ["Scheduling__Enabled"] = "false",
        };
        if (certificate is not null)
        {
            environment["Hosting__KeyCertificatePath"] = certificate;
            environment["Hosting__KeyCertificatePassword"] = "pfx password";
        }

        return environment;
    }

    /// <summary>Runs <c>dotnet</c> with these arguments to its end (killed, and failing the test, after the timeout).</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string workingDirectory, TimeSpan timeout,
        IDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"dotnet {string.Join(' ', args)} did not end within {timeout}");
        }

        return (process.ExitCode, await output + await error);
    }

    private static string Output(StringBuilder output)
    {
        lock (output) return output.ToString();
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningPattern();
}
