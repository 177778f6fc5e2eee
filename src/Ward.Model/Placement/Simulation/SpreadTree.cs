namespace Ward.Model.Placement.Simulation;

/// <summary>
/// SwarmKit's decision tree for spread preferences (manager/scheduler/nodeset.go tree(), decision_tree.go): one level
/// per preference, one branch per value of the label among ALL nodes of the swarm (managers, drained and down nodes
/// too; a node without the label is in the "" branch), and the nodes in the leaves. Without preferences the root is
/// the only leaf. The shape depends on the nodes only, so one tree serves every service with the same preferences.
/// </summary>
internal sealed class SpreadTree
{
    private SpreadTree(int[][] children, int[] parent, string[] values, int[] leafOfNode, int[][] members)
    {
        Children = children;
        Parent = parent;
        Values = values;
        LeafOfNode = leafOfNode;
        Members = members;
    }

    /// <summary>Per tree node, its branches (empty for a leaf); tree node 0 is the root.</summary>
    public int[][] Children { get; }

    /// <summary>Per tree node, its parent (-1 for the root).</summary>
    public int[] Parent { get; }

    /// <summary>Per tree node, the label value of its branch.</summary>
    public string[] Values { get; }

    /// <summary>Per cluster node, the tree node of its leaf.</summary>
    public int[] LeafOfNode { get; }

    /// <summary>Per tree node, the cluster nodes of its leaf in node order (empty for inner nodes).</summary>
    public int[][] Members { get; }

    public int Count => Children.Length;

    /// <summary>The levels SwarmKit honours, as a key: services with the same key share a tree.</summary>
    public static string KeyOf(IReadOnlyList<string> spread) => string.Join('\n', spread.Where(NodeFacts.IsSpreadLevel));

    public static SpreadTree Build(IReadOnlyList<string> spread, IReadOnlyList<ClusterNode> nodes)
    {
        var levels = spread.Where(NodeFacts.IsSpreadLevel).ToList();
        var children = new List<SortedDictionary<string, int>?> { null };
        var parent = new List<int> { -1 };
        var values = new List<string> { "" };
        var leafOfNode = new int[nodes.Count];
        for (var n = 0; n < nodes.Count; n++)
        {
            var at = 0;
            foreach (var level in levels)
            {
                var value = NodeFacts.SpreadValue(level, nodes[n]);
                var branches = children[at] ??= new SortedDictionary<string, int>(StringComparer.Ordinal);
                if (!branches.TryGetValue(value, out var next))
                {
                    next = children.Count;
                    branches[value] = next;
                    children.Add(null);
                    parent.Add(at);
                    values.Add(value);
                }

                at = next;
            }

            leafOfNode[n] = at;
        }

        var members = new List<int>[children.Count];
        for (var n = 0; n < nodes.Count; n++)
        {
            (members[leafOfNode[n]] ??= []).Add(n);
        }

        return new SpreadTree(
            [.. children.Select(c => c is null ? [] : c.Values.ToArray())],
            [.. parent],
            [.. values],
            leafOfNode,
            [.. members.Select(m => m is null ? [] : m.ToArray())]);
    }
}
