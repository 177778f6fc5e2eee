namespace Ward.Model.Spec;

/// <summary>Whether an environment serves real users; production rules are stricter.</summary>
public enum EnvironmentKind
{
    Production,
    Staging,
}

/// <summary>
/// One environment as its file describes it: the desired state. Ward never writes into it; what Docker
/// reports is a different type (see the Status namespace).
/// </summary>
public sealed record EnvironmentSpec
{
    /// <summary>The environment's name ([a-z0-9-]); the stack namespace on the swarm.</summary>
    public required string Name { get; init; }

    public EnvironmentKind Kind { get; init; } = EnvironmentKind.Production;

    /// <summary>The compose file format version, e.g. "3.8".</summary>
    public required ComposeVersion Version { get; init; }

    public ValueList<NodeSpec> Nodes { get; init; } = ValueList<NodeSpec>.Empty;

    public ValueList<DatabaseSpec> Databases { get; init; } = ValueList<DatabaseSpec>.Empty;

    public ValueList<DomainSpec> Domains { get; init; } = ValueList<DomainSpec>.Empty;

    /// <summary>Settings of the load balancer Ward adds for the domains; null when the file gives none (defaults apply).</summary>
    public LoadBalancerSpec? LoadBalancer { get; init; }

    public SwitchoverSpec? Switchover { get; init; }

    public ValueList<WaiverSpec> Waivers { get; init; } = ValueList<WaiverSpec>.Empty;

    /// <summary>Attestations about the swarm's control plane; null when the file gives none.</summary>
    public SwarmAttestation? Swarm { get; init; }

    public ValueList<ServiceSpec> Services { get; init; } = ValueList<ServiceSpec>.Empty;

    public ValueList<NetworkSpec> Networks { get; init; } = ValueList<NetworkSpec>.Empty;

    public ValueList<VolumeSpec> Volumes { get; init; } = ValueList<VolumeSpec>.Empty;

    public ValueList<SecretSpec> Secrets { get; init; } = ValueList<SecretSpec>.Empty;

    public ValueList<ConfigSpec> Configs { get; init; } = ValueList<ConfigSpec>.Empty;

    /// <summary>Whether the file had an <c>x-ward</c> section at all (a plain stack file has none).</summary>
    public bool HasWardSection { get; init; }

    public ServiceSpec? FindService(string name) => Services.FirstOrDefault(s => s.Name == name);

    /// <summary>Named volumes the service mounts that live on one node (the local driver, the default).</summary>
    public List<MountSpec> NodeLocalVolumesOf(ServiceSpec service)
    {
        // Loops, not LINQ: several rules ask this of every service.
        var local = new List<MountSpec>();
        foreach (var mount in service.Volumes)
        {
            if (mount.Type == MountType.Volume && mount.Source is not null && (DeclaredVolume(mount.Source) is not { } declared || declared.IsNodeLocal))
            {
                local.Add(mount);
            }
        }

        return local;
    }

    private VolumeSpec? DeclaredVolume(string volume)
    {
        foreach (var declared in Volumes)
        {
            if (declared.Key == volume)
            {
                return declared;
            }
        }

        return null;
    }
}
