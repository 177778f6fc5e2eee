using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Ward.Server.Tests.Support;

/// <summary>
/// Every log entry the hosted server writes, as text: the formatted message, each structured value, the scopes and
/// the exception with its inner exceptions. Plugged into the host in place of the console.
/// </summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            lines.Enqueue($"scope {category}: {Describe(state)}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var text = new StringBuilder($"{logLevel} {category}[{eventId.Id}]: {formatter(state, exception)} | {Describe(state)}");
            for (var e = exception; e is not null; e = e.InnerException)
            {
                text.Append(" | ").Append(e);
            }

            lines.Enqueue(text.ToString());
        }

        private static string Describe<TState>(TState state) =>
            state is IEnumerable<KeyValuePair<string, object?>> values
                ? string.Join("; ", values.Select(v => $"{v.Key}={v.Value}"))
                : state?.ToString() ?? "";
    }
}
