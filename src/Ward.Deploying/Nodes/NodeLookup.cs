using Ward.Engine.Observing;
using Ward.Engine.Ports;

namespace Ward.Deploying.Nodes;

/// <summary>Finds a swarm node by what people call it: its Ward name, id (or a unique id prefix) or hostname.</summary>
public static class NodeLookup
{
    /// <summary>The shortest id prefix taken as a node's id, as the docker CLI's short ids are longer.</summary>
    private const int MinimumIdPrefix = 4;

    /// <exception cref="DeployRequestException">No node, or several, go by that name.</exception>
    public static ObservedNode Find(IReadOnlyList<ObservedNode> nodes, string reference)
    {
        var exact = nodes.Where(n => EnvironmentStatus.NodeName(n) == reference || n.Id == reference).ToList();
        if (exact.Count == 1)
        {
            return exact[0];
        }

        var loose = nodes.Where(n => n.Hostname == reference || (reference.Length >= MinimumIdPrefix && n.Id.StartsWith(reference, StringComparison.Ordinal))).ToList();
        return loose.Count switch
        {
            1 => loose[0],
            0 => throw new DeployRequestException(DeployRequestCodes.NodeNotFound, $"the swarm has no node '{reference}' (nodes: {Names(nodes)})"),
            _ => throw new DeployRequestException(DeployRequestCodes.AmbiguousNode, $"'{reference}' names {loose.Count} nodes ({Names(loose)}); give its Ward name or id"),
        };
    }

    private static string Names(IEnumerable<ObservedNode> nodes) => string.Join(", ", nodes.Select(EnvironmentStatus.NodeName).Order(StringComparer.Ordinal));
}
