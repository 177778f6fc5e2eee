namespace Ward.Model.Placement.Simulation;

/// <summary>
/// The facts of a node that constraints, platforms and spread preferences read, with SwarmKit's rules
/// (manager/constraint/constraint.go, manager/scheduler/filter.go, nodeset.go). A fact the file cannot tell makes the
/// answer null: the callers count it as satisfied, as the readiness rules do.
/// </summary>
internal static class NodeFacts
{
    public const string NodeLabelPrefix = "node.labels.";
    public const string EngineLabelPrefix = "engine.labels.";

    /// <summary>Whether the node satisfies the constraint; null when the file cannot tell.</summary>
    public static bool? Matches(Constraint constraint, ClusterNode node)
    {
        string? actual;
        switch (constraint.Attribute)
        {
            case "node.role":
                actual = node.IsManager ? "manager" : "worker";
                break;
            case "node.hostname":
                actual = node.Hostname ?? node.Name;
                break;
            case "node.id":
                actual = node.SwarmId;
                break;
            case "node.platform.os":
                actual = node.Os;
                break;
            case "node.platform.arch":
                actual = node.Architecture;
                break;
            default:
                if (constraint.Attribute.StartsWith(NodeLabelPrefix, StringComparison.Ordinal))
                {
                    // A label the node lacks reads as "", which no value equals (values cannot be empty).
                    actual = node.Labels.TryGetValue(constraint.Attribute[NodeLabelPrefix.Length..], out var label) ? label : "";
                }
                else if (constraint.Attribute.StartsWith(EngineLabelPrefix, StringComparison.Ordinal))
                {
                    actual = node.EngineLabels is null ? null : node.EngineLabels.TryGetValue(constraint.Attribute[EngineLabelPrefix.Length..], out var label) ? label : "";
                }
                else
                {
                    return false;
                }

                break;
        }

        if (actual is null)
        {
            return null;
        }

        // Swarm compares values case-insensitively.
        var same = string.Equals(actual, constraint.Value, StringComparison.OrdinalIgnoreCase);
        return constraint.Equal ? same : !same;
    }

    /// <summary>Every constraint satisfied (those the file cannot decide count as satisfied).</summary>
    public static bool SatisfiesAll(IReadOnlyList<Constraint> constraints, ClusterNode node)
    {
        for (var i = 0; i < constraints.Count; i++)
        {
            if (Matches(constraints[i], node) == false)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// SwarmKit's PlatformFilter: a node runs the task when one of the task's platforms matches its OS and
    /// architecture (x86_64 is amd64, aarch64 is arm64; an empty part matches anything). No platforms: any node.
    /// </summary>
    public static bool RunsPlatform(IReadOnlyList<TaskPlatform> platforms, ClusterNode node)
    {
        if (platforms.Count == 0 || (node.Os is null && node.Architecture is null))
        {
            return true;
        }

        var nodeArchitecture = NormalArchitecture(node.Architecture);
        foreach (var platform in platforms)
        {
            var architecture = NormalArchitecture(platform.Architecture);
            if ((string.IsNullOrEmpty(architecture) || architecture == nodeArchitecture) &&
                (string.IsNullOrEmpty(platform.Os) || platform.Os == node.Os))
            {
                return true;
            }
        }

        return false;
    }

    private static string? NormalArchitecture(string? architecture) => architecture switch
    {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        _ => architecture,
    };

    /// <summary>
    /// The preference levels SwarmKit honours: <c>node.labels.X</c> and <c>engine.labels.X</c> (prefix in any case);
    /// other descriptors are skipped, as nodeset.go skips them.
    /// </summary>
    public static bool IsSpreadLevel(string descriptor) =>
        (descriptor.Length > NodeLabelPrefix.Length && descriptor.StartsWith(NodeLabelPrefix, StringComparison.OrdinalIgnoreCase)) ||
        (descriptor.Length > EngineLabelPrefix.Length && descriptor.StartsWith(EngineLabelPrefix, StringComparison.OrdinalIgnoreCase));

    /// <summary>The node's value at a spread level; a node without the label is in the "" branch.</summary>
    public static string SpreadValue(string descriptor, ClusterNode node)
    {
        if (descriptor.StartsWith(NodeLabelPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return node.Labels.TryGetValue(descriptor[NodeLabelPrefix.Length..], out var label) ? label : "";
        }

        return node.EngineLabels is not null && node.EngineLabels.TryGetValue(descriptor[EngineLabelPrefix.Length..], out var engine) ? engine : "";
    }
}
