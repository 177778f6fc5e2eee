using System.Globalization;
using Ward.Model.Diagnostics;
using Ward.Model.Spec;

namespace Ward.Rules.Rules;

/// <summary>Paths of a service's mounts, by their place in the file.</summary>
internal static class Mounts
{
    public static IEnumerable<(MountSpec Mount, string Path)> Of(ServiceSpec service)
    {
        // Most services mount nothing: they get no iterator and no path text.
        if (service.Volumes.Count == 0)
        {
            return [];
        }

        var volumesPath = Paths.Service(service.Name, "volumes");
        var mounts = new (MountSpec, string)[service.Volumes.Count];
        for (var i = 0; i < mounts.Length; i++)
        {
            mounts[i] = (service.Volumes[i], string.Create(CultureInfo.InvariantCulture, $"{volumesPath}[{i}]"));
        }

        return mounts;
    }

    public static bool IsDockerSocket(string? source) =>
        source?.TrimEnd('/') is "/var/run/docker.sock" or "/run/docker.sock";
}

/// <summary>STO-001: volumes, not bind mounts, in production.</summary>
public sealed class BindMountRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "STO-001",
        Title = "Volumes, not bind mounts",
        Severity = Severity.Error,
        Scope = RuleScope.ProductionOnly,
        Why = "A bind mount needs the host path on every node the task may land on, is not portable, and ties the service to one machine's files. On a stateful service's data directory it loses the data when the task moves (error); elsewhere it is a warning.",
        Fix = "Use a named volume (declared under top-level `volumes:`) for data, and a Swarm config or secret for configuration files.",
        Source = "MedStack Go to Production; Docker development best practices (\"For production, use a volume instead\"); Docker services \"Bind mounts\".",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var service in context.Spec.Services)
        {
            var dataDirectory = ServiceFacts.DatabaseDataDirectory(service);
            foreach (var (mount, path) in Mounts.Of(service).Where(m => m.Mount.Type == MountType.Bind))
            {
                if (Mounts.IsDockerSocket(mount.Source))
                {
                    continue; // STO-003's business.
                }

                var onData = dataDirectory is not null && ServiceFacts.Covers(mount, dataDirectory);
                yield return Report(
                    path,
                    onData
                        ? $"service {service.Name} keeps its database data ({mount.Target}) on the host path {mount.Source}"
                        : $"service {service.Name} bind-mounts the host path {mount.Source} at {mount.Target}",
                    onData ? Severity.Error : Severity.Warning,
                    $"service {service.Name}",
                    $"{mount.Source}:{mount.Target}");
            }
        }
    }
}

/// <summary>STO-002: no sensitive host directory is mounted.</summary>
public sealed class SensitiveHostPathRule : Rule
{
    private static readonly string[] Sensitive = ["/", "/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr"];

    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "STO-002",
        Title = "No sensitive host directory is mounted",
        Severity = Severity.Error,
        Why = "Mounting /, /etc, /proc, /sys, /dev, /boot, /lib or /usr gives the container a path to take over the node.",
        Fix = "Mount only the application's own directories, through named volumes; never the host's system directories.",
        Source = "CIS Docker Benchmark 5.6; KICS volume_has_sensitive_host_directory; Polaris hostPathSet.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var service in context.Spec.Services)
        {
            foreach (var (mount, path) in Mounts.Of(service).Where(m => m.Mount.Type == MountType.Bind && IsSensitive(m.Mount.Source)))
            {
                yield return Report(path, $"service {service.Name} mounts the host's {mount.Source}", subject: $"service {service.Name}", value: mount.Source);
            }
        }

        foreach (var volume in context.Spec.Volumes)
        {
            if (volume.DriverOpts.TryGetValue("device", out var device) && IsSensitive(device))
            {
                yield return Report(Paths.Under("volumes", volume.Key, "driver_opts", "device"), $"volume {volume.Key} is backed by the host's {device}", subject: $"volume {volume.Key}", value: device);
            }
        }
    }

    private static bool IsSensitive(string? source)
    {
        if (source is null || !source.StartsWith('/'))
        {
            return false;
        }

        var normalized = source.Length > 1 ? source.TrimEnd('/') : source;
        return Sensitive.Any(s => normalized == s || (s != "/" && normalized.StartsWith(s + "/", StringComparison.Ordinal)));
    }
}

/// <summary>STO-003: the Docker socket stays on the node.</summary>
public sealed class DockerSocketRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "STO-003",
        Title = "The Docker socket is not mounted",
        Severity = Severity.Error,
        Why = "The Docker socket is root on the node, and on a manager it controls the whole swarm.",
        Fix = "Remove the mount. A platform agent that truly needs it carries the label ward.platform=true and runs only on managers.",
        Source = "CIS Docker Benchmark 5.32; KICS docker_socket_mounted_in_container.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var service in context.Spec.Services.Where(s => !context.IsPlatformService(s)))
        {
            foreach (var (mount, path) in Mounts.Of(service).Where(m => Mounts.IsDockerSocket(m.Mount.Source)))
            {
                yield return Report(path, $"service {service.Name} mounts the Docker socket {mount.Source}", subject: $"service {service.Name}", value: mount.Source);
            }
        }
    }
}

/// <summary>STO-004: mount propagation stays private.</summary>
public sealed class MountPropagationRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "STO-004",
        Title = "Mount propagation is private",
        Severity = Severity.Warning,
        Why = "Shared or slave propagation lets mounts made in the container appear on the host, or the host's in the container.",
        Fix = "Remove the propagation option (the default is rprivate).",
        Source = "CIS Docker Benchmark 5.20; KICS volume_mounted_in_multiple_containers.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var service in context.Spec.Services)
        {
            foreach (var (mount, path) in Mounts.Of(service).Where(m => m.Mount.Propagation is "shared" or "rshared" or "slave" or "rslave"))
            {
                yield return Report(path, $"service {service.Name} mounts {mount.Target} with {mount.Propagation} propagation", subject: $"service {service.Name}", value: mount.Propagation);
            }
        }
    }
}

/// <summary>STO-005: every named volume is declared.</summary>
public sealed class DeclaredVolumeRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "STO-005",
        Title = "Named volumes are declared",
        Severity = Severity.Error,
        BlocksDeploy = true,
        Why = "docker stack deploy fails with \"undefined volume\" when a service uses a named volume the file does not declare (volume_driver and volumes_from are refused outright).",
        Fix = "Declare the volume under the top-level `volumes:` (with `external: true` if it already exists).",
        Source = "docker/cli stack convert (undefined volume); docker/cli ForbiddenProperties (volume_driver, volumes_from); Compose v3 reference.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        var declared = context.Spec.Volumes.Select(v => v.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var service in context.Spec.Services)
        {
            foreach (var (mount, path) in Mounts.Of(service).Where(m => m.Mount.Type == MountType.Volume && m.Mount.Source is { } source && !declared.Contains(source)))
            {
                yield return Report(path, $"service {service.Name} uses the volume '{mount.Source}', which the top-level volumes do not declare", subject: $"service {service.Name}", value: mount.Source);
            }
        }
    }
}

/// <summary>STO-006: databases keep their data on a named volume.</summary>
public sealed class DataVolumeRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "STO-006",
        Title = "Database data is on a named volume",
        Severity = Severity.Error,
        Why = "Data written to the container's own layer is lost when the task is replaced: every update, restart on another node or rollback starts the database empty.",
        Fix = "Mount a named volume at the data directory, e.g. `volumes: [ \"records:/var/lib/postgresql/data\" ]`, declared under the top-level `volumes:`.",
        Source = "Docker development best practices (\"Avoid storing application data in your container's writable layer\"); Docker services.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var service in context.Spec.Services)
        {
            if (ServiceFacts.DatabaseDataDirectory(service) is not { } directory)
            {
                continue;
            }

            var onVolume = service.Volumes.Any(m => m.Type == MountType.Volume && m.Source is not null && ServiceFacts.Covers(m, directory));
            var onBind = service.Volumes.Any(m => m.Type == MountType.Bind && ServiceFacts.Covers(m, directory));
            if (!onVolume && !onBind)
            {
                yield return Report(PathOf(service, "volumes"), $"database service {service.Name} keeps {directory} in the container's writable layer; mount a named volume there", subject: $"service {service.Name}", value: directory);
            }
        }
    }
}
