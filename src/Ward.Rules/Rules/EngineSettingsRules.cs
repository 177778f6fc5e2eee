using System.Globalization;
using Ward.Model.Spec;

namespace Ward.Rules.Rules;

/// <summary>ENG-006: published ports the engine accepts, within a service and across the file.</summary>
public sealed class EnginePortRule : EngineRule
{
    public override RuleDescriptor Descriptor { get; } = Blocking(
        "ENG-006",
        "Published ports the engine accepts",
        why: "The engine refuses a service that publishes the same port and protocol twice, a dnsrr service with a port in ingress mode, and a second service publishing a port another already publishes in ingress mode (host mode may share). docker stack deploy creates the services in turn, so the first ones exist when the refusal comes.",
        fix: "Publish each port once (`8080:80` for one service, `8081:80` for the next), publish dnsrr services in host mode (`mode: host`), or put one load balancer in front.",
        source: "swarmkit controlapi validateEndpointSpec (\"duplicate published ports provided\", \"port published with ingress mode can't be used with dnsrr mode\") and checkPortConflicts (\"port is already in use by service\").");

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        var ingressOwners = new Dictionary<(long, string), string>();
        var hostOwners = new Dictionary<(long, string), string>();
        foreach (var service in context.Spec.Services)
        {
            var path = PathOf(service, "ports");
            if (string.Equals(service.Deploy.EndpointMode, "dnsrr", StringComparison.OrdinalIgnoreCase) && service.Ports.Any(p => Mode(p) == "ingress"))
            {
                yield return Report(path, $"service {service.Name} uses endpoint_mode dnsrr and publishes a port in ingress mode; the engine refuses it (publish with mode: host)", subject: Service(service));
            }

            var own = new HashSet<(long, string)>();
            foreach (var port in service.Ports.Where(p => p.Published is > 0))
            {
                var key = ((long)port.Published!.Value, Protocol(port));
                var text = $"{key.Item1}/{key.Item2}";
                if (!own.Add(key))
                {
                    yield return Report(path, $"service {service.Name} publishes {text} twice; the engine refuses duplicate published ports", subject: Service(service), value: text);
                    continue;
                }

                var ingress = Mode(port) == "ingress";
                var other = ingressOwners.GetValueOrDefault(key) ?? (ingress ? hostOwners.GetValueOrDefault(key) : null);
                if (other is not null)
                {
                    yield return Report(path, $"service {service.Name} publishes {text}, which service {other} publishes already{(ingress ? "" : " in ingress mode")}; the engine refuses the second one", subject: Service(service), value: text);
                }

                (ingress ? ingressOwners : hostOwners).TryAdd(key, service.Name);
            }
        }
    }

    // The daemon looks protocol and mode up in upper case and takes an unknown one for the first (tcp, ingress).
    private static string Protocol(PortSpec port) => port.Protocol.ToLowerInvariant() is "udp" or "sctp" ? port.Protocol.ToLowerInvariant() : "tcp";

    private static string Mode(PortSpec port) => string.Equals(port.Mode, "host", StringComparison.OrdinalIgnoreCase) ? "host" : "ingress";
}

/// <summary>ENG-007: CPU and memory amounts the engine accepts.</summary>
public sealed class EngineResourceRule : EngineRule
{
    public override RuleDescriptor Descriptor { get; } = Blocking(
        "ENG-007",
        "Resource amounts the engine accepts",
        why: "The engine refuses a CPU limit or reservation under 0.001 CPUs and a memory limit or reservation under 4 MiB (0 means none).",
        fix: "Use at least `cpus: \"0.001\"` and `memory: 4M`, or leave the setting out.",
        source: "swarmkit controlapi validateResources (\"invalid cpu value\", \"invalid memory value: Must be at least 4MiB\").");

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var service in context.Spec.Services)
        {
            foreach (var (key, values) in new[] { ("limits", service.Deploy.Resources.Limits), ("reservations", service.Deploy.Resources.Reservations) })
            {
                if (values?.Cpus is { } cpus && cpus != 0 && cpus < EngineLimits.MinimumCpus)
                {
                    var text = cpus.ToString(CultureInfo.InvariantCulture);
                    yield return Report(PathOf(service, "deploy", "resources", key, "cpus"), $"service {service.Name}: {text} CPUs is under the engine's minimum of 0.001", subject: Service(service), value: text);
                }

                if (values?.MemoryBytes is { } memory && memory != 0 && memory < EngineLimits.MinimumMemoryBytes)
                {
                    var text = memory.ToString(CultureInfo.InvariantCulture);
                    yield return Report(PathOf(service, "deploy", "resources", key, "memory"), $"service {service.Name}: {text} bytes of memory is under the engine's minimum of 4 MiB", subject: Service(service), value: text);
                }
            }
        }
    }
}

/// <summary>ENG-008: placement constraints the engine parses.</summary>
public sealed class EngineConstraintRule : EngineRule
{
    public override RuleDescriptor Descriptor { get; } = Blocking(
        "ENG-008",
        "Placement constraints the engine parses",
        why: "The engine refuses a service whose constraint has no == or != (a single '=' is not one), an empty value, or characters its parser does not allow in the attribute (letters, digits, '-', '_', '.') or the value.",
        fix: "Write `attribute == value` or `attribute != value`, e.g. `node.labels.zone == eu-1`. (PLC-004 then checks the attribute is one Swarm knows and that some node satisfies the constraint.)",
        source: "swarmkit manager/constraint Parse.");

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var service in context.Spec.Services)
        {
            var constraints = service.Deploy.Placement.Constraints;
            for (var i = 0; i < constraints.Count; i++)
            {
                if (EngineLimits.ConstraintProblem(constraints[i]) is { } problem)
                {
                    yield return Report(PathOf(service, "deploy", "placement", "constraints") + $"[{i}]", $"service {service.Name}: the engine refuses the constraint '{constraints[i]}': {problem}", subject: Service(service), value: constraints[i]);
                }
            }
        }
    }
}

/// <summary>ENG-009: secret and config mounts the engine accepts, and content it stores.</summary>
public sealed class EngineFileObjectRule : EngineRule
{
    public override RuleDescriptor Descriptor { get; } = Blocking(
        "ENG-009",
        "Secret and config mounts the engine accepts",
        why: "The engine refuses a service that mounts two secrets (or two configs) on the same target or one with an empty target, and refuses to create a secret or config from an empty file.",
        fix: "Give each mounted secret and config its own `target:`, and put content in the file (or declare it `external: true`).",
        source: "swarmkit controlapi validateSecretRefsSpec and validateConfigRefsSpec (\"have a conflicting target\"); ValidateSecretPayload (\"data must be larger than 0\").");

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var service in context.Spec.Services)
        {
            foreach (var (key, references) in new[] { ("secrets", service.Secrets), ("configs", service.Configs) })
            {
                if (references.Count == 0)
                {
                    continue;
                }

                var targets = new Dictionary<string, string>(StringComparer.Ordinal);
                for (var i = 0; i < references.Count; i++)
                {
                    var path = PathOf(service, key) + $"[{i}]";
                    var target = references[i].Target ?? references[i].Source;
                    if (target.Length == 0)
                    {
                        yield return Report(path, $"service {service.Name} mounts the {key.TrimEnd('s')} {references[i].Source} on an empty target", subject: Service(service), value: references[i].Source);
                    }
                    else if (!targets.TryAdd(target, references[i].Source))
                    {
                        yield return Report(path, $"service {service.Name} mounts the {key.TrimEnd('s')}s {targets[target]} and {references[i].Source} on the same target '{target}'", subject: Service(service), value: target);
                    }
                }
            }
        }

        foreach (var (section, item) in context.Spec.Secrets.Select(s => ("secrets", (FileObjectSpec)s)).Concat(context.Spec.Configs.Select(c => ("configs", (FileObjectSpec)c))))
        {
            if (!item.External && item.File is not null && context.Files?.Size(item.File) == 0)
            {
                yield return Report(Paths.Under(section, item.Key, "file"), $"{section.TrimEnd('s')} {item.Key}: the file {item.File} is empty, and the engine stores no empty {section.TrimEnd('s')}", subject: $"{section.TrimEnd('s')} {item.Key}", value: item.File);
            }
        }
    }
}

/// <summary>ENG-010: container settings the engine can start a task with.</summary>
public sealed class EngineContainerRule : EngineRule
{
    public override RuleDescriptor Descriptor { get; } = Blocking(
        "ENG-010",
        "Container settings the engine can start",
        why: "The engine creates the service, then rejects or fails every task: a relative working_dir, an unknown stop_signal, capability, or ulimit, a ulimit whose soft value exceeds its hard one, or a sysctl that is not namespaced (only kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*, net.* and kernel.domainname are). The service never runs.",
        fix: "Use an absolute working_dir, a signal such as SIGTERM, capabilities such as NET_ADMIN, ulimits such as nofile with soft <= hard, and only namespaced sysctls.",
        source: "the container executor and runc (\"the working directory is invalid\", \"Invalid signal\", \"unknown capability\", \"wrong rlimit value\", \"is not in a separate kernel namespace\").");

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var service in context.Spec.Services)
        {
            if (service.WorkingDir is { Length: > 0 } directory && !directory.StartsWith('/'))
            {
                yield return Report(PathOf(service, "working_dir"), $"service {service.Name}: working_dir '{directory}' is not an absolute path", subject: Service(service), value: directory);
            }

            if (service.StopSignal is { Length: > 0 } signal && !EngineLimits.IsSignal(signal))
            {
                yield return Report(PathOf(service, "stop_signal"), $"service {service.Name}: '{signal}' is not a signal", subject: Service(service), value: signal);
            }

            foreach (var (key, capabilities) in new[] { ("cap_add", service.CapAdd), ("cap_drop", service.CapDrop) })
            {
                foreach (var capability in capabilities.Where(c => !IsCapability(c)))
                {
                    yield return Report(PathOf(service, key), $"service {service.Name}: '{capability}' is not a Linux capability", subject: Service(service), value: capability);
                }
            }

            foreach (var limit in service.Ulimits)
            {
                if (!EngineLimits.Ulimits.Contains(limit.Name) || limit.Soft > limit.Hard)
                {
                    var why = EngineLimits.Ulimits.Contains(limit.Name) ? $"its soft value {limit.Soft} exceeds its hard value {limit.Hard}" : "it is not a resource limit Linux knows";
                    yield return Report(PathOf(service, "ulimits", limit.Name), $"service {service.Name}: the ulimit {limit.Name} fails every task: {why}", subject: Service(service), value: limit.Name);
                }
            }

            foreach (var (name, _) in service.Sysctls.Where(s => !EngineLimits.IsNamespacedSysctl(s.Key)))
            {
                yield return Report(PathOf(service, "sysctls", name), $"service {service.Name}: the sysctl {name} is not namespaced, so no container may set it", subject: Service(service), value: name);
            }
        }
    }

    private static bool IsCapability(string text)
    {
        var name = text.Trim().ToUpperInvariant();
        return name == "ALL" || EngineLimits.Capabilities.Contains(name.StartsWith("CAP_", StringComparison.Ordinal) ? name[4..] : name);
    }
}

/// <summary>ENG-011: network settings the engine accepts.</summary>
public sealed class EngineNetworkRule : EngineRule
{
    public override RuleDescriptor Descriptor { get; } = Blocking(
        "ENG-011",
        "Network settings the engine accepts",
        why: "The compose format takes any text as an IPAM subnet; the engine refuses to create a network whose subnet is not an address range in CIDR notation.",
        fix: "Write subnets as address/prefix, e.g. `subnet: 10.20.0.0/24`.",
        source: "libnetwork IPAM (\"invalid CIDR address\").");

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        var used = UsedNetworks(context.Spec);
        foreach (var network in context.Spec.Networks.Where(n => !n.External && used.Contains(n.Key)))
        {
            foreach (var subnet in network.Subnets.Where(s => !EngineLimits.IsCidr(s)))
            {
                yield return Report(Paths.Under("networks", network.Key, "ipam"), $"network {network.Key}: '{subnet}' is not a subnet in CIDR notation", subject: $"network {network.Key}", value: subnet);
            }
        }
    }
}
