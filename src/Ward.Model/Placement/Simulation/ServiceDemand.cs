using System.Globalization;
using Ward.Model.Spec;

namespace Ward.Model.Placement.Simulation;

/// <summary>A host-mode published port: two tasks that publish the same one cannot share a node.</summary>
public readonly record struct HostPort(string Protocol, int Port)
{
    public override string ToString() => $"{Port}/{Protocol}";
}

/// <summary>A platform a task's image runs on; an empty part matches any (SwarmKit's PlatformFilter).</summary>
public readonly record struct TaskPlatform(string? Os, string? Architecture);

/// <summary>
/// What one service asks of the scheduler: how many tasks (or one per node when global), where they may go
/// (constraints, platforms), how to spread them (preferences, max replicas per node), what each reserves and which
/// host-mode ports each binds.
/// </summary>
public sealed record ServiceDemand
{
    public required string Name { get; init; }

    public ServiceMode Mode { get; init; } = ServiceMode.Replicated;

    /// <summary>Tasks of a replicated service; ignored for a global one.</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>Parsed constraints; those that do not parse are left out (Swarm refuses the service; PLC-004 says so).</summary>
    public IReadOnlyList<Constraint> Constraints { get; init; } = [];

    /// <summary>Spread preferences, outermost first: <c>node.labels.zone</c>, <c>engine.labels.rack</c>.</summary>
    public IReadOnlyList<string> Spread { get; init; } = [];

    /// <summary>0 for no limit.</summary>
    public int MaxReplicasPerNode { get; init; }

    public long NanoCpus { get; init; }

    public long MemoryBytes { get; init; }

    public IReadOnlyList<HostPort> HostPorts { get; init; } = [];

    public IReadOnlyList<TaskPlatform> Platforms { get; init; } = [];

    /// <summary>
    /// The service keeps data on a node-local volume: moving it to another node leaves the data behind, so fixes that
    /// would (drop its pin, label another node for it) are not offered.
    /// </summary>
    public bool KeepsDataOnNode { get; init; }

    public bool IsGlobal => Mode == ServiceMode.Global;

    /// <summary>What the file's service asks: its replicas, placement, reservations and host-mode ports.</summary>
    public static ServiceDemand From(ServiceSpec service, EnvironmentSpec environment)
    {
        var deploy = service.Deploy;
        var reservation = deploy.Resources.Reservations;
        var ports = new List<HostPort>();
        foreach (var port in service.Ports)
        {
            if (port.Mode == "host" && port.Published is > 0 and var published && !ports.Contains(new HostPort(port.Protocol, published)))
            {
                ports.Add(new HostPort(port.Protocol, published));
            }
        }

        return new ServiceDemand
        {
            Name = service.Name,
            Mode = deploy.Mode,
            Replicas = Math.Max(0, deploy.EffectiveReplicas),
            Constraints = Eligibility.Parse(deploy.Placement.Constraints),
            Spread = [.. deploy.Placement.Spread],
            MaxReplicasPerNode = Math.Max(0, deploy.Placement.MaxReplicasPerNode ?? 0),
            NanoCpus = reservation?.Cpus is { } cpus ? NanoCpusOf(cpus) : 0,
            MemoryBytes = Math.Max(0, reservation?.MemoryBytes ?? 0),
            HostPorts = ports,
            KeepsDataOnNode = environment.NodeLocalVolumesOf(service).Count > 0,
        };
    }

    /// <summary>CPUs to Swarm's nano-CPUs exactly (decimal, not floating point): 0.5 is 500000000.</summary>
    public static long NanoCpusOf(double cpus)
    {
        if (double.IsNaN(cpus) || cpus <= 0)
        {
            return 0;
        }

        // Beyond a long's worth of nano-CPUs no node can hold it anyway.
        return cpus >= 9e9
            ? long.MaxValue
            : (long)decimal.Round(decimal.Parse(cpus.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture) * 1_000_000_000m);
    }
}

/// <summary>
/// A task already on a node that the simulation does not place (another stack's, on a live swarm): it holds its
/// reservation and host-mode ports there, and counts among the node's tasks.
/// </summary>
public sealed record ExistingTask(string Node, string Service, long NanoCpus, long MemoryBytes)
{
    public IReadOnlyList<HostPort> HostPorts { get; init; } = [];
}
