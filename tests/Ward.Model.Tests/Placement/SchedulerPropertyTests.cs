using CsCheck;
using Ward.Model.Placement.Simulation;
using Ward.Model.Spec;
using static Ward.Model.Tests.Placement.Cluster;

namespace Ward.Model.Tests.Placement;

/// <summary>
/// Random clusters and services, placed with node-order ties and with random ties: whatever lands must obey every
/// filter (no node over its CPU or memory, max replicas per node, one host-mode port per node, constraints, only ready
/// and active nodes), nothing may be lost or invented, a pending task must have had no node to go to, and an undo must
/// give back exactly the placement it started from. Each check is worked out here from the input, not from the
/// simulator's own bookkeeping.
/// </summary>
public sealed class SchedulerPropertyTests
{
    private static readonly Gen<ClusterNode> WorkerNode =
        from cpus in Gen.OneOf(0.5, 1.0, 2.0, 4.0)
        from memory in Gen.OneOf(1.0, 2.0, 4.0, 8.0)
        from availability in Gen.Frequency((8, Gen.Const(NodeAvailability.Active)), (1, Gen.Const(NodeAvailability.Drain)), (1, Gen.Const(NodeAvailability.Pause)))
        from status in Gen.Frequency((9, Gen.Const(NodeStatus.Ready)), (1, Gen.Const(NodeStatus.Down)))
        from zone in Gen.OneOf("a", "b", "c", "")
        from pool in Gen.OneOf("x", "y", "")
        select Node("n", cpus, memory, NodeRole.Worker, availability, status, [.. new[] { ("zone", zone), ("pool", pool) }.Where(l => l.Item2.Length > 0)]);

    private static readonly Gen<ClusterNode[]> Nodes =
        from manager in WorkerNode
        from workers in WorkerNode.Array[0, 6]
        select new[] { manager with { Name = "manager-1", Role = NodeRole.Manager } }
            .Concat(workers.Select((w, i) => w with { Name = $"worker-{i + 1}" }))
            .ToArray();

    private static readonly Gen<ServiceDemand> AnyService =
        from global in Gen.Frequency((6, Gen.Const(false)), (1, Gen.Const(true)))
        from replicas in Gen.Int[0, 9]
        from cpus in Gen.OneOf(0.0, 0.25, 0.5, 1.0, 1.5)
        from memory in Gen.OneOf(0.0, 0.5, 1.0, 3.0)
        from perNode in Gen.OneOf(0, 0, 1, 2)
        from constraints in Gen.OneOf("node.role != manager", "node.labels.zone == a", "node.labels.pool != y", "node.role == manager").Array[0, 2]
        from spread in Gen.OneOf<string[]>([], ["node.labels.zone"], ["node.labels.zone", "node.labels.pool"], ["node.labels.pool"], ["node.role"])
        from ports in Gen.OneOf<int[]>([], [80], [80, 443], [443])
        select Service("s", replicas, cpus, memory, perNode, [.. constraints.Distinct()], spread, ports, global);

    private static readonly Gen<ServiceDemand[]> Services =
        AnyService.Array[1, 5].Select(services => services.Select((s, i) => s with { Name = $"svc-{i}" }).ToArray());

    private static readonly Gen<(ClusterNode[] Nodes, ServiceDemand[] Services, int? Seed)> Case =
        from nodes in Nodes
        from services in Services
        from seed in Gen.Int[0, 1000].Nullable(0.5)
        select (nodes, services, seed);

    [Fact]
    public void Every_task_placed_obeys_every_filter_and_none_is_lost()
    {
        Case.Sample(c =>
        {
            var result = Run(c.Nodes, c.Services, c.Seed);
            foreach (var node in result.Nodes)
            {
                var tasks = node.Tasks.Select(t => (Demand: c.Services.Single(s => s.Name == t.Service), t.Count)).ToList();
                Assert.True(tasks.Sum(t => t.Demand.NanoCpus * t.Count) <= node.Node.NanoCpus, $"{node.Node.Name} is over its CPU");
                Assert.True(tasks.Sum(t => t.Demand.MemoryBytes * t.Count) <= node.Node.MemoryBytes, $"{node.Node.Name} is over its memory");
                Assert.Equal(tasks.Sum(t => t.Demand.NanoCpus * t.Count), node.ReservedNanoCpus);
                foreach (var (demand, count) in tasks)
                {
                    Assert.True(node.Node.Status == NodeStatus.Ready && node.Node.Availability == NodeAvailability.Active, $"{demand.Name} on {node.Node.Name}, which takes no task");
                    Assert.True(demand.Constraints.All(k => NodeFacts.Matches(k, node.Node) != false), $"{demand.Name} on {node.Node.Name} against its constraints");
                    Assert.True(demand.MaxReplicasPerNode == 0 || count <= demand.MaxReplicasPerNode, $"{count} of {demand.Name} on {node.Node.Name}");
                    Assert.True(!demand.IsGlobal || count == 1);
                }

                var ports = tasks.SelectMany(t => t.Demand.HostPorts.SelectMany(p => Enumerable.Repeat(p, t.Count))).ToList();
                Assert.True(ports.Count == ports.Distinct().Count(), $"{node.Node.Name} binds a host port twice: {string.Join(", ", ports)}");
            }

            foreach (var service in result.Services)
            {
                var expected = service.Service.IsGlobal
                    ? c.Nodes.Count(n => n.Availability == NodeAvailability.Active && n.Status != NodeStatus.Down && service.Service.Constraints.All(k => NodeFacts.Matches(k, n) != false))
                    : service.Service.Replicas;
                Assert.Equal(expected, service.Desired);
                Assert.Equal(service.Pending > 0, service.Reason is not null);
            }
        }, iter: 1500);
    }

    [Fact]
    public void A_task_is_pending_only_when_no_node_could_take_it()
    {
        Case.Sample(c =>
        {
            var result = Run(c.Nodes, c.Services, c.Seed);
            foreach (var service in result.Services.Where(s => s.Pending > 0 && !s.Service.IsGlobal))
            {
                foreach (var node in result.Nodes)
                {
                    Assert.False(CouldTake(node, service.Service, result, c.Services), $"{service.Name} has {service.Pending} pending ({service.Reason}) but {node.Node.Name} could take one");
                }
            }
        }, iter: 1500);
    }

    [Fact]
    public void The_same_input_gives_the_same_placement()
    {
        Case.Sample(c => Assert.Equivalent(Run(c.Nodes, c.Services, c.Seed), Run(c.Nodes, c.Services, c.Seed), strict: true), iter: 300);
    }

    [Fact]
    public void Undoing_a_lost_node_an_added_node_and_a_changed_service_gives_the_placement_back()
    {
        Case.Sample(c =>
        {
            var scheduler = new Scheduler(c.Nodes, c.Services, ties: c.Seed is { } seed ? new Random(seed) : null);
            scheduler.PlaceAll();
            var before = scheduler.Result();
            var mark = scheduler.Checkpoint();
            scheduler.Lose(c.Nodes[^1].Name);
            scheduler.Add(Node("extra", labels: ("zone", "b")));
            scheduler.Change(c.Services[0].Name, c.Services[0] with { Constraints = [], MaxReplicasPerNode = 0 });
            scheduler.Rollback(mark);
            Assert.Equivalent(before, scheduler.Result(), strict: true);
        }, iter: 600);
    }

    [Fact]
    public void One_service_on_free_equal_nodes_is_spread_to_within_one_task()
    {
        var spreadCase =
            from workers in Gen.Int[1, 8]
            from replicas in Gen.Int[0, 40]
            from seed in Gen.Int[0, 1000].Nullable(0.5)
            select (workers, replicas, seed);
        spreadCase.Sample(c =>
        {
            var nodes = Enumerable.Range(1, c.workers).Select(i => Node($"w{i}")).ToArray();
            var counts = Run(nodes, [Service("s", c.replicas)], c.seed).Nodes.Select(n => n.CountOf("s")).ToList();
            Assert.Equal(c.replicas, counts.Sum());
            Assert.True(counts.Max() - counts.Min() <= 1, string.Join(",", counts));
        }, iter: 400);
    }

    [Fact]
    public void A_spread_preference_splits_tasks_over_label_values_to_within_one_task()
    {
        var spreadCase =
            from zones in Gen.OneOf("a", "b", "c").Array[1, 7]
            from replicas in Gen.Int[0, 30]
            from seed in Gen.Int[0, 1000].Nullable(0.5)
            select (zones, replicas, seed);
        spreadCase.Sample(c =>
        {
            var nodes = c.zones.Select((z, i) => Node($"w{i}", labels: ("zone", z))).ToArray();
            var result = Run(nodes, [Service("s", c.replicas, spread: ["node.labels.zone"])], c.seed);
            var perZone = result.Nodes.GroupBy(n => n.Node.Labels["zone"]).Select(g => g.Sum(n => n.CountOf("s"))).ToList();
            Assert.Equal(c.replicas, perZone.Sum());
            Assert.True(perZone.Max() - perZone.Min() <= 1, string.Join(",", perZone));
        }, iter: 400);
    }

    private static PlacementResult Run(ClusterNode[] nodes, ServiceDemand[] services, int? seed)
    {
        var scheduler = new Scheduler(nodes, services, ties: seed is { } s ? new Random(s) : null);
        scheduler.PlaceAll();
        return scheduler.Result();
    }

    /// <summary>Whether the node passes every filter for one more task of the service, worked out from the result.</summary>
    private static bool CouldTake(NodePlacement node, ServiceDemand service, PlacementResult result, ServiceDemand[] all)
    {
        var demands = node.Tasks.Select(t => (Demand: all.Single(s => s.Name == t.Service), t.Count)).ToList();
        var reserves = service.NanoCpus != 0 || service.MemoryBytes != 0;
        return node.Node.Status == NodeStatus.Ready && node.Node.Availability == NodeAvailability.Active &&
               (!reserves || (node.Node.NanoCpus - node.ReservedNanoCpus >= service.NanoCpus && node.Node.MemoryBytes - node.ReservedMemoryBytes >= service.MemoryBytes)) &&
               service.Constraints.All(k => NodeFacts.Matches(k, node.Node) != false) &&
               !demands.Any(d => d.Demand.HostPorts.Intersect(service.HostPorts).Any()) &&
               (service.MaxReplicasPerNode == 0 || node.CountOf(service.Name) < service.MaxReplicasPerNode) &&
               result.Service(service.Name) is not null;
    }
}
