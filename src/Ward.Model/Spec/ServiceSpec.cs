namespace Ward.Model.Spec;

/// <summary>A service of the stack file, after interpolation and with short syntax expanded.</summary>
public sealed record ServiceSpec
{
    public required string Name { get; init; }

    /// <summary>The image reference; null when the file gives none (CMP-002).</summary>
    public string? Image { get; init; }

    /// <summary>Null when not set; a string command is split as a shell would.</summary>
    public ValueList<string>? Command { get; init; }

    public ValueList<string>? Entrypoint { get; init; }

    /// <summary>Environment variables in file order; a null value means "name only" (taken from the deploying shell).</summary>
    public ValueMap<string?> Environment { get; init; } = ValueMap<string?>.Empty;

    public ValueList<string> EnvFiles { get; init; } = ValueList<string>.Empty;

    public ValueList<PortSpec> Ports { get; init; } = ValueList<PortSpec>.Empty;

    public ValueList<MountSpec> Volumes { get; init; } = ValueList<MountSpec>.Empty;

    public ValueList<FileReference> Secrets { get; init; } = ValueList<FileReference>.Empty;

    public ValueList<FileReference> Configs { get; init; } = ValueList<FileReference>.Empty;

    /// <summary>Networks the service joins; empty means the stack's default network.</summary>
    public ValueList<ServiceNetwork> Networks { get; init; } = ValueList<ServiceNetwork>.Empty;

    public DeploySpec Deploy { get; init; } = new();

    public HealthcheckSpec? Healthcheck { get; init; }

    public string? User { get; init; }

    public string? WorkingDir { get; init; }

    public string? Hostname { get; init; }

    public ValueMap<string> Labels { get; init; } = ValueMap<string>.Empty;

    public bool? ReadOnly { get; init; }

    public bool? Init { get; init; }

    public bool Tty { get; init; }

    public bool StdinOpen { get; init; }

    public ValueList<string> CapAdd { get; init; } = ValueList<string>.Empty;

    public ValueList<string> CapDrop { get; init; } = ValueList<string>.Empty;

    public TimeSpan? StopGracePeriod { get; init; }

    public string? StopSignal { get; init; }

    public ValueMap<string> Sysctls { get; init; } = ValueMap<string>.Empty;

    public ValueList<UlimitSpec> Ulimits { get; init; } = ValueList<UlimitSpec>.Empty;

    public ValueList<string> Dns { get; init; } = ValueList<string>.Empty;

    public ValueList<string> DnsSearch { get; init; } = ValueList<string>.Empty;

    /// <summary>extra_hosts as "host:ip" entries.</summary>
    public ValueList<string> ExtraHosts { get; init; } = ValueList<string>.Empty;

    public LoggingSpec? Logging { get; init; }

    public string? Isolation { get; init; }

    /// <summary>
    /// The compose <c>restart:</c> value. Stacks report it as unsupported, but docker stack deploy still turns it into a
    /// restart policy when deploy.restart_policy is absent, so Ward does the same.
    /// </summary>
    public string? Restart { get; init; }

    /// <summary>Keys the file sets that <c>docker stack deploy</c> ignores (build, privileged, restart, ...).</summary>
    public ValueList<string> IgnoredKeys { get; init; } = ValueList<string>.Empty;

    /// <summary>True when a healthcheck is set and not disabled.</summary>
    public bool HasEnabledHealthcheck => Healthcheck is { Disabled: false };
}

public enum ServiceMode
{
    Replicated,
    Global,
}

public sealed record DeploySpec
{
    public ServiceMode Mode { get; init; } = ServiceMode.Replicated;

    /// <summary>Null when not set: Swarm then runs one replica.</summary>
    public int? Replicas { get; init; }

    public PlacementSpec Placement { get; init; } = new();

    public ResourcesSpec Resources { get; init; } = new();

    public RestartPolicySpec? RestartPolicy { get; init; }

    public UpdateConfigSpec? UpdateConfig { get; init; }

    public UpdateConfigSpec? RollbackConfig { get; init; }

    public ValueMap<string> Labels { get; init; } = ValueMap<string>.Empty;

    /// <summary>vip (default) or dnsrr.</summary>
    public string? EndpointMode { get; init; }

    /// <summary>The replica count Swarm will run: 1 when unset.</summary>
    public int EffectiveReplicas => Replicas ?? 1;
}

public sealed record PlacementSpec
{
    public ValueList<string> Constraints { get; init; } = ValueList<string>.Empty;

    /// <summary>The labels of <c>spread</c> preferences, e.g. <c>node.labels.zone</c>.</summary>
    public ValueList<string> Spread { get; init; } = ValueList<string>.Empty;

    public int? MaxReplicasPerNode { get; init; }
}

public sealed record ResourcesSpec
{
    public ResourceValues? Limits { get; init; }

    public ResourceValues? Reservations { get; init; }
}

public sealed record ResourceValues
{
    /// <summary>CPUs as a fraction of cores, e.g. 0.5.</summary>
    public double? Cpus { get; init; }

    public long? MemoryBytes { get; init; }

    public long? Pids { get; init; }

    /// <summary>Reservations only: generic resources (discrete_resource_spec), such as GPUs, in file order.</summary>
    public ValueList<GenericResource> GenericResources { get; init; } = ValueList<GenericResource>.Empty;
}

/// <summary>A discrete generic resource a task reserves, e.g. kind gpu, value 2.</summary>
public sealed record GenericResource(string Kind, long Value);

public sealed record RestartPolicySpec
{
    /// <summary>none, on-failure or any.</summary>
    public string? Condition { get; init; }

    public TimeSpan? Delay { get; init; }

    public long? MaxAttempts { get; init; }

    public TimeSpan? Window { get; init; }
}

/// <summary>Update or rollback behaviour (<c>deploy.update_config</c> / <c>deploy.rollback_config</c>).</summary>
public sealed record UpdateConfigSpec
{
    public long? Parallelism { get; init; }

    public TimeSpan? Delay { get; init; }

    /// <summary>continue, rollback or pause.</summary>
    public string? FailureAction { get; init; }

    public TimeSpan? Monitor { get; init; }

    public double? MaxFailureRatio { get; init; }

    /// <summary>stop-first or start-first.</summary>
    public string? Order { get; init; }
}

public sealed record HealthcheckSpec
{
    /// <summary>The test command; ["NONE"] disables the image's check.</summary>
    public ValueList<string>? Test { get; init; }

    public TimeSpan? Interval { get; init; }

    public TimeSpan? Timeout { get; init; }

    public TimeSpan? StartPeriod { get; init; }

    public long? Retries { get; init; }

    /// <summary>True for <c>disable: true</c> or a test of NONE.</summary>
    public bool Disabled { get; init; }
}

/// <summary>A published port; short syntax ranges are expanded to one entry per port.</summary>
public sealed record PortSpec
{
    public required int Target { get; init; }

    public int? Published { get; init; }

    /// <summary>tcp, udp or sctp.</summary>
    public string Protocol { get; init; } = "tcp";

    /// <summary>ingress (routing mesh) or host.</summary>
    public string Mode { get; init; } = "ingress";

    /// <summary>A host IP from short syntax ("127.0.0.1:80:80"); Swarm cannot honour it.</summary>
    public string? HostIp { get; init; }
}

public enum MountType
{
    Volume,
    Bind,
    Tmpfs,
    Npipe,
}

public sealed record MountSpec
{
    public MountType Type { get; init; } = MountType.Volume;

    /// <summary>The volume name or host path; null for an anonymous volume or tmpfs.</summary>
    public string? Source { get; init; }

    public required string Target { get; init; }

    public bool ReadOnly { get; init; }

    public string? Consistency { get; init; }

    /// <summary>Bind propagation (private, rprivate, shared, rshared, slave, rslave).</summary>
    public string? Propagation { get; init; }

    public bool NoCopy { get; init; }

    public long? TmpfsSizeBytes { get; init; }
}

/// <summary>A service's use of a secret or config.</summary>
public sealed record FileReference
{
    public required string Source { get; init; }

    /// <summary>The file name in the container (secrets: under /run/secrets/).</summary>
    public string? Target { get; init; }

    public string? Uid { get; init; }

    public string? Gid { get; init; }

    /// <summary>File mode, e.g. 0440 (octal written, stored as its value).</summary>
    public int? Mode { get; init; }

    /// <summary>True when written in long syntax (a mapping).</summary>
    public bool LongSyntax { get; init; }
}

public sealed record ServiceNetwork
{
    public required string Name { get; init; }

    public ValueList<string> Aliases { get; init; } = ValueList<string>.Empty;
}

public sealed record UlimitSpec(string Name, long Soft, long Hard);

public sealed record LoggingSpec
{
    public string? Driver { get; init; }

    public ValueMap<string> Options { get; init; } = ValueMap<string>.Empty;
}
