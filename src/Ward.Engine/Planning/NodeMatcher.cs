using System.Text.Json.Nodes;
using Ward.Engine.Desired;
using Ward.Engine.Ports;

namespace Ward.Engine.Planning;

/// <summary>
/// Matches the nodes of x-ward.nodes to swarm nodes: first by the label <c>ward.node</c> (set on a previous apply or by
/// <c>ward cluster up</c>), then by hostname, then by address. A file node that matches nothing is reported, not guessed.
/// </summary>
public static class NodeMatcher
{
    public static ObservedNode? Match(DesiredNode want, IReadOnlyList<ObservedNode> nodes, IReadOnlySet<string> taken)
    {
        var free = nodes.Where(n => !taken.Contains(n.Id)).ToList();
        return free.FirstOrDefault(n => n.Labels.TryGetValue(StackNames.NodeLabel, out var name) && name == want.Name)
               ?? free.FirstOrDefault(n => string.Equals(n.Hostname, want.Name, StringComparison.OrdinalIgnoreCase) && !n.Labels.ContainsKey(StackNames.NodeLabel))
               ?? (want.Address is null ? null : free.FirstOrDefault(n => n.Address == want.Address && !n.Labels.ContainsKey(StackNames.NodeLabel)));
    }

    /// <summary>The node spec as the engine holds it, in the shape Ward compares.</summary>
    public static JsonObject SpecOf(ObservedNode node) => new()
    {
        ["Role"] = node.Role,
        ["Availability"] = node.Availability,
        ["Labels"] = Labels(node.Labels),
    };

    /// <summary>
    /// The node's spec with the file's labels and availability. Labels Ward set before but the file dropped are
    /// removed; labels others set are kept. The role is left as it is (promote and demote are explicit commands).
    /// </summary>
    public static JsonObject DesiredSpec(DesiredNode want, ObservedNode node)
    {
        var previouslyManaged = node.Labels.TryGetValue(Planner.ManagedLabelsLabel, out var list) ? list.Split(',', StringSplitOptions.RemoveEmptyEntries) : [];
        var labels = node.Labels
            .Where(l => !previouslyManaged.Contains(l.Key) && l.Key != Planner.ManagedLabelsLabel)
            .ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal);
        foreach (var (key, value) in want.Labels)
        {
            labels[key] = value;
        }

        labels[StackNames.NodeLabel] = want.Name;
        if (want.Labels.Count > 0)
        {
            labels[Planner.ManagedLabelsLabel] = string.Join(',', want.Labels.Keys.Order(StringComparer.Ordinal));
        }

        return new JsonObject
        {
            ["Role"] = node.Role,
            ["Availability"] = want.Availability,
            ["Labels"] = Labels(labels),
        };
    }

    private static JsonObject Labels(IEnumerable<KeyValuePair<string, string>> labels)
    {
        var result = new JsonObject();
        foreach (var (key, value) in labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            result[key] = value;
        }

        return result;
    }
}
