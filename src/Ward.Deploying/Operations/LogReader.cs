using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Ward.Engine.Observing;
using Ward.Engine.Ports;

namespace Ward.Deploying.Operations;

/// <summary>Which log lines of an environment to read.</summary>
public sealed record LogQuery
{
    /// <summary>Services as the file names them (web, not ENV_web); empty: every service of the environment.</summary>
    public IReadOnlyList<string> Services { get; init; } = [];

    /// <summary>After the history, keep reading new lines until cancelled.</summary>
    public bool Follow { get; init; }

    public DateTimeOffset? Since { get; init; }

    /// <summary>Only the last lines: this many of everything selected, in time order (null: all).</summary>
    public int? Tail { get; init; }

    /// <summary>Only lines that contain this text (ordinal, case-insensitive), looked for after secrets are masked.</summary>
    public string? Grep { get; init; }

    /// <summary>The most lines a tail may ask for (each task is read up to this many lines back).</summary>
    public const int MaxTail = 100_000;

    /// <summary>
    /// A start time as people write it: a duration back from now (90s, 10m, 2h, 1h30m) or an instant with its zone
    /// (2026-12-07T09:00:00Z). Refused with what is allowed.
    /// </summary>
    public static DateTimeOffset ParseSince(string text, DateTimeOffset now)
    {
        if (Ward.Model.Compose.GoDuration.TryParse(text, out var back) && back >= TimeSpan.Zero)
        {
            return now - back;
        }

        if (DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var at) &&
            (text.EndsWith('Z') || text.Contains('+', StringComparison.Ordinal) || text.LastIndexOf('-') > 9))
        {
            return at;
        }

        throw new DeployRequestException(DeployRequestCodes.InvalidLogQuery, $"since '{text}' is neither a duration back from now (90s, 10m, 2h) nor a time with its zone (2026-12-07T09:00:00Z)");
    }
}

/// <summary>One log line of an environment, named for people: its service, task (service.slot) and node; stream is stdout or stderr.</summary>
public sealed record LogEntry(DateTimeOffset Time, string Service, string Task, string Node, string Stream, string Message);

/// <summary>
/// An environment's logs through the Engine API: the service logs the manager gathers from every task on every node,
/// each line named with its service, task and node, with the values of the environment's secrets masked. History is
/// returned in time order; following streams lines as they come, from all services at once.
/// </summary>
public sealed class LogReader(IEngine engine, TimeProvider time)
{
    /// <summary>How long a line of an unknown task waits before the task list is read again to name it.</summary>
    private static readonly TimeSpan NamesRefresh = TimeSpan.FromSeconds(2);

    public async IAsyncEnumerable<LogEntry> ReadAsync(string environment, LogQuery query, SecretMask mask, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (query.Tail is < 0 or > LogQuery.MaxTail)
        {
            throw new DeployRequestException(DeployRequestCodes.InvalidLogQuery, $"tail {query.Tail} is out of range: give 0 to {LogQuery.MaxTail} lines");
        }

        var services = await SelectAsync(environment, query.Services, cancellationToken);
        var names = new Names(engine, time, environment, services);
        await names.RefreshAsync(cancellationToken);
        var options = new ServiceLogOptions(false, query.Since, query.Tail);

        // The history: every service read at once, merged in time order, the tail taken over all of them.
        var history = await Task.WhenAll(services.Select(s => ReadAllAsync(s.Id, options, cancellationToken)));
        var merged = history.SelectMany((lines, i) => lines.Select(l => (Service: services[i], Line: l))).OrderBy(x => x.Line.Time);
        var selected = query.Tail is { } tail ? merged.TakeLast(tail) : merged;
        var newest = DateTimeOffset.MinValue;
        foreach (var (service, line) in selected)
        {
            newest = line.Time > newest ? line.Time : newest;
            if (await names.EntryAsync(service, line, mask, query.Grep, cancellationToken) is { } entry)
            {
                yield return entry;
            }
        }

        if (!query.Follow)
        {
            yield break;
        }

        // Then new lines as they come, from every service; the history already shown is not repeated.
        var channel = Channel.CreateBounded<(ObservedObject Service, ServiceLogLine Line)>(new BoundedChannelOptions(10_000) { SingleReader = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var since = newest == DateTimeOffset.MinValue ? query.Since ?? time.GetUtcNow() : newest;
        var readers = services.Select(s => PumpAsync(s, new ServiceLogOptions(true, since, null), channel.Writer, stop.Token)).ToList();
        var done = Task.WhenAll(readers).ContinueWith(t => channel.Writer.TryComplete(t.Exception?.InnerException), TaskScheduler.Default);
        try
        {
            await foreach (var (service, line) in channel.Reader.ReadAllAsync(cancellationToken))
            {
                if (line.Time <= newest)
                {
                    continue;
                }

                if (await names.EntryAsync(service, line, mask, query.Grep, cancellationToken) is { } entry)
                {
                    yield return entry;
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await done;
        }
    }

    /// <summary>The environment's services the query names (all when it names none); an unknown name is refused with the known ones.</summary>
    private async Task<IReadOnlyList<ObservedObject>> SelectAsync(string environment, IReadOnlyList<string> wanted, CancellationToken cancellationToken)
    {
        var services = (await engine.ListAsync(ObjectKind.Service, environment, cancellationToken)).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        if (wanted.Count == 0)
        {
            return services;
        }

        var unknown = wanted.Where(w => services.All(s => ShortName(environment, s.Name) != w)).ToList();
        if (unknown.Count > 0)
        {
            var known = services.Count == 0 ? $"{environment} runs no service on this swarm" : $"its services are {string.Join(", ", services.Select(s => ShortName(environment, s.Name)))}";
            throw new DeployRequestException(DeployRequestCodes.UnknownService, $"{environment} has no service {string.Join(", ", unknown)}; {known}");
        }

        return [.. services.Where(s => wanted.Contains(ShortName(environment, s.Name)))];
    }

    public static string ShortName(string environment, string service) =>
        service.StartsWith(environment + "_", StringComparison.Ordinal) ? service[(environment.Length + 1)..] : service;

    private async Task<List<ServiceLogLine>> ReadAllAsync(string serviceId, ServiceLogOptions options, CancellationToken cancellationToken)
    {
        var lines = new List<ServiceLogLine>();
        await foreach (var line in engine.ServiceLogsAsync(serviceId, options, cancellationToken))
        {
            lines.Add(line);
        }

        return lines;
    }

    private async Task PumpAsync(ObservedObject service, ServiceLogOptions options, ChannelWriter<(ObservedObject, ServiceLogLine)> writer, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var line in engine.ServiceLogsAsync(service.Id, options, cancellationToken))
            {
                await writer.WriteAsync((service, line), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The reader stopped following.
        }
    }

    /// <summary>Task and node names for the engine's ids, read again when a line comes from a task not seen yet.</summary>
    private sealed class Names(IEngine engine, TimeProvider time, string environment, IReadOnlyList<ObservedObject> services)
    {
        private Dictionary<string, ObservedTask> _tasks = new(StringComparer.Ordinal);
        private Dictionary<string, string> _nodes = new(StringComparer.Ordinal);
        private DateTimeOffset _readAt = DateTimeOffset.MinValue;

        public async Task RefreshAsync(CancellationToken cancellationToken)
        {
            var tasks = await engine.ListTasksAsync([.. services.Select(s => s.Id)], cancellationToken);
            var nodes = await engine.ListNodesAsync(cancellationToken);
            _tasks = tasks.ToDictionary(t => t.Id, StringComparer.Ordinal);
            _nodes = nodes.ToDictionary(n => n.Id, EnvironmentStatus.NodeName, StringComparer.Ordinal);
            _readAt = time.GetUtcNow();
        }

        public async ValueTask<LogEntry?> EntryAsync(ObservedObject service, ServiceLogLine line, SecretMask mask, string? grep, CancellationToken cancellationToken)
        {
            var message = mask.Mask(line.Text);
            if (!string.IsNullOrEmpty(grep) && !message.Contains(grep, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            if (line.TaskId is { } id && !_tasks.ContainsKey(id) && time.GetUtcNow() - _readAt > NamesRefresh)
            {
                await RefreshAsync(cancellationToken);
            }

            var name = ShortName(environment, service.Name);
            var task = line.TaskId is { } taskId && _tasks.TryGetValue(taskId, out var known)
                ? known.Slot is { } slot ? $"{name}.{slot}" : $"{name}.{(known.NodeId is { } node ? _nodes.GetValueOrDefault(node, node) : taskId)}"
                : $"{name}.{line.TaskId?[..Math.Min(12, line.TaskId.Length)] ?? "?"}";
            var nodeName = line.NodeId is { } nodeId ? _nodes.GetValueOrDefault(nodeId, nodeId[..Math.Min(12, nodeId.Length)]) : "?";
            return new LogEntry(line.Time, name, task, nodeName, line.StdErr ? "stderr" : "stdout", message);
        }
    }
}
