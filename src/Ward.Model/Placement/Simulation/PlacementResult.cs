namespace Ward.Model.Placement.Simulation;

/// <summary>How many tasks of one service a node runs.</summary>
public sealed record ServiceTasks(string Service, int Count);

/// <summary>How many of a service's tasks run on one node.</summary>
public sealed record NodeTasks(string Node, int Count);

/// <summary>One node after placement: what its tasks reserve against what it has, and which tasks they are.</summary>
public sealed record NodePlacement(ClusterNode Node, bool TakesTasks, long ReservedNanoCpus, long ReservedMemoryBytes, IReadOnlyList<ServiceTasks> Tasks, int OtherTasks)
{
    /// <summary>Tasks of the placed services and of other stacks.</summary>
    public int TaskCount => Tasks.Sum(t => t.Count) + OtherTasks;

    /// <summary>The share of the node's CPU its tasks reserve (0 when it reports none).</summary>
    public double CpuShare => Node.NanoCpus <= 0 ? 0 : (double)ReservedNanoCpus / Node.NanoCpus;

    public double MemoryShare => Node.MemoryBytes <= 0 ? 0 : (double)ReservedMemoryBytes / Node.MemoryBytes;

    public int CountOf(string service) => Tasks.FirstOrDefault(t => t.Service == service)?.Count ?? 0;
}

/// <summary>
/// One service after placement: where its tasks landed, how many are pending and Swarm's reason for them. A global
/// service's pending tasks are each bound to a node (<see cref="PendingNodes"/>).
/// </summary>
public sealed record ServicePlacement(ServiceDemand Service, IReadOnlyList<NodeTasks> ByNode, int Pending, string? Reason, IReadOnlyList<string> PendingNodes)
{
    public string Name => Service.Name;

    public int Placed => ByNode.Sum(n => n.Count);

    /// <summary>Tasks Swarm wants running: the replicas, or one per node the global orchestrator gave a task.</summary>
    public int Desired => Placed + Pending;

    /// <summary>How many tasks landed on a node.</summary>
    public int On(string node) => ByNode.FirstOrDefault(n => n.Node == node)?.Count ?? 0;
}

/// <summary>Where every task landed: per node and per service.</summary>
public sealed class PlacementResult(IReadOnlyList<NodePlacement> nodes, IReadOnlyList<ServicePlacement> services)
{
    // Looked up by name for every service of large environments: indexed once, on the first lookup.
    private Dictionary<string, ServicePlacement>? _byName;

    public IReadOnlyList<NodePlacement> Nodes { get; } = nodes;

    public IReadOnlyList<ServicePlacement> Services { get; } = services;

    public int PendingTasks => Services.Sum(s => s.Pending);

    public ServicePlacement? Service(string name)
    {
        _byName ??= Services.ToDictionary(s => s.Name, StringComparer.Ordinal);
        return _byName.GetValueOrDefault(name);
    }

    public NodePlacement? Node(string name) => Nodes.FirstOrDefault(n => n.Node.Name == name);
}
