using Ward.Model.Catalog;
using Ward.Model.Diagnostics;
using Ward.Model.Placement;
using Ward.Model.Spec;

namespace Ward.Rules.Rules;

/// <summary>Node rules name nodes by their place in x-ward.nodes.</summary>
internal static class NodePaths
{
    public static string Of(RuleContext context, NodeSpec node) => Paths.Ward("nodes", context.Spec.Nodes.ToList().IndexOf(node));

    public static string Describe(RuleContext context, NodeSpec node)
    {
        var size = context.Catalog.FindSize(node.Size) is { } known ? CatalogFile.Describe(known) : node.Size;
        var availability = node.Availability == NodeAvailability.Active ? "" : $", {node.Availability.ToString().ToLowerInvariant()}";
        return $"{node.Name} ({size}{availability})";
    }
}

/// <summary>NODE-001: production runs on several nodes.</summary>
public sealed class MultipleNodesRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "NODE-001",
        Title = "Production uses multiple nodes",
        Severity = Severity.Error,
        Scope = RuleScope.ProductionOnly,
        Why = "A single node is a single point of failure for both orchestration and the application: when it goes, everything goes.",
        Fix = "Describe the cluster in x-ward.nodes with a manager and at least two workers, e.g.\n  nodes:\n    - { name: manager-1, role: manager, size: medium }\n    - { name: worker-1, role: worker, size: medium }\n    - { name: worker-2, role: worker, size: medium }",
        Source = "MedStack Go to Production: \"we recommend using (1) multiple nodes\".",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        var nodes = context.Spec.Nodes;
        if (nodes.Count >= 2)
        {
            yield break;
        }

        yield return nodes.Count == 0
            ? Report(Paths.Ward("nodes"), "the file describes no nodes; a production cluster needs a manager and at least two workers (x-ward.nodes)", subject: "cluster")
            : Report(Paths.Ward("nodes"), $"the cluster has one node, {nodes[0].Name}; production needs a manager and at least two workers", subject: "cluster", value: "1 node");
    }
}

/// <summary>NODE-002: managers are at least medium.</summary>
public sealed class ManagerSizeRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "NODE-002",
        Title = "Manager node is at least medium",
        Severity = Severity.Error,
        Scope = RuleScope.ProductionOnly,
        Why = "When the manager runs out of CPU or memory, orchestration slows down and the web services become unavailable.",
        Fix = "Give every manager `size: medium` or larger (medium is 2 vCPU and 4 GB).",
        Source = "MedStack Go to Production: \"Run a Manager node of considerable size, at least a Medium sized node\"; MedStack node sizes.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context) => context.Managers
        .Where(m => !context.Catalog.IsAtLeast(m.Size, SizeCatalog.MinimumProductionSize))
        .Select(m => Report(
            NodePaths.Of(context, m) + ".size",
            $"manager {NodePaths.Describe(context, m)} is smaller than {SizeCatalog.MinimumProductionSize}",
            subject: $"node {m.Name}",
            value: $"size: {m.Size}"));
}

/// <summary>NODE-003: at least two active medium-or-larger workers.</summary>
public sealed class WorkerCapacityRule : Rule
{
    private const int MinimumWorkers = 2;

    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "NODE-003",
        Title = "At least two medium-or-larger workers",
        Severity = Severity.Error,
        Scope = RuleScope.ProductionOnly,
        Why = "Application tasks need capacity off the manager, and a second worker to fail over to.",
        Fix = "Add workers with `role: worker`, `size: medium` or larger and `availability: active` until there are at least two.",
        Source = "MedStack Go to Production: \"At least 2 medium nodes are appropriate Worker nodes in production\".",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        var qualifying = context.Workers.Count(w => w.Availability == NodeAvailability.Active && context.Catalog.IsAtLeast(w.Size, SizeCatalog.MinimumProductionSize));
        if (qualifying >= MinimumWorkers)
        {
            yield break;
        }

        var workers = context.Workers.Count == 0 ? "none" : string.Join(", ", context.Workers.Select(w => NodePaths.Describe(context, w)));
        yield return Report(
            Paths.Ward("nodes"),
            $"{qualifying} active worker(s) of size {SizeCatalog.MinimumProductionSize} or larger; production needs {MinimumWorkers} (workers: {workers})",
            subject: "cluster",
            value: $"{qualifying} qualifying workers");
    }
}

/// <summary>NODE-004: an odd number of managers, at most seven.</summary>
public sealed class ManagerCountRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "NODE-004",
        Title = "Odd number of managers, at most seven",
        Severity = Severity.Error,
        Why = "Raft needs a majority of managers: an even count adds no fault tolerance (4 managers tolerate 1 failure, like 3), and more than seven slow every write. A swarm with no manager cannot exist.",
        Fix = "Use 1, 3, 5 or 7 managers (role: manager). Demote extra managers to workers.",
        Source = "Docker swarm admin guide (\"An odd number of managers is recommended\"); Docker nodes (\"a maximum of seven manager nodes\"); CIS Docker Benchmark 7.1.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        if (context.Spec.Nodes.Count == 0)
        {
            yield break;
        }

        var count = context.Managers.Count;
        var names = string.Join(", ", context.Managers.Select(m => m.Name));
        if (count == 0)
        {
            yield return Report(Paths.Ward("nodes"), "no node has role manager; a swarm needs one", subject: "cluster", value: "0 managers");
        }
        else if (count % 2 == 0)
        {
            yield return Report(Paths.Ward("nodes"), $"{count} managers ({names}) tolerate no more failures than {count - 1}; use an odd number", subject: "cluster", value: $"{count} managers");
        }
        else if (count > 7)
        {
            yield return Report(Paths.Ward("nodes"), $"{count} managers slow every Raft write; seven at most", Severity.Warning, "cluster", $"{count} managers");
        }
    }
}

/// <summary>NODE-005: how many manager failures the swarm survives, and whether managers span zones.</summary>
public sealed class ManagerFaultToleranceRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "NODE-005",
        Title = "Manager fault tolerance",
        Severity = Severity.Warning,
        Why = "With one manager, losing it means rebuilding the swarm from a backup; two managers tolerate no failure either, since losing one loses the Raft majority. With three or more, managers in one zone all fail together when the zone does.",
        Fix = "Keep a swarm backup (SWO-004) when there is one manager, as the MedStack topology does; use three managers rather than two; with three or more managers give each a `zone` and spread them over at least three zones.",
        Source = "Docker nodes (\"If the manager in a single-manager swarm fails ... you need to create a new cluster\"); Docker admin guide \"Distribute manager nodes\".",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        var managers = context.Managers;
        if (managers.Count == 1)
        {
            // A single manager is the MedStack topology: stated, not failed.
            yield return Report(
                NodePaths.Of(context, managers[0]),
                $"one manager ({managers[0].Name}) tolerates no manager failure; keep a swarm backup to rebuild from",
                Severity.Info,
                "cluster",
                "fault tolerance 0");
        }
        else if (managers.Count == 2)
        {
            // (2-1)/2 = 0 as with one manager, but this is no accepted topology: either manager's failure loses the majority.
            yield return Report(
                Paths.Ward("nodes"),
                $"2 managers ({managers[0].Name}, {managers[1].Name}) tolerate no manager failure: losing either one loses the Raft majority",
                subject: "cluster",
                value: "fault tolerance 0");
        }
        else if (managers.Count >= 3 && managers.All(m => m.Zone is not null))
        {
            var zones = managers.Select(m => m.Zone).Distinct(StringComparer.Ordinal).Count();
            if (zones < 3)
            {
                yield return Report(Paths.Ward("nodes"), $"{managers.Count} managers span {zones} zone(s); losing one zone can lose the Raft majority", subject: "cluster", value: $"{zones} zones");
            }
        }
    }
}

/// <summary>NODE-006: managers keep a fixed address.</summary>
public sealed class ManagerAddressRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "NODE-006",
        Title = "Managers have a static address",
        Severity = Severity.Warning,
        Scope = RuleScope.ProductionOnly,
        Why = "Nodes reach managers at their advertised address; if a manager's address changes on restart, the swarm hangs. Domains also point at the manager's address.",
        Fix = "Give each manager its static address: `address: 203.0.113.10`.",
        Source = "Docker admin guide \"Configure the manager to advertise on a static IP address\"; MedStack nodes (static IP per node).",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context) => context.Managers
        .Where(m => string.IsNullOrWhiteSpace(m.Address))
        .Select(m => Report(NodePaths.Of(context, m), $"manager {m.Name} has no static address", subject: $"node {m.Name}"));
}

/// <summary>NODE-007: the cluster still holds every task after losing any one worker.</summary>
public sealed class FailoverCapacityRule : Rule
{
    // Checking every union of constraint groups is exact (Hall's condition) but exponential; past this many groups,
    // each group and their total are checked, which still catches any shortfall of a single group or of the whole.
    private const int MaxGroupsForExactCheck = 12;

    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "NODE-007",
        Title = "Capacity to lose a worker",
        Severity = Severity.Warning,
        Why = "Tasks evicted from a failed node must fit on the others, or they stay Pending until it returns. Ward removes each worker in turn and checks that the remaining nodes each service may use still hold the CPU and memory its replicas reserve.",
        Fix = "Add a worker, use larger sizes, or lower the reservations (deploy.resources.reservations) so the tasks of any one failed worker fit on the rest.",
        Source = "Docker services (\"the service remains in a pending state until an appropriate node is available\"); Docker admin guide \"Add worker nodes for load balancing\".",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        var nodes = context.Spec.Nodes.Where(n => n.Availability == NodeAvailability.Active).ToList();
        var workers = nodes.Where(n => n.Role == NodeRole.Worker).ToList();
        // Node sets are bit masks of 64 nodes; larger clusters are beyond the teams Ward serves and are not checked.
        if (workers.Count < 2 || nodes.Count > 64 || !context.Spec.Services.Any(s => s.Deploy.Resources.Reservations is not null) || nodes.Any(n => context.Catalog.FindSize(n.Size) is null))
        {
            yield break;
        }

        var groups = DemandGroups(context, nodes);
        foreach (var lost in workers.OrderByDescending(w => context.Catalog.FindSize(w.Size)!.Rank))
        {
            var lostIndex = nodes.IndexOf(lost);
            if (Shortfall(context, nodes, groups, lostIndex) is { } shortfall)
            {
                yield return Report(
                    Paths.Ward("nodes"),
                    $"if worker {lost.Name} fails, the other nodes cannot hold what {shortfall.Services} reserve: {shortfall.Detail}",
                    subject: "cluster",
                    value: $"losing {lost.Name}");
                yield break;
            }
        }
    }

    // Memory is summed in doubles: replicas × a reservation of petabytes, summed over services, overflows a long.
    private sealed class Group(ulong eligible)
    {
        public ulong Eligible { get; } = eligible;

        public double Cpu { get; set; }

        public double Memory { get; set; }

        public List<string> Services { get; } = [];
    }

    /// <summary>Replicated services grouped by the nodes they may use, with the CPU and memory their replicas reserve.</summary>
    private static List<Group> DemandGroups(RuleContext context, List<NodeSpec> nodes)
    {
        var groups = new Dictionary<ulong, Group>();

        // Thousands of services share a handful of constraint sets: each set's nodes are worked out once.
        var masks = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var service in context.Spec.Services)
        {
            if (service.Deploy.Mode != ServiceMode.Replicated || service.Deploy.Resources.Reservations is not { } reservation)
            {
                continue;
            }

            var key = string.Join('\n', service.Deploy.Placement.Constraints);
            if (!masks.TryGetValue(key, out var eligible))
            {
                eligible = EligibleMask(context.ConstraintsOf(service), nodes);
                masks[key] = eligible;
            }

            if (!groups.TryGetValue(eligible, out var group))
            {
                group = new Group(eligible);
                groups[eligible] = group;
            }

            var replicas = service.Deploy.EffectiveReplicas;
            group.Cpu += replicas * (reservation.Cpus ?? 0);
            group.Memory += (double)replicas * (reservation.MemoryBytes ?? 0);
            group.Services.Add(service.Name);
        }

        return [.. groups.Values];
    }

    /// <summary>Bit i is set when node i satisfies the constraints (those the file cannot decide count as satisfied).</summary>
    private static ulong EligibleMask(IReadOnlyList<Constraint> constraints, List<NodeSpec> nodes)
    {
        ulong eligible = 0;
        for (var i = 0; i < nodes.Count && i < 64; i++)
        {
            if (Eligibility.Satisfies(nodes[i], constraints))
            {
                eligible |= 1UL << i;
            }
        }

        return eligible;
    }

    private static (string Services, string Detail)? Shortfall(RuleContext context, List<NodeSpec> nodes, List<Group> groups, int lostIndex)
    {
        var lostBit = 1UL << lostIndex;

        // A group that may only use the lost node waits for it by design (a pinned stateful service: PLC-002/003).
        var movable = groups.Where(g => (g.Eligible & ~lostBit) != 0).ToList();
        IEnumerable<List<Group>> unions = movable.Count <= MaxGroupsForExactCheck
            ? Enumerable.Range(1, (1 << movable.Count) - 1).Select(mask => movable.Where((_, i) => (mask & (1 << i)) != 0).ToList())
            : [.. movable.Select(g => new List<Group> { g }), movable];
        foreach (var union in unions)
        {
            var eligible = union.Aggregate(0UL, (bits, g) => bits | g.Eligible) & ~lostBit;
            var (cpu, memory) = Capacity(context, nodes, eligible);
            var wantCpu = union.Sum(g => g.Cpu);
            var wantMemory = union.Sum(g => g.Memory);
            if (wantCpu > cpu + 1e-9 || wantMemory > memory)
            {
                var names = union.SelectMany(g => g.Services).ToList();
                var services = names.Count <= 3 ? string.Join(", ", names) : $"{names.Count} services ({string.Join(", ", names.Take(3))}, ...)";
                var detail = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{wantCpu:0.##} CPU and {Model.Compose.ByteSize.Format(wantMemory >= long.MaxValue ? long.MaxValue : (long)wantMemory)} reserved, {cpu:0.##} CPU and {Model.Compose.ByteSize.Format(memory)} left");
                return (services, detail);
            }
        }

        return null;
    }

    private static (double Cpu, long Memory) Capacity(RuleContext context, List<NodeSpec> nodes, ulong eligible)
    {
        double cpu = 0;
        long memory = 0;
        for (var i = 0; i < nodes.Count && i < 64; i++)
        {
            if ((eligible & (1UL << i)) != 0)
            {
                var size = context.Catalog.FindSize(nodes[i].Size)!;
                cpu += size.Vcpu;
                memory += size.MemoryBytes;
            }
        }

        return (cpu, memory);
    }
}
