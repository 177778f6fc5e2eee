using Ward.Model.Catalog;
using Ward.Model.Spec;

namespace Ward.Model.Placement;

/// <summary>A task that found no node, and why.</summary>
public sealed record UnplacedTask(string Service, int Replica, string Reason);

/// <summary>
/// Places the environment's tasks on the file's nodes as the Swarm scheduler would, closely enough to answer
/// "does it fit?" and "what if this node dies?": each task goes to an eligible active node (constraints, CPU and
/// memory reservations against the node's size, max replicas per node, host-mode published ports), preferring
/// the node with the fewest tasks of the service and then the most free memory.
/// </summary>
/// <param name="catalog">Node sizes, for each node's capacity.</param>
/// <param name="capacityOnly">
/// Place by CPU and memory only, ignoring max_replicas_per_node and host ports: the question "is there room for the
/// evicted tasks?" rather than "may they run there?", which the spread limits answer by design.
/// </param>
public sealed class CapacitySimulator(SizeCatalog catalog, bool capacityOnly = false)
{
    public IReadOnlyList<UnplacedTask> Place(IEnumerable<NodeSpec> nodes, IEnumerable<ServiceSpec> services)
    {
        var slots = nodes
            .Where(n => n.Availability == NodeAvailability.Active)
            .Select(n => new NodeSlot(n, catalog.FindSize(n.Size)))
            .ToList();
        var unplaced = new List<UnplacedTask>();

        // Largest reservations first, as a person packing boxes would; the result is what Swarm can achieve at best.
        foreach (var service in services.OrderByDescending(s => s.Deploy.Resources.Reservations?.MemoryBytes ?? 0))
        {
            var constraints = Eligibility.Parse(service.Deploy.Placement.Constraints);
            var eligible = slots.Where(s => constraints.All(c => c.Matches(s.Node) ?? true)).ToList();
            var tasks = service.Deploy.Mode == ServiceMode.Global ? eligible.Count : service.Deploy.EffectiveReplicas;
            var hostPorts = capacityOnly ? [] : service.Ports.Where(p => p.Mode == "host" && p.Published is not null).Select(p => (p.Published!.Value, p.Protocol)).ToList();
            for (var replica = 1; replica <= tasks; replica++)
            {
                var target = service.Deploy.Mode == ServiceMode.Global
                    ? eligible[replica - 1]
                    : eligible
                        .Where(s => s.Fits(service, hostPorts, capacityOnly))
                        .OrderBy(s => s.CountOf(service.Name))
                        .ThenByDescending(s => s.FreeMemory)
                        .FirstOrDefault();
                if (target is null || !target.Fits(service, hostPorts, capacityOnly))
                {
                    unplaced.Add(new UnplacedTask(service.Name, replica, WhyNot(service, eligible, hostPorts)));
                    continue;
                }

                target.Add(service, hostPorts);
            }
        }

        return unplaced;
    }

    private static string WhyNot(ServiceSpec service, List<NodeSlot> eligible, List<(int, string)> hostPorts)
    {
        if (eligible.Count == 0)
        {
            return "no active node satisfies its placement constraints";
        }

        if (service.Deploy.Placement.MaxReplicasPerNode is { } max && eligible.All(s => s.CountOf(service.Name) >= max))
        {
            return $"every eligible node already runs max_replicas_per_node ({max})";
        }

        if (hostPorts.Count > 0 && eligible.All(s => s.UsesAny(hostPorts)))
        {
            return "every eligible node already publishes its host-mode port";
        }

        return "no eligible node has the CPU and memory it reserves left";
    }

    private sealed class NodeSlot(NodeSpec node, NodeSize? size)
    {
        private readonly Dictionary<string, int> _tasks = new(StringComparer.Ordinal);
        private readonly HashSet<(int, string)> _ports = [];

        public NodeSpec Node { get; } = node;

        public double FreeCpu { get; private set; } = size?.Vcpu ?? double.MaxValue;

        public long FreeMemory { get; private set; } = size?.MemoryBytes ?? long.MaxValue;

        public int CountOf(string service) => _tasks.GetValueOrDefault(service);

        public bool UsesAny(List<(int, string)> ports) => ports.Any(_ports.Contains);

        public bool Fits(ServiceSpec service, List<(int, string)> hostPorts, bool capacityOnly)
        {
            var reservation = service.Deploy.Resources.Reservations;
            return (reservation?.Cpus ?? 0) <= FreeCpu + 1e-9 &&
                   (reservation?.MemoryBytes ?? 0) <= FreeMemory &&
                   (capacityOnly || service.Deploy.Placement.MaxReplicasPerNode is not { } max || CountOf(service.Name) < max) &&
                   !UsesAny(hostPorts);
        }

        public void Add(ServiceSpec service, List<(int, string)> hostPorts)
        {
            var reservation = service.Deploy.Resources.Reservations;
            FreeCpu -= reservation?.Cpus ?? 0;
            FreeMemory -= reservation?.MemoryBytes ?? 0;
            _tasks[service.Name] = CountOf(service.Name) + 1;
            hostPorts.ForEach(p => _ports.Add(p));
        }
    }
}
