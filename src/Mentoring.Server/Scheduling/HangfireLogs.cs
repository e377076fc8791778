using HangfireLog = Hangfire.Logging;

namespace Mentoring.Server.Scheduling;

/// <summary>
/// Hangfire logs through one process-wide provider, while the app's logger factory belongs to a host. This one
/// writes to the newest host's factory and drops a line once that factory is gone, so a host stopped in the same
/// process (a test's first node, a restart) cannot make Hangfire's threads fail on a disposed factory.
/// </summary>
internal sealed class HangfireLogs : HangfireLog.ILogProvider
{
    private static volatile ILoggerFactory? _factory;

    public static void WriteTo(ILoggerFactory factory) => _factory = factory;

    public HangfireLog.ILog GetLogger(string name) => new Logger(name);

    private sealed class Logger(string name) : HangfireLog.ILog
    {
        public bool Log(HangfireLog.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            try
            {
                if (_factory?.CreateLogger(name) is not { } logger) return false;
                var level = logLevel switch
                {
                    HangfireLog.LogLevel.Trace => LogLevel.Trace,
                    HangfireLog.LogLevel.Debug => LogLevel.Debug,
                    HangfireLog.LogLevel.Info => LogLevel.Information,
                    HangfireLog.LogLevel.Warn => LogLevel.Warning,
                    HangfireLog.LogLevel.Error => LogLevel.Error,
                    _ => LogLevel.Critical,
                };
                if (messageFunc is null) return logger.IsEnabled(level);
                if (!logger.IsEnabled(level)) return false;
#pragma warning disable CA2254 // Hangfire hands over a finished message, not a template
                logger.Log(level, exception, messageFunc());
#pragma warning restore CA2254
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }
}
