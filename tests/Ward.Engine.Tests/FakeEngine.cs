using System.Text.Json.Nodes;
using Ward.Engine.Desired;
using Ward.Engine.Ports;

namespace Ward.Engine.Tests;

/// <summary>
/// An in-memory swarm for engine unit tests: objects with version indexes, nodes, and tasks that a test (or the
/// fake's own simple scheduler) moves through states. It stores specs as the engine does (network targets as ids,
/// defaults filled in: docs/reference/engine-api-notes.md B8), so planning against it meets what a real swarm reports.
/// Failures are injected per call.
/// </summary>
internal sealed class FakeEngine : IEngine
{
    /// <summary>The option the engine adds to every overlay network it creates.</summary>
    public const string VxlanOption = "com.docker.network.driver.overlay.vxlanid_list";

    private readonly Lock _gate = new();
    private readonly List<ObservedObject> _objects = [];
    private readonly List<ObservedTask> _tasks = [];
    private readonly List<ObservedNode> _nodes = [];
    private int _nextId;

    public FakeEngine(int workers = 2)
    {
        _nodes.Add(Node("manager-1", "manager"));
        for (var i = 1; i <= workers; i++)
        {
            _nodes.Add(Node($"worker-{i}", "worker"));
        }
    }

    /// <summary>Every mutating call the engine received, as "Verb Kind name", in order.</summary>
    public List<string> Calls { get; } = [];

    /// <summary>When true, new and updated services get running tasks immediately.</summary>
    public bool RunTasksAtOnce { get; set; } = true;

    /// <summary>When true (the default), specs are stored as the engine stores them (B8), not verbatim.</summary>
    public bool EngineDefaults { get; set; } = true;

    public bool IsManager { get; set; } = true;

    /// <summary>The clock of task timestamps.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>A failure to throw from the next call whose description starts with the key (e.g. "Update Service demo_web").</summary>
    public Dictionary<string, Queue<Exception>> Failures { get; } = new(StringComparer.Ordinal);

    /// <summary>Called before each mutating call, e.g. to change the swarm under the apply's feet, or to "kill" the apply.</summary>
    public Action<string>? BeforeCall { get; set; }

    /// <summary>Called after each mutating call took effect, e.g. to "kill" the apply before it hears the answer.</summary>
    public Action<string>? AfterCall { get; set; }

    /// <summary>Awaited before each mutating call, to make calls really asynchronous (and so observe parallelism).</summary>
    public Func<string, Task>? Pause { get; set; }

    public IReadOnlyList<ObservedObject> Objects
    {
        get
        {
            lock (_gate)
            {
                return [.. _objects];
            }
        }
    }

    public IReadOnlyList<ObservedTask> Tasks
    {
        get
        {
            lock (_gate)
            {
                return [.. _tasks];
            }
        }
    }

    public IReadOnlyList<ObservedNode> Nodes
    {
        get
        {
            lock (_gate)
            {
                return [.. _nodes];
            }
        }
    }

    public ObservedObject Object(ObjectKind kind, string name) => Objects.Single(o => o.Kind == kind && o.Name == name);

    public void Fail(string call, Exception exception)
    {
        lock (_gate)
        {
            if (!Failures.TryGetValue(call, out var queue))
            {
                Failures[call] = queue = new Queue<Exception>();
            }

            queue.Enqueue(exception);
        }
    }

    public Task<EngineInfo> InfoAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new EngineInfo("20.10.24", "1.41", IsManager ? "active" : "inactive", IsManager, "node-manager-1", "10.0.0.10"));

    public Task<IReadOnlyList<ObservedNode>> ListNodesAsync(CancellationToken cancellationToken) => Task.FromResult(Nodes);

    public async Task UpdateNodeAsync(string id, long version, JsonObject spec, CancellationToken cancellationToken)
    {
        var call = $"Update Node {id}";
        await RecordAsync(call);
        lock (_gate)
        {
            var index = _nodes.FindIndex(n => n.Id == id);
            var node = index >= 0 ? _nodes[index] : throw new EngineNotFoundException($"node {id} not found");
            if (node.Version != version)
            {
                throw new EngineConflictException("update out of sequence");
            }

            _nodes[index] = node with
            {
                Version = version + 1,
                Role = spec["Role"]?.GetValue<string>() ?? node.Role,
                Availability = spec["Availability"]!.GetValue<string>(),
                Labels = ((JsonObject)spec["Labels"]!).ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()),
            };
        }

        AfterCall?.Invoke(call);
    }

    public Task<IReadOnlyList<ObservedObject>> ListAsync(ObjectKind kind, string? stackNamespace, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<ObservedObject> result = [.. _objects.Where(o => o.Kind == kind && (stackNamespace is null || o.Labels.GetValueOrDefault(StackNames.NamespaceLabel) == stackNamespace))];
            return Task.FromResult(result);
        }
    }

    public async Task<string> CreateAsync(ObjectKind kind, JsonObject spec, CancellationToken cancellationToken)
    {
        var name = spec["Name"]!.GetValue<string>();
        var call = $"Create {kind} {name}";
        await RecordAsync(call);
        string id;
        lock (_gate)
        {
            id = Add(kind, spec);
        }

        AfterCall?.Invoke(call);
        return id;
    }

    public async Task UpdateServiceAsync(string id, long version, JsonObject spec, CancellationToken cancellationToken)
    {
        var call = $"Update Service {spec["Name"]!.GetValue<string>()}";
        await RecordAsync(call);
        lock (_gate)
        {
            var index = _objects.FindIndex(o => o.Id == id);
            if (index < 0)
            {
                throw new EngineNotFoundException($"service {id} not found");
            }

            if (_objects[index].Version != version)
            {
                throw new EngineConflictException("rpc error: code = Unknown desc = update out of sequence");
            }

            var stored = Store(ObjectKind.Service, spec);
            _objects[index] = _objects[index] with
            {
                Version = version + 1,
                Spec = stored,
                Labels = LabelsOf(stored),
                UpdateState = "completed",
            };
            RestartTasks(id, stored);
        }

        AfterCall?.Invoke(call);
    }

    public async Task RemoveAsync(ObjectKind kind, string id, CancellationToken cancellationToken)
    {
        string? name;
        lock (_gate)
        {
            name = _objects.FirstOrDefault(o => o.Id == id)?.Name;
        }

        var call = $"Remove {kind} {name ?? id}";
        await RecordAsync(call);
        lock (_gate)
        {
            var item = _objects.FirstOrDefault(o => o.Id == id) ?? throw new EngineNotFoundException($"{kind.ToString().ToLowerInvariant()} {id} not found");
            if (kind != ObjectKind.Service && _objects.Any(o => o.Kind == ObjectKind.Service && o.Spec.ToJsonString().Contains($"\"{id}\"", StringComparison.Ordinal)))
            {
                // Like the engine: an object a service uses cannot be removed.
                throw new EngineRequestException($"rpc error: code = InvalidArgument desc = {kind.ToString().ToLowerInvariant()} '{item.Name}' is in use");
            }

            _objects.Remove(item);
            _tasks.RemoveAll(t => t.ServiceId == id);
        }

        AfterCall?.Invoke(call);
    }

    /// <summary>Answers commands run in containers (the load balancer's ward-lb); without it every exec finds no container.</summary>
    public Func<string, IReadOnlyList<string>, IReadOnlyDictionary<string, string>, ExecResult>? ExecHandler { get; set; }

    /// <summary>Every command run in a container, as "container: argv".</summary>
    public List<string> Execs { get; } = [];

    /// <summary>What each service's tasks wrote (by service id), for <see cref="ServiceLogsAsync"/>.</summary>
    public Dictionary<string, string> ServiceLogs { get; } = new(StringComparer.Ordinal);

    public Task<string> ServiceLogsAsync(string serviceId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(ServiceLogs.GetValueOrDefault(serviceId, ""));
        }
    }

    public Task<ExecResult> ExecAsync(string containerId, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Execs.Add($"{containerId}: {string.Join(' ', command)}");
        }

        return ExecHandler is { } handler
            ? Task.FromResult(handler(containerId, command, environment))
            : Task.FromException<ExecResult>(new EngineNotFoundException($"No such container: {containerId}"));
    }

    public Task<IReadOnlyList<ObservedTask>> ListTasksAsync(IReadOnlyCollection<string>? serviceIds, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<ObservedTask> result = [.. _tasks.Where(t => serviceIds is null || serviceIds.Contains(t.ServiceId))];
            return Task.FromResult(result);
        }
    }

    /// <summary>Puts an object on the swarm directly (someone else made it), without recording a call.</summary>
    public string Seed(ObjectKind kind, JsonObject spec)
    {
        lock (_gate)
        {
            return Add(kind, spec);
        }
    }

    /// <summary>Changes a stored spec directly (someone else updated the object), bumping its version.</summary>
    public void Mutate(ObjectKind kind, string name, Action<JsonObject> change)
    {
        lock (_gate)
        {
            var index = _objects.FindIndex(o => o.Kind == kind && o.Name == name);
            var before = _objects[index];
            var spec = (JsonObject)before.Spec.DeepClone();
            change(spec);
            spec = JsonNode.Parse(spec.ToJsonString())!.AsObject();
            _objects[index] = before with { Spec = spec, Version = before.Version + 1, Labels = LabelsOf(spec) };
            if (kind == ObjectKind.Service && !JsonNode.DeepEquals(before.Spec["TaskTemplate"], spec["TaskTemplate"]))
            {
                RestartTasks(before.Id, spec);
            }
        }
    }

    /// <summary>Sets the state (and error) of every task of a service that Swarm wants running.</summary>
    public void SetTaskState(string serviceName, string state, string? error = null)
    {
        lock (_gate)
        {
            var service = _objects.Single(o => o.Kind == ObjectKind.Service && o.Name == serviceName);
            foreach (var task in _tasks.Where(t => t.ServiceId == service.Id && t.DesiredState == "running").ToList())
            {
                _tasks[_tasks.IndexOf(task)] = task with { State = state, Error = error, Timestamp = Time.GetUtcNow() };
            }
        }
    }

    /// <summary>One running task of a service fails, and Swarm starts a replacement (pending) in its slot.</summary>
    public void FailTask(string serviceName, string error)
    {
        lock (_gate)
        {
            var service = _objects.Single(o => o.Kind == ObjectKind.Service && o.Name == serviceName);
            var task = _tasks.First(t => t.ServiceId == service.Id && t.DesiredState == "running");
            _tasks[_tasks.IndexOf(task)] = task with { State = "failed", DesiredState = "shutdown", Error = error, Timestamp = Time.GetUtcNow() };
            _tasks.Add(task with { Id = $"task-{++_nextId}", State = "pending", Error = null, Message = "pending", Timestamp = Time.GetUtcNow() });
        }
    }

    /// <summary>Adds a task to a service (an old task still running, a task stuck somewhere...).</summary>
    public void AddTask(ObservedTask task)
    {
        lock (_gate)
        {
            _tasks.Add(task);
        }
    }

    public void SetUpdateState(string serviceName, string state, string message)
    {
        lock (_gate)
        {
            var index = _objects.FindIndex(o => o.Kind == ObjectKind.Service && o.Name == serviceName);
            _objects[index] = _objects[index] with { UpdateState = state, UpdateMessage = message };
        }
    }

    public void SetNodeState(string name, string state)
    {
        lock (_gate)
        {
            var index = _nodes.FindIndex(n => n.Labels.GetValueOrDefault(StackNames.NodeLabel) == name);
            _nodes[index] = _nodes[index] with { State = state };
        }
    }

    /// <summary>Replaces the swarm's nodes.</summary>
    public void SetNodes(params ObservedNode[] nodes)
    {
        lock (_gate)
        {
            _nodes.Clear();
            _nodes.AddRange(nodes);
        }
    }

    private string Add(ObjectKind kind, JsonObject spec)
    {
        var name = spec["Name"]!.GetValue<string>();
        if (_objects.Any(o => o.Kind == kind && o.Name == name))
        {
            throw new EngineConflictException($"rpc error: code = AlreadyExists desc = {kind.ToString().ToLowerInvariant()} {name} already exists");
        }

        var id = $"{kind.ToString().ToLowerInvariant()}-{++_nextId}";
        var stored = Store(kind, spec);
        _objects.Add(new ObservedObject(kind, id, name, 1, stored) { Labels = LabelsOf(stored) });
        if (kind == ObjectKind.Service)
        {
            StartTasks(id, stored);
        }

        return id;
    }

    /// <summary>The spec as the engine keeps it: secret data is never returned; defaults are filled in (B8).</summary>
    private JsonObject Store(ObjectKind kind, JsonObject spec)
    {
        // Through JSON text, as over the wire: numbers read back as whatever width the reader asks for.
        var stored = JsonNode.Parse(spec.ToJsonString())!.AsObject();
        if (kind is ObjectKind.Secret or ObjectKind.Config)
        {
            stored.Remove("Data");
        }

        if (!EngineDefaults)
        {
            return stored;
        }

        if (kind == ObjectKind.Network)
        {
            stored["Scope"] = "swarm";
            if (stored["Driver"]?.GetValue<string>() == "overlay")
            {
                var options = stored["Options"] as JsonObject ?? [];
                options[VxlanOption] = (4096 + _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
                stored["Options"] = options;
            }

            stored["Internal"] ??= false;
            stored["Attachable"] ??= false;
        }

        if (kind == ObjectKind.Service)
        {
            EngineServiceDefaults(stored);
        }

        return stored;
    }

    private void EngineServiceDefaults(JsonObject spec)
    {
        spec["Labels"] ??= new JsonObject();
        if (spec["TaskTemplate"] is JsonObject task)
        {
            task["Runtime"] = "container";
            task["ForceUpdate"] ??= 0L;
            foreach (var network in (task["Networks"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                var target = network["Target"]!.GetValue<string>();
                if (_objects.FirstOrDefault(o => o.Kind == ObjectKind.Network && o.Name == target) is { } found)
                {
                    network["Target"] = found.Id;
                }
            }

            if (task["RestartPolicy"] is JsonObject restart)
            {
                if (string.IsNullOrEmpty(restart["Condition"]?.GetValue<string>()))
                {
                    restart["Condition"] = "any";
                }

                restart["MaxAttempts"] ??= 0L;
            }

            if (task["ContainerSpec"] is JsonObject container)
            {
                container["Isolation"] = "default";
                container["Labels"] ??= new JsonObject();
                if (container["Privileges"] is JsonObject privileges)
                {
                    privileges["CredentialSpec"] = null;
                    privileges["SELinuxContext"] = null;
                    privileges["NoNewPrivileges"] ??= false;
                }

                if (container["Healthcheck"] is JsonObject health)
                {
                    foreach (var key in new[] { "Interval", "Timeout", "StartPeriod" })
                    {
                        health[key] ??= 0L;
                    }
                }
            }
        }

        if (spec["Mode"]?["Replicated"] is JsonObject replicated)
        {
            replicated["Replicas"] ??= 1L;
        }

        foreach (var name in new[] { "UpdateConfig", "RollbackConfig" })
        {
            if (spec[name] is JsonObject update)
            {
                if (string.IsNullOrEmpty(update["FailureAction"]?.GetValue<string>()))
                {
                    update["FailureAction"] = "pause";
                }

                if (string.IsNullOrEmpty(update["Order"]?.GetValue<string>()))
                {
                    update["Order"] = "stop-first";
                }
            }
        }

        if (spec["EndpointSpec"] is JsonObject endpoint)
        {
            if (string.IsNullOrEmpty(endpoint["Mode"]?.GetValue<string>()))
            {
                endpoint["Mode"] = "vip";
            }

            foreach (var port in (endpoint["Ports"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                if (string.IsNullOrEmpty(port["Protocol"]?.GetValue<string>()))
                {
                    port["Protocol"] = "tcp";
                }

                if (string.IsNullOrEmpty(port["PublishMode"]?.GetValue<string>()))
                {
                    port["PublishMode"] = "ingress";
                }
            }
        }
    }

    private static Dictionary<string, string> LabelsOf(JsonObject spec) =>
        (spec["Labels"] as JsonObject)?.ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()) ?? [];

    private void RestartTasks(string serviceId, JsonObject spec)
    {
        foreach (var task in _tasks.Where(t => t.ServiceId == serviceId && t.DesiredState == "running").ToList())
        {
            _tasks[_tasks.IndexOf(task)] = task with { DesiredState = "shutdown", State = "shutdown" };
        }

        StartTasks(serviceId, spec);
    }

    private void StartTasks(string serviceId, JsonObject spec)
    {
        var replicas = spec["Mode"]?["Replicated"]?["Replicas"]?.GetValue<long>() ?? (spec["Mode"]?["Global"] is null ? 1 : _nodes.Count);
        var onManager = (spec["TaskTemplate"]?["Placement"]?["Constraints"] as JsonArray)?.Any(c => c?.GetValue<string>().Replace(" ", "", StringComparison.Ordinal) == "node.role==manager") == true;
        for (var slot = 1; slot <= replicas; slot++)
        {
            var id = $"task-{++_nextId}";
            _tasks.Add(new ObservedTask
            {
                Id = id,
                ContainerId = $"container-{id}",
                ServiceId = serviceId,
                NodeId = onManager ? _nodes.First(n => n.Role == "manager").Id : _nodes[slot % _nodes.Count].Id,
                Slot = slot,
                DesiredState = "running",
                State = RunTasksAtOnce ? "running" : "pending",
                Timestamp = Time.GetUtcNow(),
                Spec = (JsonObject?)spec["TaskTemplate"]?.DeepClone(),
            });
        }
    }

    private async Task RecordAsync(string call)
    {
        if (Pause is { } pause)
        {
            await pause(call);
        }

        BeforeCall?.Invoke(call);
        lock (_gate)
        {
            Calls.Add(call);
            foreach (var (key, queue) in Failures)
            {
                if (call.StartsWith(key, StringComparison.Ordinal) && queue.Count > 0)
                {
                    throw queue.Dequeue();
                }
            }
        }
    }

    public static ObservedNode Node(string name, string role, string? hostname = null, string? address = null, IReadOnlyDictionary<string, string>? labels = null) => new()
    {
        Id = $"node-{name}",
        Version = 1,
        Hostname = hostname ?? name,
        Role = role,
        Availability = "active",
        State = "ready",
        Address = address ?? (name == "manager-1" ? "10.0.0.10" : $"10.0.0.{10 + int.Parse(name.Split('-')[^1], System.Globalization.CultureInfo.InvariantCulture)}"),
        Labels = labels ?? new Dictionary<string, string> { [StackNames.NodeLabel] = name },
        Cpus = 2,
        MemoryBytes = 4L << 30,
    };
}
