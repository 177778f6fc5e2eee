using Ward.Engine.Ports;

namespace Ward.Engine.Planning;

/// <summary>What the swarm holds for an environment, read once before planning.</summary>
public sealed record ObservedState
{
    /// <summary>Objects labelled with the environment's stack namespace.</summary>
    public IReadOnlyList<ObservedObject> Owned { get; init; } = [];

    /// <summary>Every network's id and name, to read service network targets stored as ids.</summary>
    public IReadOnlyDictionary<string, string> NetworkNames { get; init; } = new Dictionary<string, string>();

    /// <summary>Every secret and config name (owned or not), to tell whether an external one exists.</summary>
    public IReadOnlySet<string> SecretNames { get; init; } = new HashSet<string>();

    public IReadOnlySet<string> ConfigNames { get; init; } = new HashSet<string>();

    public IReadOnlyList<ObservedNode> Nodes { get; init; } = [];

    public IEnumerable<ObservedObject> OwnedOf(ObjectKind kind) => Owned.Where(o => o.Kind == kind);
}

/// <summary>What the file wants of a swarm node: its labels and availability (x-ward.nodes).</summary>
public sealed record DesiredNode(string Name, string? Address, IReadOnlyDictionary<string, string> Labels, string Availability, string Role);
