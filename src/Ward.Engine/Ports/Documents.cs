using System.Text.Json.Nodes;

namespace Ward.Engine.Ports;

/// <summary>
/// A Swarm object as Ward wants it: its kind, name and the spec in the Docker Engine API's JSON shape (the body of a
/// create request). Plain JSON keeps the engine independent of any Docker client library, and the spec is exactly
/// what <c>docker stack deploy</c> would send.
/// </summary>
public sealed record DesiredObject(ObjectKind Kind, string Name, JsonObject Spec)
{
    /// <summary>For secrets and configs: the environment key the object came from (several versions share one key).</summary>
    public string? Key { get; init; }
}

/// <summary>A Swarm object as the engine reports it: id, version index for updates, and its spec.</summary>
public sealed record ObservedObject(ObjectKind Kind, string Id, string Name, long Version, JsonObject Spec)
{
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>For services: the state of the last update (updating, paused, completed, rollback_*), if any.</summary>
    public string? UpdateState { get; init; }

    public string? UpdateMessage { get; init; }
}

/// <summary>What the engine is and whether Ward can manage a swarm through it.</summary>
public sealed record EngineInfo(string Version, string ApiVersion, string SwarmState, bool IsManager, string? NodeId, string? NodeAddress);

/// <summary>A swarm node as observed.</summary>
public sealed record ObservedNode
{
    public required string Id { get; init; }

    public required long Version { get; init; }

    public required string Hostname { get; init; }

    public required string Role { get; init; }

    public required string Availability { get; init; }

    /// <summary>ready, down, unknown or disconnected.</summary>
    public required string State { get; init; }

    public string? Address { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public bool IsLeader { get; init; }

    public string? ManagerReachability { get; init; }

    public double Cpus { get; init; }

    /// <summary>The CPUs the engine reports, exactly as the scheduler counts them.</summary>
    public long NanoCpus { get; init; }

    public long MemoryBytes { get; init; }

    /// <summary>The engine's OS and architecture (node.platform.* constraints).</summary>
    public string? Os { get; init; }

    public string? Architecture { get; init; }

    /// <summary>The engine's own labels (engine.labels.* constraints).</summary>
    public IReadOnlyDictionary<string, string> EngineLabels { get; init; } = new Dictionary<string, string>();

    public string? EngineVersion { get; init; }

    public string? Message { get; init; }
}

/// <summary>A task (one slot of a service) as observed.</summary>
public sealed record ObservedTask
{
    public required string Id { get; init; }

    public required string ServiceId { get; init; }

    public string? NodeId { get; init; }

    public long? Slot { get; init; }

    /// <summary>The state Swarm is driving the task to: running or shutdown.</summary>
    public required string DesiredState { get; init; }

    /// <summary>new, pending, assigned, preparing, starting, running, complete, failed, rejected, shutdown, ...</summary>
    public required string State { get; init; }

    public string? Message { get; init; }

    public string? Error { get; init; }

    public DateTimeOffset Timestamp { get; init; }

    /// <summary>The task's own spec, to tell whether it runs the service's current spec.</summary>
    public JsonObject? Spec { get; init; }

    /// <summary>The container that runs it, on its node's engine, once it has one.</summary>
    public string? ContainerId { get; init; }
}
