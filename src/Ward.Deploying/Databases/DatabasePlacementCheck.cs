using Ward.Engine.Ports;
using Ward.Model.Placement;
using Ward.Model.Spec;

namespace Ward.Deploying.Databases;

/// <summary>
/// A database's placement (or its repository's) against the swarm's own nodes, when the file declares none: a
/// constraint on a label no node has would leave the database pending forever. With x-ward.nodes the reader refuses
/// it already, against the nodes the file declares.
/// </summary>
public static class DatabasePlacementCheck
{
    /// <exception cref="DeployRequestException">A placement names a label no node of the swarm has.</exception>
    public static async Task CheckAsync(IEngine engine, EnvironmentSpec spec, CancellationToken cancellationToken)
    {
        var hosted = spec.Databases.Where(d => d.IsHosted).ToList();
        if (spec.Nodes.Count > 0 || hosted.Count == 0)
        {
            return;
        }

        var nodes = await engine.ListNodesAsync(cancellationToken);
        var labels = nodes.SelectMany(n => n.Labels.Keys).ToHashSet(StringComparer.Ordinal);
        foreach (var database in hosted)
        {
            Check($"database {database.Name}", database.Placement, labels);
            Check($"the backup repository of {database.Name}", database.Backups?.Placement ?? ValueList<string>.Empty, labels);
        }
    }

    private static void Check(string what, IReadOnlyList<string> placement, IReadOnlySet<string> labels)
    {
        foreach (var text in placement)
        {
            if (!Constraint.TryParse(text, out var constraint, out _) || !constraint!.Attribute.StartsWith("node.labels.", StringComparison.Ordinal))
            {
                continue;
            }

            var label = constraint.Attribute["node.labels.".Length..];
            if (!labels.Contains(label))
            {
                var known = labels.Count == 0 ? "the swarm's nodes have no labels" : $"the nodes' labels are {string.Join(", ", labels.Order(StringComparer.Ordinal))}";
                throw new DeployRequestException(DeployRequestCodes.UnknownPlacementLabel,
                    $"the placement '{text}' of {what} names the label '{label}', which no node of the swarm has ({known}); label a node (ward node label NODE {label}=...) or change the placement");
            }
        }
    }
}
