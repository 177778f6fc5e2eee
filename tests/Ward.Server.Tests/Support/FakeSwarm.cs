using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Ward.Engine.Ports;

namespace Ward.Server.Tests.Support;

/// <summary>
/// A tiny in-memory swarm for the server's tests: one ready manager and one worker, objects that can be created,
/// listed and removed, no tasks (unless a test seeds services and tasks). Services cannot be created (the engine refuses them), so an apply gets as far as
/// its first service and fails quickly. Hooks let a test hold a call or make it fail.
/// </summary>
internal sealed class FakeSwarm : IEngine
{
    private readonly ConcurrentDictionary<string, ObservedObject> _objects = new(StringComparer.Ordinal);
    private int _next;

    public List<ObservedNode> Nodes { get; } =
    [
        Node("n-manager-1", "manager-1", "manager"),
        Node("n-worker-1", "worker-1", "worker"),
    ];

    /// <summary>Every spec the engine was asked to create, in order (to look for secret values in them).</summary>
    public ConcurrentQueue<JsonObject> Created { get; } = new();

    /// <summary>Awaited before every create; a test holds applies here.</summary>
    public Func<ObjectKind, JsonObject, Task>? BeforeCreate { get; set; }

    /// <summary>Thrown by the next node update when set (a stale version index, say).</summary>
    public Exception? NodeUpdateFailure { get; set; }

    /// <summary>How many node updates in a row <see cref="NodeUpdateFailure"/> fails (a node that keeps changing).</summary>
    public int NodeUpdateFailureRepeats { get; set; } = 1;

    public Task<EngineInfo> InfoAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new EngineInfo("27.0.0", "1.47", "active", true, "n-manager-1", "10.0.0.1"));

    public Task<IReadOnlyList<ObservedNode>> ListNodesAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ObservedNode>>([.. Nodes]);

    public Task UpdateNodeAsync(string id, long version, JsonObject spec, CancellationToken cancellationToken)
    {
        if (NodeUpdateFailure is { } failure)
        {
            if (--NodeUpdateFailureRepeats <= 0)
            {
                (NodeUpdateFailure, NodeUpdateFailureRepeats) = (null, 1);
            }

            throw failure;
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ObservedObject>> ListAsync(ObjectKind kind, string? stackNamespace, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ObservedObject>>([.. _objects.Values.Where(o => o.Kind == kind && (stackNamespace is null || o.Labels.GetValueOrDefault("com.docker.stack.namespace") == stackNamespace))]);

    public async Task<string> CreateAsync(ObjectKind kind, JsonObject spec, CancellationToken cancellationToken)
    {
        if (BeforeCreate is { } hook)
        {
            await hook(kind, spec);
        }

        Created.Enqueue((JsonObject)spec.DeepClone());
        if (kind == ObjectKind.Service)
        {
            throw new EngineRequestException("the fake swarm runs no services");
        }

        var id = $"o{Interlocked.Increment(ref _next)}";
        var name = spec["Name"]?.GetValue<string>() ?? id;
        if (_objects.Values.Any(o => o.Kind == kind && o.Name == name))
        {
            throw new EngineConflictException($"{name} exists");
        }

        var labels = (spec["Labels"] as JsonObject)?.ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? "", StringComparer.Ordinal) ?? [];
        _objects[id] = new ObservedObject(kind, id, name, 1, spec) { Labels = labels };
        return id;
    }

    public Task UpdateServiceAsync(string id, long version, JsonObject spec, CancellationToken cancellationToken) =>
        throw new EngineRequestException("the fake swarm runs no services");

    public Task RemoveAsync(ObjectKind kind, string id, CancellationToken cancellationToken) =>
        _objects.TryRemove(id, out _) ? Task.CompletedTask : throw new EngineNotFoundException($"no object {id}");

    /// <summary>Tasks the swarm reports (none unless a test puts some, with the services it <see cref="Seed"/>s).</summary>
    public ConcurrentQueue<ObservedTask> Tasks { get; } = new();

    /// <summary>Puts an object on the swarm as if it had been deployed (a service, which <see cref="CreateAsync"/> refuses).</summary>
    public void Seed(ObservedObject deployed) => _objects[deployed.Id] = deployed;

    public Task<IReadOnlyList<ObservedTask>> ListTasksAsync(IReadOnlyCollection<string>? serviceIds, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ObservedTask>>([.. Tasks.Where(t => serviceIds is null || serviceIds.Contains(t.ServiceId))]);

    public Task<ExecResult> ExecAsync(string containerId, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken) =>
        Task.FromException<ExecResult>(new EngineNotFoundException($"No such container: {containerId}"));

    /// <summary>Log lines by service id: read once, never followed (the swarm runs no services).</summary>
    public ConcurrentDictionary<string, List<ServiceLogLine>> Logs { get; } = new(StringComparer.Ordinal);

    public async IAsyncEnumerable<ServiceLogLine> ServiceLogsAsync(string serviceId, ServiceLogOptions options, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!Logs.TryGetValue(serviceId, out var lines))
        {
            throw new EngineNotFoundException($"service {serviceId} not found");
        }

        foreach (var line in options.Tail is { } tail ? lines.TakeLast(tail) : lines)
        {
            yield return line;
        }

        await Task.CompletedTask;
    }

    private static ObservedNode Node(string id, string name, string role) => new()
    {
        Id = id,
        Version = 7,
        Hostname = name,
        Role = role,
        Availability = "active",
        State = "ready",
        Address = "10.0.0.1",
        Labels = new Dictionary<string, string> { ["ward.node"] = name },
        Cpus = 2,
        MemoryBytes = 4L << 30,
    };
}
