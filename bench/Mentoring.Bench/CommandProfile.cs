using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Mentoring.Bench;

/// <summary>
/// Where a resume's time goes, without touching src/: EF Core reports every command, connection open and commit it
/// makes to a DiagnosticListener, with its duration. Counting them over a run of resumes gives the round trips of
/// one resume and the time spent waiting on PostgreSQL; the rest of the wall time is client CPU (EF Core, the engine,
/// JSON) and scheduling.
/// </summary>
internal sealed partial class CommandProfile : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly ConcurrentDictionary<string, Tally> _commands = new();
    private readonly Tally _opens = new();
    private readonly Tally _begins = new();
    private readonly Tally _commits = new();
    private readonly Tally _savepoints = new();
    private readonly Tally _releases = new();
    private readonly Tally _compilations = new();
    private readonly ConcurrentDictionary<(Guid Transaction, bool Release), long> _pending = new();
    private readonly List<IDisposable> _subscriptions = [];
    private readonly IDisposable _all;
    private volatile bool _active;

    public CommandProfile() => _all = DiagnosticListener.AllListeners.Subscribe(this);

    public void Start()
    {
        _commands.Clear();
        _opens.Reset();
        _begins.Reset();
        _commits.Reset();
        _savepoints.Reset();
        _releases.Reset();
        _compilations.Reset();
        _active = true;
    }

    public void Stop() => _active = false;

    /// <summary>Per operation: each kind of command with its count and mean time, then the transaction's own round trips.</summary>
    public IReadOnlyList<(string What, double PerOperation, double MsPerOperation)> Summary(int operations)
    {
        (string, double, double) Line(string what, Tally tally) => (what, tally.Count / (double)operations, Ms(tally.Ticks) / operations);
        var lines = _commands.OrderByDescending(c => c.Value.Ticks).Select(c => Line(c.Key, c.Value)).ToList();
        lines.Add(Line("SAVEPOINT (EF Core's automatic one, around SaveChanges in a transaction)", _savepoints));
        lines.Add(Line("RELEASE SAVEPOINT", _releases));
        lines.Add(Line("COMMIT (waits for the WAL flush)", _commits));
        lines.Add(Line("BEGIN (no round trip: sent with the next command)", _begins));
        lines.Add(Line("connection from the pool (no round trip: its reset goes with the next command)", _opens));
        lines.Add(("EF Core query compilations (query cache misses)", _compilations.Count / (double)operations, 0));
        return lines;
    }

    /// <summary>Round trips per operation (commands, savepoints, commit) and the time spent in them.</summary>
    public (double RoundTrips, double Ms) Totals(int operations)
    {
        Tally[] own = [_savepoints, _releases, _commits];
        var count = _commands.Values.Sum(c => c.Count) + own.Sum(t => t.Count);
        var ticks = _commands.Values.Sum(c => c.Ticks) + own.Sum(t => t.Ticks) + _begins.Ticks + _opens.Ticks;
        return (count / (double)operations, Ms(ticks) / operations);
    }

    public void OnNext(DiagnosticListener listener)
    {
        if (listener.Name == DbLoggerCategory.Name) lock (_subscriptions) _subscriptions.Add(listener.Subscribe(this));
    }

    public void OnNext(KeyValuePair<string, object?> e)
    {
        if (!_active) return;
        switch (e.Value)
        {
            case CommandExecutedEventData executed:
                _commands.GetOrAdd(Shape(executed.Command.CommandText), _ => new Tally()).Add(executed.Duration);
                break;
            case TransactionEndEventData ended when e.Key == RelationalEventId.TransactionCommitted.Name:
                _commits.Add(ended.Duration);
                break;
            case TransactionEndEventData started when e.Key == RelationalEventId.TransactionStarted.Name:
                _begins.Add(started.Duration);
                break;
            case ConnectionEndEventData opened when e.Key == RelationalEventId.ConnectionOpened.Name:
                _opens.Add(opened.Duration);
                break;
            // Savepoint events carry no duration: time them from their "-ing" to their "-ed" event.
            case TransactionEventData savepoint when e.Key == RelationalEventId.CreatingTransactionSavepoint.Name:
                _pending[(savepoint.TransactionId, false)] = Stopwatch.GetTimestamp();
                break;
            case TransactionEventData savepoint when e.Key == RelationalEventId.CreatedTransactionSavepoint.Name:
                if (_pending.TryRemove((savepoint.TransactionId, false), out var created))
                    _savepoints.Add(Stopwatch.GetElapsedTime(created));
                break;
            case TransactionEventData savepoint when e.Key == RelationalEventId.ReleasingTransactionSavepoint.Name:
                _pending[(savepoint.TransactionId, true)] = Stopwatch.GetTimestamp();
                break;
            case TransactionEventData savepoint when e.Key == RelationalEventId.ReleasedTransactionSavepoint.Name:
                if (_pending.TryRemove((savepoint.TransactionId, true), out var released))
                    _releases.Add(Stopwatch.GetElapsedTime(released));
                break;
            case EventData when e.Key == CoreEventId.QueryCompilationStarting.Name:
                _compilations.Add(TimeSpan.Zero);
                break;
        }
    }

    public void OnCompleted() { }

    public void OnError(Exception error) { }

    public void Dispose()
    {
        _all.Dispose();
        lock (_subscriptions) _subscriptions.ForEach(s => s.Dispose());
    }

    /// <summary>"SELECT ... FROM workflow_instances", "INSERT INTO journal_entries + UPDATE work_items", ...: the verb
    /// and table of each statement in a command, so a SaveChanges batch shows what it holds.</summary>
    private static string Shape(string sql)
    {
        var statements = new List<string>();
        foreach (var text in sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var verb = Verb().Match(text);
            if (!verb.Success) continue;
            var what = verb.Groups[1].Value.ToUpperInvariant();
            statements.Add(what == "SELECT" && From().Match(text) is { Success: true } from
                ? $"SELECT {from.Groups[1].Value}"
                : $"{what} {verb.Groups[2].Value}");
        }

        var shape = string.Join(" + ", statements.GroupBy(s => s).Select(g => g.Count() > 1 ? $"{g.Count()}x {g.Key}" : g.Key));
        return shape.Length > 0 ? shape : sql.Split('\n')[0];
    }

    private static double Ms(long ticks) => TimeSpan.FromTicks(ticks).TotalMilliseconds;

    [GeneratedRegex("""^(SELECT|INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)""", RegexOptions.IgnoreCase)]
    private static partial Regex Verb();

    [GeneratedRegex("""\bFROM\s+"?(\w+)""", RegexOptions.IgnoreCase)]
    private static partial Regex From();

    private sealed class Tally
    {
        private long _count;
        private long _ticks;

        public long Count => Interlocked.Read(ref _count);
        public long Ticks => Interlocked.Read(ref _ticks);

        public void Add(TimeSpan duration)
        {
            Interlocked.Increment(ref _count);
            Interlocked.Add(ref _ticks, duration.Ticks);
        }

        public void Reset()
        {
            Interlocked.Exchange(ref _count, 0);
            Interlocked.Exchange(ref _ticks, 0);
        }
    }
}
