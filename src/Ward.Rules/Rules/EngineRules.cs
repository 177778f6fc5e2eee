using System.Globalization;
using Ward.Model.Compose;
using Ward.Model.Diagnostics;
using Ward.Model.Spec;

namespace Ward.Rules.Rules;

/// <summary>
/// The ENG rules: what the Docker engine (or docker stack deploy before it) refuses for the file's own reasons. Each
/// finding blocks every deploy: found before the first object is created, all at once, so that a deploy is never left
/// half-done. Nothing here can be waived or forced; the engine would refuse anyway.
/// </summary>
public abstract class EngineRule : Rule
{
    private const string Probed = "Probed on the Docker engine (20.10, API 1.41) and docker CLI 28.2.2; docs/reference/stack-config-behaviour.md section 9.";

    /// <summary>An ENG rule's descriptor: an error that blocks every deploy, its source ending with how it was established.</summary>
    protected static RuleDescriptor Blocking(string id, string title, string why, string fix, string source) => new()
    {
        Id = id,
        Title = title,
        Severity = Severity.Error,
        BlocksDeploy = true,
        Why = why,
        Fix = fix,
        Source = $"{source} {Probed}",
    };

    protected static string Service(ServiceSpec service) => $"service {service.Name}";

    /// <summary>The networks the deploy creates: those some service joins (the default one when a service names none).</summary>
    protected static HashSet<string> UsedNetworks(EnvironmentSpec spec) =>
        spec.Services.SelectMany(s => s.Networks.Count == 0 ? ["default"] : s.Networks.Select(n => n.Name)).ToHashSet(StringComparer.Ordinal);
}

/// <summary>ENG-001: every service has a valid image reference.</summary>
public sealed class EngineImageRule : EngineRule
{
    public override RuleDescriptor Descriptor { get; } = Blocking(
        "ENG-001",
        "Image references are valid",
        why: "docker stack deploy refuses the whole file when an image is missing or not a valid reference (an unset variable, `repo:` with an empty tag, upper case, a malformed digest), and the engine refuses to create such a service. A deploy that went ahead would leave the networks and the other services created and this one missing.",
        fix: "Give every service an image such as `registry.example.org/team/app:1.4.2`, and set the variables it is made of or give them a default: `image: app:${TAG:-1.4.2}`.",
        source: "distribution/reference ParseNormalizedNamed; docker/cli stack deploy (\"invalid image reference for service X\"); swarmkit controlapi validateImage.");

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        // Services share a few images: each is parsed once (a large file has thousands of services).
        var problems = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var service in context.Spec.Services)
        {
            var image = service.Image ?? "";
            if (!problems.TryGetValue(image, out var problem))
            {
                problems[image] = problem = ImageReferences.EngineProblem(image);
            }

            if (problem is null)
            {
                continue;
            }

            var what = string.IsNullOrEmpty(service.Image) ? "has no image" : $"has the image '{service.Image}', which is not a valid reference";
            yield return Report(
                service.Image is null ? PathOf(service) : PathOf(service, "image"),
                $"service {service.Name} {what} ({problem}); the deploy would be refused",
                subject: Service(service),
                value: service.Image);
        }
    }
}

/// <summary>ENG-002: the names of the services, networks, secrets, configs and volumes Ward creates are ones the engine takes.</summary>
public sealed class EngineNameRule : EngineRule
{
    public override RuleDescriptor Descriptor { get; } = Blocking(
        "ENG-002",
        "Object names the engine accepts",
        why: "The compose format allows names the engine refuses: a service or overlay network is named <environment>_<key> and must be a DNS label (letters, digits, '-' and '_' inside, at most 63 characters, so no '.'); a secret or config name (with the 11 characters of Ward's content hash) at most 64 characters of letters, digits, '-', '_' and '.'; a local volume at least two such characters. docker stack deploy stops at the first refused one, after creating the others.",
        fix: "Rename the key (or its `name:`): `api.v2` → `api-v2`, and shorten long names.",
        source: "swarmkit controlapi validateAnnotations and validateConfigOrSecretAnnotations; the local volume driver's name check.");

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        var spec = context.Spec;
        foreach (var service in spec.Services)
        {
            var name = $"{spec.Name}_{service.Name}";
            if (!EngineLimits.IsDnsName(name))
            {
                yield return Report(PathOf(service), $"the service name {name} is not a DNS label the engine accepts ({DnsRule(name)})", subject: Service(service), value: service.Name);
            }
        }

        var used = UsedNetworks(spec);
        foreach (var network in spec.Networks.Where(n => !n.External && used.Contains(n.Key) && n.Driver is null or "" or "overlay"))
        {
            var name = network.Name ?? $"{spec.Name}_{network.Key}";
            if (!EngineLimits.IsDnsName(name))
            {
                yield return Report(Paths.Under("networks", network.Key), $"the overlay network name {name} is not a DNS label the engine accepts ({DnsRule(name)})", subject: $"network {network.Key}", value: name);
            }
        }

        foreach (var (section, item) in spec.Secrets.Select(s => ("secrets", (FileObjectSpec)s)).Concat(spec.Configs.Select(c => ("configs", (FileObjectSpec)c))))
        {
            var name = item.Name ?? $"{spec.Name}_{item.Key}";
            if (!item.External && !EngineLimits.IsObjectName(name + "_0123456789"))
            {
                var limit = EngineLimits.ObjectNameLength - EngineLimits.ContentHashSuffixLength;
                var why = name.Length > limit
                    ? $"is {name.Length} characters; with the content hash Ward adds (_ and 10 hex digits) the engine takes at most {limit}"
                    : "has characters the engine refuses (letters, digits, '-', '_' and '.', starting with a letter or digit)";
                yield return Report(Paths.Under(section, item.Key), $"the {section.TrimEnd('s')} name {name} {why}", subject: $"{section.TrimEnd('s')} {item.Key}", value: name);
            }
        }

        var mounted = spec.Services.SelectMany(s => s.Volumes).Where(m => m.Type == MountType.Volume && m.Source is not null).Select(m => m.Source!).ToHashSet(StringComparer.Ordinal);
        foreach (var volume in spec.Volumes.Where(v => v.IsNodeLocal && mounted.Contains(v.Key)))
        {
            var name = volume.Name ?? (volume.External ? volume.Key : $"{spec.Name}_{volume.Key}");
            if (!EngineLimits.IsLocalVolumeName(name))
            {
                yield return Report(Paths.Under("volumes", volume.Key), $"the volume name {name} is not one the local driver accepts (at least two of letters, digits, '_', '.' and '-', starting with a letter or digit); tasks that mount it are rejected", subject: $"volume {volume.Key}", value: name);
            }
        }
    }

    private static string DnsRule(string name) => name.Length > EngineLimits.DnsNameLength
        ? $"{name.Length} characters, at most {EngineLimits.DnsNameLength}"
        : "letters and digits, with '-' or '_' only between them";
}

/// <summary>ENG-003: mounts the engine creates and the container can start with.</summary>
public sealed class EngineMountRule : EngineRule
{
    public override RuleDescriptor Descriptor { get; } = Blocking(
        "ENG-003",
        "Mounts the engine accepts",
        why: "The engine refuses a service with two mounts on the same target or an unknown bind propagation, and rejects every task of one whose mount target is not an absolute path, whose bind source is a Windows path, whose volume source is a path, whose tmpfs has a source, or that uses an npipe mount on Linux. The service then never runs.",
        fix: "Give each mount its own absolute target (`/data`, not `data`); bind host paths that exist on Linux nodes; name volumes with `source: data` (declared under top-level `volumes:`); use propagation private, rprivate, shared, rshared, slave or rslave.",
        source: "swarmkit controlapi validateMounts (\"duplicate mount point\"); the daemon's MountPropagation conversion; the container executor's validateMounts.");

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var service in context.Spec.Services)
        {
            var targets = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (mount, path) in Mounts.Of(service))
            {
                if (Problem(mount) is { } problem)
                {
                    yield return Report(path, $"service {service.Name}: {problem}", subject: Service(service), value: mount.Source ?? mount.Target);
                }

                var target = HostPaths.Clean(mount.Target);
                if (!targets.TryAdd(target, path))
                {
                    yield return Report(path, $"service {service.Name} mounts two things on {target} (see {targets[target]}); the engine refuses a duplicate mount point", subject: Service(service), value: mount.Target);
                }
            }
        }
    }

    private static string? Problem(MountSpec mount) => mount switch
    {
        { Target: var target } when !target.StartsWith('/') => $"the mount target '{target}' is not an absolute path; every task would be rejected",
        { Type: MountType.Bind, Source: { } source } when HostPaths.IsWindowsAbsolute(source) => $"the bind source '{source}' is a Windows path; a Linux node rejects every task",
        { Type: MountType.Bind, Propagation: { } propagation } when !EngineLimits.Propagations.Contains(propagation) => $"'{propagation}' is not a bind propagation; use private, rprivate, shared, rshared, slave or rslave",
        { Type: MountType.Volume, Source: { } source } when source.StartsWith('/') => $"the volume source '{source}' is a path; name a volume, or use type: bind for a host path",
        { Type: MountType.Tmpfs, Source: { Length: > 0 } source } => $"a tmpfs mount has no source, but '{source}' is given; every task would be rejected",
        { Type: MountType.Npipe } => "npipe mounts are for Windows nodes; a Linux node rejects every task",
        _ => null,
    };
}

/// <summary>ENG-004: durations the engine accepts.</summary>
public sealed class EngineDurationRule : EngineRule
{
    public override RuleDescriptor Descriptor { get; } = Blocking(
        "ENG-004",
        "Durations the engine accepts",
        why: "The compose format reads negative and sub-millisecond durations, but the engine refuses a service whose healthcheck interval, timeout or start period is under 1ms (other than 0, which means the default), or whose restart delay or window, or update or rollback delay or monitor, is negative.",
        fix: "Use durations of at least 1ms for healthchecks (e.g. `interval: 30s`) and no negative ones (`delay: 5s`).",
        source: "swarmkit controlapi validateHealthCheck, validateRestartPolicy and validateUpdate.");

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var service in context.Spec.Services)
        {
            if (service.Healthcheck is { } check)
            {
                foreach (var (key, value) in new[] { ("interval", check.Interval), ("timeout", check.Timeout), ("start_period", check.StartPeriod) })
                {
                    if (value is { } duration && duration != TimeSpan.Zero && duration < EngineLimits.MinimumHealthcheckDuration)
                    {
                        yield return Report(PathOf(service, "healthcheck", key), $"service {service.Name}: the healthcheck {key} {Text(duration)} is under 1ms; the engine refuses it", subject: Service(service), value: Text(duration));
                    }
                }
            }

            var deploy = service.Deploy;
            if (deploy.RestartPolicy is null && deploy.UpdateConfig is null && deploy.RollbackConfig is null)
            {
                continue;
            }

            var negative = new List<(string[] Keys, TimeSpan? Value)>
            {
                (["deploy", "restart_policy", "delay"], deploy.RestartPolicy?.Delay),
                (["deploy", "restart_policy", "window"], deploy.RestartPolicy?.Window),
                (["deploy", "update_config", "delay"], deploy.UpdateConfig?.Delay),
                (["deploy", "update_config", "monitor"], deploy.UpdateConfig?.Monitor),
                (["deploy", "rollback_config", "delay"], deploy.RollbackConfig?.Delay),
                (["deploy", "rollback_config", "monitor"], deploy.RollbackConfig?.Monitor),
            };
            foreach (var (keys, value) in negative.Where(n => n.Value < TimeSpan.Zero))
            {
                yield return Report(PathOf(service, keys), $"service {service.Name}: {string.Join('.', keys[1..])} is negative ({Text(value!.Value)}); the engine refuses it", subject: Service(service), value: Text(value.Value));
            }
        }
    }

    private static string Text(TimeSpan value) => value.TotalMilliseconds.ToString("0.####", CultureInfo.InvariantCulture) + "ms";
}

/// <summary>ENG-005: restart conditions, failure actions, failure ratios and endpoint modes the engine knows.</summary>
public sealed class EnginePolicyRule : EngineRule
{
    public override RuleDescriptor Descriptor { get; } = Blocking(
        "ENG-005",
        "Restart, update and endpoint settings the engine knows",
        why: "These are free text to the compose format, but the engine refuses a service whose restart condition is not none, on-failure or any (exactly so: not always, no or ANY), whose update or rollback failure_action is not pause, continue or rollback, whose max_failure_ratio is outside 0 to 1, or whose endpoint_mode is not vip or dnsrr.",
        fix: "Use `condition: on-failure` (or none, any), `failure_action: rollback` (or pause, continue), a max_failure_ratio between 0 and 1, and `endpoint_mode: vip` or `dnsrr`.",
        source: "the daemon's service spec conversion (\"invalid RestartCondition\", \"unrecognized update failure action\", \"invalid resolution mode\"); swarmkit validateUpdate.");

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var service in context.Spec.Services)
        {
            var deploy = service.Deploy;
            if (deploy.RestartPolicy?.Condition is { } condition && !EngineLimits.RestartConditions.Contains(condition))
            {
                yield return Report(PathOf(service, "deploy", "restart_policy", "condition"), $"service {service.Name}: '{condition}' is not a restart condition; use none, on-failure or any", subject: Service(service), value: condition);
            }

            foreach (var (key, config) in new[] { ("update_config", deploy.UpdateConfig), ("rollback_config", deploy.RollbackConfig) })
            {
                if (config?.FailureAction is { Length: > 0 } action && !EngineLimits.FailureActions.Contains(action))
                {
                    yield return Report(PathOf(service, "deploy", key, "failure_action"), $"service {service.Name}: '{action}' is not a failure action; use pause, continue or rollback", subject: Service(service), value: action);
                }

                if (config?.MaxFailureRatio is { } ratio && ratio is < 0 or > 1)
                {
                    var text = ratio.ToString(CultureInfo.InvariantCulture);
                    yield return Report(PathOf(service, "deploy", key, "max_failure_ratio"), $"service {service.Name}: max_failure_ratio {text} is outside 0 to 1", subject: Service(service), value: text);
                }
            }

            if (deploy.EndpointMode is { Length: > 0 } mode && !EngineLimits.EndpointModes.Contains(mode))
            {
                yield return Report(PathOf(service, "deploy", "endpoint_mode"), $"service {service.Name}: '{mode}' is not an endpoint mode; use vip or dnsrr", subject: Service(service), value: mode);
            }
        }
    }
}
