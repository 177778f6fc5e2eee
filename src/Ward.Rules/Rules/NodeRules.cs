using Ward.Model.Catalog;
using Ward.Model.Diagnostics;
using Ward.Model.Placement.Capacity;
using Ward.Model.Placement.Simulation;
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

/// <summary>NODE-007: every service still fits, and the database stays put, when any one worker is lost.</summary>
public sealed class FailoverCapacityRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "NODE-007",
        Title = "Capacity to lose a worker",
        Severity = Severity.Warning,
        Why = "When a worker fails, Swarm moves its tasks to the other nodes; a task that finds no room stays Pending until the worker returns, and a service that loses its last task is down. Ward places the file's services as Swarm's scheduler would, loses each active worker in turn, and checks that every task that must move finds a node, and that the database stays on its labelled node. A service kept to one task per node (max_replicas_per_node, a host-mode port) may run fewer tasks while the worker is gone, as long as it keeps one; a stateful service pinned to the lost worker waits for it by design.",
        Fix = "Add a worker (the finding names the smallest that is enough), use larger sizes, or lower the reservations (deploy.resources.reservations) so that the tasks of any one failed worker fit on the rest. `ward plan --capacity FILE --without NODE` shows where every task lands then.",
        Source = "Docker services (\"the service remains in a pending state until an appropriate node is available\"); Docker admin guide \"Add worker nodes for load balancing\"; SwarmKit's scheduler (manager/scheduler), simulated as docs/reference/placement.md describes.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        var workers = context.Workers.Where(w => w.Availability == NodeAvailability.Active).ToList();
        if (workers.Count < 2 || context.PlacedScheduler() is not { } scheduler)
        {
            yield break;
        }

        // The cluster's services start with the file's, in file order: the i-th of the placement is the i-th of the file.
        var before = context.Placement!;
        var indexOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < before.Services.Count; i++)
        {
            indexOf[before.Services[i].Name] = i;
        }

        var stateful = new bool?[before.Services.Count];

        // The largest worker first: its loss moves the most.
        foreach (var worker in workers.OrderByDescending(w => context.Catalog.FindSize(w.Size)?.Rank ?? 0))
        {
            // Only the services with tasks on the lost worker can change.
            var affected = before.Node(worker.Name)!.Tasks.Select(t => indexOf[t.Service]).ToList();
            var mark = scheduler.Checkpoint();
            scheduler.Lose(worker.Name);
            var problems = new List<Problem>();
            foreach (var i in affected)
            {
                // After the file's services come those Ward adds for its databases (EnvironmentCluster.ServicesOf): each
                // keeps its data on the node its placement names and waits for that node, as a pinned stateful service
                // of the file does, so losing it is not this rule's to report.
                if (i >= context.Spec.Services.Count)
                {
                    continue;
                }

                // Cheap counts first: most services simply moved their task to another node.
                var was = before.Services[i];
                var isStateful = stateful[i] ??= ServiceFacts.IsStateful(context.Spec.Services[i], context.Spec);
                if ((scheduler.PendingOf(i) > was.Pending || isStateful) && ProblemOf(context, scheduler, worker, was, scheduler.ResultOf(i), isStateful, context.Spec.Services[i]) is { } problem)
                {
                    problems.Add(problem);
                }
            }

            if (problems.Count > 0)
            {
                var fix = FixFinder.Find(scheduler, context.Catalog, [.. problems.Select(p => p.Service)]);
                scheduler.Rollback(mark);
                var remedy = fix is null ? "" : $"; {fix.Advice}";
                yield return Report(
                    Paths.Ward("nodes"),
                    $"if worker {NodePaths.Describe(context, worker)} is lost, {string.Join("; ", problems.Select(p => p.Text))}{remedy}",
                    subject: "cluster",
                    value: $"losing {worker.Name}");
                yield break;
            }

            scheduler.Rollback(mark);
        }
    }

    private sealed record Problem(string Service, string Text);

    private static Problem? ProblemOf(RuleContext context, Scheduler scheduler, NodeSpec lost, ServicePlacement was, ServicePlacement after, bool stateful, ServiceSpec service)
    {
        if (after.Pending <= was.Pending)
        {
            // A stateful service that moved left its data behind on the lost node.
            return stateful && was.On(lost.Name) > 0 && after.Placed > 0
                ? new Problem(after.Name, $"stateful service {after.Name} would restart on {string.Join(", ", after.ByNode.Select(n => n.Node))}, away from its data on {lost.Name}")
                : null;
        }

        // Pinned to the lost worker alone: it waits for it by design (PLC-002, PLC-003).
        if (stateful && context.EligibleNodes(service) is { Count: > 0 } eligible && eligible.All(n => n.Name == lost.Name))
        {
            return null;
        }

        if (after.Placed > 0 && OnlyItsSpreadLimitHoldsItBack(scheduler, after))
        {
            return null;
        }

        var waiting = after.Pending - was.Pending;
        return new Problem(after.Name, after.Placed == 0
            ? $"{after.Name} has no task left, {waiting} of {after.Desired} stay pending [{after.Reason}]"
            : $"{after.Name}: {waiting} of {after.Desired} tasks stay pending [{after.Reason}]");
    }

    /// <summary>Whether the service's tasks would all find a node if it allowed any number per node (no max, no host port).</summary>
    private static bool OnlyItsSpreadLimitHoldsItBack(Scheduler scheduler, ServicePlacement service)
    {
        if (service.Service.MaxReplicasPerNode == 0 && service.Service.HostPorts.Count == 0)
        {
            return false;
        }

        var mark = scheduler.Checkpoint();
        try
        {
            scheduler.Change(service.Name, service.Service with { MaxReplicasPerNode = 0, HostPorts = [] });
            return scheduler.PendingOf(service.Name) == 0;
        }
        finally
        {
            scheduler.Rollback(mark);
        }
    }
}
