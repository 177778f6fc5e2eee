using Ward.Model.Spec;

namespace Ward.Model.Placement.Simulation;

/// <summary>What the swarm's dispatcher reports of a node: only a ready node takes new tasks.</summary>
public enum NodeStatus
{
    Ready,
    Down,
    Unknown,
    Disconnected,
}

/// <summary>
/// A node as the scheduler sees it: its role, availability, status, labels, what it has (CPU in nano-CPUs and memory
/// in bytes, as Swarm counts them) and, from a live swarm, what only a live swarm knows. A fact left null is one the
/// environment file cannot tell; a constraint on it counts as satisfied, as in the readiness rules.
/// </summary>
public sealed record ClusterNode
{
    /// <summary>The node's name: x-ward.nodes[].name, or on a live swarm its Ward name (label ward.node) or hostname.</summary>
    public required string Name { get; init; }

    public NodeRole Role { get; init; } = NodeRole.Worker;

    public NodeAvailability Availability { get; init; } = NodeAvailability.Active;

    public NodeStatus Status { get; init; } = NodeStatus.Ready;

    public long NanoCpus { get; init; }

    public long MemoryBytes { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>The catalog size it stands for (medium, large, ...), when known.</summary>
    public string? Size { get; init; }

    /// <summary>The swarm's node id (node.id constraints); null from the file.</summary>
    public string? SwarmId { get; init; }

    /// <summary>The hostname node.hostname constraints compare with; the file's nodes use their name.</summary>
    public string? Hostname { get; init; }

    /// <summary>The node's address (node.ip constraints).</summary>
    public string? Address { get; init; }

    /// <summary>The engine's labels (engine.labels.* constraints and preferences); null from the file.</summary>
    public IReadOnlyDictionary<string, string>? EngineLabels { get; init; }

    /// <summary>The engine's OS and architecture (node.platform.* constraints, the platform filter); null from the file.</summary>
    public string? Os { get; init; }

    public string? Architecture { get; init; }

    public bool IsManager => Role == NodeRole.Manager;
}
