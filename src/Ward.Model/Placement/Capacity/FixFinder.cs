using System.Globalization;
using Ward.Model.Catalog;
using Ward.Model.Placement.Simulation;
using Ward.Model.Spec;

namespace Ward.Model.Placement.Capacity;

/// <summary>A change for one service's tasks to fit: a constraint or limit relaxed, or its node made larger.</summary>
public sealed record ServiceChange(string Service, string Change);

/// <summary>
/// The smallest change found that makes pending tasks fit: workers to add (the fewest, then the smallest size, with
/// the labels the pending services' constraints ask for), or, for each service, a constraint or limit to relax or a
/// node to make larger. Services no such change helps are listed with Swarm's reason.
/// </summary>
public sealed record Fix
{
    public AddedWorkers? Workers { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Per service, other ways to make it fit: a constraint or limit relaxed, a node made larger.</summary>
    public IReadOnlyList<ServiceChange> Changes { get; init; } = [];

    /// <summary>Services nothing tried makes fit, with why their tasks wait.</summary>
    public IReadOnlyList<ServiceChange> Unfixable { get; init; } = [];

    /// <summary>Whether a change was found (else only services nothing helps are listed).</summary>
    public bool HasRemedy => Workers is not null || Changes.Count > 0;

    /// <summary>The sentence to end a finding or a report with: "to fit: add ..." or what nothing fixes.</summary>
    public string Advice => HasRemedy ? $"to fit: {Describe()}" : Describe();

    /// <summary>The change in one sentence: "add 1 large worker (2 vCPU, 8 GB) labelled pool=b; or index: drop ...".</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (Workers is { } workers)
        {
            var labels = Labels.Count == 0 ? "" : $" labelled {string.Join(", ", Labels.Select(l => $"{l.Key}={l.Value}"))}";
            parts.Add($"add {workers.Count} {CatalogFile.Describe(workers.Size)} worker{(workers.Count == 1 ? "" : "s")}{labels}");
        }

        if (Changes.Count > 0)
        {
            var byService = string.Join("; ", Changes.Select(r => $"{r.Service}: {r.Change}"));
            parts.Add(parts.Count == 0 ? byService : $"service by service, {byService}");
        }

        var text = string.Join("; or ", parts);
        if (Unfixable.Count > 0)
        {
            var stuck = string.Join("; ", Unfixable.Select(u => $"{u.Service} ({u.Change})"));
            text = text.Length == 0 ? $"nothing Ward tried (workers added, constraints relaxed, nodes made larger) makes these fit: {stuck}" : $"{text}. Still pending whatever is added: {stuck}";
        }

        return text;
    }
}

/// <summary>Searches the smallest change that makes a placement's pending tasks fit, by trying it on the scheduler and undoing it.</summary>
public static class FixFinder
{
    /// <summary>The most workers the search adds before it gives up on workers.</summary>
    public const int MaxWorkers = 20;

    /// <summary>Null when nothing is pending (of <paramref name="services"/>, when given: the others' pending tasks are left as they are).</summary>
    public static Fix? Find(Scheduler scheduler, SizeCatalog catalog, IReadOnlyCollection<string>? services = null)
    {
        var placement = scheduler.Result();
        var pending = placement.Services.Where(s => s.Pending > 0 && (services is null || services.Contains(s.Name))).ToList();
        if (pending.Count == 0)
        {
            return null;
        }

        // A service that keeps its data on a node must stay on it: no worker is added for it, no pin is dropped.
        var movable = pending.Where(s => !s.Service.KeepsDataOnNode).ToList();
        var labels = LabelsWanted(movable);
        var helped = movable.Count == 0 ? [] : ServicesWorkersHelp(scheduler, catalog, movable, labels);
        var workers = helped.Count == 0 ? null : FewestWorkers(scheduler, catalog, helped, labels);
        var changes = new List<ServiceChange>();
        var unfixable = new List<ServiceChange>();
        foreach (var service in pending)
        {
            List<ServiceChange> found = service.Service.KeepsDataOnNode
                ? [.. LargerHome(scheduler, placement, service, catalog)]
                : Relax(scheduler, service.Service).Concat(LargerNodes(placement, service, catalog)).ToList();
            changes.AddRange(found);
            if (found.Count == 0 && !helped.Contains(service.Name))
            {
                unfixable.Add(new ServiceChange(service.Name, WhyStuck(scheduler, placement, service)));
            }
        }

        return new Fix
        {
            Workers = workers,
            Labels = workers is null ? new Dictionary<string, string>() : labels,
            Changes = changes,
            Unfixable = unfixable,
        };
    }

    /// <summary>The labels a new worker needs for the pending services' label constraints (node.labels.K == V).</summary>
    private static Dictionary<string, string> LabelsWanted(IEnumerable<ServicePlacement> pending)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var constraint in pending.SelectMany(s => s.Service.Constraints))
        {
            if (constraint.Equal && constraint.Attribute.StartsWith(NodeFacts.NodeLabelPrefix, StringComparison.Ordinal))
            {
                labels.TryAdd(constraint.Attribute[NodeFacts.NodeLabelPrefix.Length..], constraint.Value);
            }
        }

        return labels;
    }

    /// <summary>The pending services that enough of the largest workers would make fit.</summary>
    private static HashSet<string> ServicesWorkersHelp(Scheduler scheduler, SizeCatalog catalog, List<ServicePlacement> pending, Dictionary<string, string> labels)
    {
        var largest = catalog.Sizes.Last();
        var mark = scheduler.Checkpoint();
        try
        {
            AddWorkers(scheduler, largest, MaxWorkers, labels);
            return [.. pending.Where(s => scheduler.PendingOf(s.Name) == 0).Select(s => s.Name)];
        }
        finally
        {
            scheduler.Rollback(mark);
        }
    }

    /// <summary>The fewest workers, then the smallest size, that make every service in <paramref name="services"/> fit.</summary>
    private static AddedWorkers? FewestWorkers(Scheduler scheduler, SizeCatalog catalog, HashSet<string> services, Dictionary<string, string> labels)
    {
        for (var count = 1; count <= MaxWorkers; count++)
        {
            foreach (var size in catalog.Sizes)
            {
                var mark = scheduler.Checkpoint();
                try
                {
                    AddWorkers(scheduler, size, count, labels);
                    if (services.All(s => scheduler.PendingOf(s) == 0))
                    {
                        return new AddedWorkers(size, count);
                    }
                }
                finally
                {
                    scheduler.Rollback(mark);
                }
            }
        }

        return null;
    }

    private static void AddWorkers(Scheduler scheduler, NodeSize size, int count, Dictionary<string, string> labels)
    {
        for (var i = 1; i <= count; i++)
        {
            scheduler.Add(EnvironmentCluster.Node($"candidate-worker-{i}", size, NodeRole.Worker, labels));
        }
    }

    /// <summary>
    /// Each constraint of the service dropped in turn (not one that keeps it off managers: that fix is worse than the
    /// problem), and its max_replicas_per_node raised by up to ten: those that make it fit.
    /// </summary>
    private static List<ServiceChange> Relax(Scheduler scheduler, ServiceDemand service)
    {
        var found = new List<ServiceChange>();
        foreach (var constraint in service.Constraints.Where(c => !c.ExcludesManagers))
        {
            if (Fits(scheduler, service, service with { Constraints = [.. service.Constraints.Where(c => c != constraint)] }))
            {
                found.Add(new ServiceChange(service.Name, $"drop the constraint {constraint}"));
            }
        }

        if (service.MaxReplicasPerNode > 0)
        {
            for (var max = service.MaxReplicasPerNode + 1; max <= service.MaxReplicasPerNode + 10; max++)
            {
                if (Fits(scheduler, service, service with { MaxReplicasPerNode = max }))
                {
                    found.Add(new ServiceChange(service.Name, string.Create(CultureInfo.InvariantCulture, $"raise max_replicas_per_node from {service.MaxReplicasPerNode} to {max}")));
                    break;
                }
            }
        }

        return found;
    }

    /// <summary>
    /// For a global service's task waiting on its node: the smallest catalog size that would hold it there besides what
    /// the node already runs (the node is the task's; no other node can take it).
    /// </summary>
    private static IEnumerable<ServiceChange> LargerNodes(PlacementResult placement, ServicePlacement service, SizeCatalog catalog)
    {
        foreach (var name in service.PendingNodes)
        {
            if (SmallestHolding(placement.Node(name)!, service.Service, 1, catalog) is { } size)
            {
                yield return new ServiceChange(service.Name, $"make {name} at least {CatalogFile.Describe(size)}");
            }
        }
    }

    /// <summary>For a service that keeps its data on its one node: that node, larger, when room is what it lacks there.</summary>
    private static IEnumerable<ServiceChange> LargerHome(Scheduler scheduler, PlacementResult placement, ServicePlacement service, SizeCatalog catalog)
    {
        var homes = scheduler.NodesAllowing(service.Name).Select(n => placement.Node(n)!).Where(n => n.TakesTasks).ToList();
        if (homes.Count == 1 && SmallestHolding(homes[0], service.Service, service.Pending, catalog) is { } size)
        {
            yield return new ServiceChange(service.Name, $"make {homes[0].Node.Name} at least {CatalogFile.Describe(size)}");
        }
    }

    /// <summary>The smallest size that holds what the node reserves plus <paramref name="tasks"/> more of the service; null when it already does (room is not what is missing).</summary>
    private static NodeSize? SmallestHolding(NodePlacement node, ServiceDemand service, int tasks, SizeCatalog catalog)
    {
        bool Holds(long nanoCpus, long memory) =>
            nanoCpus >= node.ReservedNanoCpus + (service.NanoCpus * tasks) && memory >= node.ReservedMemoryBytes + (service.MemoryBytes * tasks);

        return Holds(node.Node.NanoCpus, node.Node.MemoryBytes) ? null : catalog.Sizes.FirstOrDefault(size => Holds(ServiceDemand.NanoCpusOf(size.Vcpu), size.MemoryBytes));
    }

    /// <summary>Why nothing helps: a service holding data waits for its node; the others, Swarm's reason.</summary>
    private static string WhyStuck(Scheduler scheduler, PlacementResult placement, ServicePlacement service)
    {
        if (service.Service.KeepsDataOnNode)
        {
            var homes = scheduler.NodesAllowing(service.Name);
            if (homes.Count > 0 && homes.All(n => !placement.Node(n)!.TakesTasks))
            {
                return $"its data is on a node-local volume; it waits for {string.Join(" or ", homes)} to come back";
            }
        }

        return service.Reason ?? "pending";
    }

    private static bool Fits(Scheduler scheduler, ServiceDemand service, ServiceDemand relaxed)
    {
        var mark = scheduler.Checkpoint();
        try
        {
            scheduler.Change(service.Name, relaxed);
            return scheduler.PendingOf(service.Name) == 0;
        }
        finally
        {
            scheduler.Rollback(mark);
        }
    }
}
