using System.Text.Json.Nodes;
using Ward.Engine.Desired;
using Ward.Engine.Ports;
using Ward.Model.Catalog;
using Ward.Model.Placement.Capacity;
using Ward.Model.Placement.Simulation;
using Ward.Model.Spec;

namespace Ward.Engine.Placement;

/// <summary>
/// The cluster a capacity plan places an environment on, read from a live swarm: every node with the resources its
/// engine reports, its labels, platform and state, and the tasks other stacks already run there (their reservations
/// and host-mode ports). The environment's own services are placed afresh from its file.
/// </summary>
public static class LiveCluster
{
    // Task states in which SwarmKit's scheduler counts a task on its node (assigned up to running).
    private static readonly HashSet<string> HoldingStates = new(StringComparer.Ordinal) { "assigned", "accepted", "preparing", "ready", "starting", "running" };

    public static async Task<EnvironmentCluster> ReadAsync(IEngine engine, EnvironmentSpec spec, SizeCatalog catalog, string source, CancellationToken cancellationToken)
    {
        var nodesTask = engine.ListNodesAsync(cancellationToken);
        var servicesTask = engine.ListAsync(ObjectKind.Service, null, cancellationToken);
        var tasksTask = engine.ListTasksAsync(null, cancellationToken);
        await Task.WhenAll(nodesTask, servicesTask, tasksTask);
        var observed = await nodesTask;
        var names = NamesOf(observed);
        var nodes = observed.Select(n => NodeOf(n, names[n.Id])).ToList();
        var others = (await servicesTask)
            .Where(s => !(s.Labels.TryGetValue(StackNames.NamespaceLabel, out var stack) && stack == spec.Name))
            .ToDictionary(s => s.Id, s => s);
        var existing = new List<ExistingTask>();
        foreach (var task in await tasksTask)
        {
            if (task.NodeId is { } node && names.TryGetValue(node, out var name) && task.DesiredState == "running" &&
                HoldingStates.Contains(task.State) && others.TryGetValue(task.ServiceId, out var service))
            {
                var reservations = task.Spec?["Resources"]?["Reservations"];
                // Keyed by the service id, which no service of the file can be named.
                existing.Add(new ExistingTask(name, service.Id, Long(reservations?["NanoCPUs"]), Long(reservations?["MemoryBytes"]))
                {
                    HostPorts = HostPortsOf(service.Spec),
                });
            }
        }

        return new EnvironmentCluster(nodes, EnvironmentCluster.ServicesOf(spec, catalog), catalog) { Existing = existing, Source = source };
    }

    /// <summary>A node as the scheduler sees it; its name is Ward's (label ward.node) when it has one, else its hostname.</summary>
    public static ClusterNode NodeOf(ObservedNode node, string name) => new()
    {
        Name = name,
        Role = node.Role == "manager" ? NodeRole.Manager : NodeRole.Worker,
        Availability = node.Availability switch
        {
            "drain" => NodeAvailability.Drain,
            "pause" => NodeAvailability.Pause,
            _ => NodeAvailability.Active,
        },
        Status = node.State switch
        {
            "ready" => NodeStatus.Ready,
            "down" => NodeStatus.Down,
            "disconnected" => NodeStatus.Disconnected,
            _ => NodeStatus.Unknown,
        },
        NanoCpus = node.NanoCpus,
        MemoryBytes = node.MemoryBytes,
        Labels = node.Labels,
        SwarmId = node.Id,
        Hostname = node.Hostname,
        Address = node.Address,
        EngineLabels = node.EngineLabels,
        Os = node.Os,
        Architecture = node.Architecture,
    };

    /// <summary>Ward's name of each node; hostnames that several nodes share (engines on one machine) get their id's start.</summary>
    private static Dictionary<string, string> NamesOf(IReadOnlyList<ObservedNode> nodes)
    {
        var preferred = nodes.ToDictionary(n => n.Id, n => n.Labels.TryGetValue(StackNames.NodeLabel, out var name) && name.Length > 0 ? name : n.Hostname, StringComparer.Ordinal);
        var shared = preferred.Values.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        return preferred.ToDictionary(p => p.Key, p => shared.Contains(p.Value) ? $"{p.Value}-{p.Key[..Math.Min(6, p.Key.Length)]}" : p.Value, StringComparer.Ordinal);
    }

    private static IReadOnlyList<HostPort> HostPortsOf(JsonObject spec)
    {
        var ports = new List<HostPort>();
        foreach (var port in spec["EndpointSpec"]?["Ports"]?.AsArray() ?? [])
        {
            if (port?["PublishMode"]?.GetValue<string>() == "host" && Long(port["PublishedPort"]) is > 0 and var published)
            {
                ports.Add(new HostPort(port["Protocol"]?.GetValue<string>() ?? "tcp", (int)published));
            }
        }

        return ports;
    }

    private static long Long(JsonNode? value) => value is JsonValue number && number.TryGetValue<long>(out var result) ? result : 0;
}
