using Ward.Model.Placement.Simulation;
using Ward.Model.Spec;

namespace Ward.Model.Placement.Capacity;

/// <summary>A service with tasks that do not fit: how many it wants, how many wait, how many waited before the what-if, and why.</summary>
public sealed record Shortfall(string Service, int Desired, int Pending, int PendingBefore, string Reason);

/// <summary>What the managers carry: their tasks and reservations against everything placed.</summary>
public sealed record ManagerShare(int Tasks, int AllTasks, long NanoCpus, long AllNanoCpus, long MemoryBytes, long AllMemoryBytes);

/// <summary>
/// The answer to "will it fit, what lands on the manager, and what if...": the placement of the file as deployed, the
/// placement under the what-if, what no longer fits, and the smallest change that makes it fit.
/// </summary>
public sealed record CapacityReport(EnvironmentCluster Cluster, WhatIf WhatIf, PlacementResult Baseline, PlacementResult? Scenario)
{
    /// <summary>The placement to show: the what-if's when there is one.</summary>
    public PlacementResult Shown => Scenario ?? Baseline;

    /// <summary>Services with pending tasks in the placement shown.</summary>
    public IReadOnlyList<Shortfall> Pending { get; init; } = [];

    /// <summary>Services with more pending tasks under the what-if than without it.</summary>
    public IReadOnlyList<Shortfall> NoLongerFits { get; init; } = [];

    /// <summary>The smallest change that makes the shown placement fit; null when everything fits.</summary>
    public Fix? Fix { get; init; }

    public ManagerShare ManagerShare { get; init; } = new(0, 0, 0, 0, 0, 0);

    public bool Fits => Shown.PendingTasks == 0;
}

/// <summary>The capacity use case, for the CLI (ward plan --capacity), the API and the console alike.</summary>
public static class CapacityPlanner
{
    public static CapacityReport Plan(EnvironmentCluster cluster, WhatIf? whatIf = null)
    {
        whatIf ??= new WhatIf();
        var baseline = Place(cluster);
        var before = baseline.Result();
        if (whatIf.IsEmpty)
        {
            return Complete(new CapacityReport(cluster, whatIf, before, null), baseline, before);
        }

        var scenario = Scenario(cluster, whatIf);
        return Complete(new CapacityReport(cluster, whatIf, before, scenario.Result()), scenario, before);
    }

    /// <summary>The cluster as the file deploys it: every service placed, in file order.</summary>
    public static Scheduler Place(EnvironmentCluster cluster)
    {
        var scheduler = new Scheduler(cluster.Nodes, cluster.Services, cluster.Existing);
        scheduler.PlaceAll();
        return scheduler;
    }

    /// <summary>
    /// The cluster with the what-if: added workers and scaled services are deployed as the file would be; then the nodes
    /// named by <see cref="WhatIf.Without"/> are lost one after the other, and Swarm moves their tasks.
    /// </summary>
    public static Scheduler Scenario(EnvironmentCluster cluster, WhatIf whatIf)
    {
        var nodes = cluster.Nodes.ToList();
        var added = 0;
        foreach (var workers in whatIf.AddWorkers)
        {
            for (var i = 0; i < workers.Count; i++)
            {
                nodes.Add(EnvironmentCluster.Node(NewWorkerName(nodes, ++added), workers.Size, NodeRole.Worker, []));
            }
        }

        var services = cluster.Services
            .Select(s => whatIf.Scale.FirstOrDefault(x => x.Service == s.Name) is { } scaling ? s with { Replicas = scaling.Replicas } : s)
            .ToList();
        var scheduler = new Scheduler(nodes, services, cluster.Existing);
        scheduler.PlaceAll();
        foreach (var node in whatIf.Without)
        {
            scheduler.Lose(node);
        }

        return scheduler;
    }

    private static string NewWorkerName(List<ClusterNode> nodes, int index)
    {
        var name = $"new-worker-{index}";
        while (nodes.Any(n => n.Name == name))
        {
            name = $"new-worker-{++index}";
        }

        return name;
    }

    private static CapacityReport Complete(CapacityReport report, Scheduler shown, PlacementResult before)
    {
        var pending = report.Shown.Services
            .Where(s => s.Pending > 0)
            .Select(s => new Shortfall(s.Name, s.Desired, s.Pending, before.Service(s.Name)?.Pending ?? 0, s.Reason ?? ""))
            .ToList();
        return report with
        {
            Pending = pending,
            NoLongerFits = report.Scenario is null ? [] : [.. pending.Where(p => p.Pending > p.PendingBefore)],
            Fix = FixFinder.Find(shown, report.Cluster.Catalog),
            ManagerShare = ShareOf(report.Shown),
        };
    }

    private static ManagerShare ShareOf(PlacementResult placement)
    {
        var managers = placement.Nodes.Where(n => n.Node.IsManager).ToList();
        return new ManagerShare(
            managers.Sum(n => n.Tasks.Sum(t => t.Count)),
            placement.Nodes.Sum(n => n.Tasks.Sum(t => t.Count)),
            managers.Sum(n => n.ReservedNanoCpus),
            placement.Nodes.Sum(n => n.ReservedNanoCpus),
            managers.Sum(n => n.ReservedMemoryBytes),
            placement.Nodes.Sum(n => n.ReservedMemoryBytes));
    }
}
