namespace Ward.Model.Placement.Simulation;

/// <summary>
/// SwarmKit's filters in pipeline order (manager/scheduler/pipeline.go). A node that fails several is counted under
/// the first. The plugin and cluster-volume filters are not modelled: Ward's services use built-in drivers only.
/// </summary>
public enum Filter
{
    /// <summary>ReadyFilter: the node is ready and active.</summary>
    Ready,

    /// <summary>ResourceFilter: the node's unreserved CPU and memory hold the task's reservation.</summary>
    Resources,

    /// <summary>ConstraintFilter.</summary>
    Constraints,

    /// <summary>PlatformFilter.</summary>
    Platform,

    /// <summary>HostPortFilter: no task on the node binds the same host-mode port.</summary>
    HostPort,

    /// <summary>MaxReplicasFilter: fewer of the service's tasks on the node than max_replicas_per_node.</summary>
    MaxReplicas,
}

/// <summary>Swarm's words for why a task is pending (Filter.Explain, Pipeline.Explain and noSuitableNode).</summary>
public static class PendingReasons
{
    /// <summary>One filter's failure over <paramref name="nodes"/> nodes, as SwarmKit writes it.</summary>
    public static string Explain(Filter filter, int nodes) => filter switch
    {
        Filter.Ready => nodes == 1 ? "1 node not available for new tasks" : $"{nodes} nodes not available for new tasks",
        Filter.Resources => nodes == 1 ? "insufficient resources on 1 node" : $"insufficient resources on {nodes} nodes",
        Filter.Constraints => nodes == 1 ? "scheduling constraints not satisfied on 1 node" : $"scheduling constraints not satisfied on {nodes} nodes",
        Filter.Platform => nodes == 1 ? "unsupported platform on 1 node" : $"unsupported platform on {nodes} nodes",
        Filter.HostPort => nodes == 1 ? "host-mode port already in use on 1 node" : $"host-mode port already in use on {nodes} nodes",
        _ => "max replicas per node limit exceed",
    };

    /// <summary>
    /// The pipeline's explanation: filters by how many nodes failed them, most first (a stable order: ties keep the
    /// pipeline's order, as Go's insertion sort does for so few entries), joined with "; ".
    /// </summary>
    public static string Explain(IReadOnlyList<int> failuresByFilter)
    {
        var order = Enumerable.Range(0, failuresByFilter.Count).Where(i => failuresByFilter[i] > 0).OrderByDescending(i => failuresByFilter[i]);
        return string.Join("; ", order.Select(i => Explain((Filter)i, failuresByFilter[i])));
    }

    /// <summary>The error of a replicated task no node takes: "no suitable node (...)".</summary>
    public static string NoSuitableNode(IReadOnlyList<int> failuresByFilter)
    {
        var explanation = Explain(failuresByFilter);
        return explanation.Length == 0 ? "no suitable node" : $"no suitable node ({explanation})";
    }
}
