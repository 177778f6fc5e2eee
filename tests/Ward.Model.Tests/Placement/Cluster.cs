using Ward.Model.Placement;
using Ward.Model.Placement.Simulation;
using Ward.Model.Spec;

namespace Ward.Model.Tests.Placement;

/// <summary>Small clusters and services for the scheduler's tests.</summary>
internal static class Cluster
{
    public const long Gb = 1024L * 1024 * 1024;

    public static ClusterNode Node(string name, double cpus = 2, double memoryGb = 8, NodeRole role = NodeRole.Worker, NodeAvailability availability = NodeAvailability.Active, NodeStatus status = NodeStatus.Ready, params (string Key, string Value)[] labels) => new()
    {
        Name = name,
        Role = role,
        Availability = availability,
        Status = status,
        NanoCpus = (long)(cpus * 1e9),
        MemoryBytes = (long)(memoryGb * Gb),
        Labels = labels.ToDictionary(l => l.Key, l => l.Value),
    };

    public static ClusterNode Manager(string name = "manager-1", params (string Key, string Value)[] labels) => Node(name, role: NodeRole.Manager, labels: labels);

    public static ServiceDemand Service(string name, int replicas = 1, double cpus = 0, double memoryGb = 0, int maxPerNode = 0, string[]? constraints = null, string[]? spread = null, int[]? hostPorts = null, bool global = false) => new()
    {
        Name = name,
        Mode = global ? ServiceMode.Global : ServiceMode.Replicated,
        Replicas = replicas,
        NanoCpus = ServiceDemand.NanoCpusOf(cpus),
        MemoryBytes = (long)(memoryGb * Gb),
        MaxReplicasPerNode = maxPerNode,
        Constraints = Eligibility.Parse(constraints ?? []),
        Spread = spread ?? [],
        HostPorts = [.. (hostPorts ?? []).Select(p => new HostPort("tcp", p))],
    };

    public static PlacementResult Place(IReadOnlyList<ClusterNode> nodes, params ServiceDemand[] services)
    {
        var scheduler = new Scheduler(nodes, services);
        scheduler.PlaceAll();
        return scheduler.Result();
    }

    /// <summary>The service's tasks per node, in node order, e.g. "w1=2 w2=1".</summary>
    public static string Layout(PlacementResult result, string service) =>
        string.Join(' ', result.Nodes.Select(n => (n.Node.Name, Count: n.CountOf(service))).Where(n => n.Count > 0).Select(n => $"{n.Name}={n.Count}"));
}
