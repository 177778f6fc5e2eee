using Ward.Model.Diagnostics;

namespace Ward.Rules.Rules;

/// <summary>CSEC-001: no dangerous capabilities.</summary>
public sealed class CapabilitiesRule : Rule
{
    private static readonly string[] Dangerous = ["ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "DAC_READ_SEARCH"];

    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "CSEC-001",
        Title = "No dangerous capabilities",
        Severity = Severity.Error,
        Why = "ALL, SYS_ADMIN, NET_ADMIN, SYS_PTRACE, SYS_MODULE and DAC_READ_SEARCH are privilege-escalation paths out of the container. Swarm honours cap_add and cap_drop.",
        Fix = "Remove the capability; start from `cap_drop: [ALL]` and add back only what the process needs (e.g. NET_BIND_SERVICE).",
        Source = "CIS Docker Benchmark 5.4; docker-bench community checks C.5.3; KICS container_capabilities_unrestricted; Polaris dangerousCapabilities.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var service in context.Spec.Services)
        {
            var added = service.CapAdd.Select(c => c.ToUpperInvariant().Replace("CAP_", "", StringComparison.Ordinal)).ToList();
            for (var i = 0; i < added.Count; i++)
            {
                // Each at its own place in the list, so a waiver can accept one capability and not the others.
                if (Dangerous.Contains(added[i]))
                {
                    yield return Report(PathOf(service, "cap_add") + $"[{i}]", $"service {service.Name} adds the capability {added[i]}", subject: $"service {service.Name}", value: added[i]);
                }
            }

            if (added.Count > 0 && !service.CapDrop.Any(c => c.Equals("ALL", StringComparison.OrdinalIgnoreCase)))
            {
                yield return Report(PathOf(service, "cap_drop"), $"service {service.Name} adds capabilities without dropping the rest (cap_drop: [ALL])", Severity.Info, $"service {service.Name}");
            }
        }
    }
}

/// <summary>CSEC-002: read-only root filesystems.</summary>
public sealed class ReadOnlyRootRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "CSEC-002",
        Title = "Read-only root filesystem",
        Severity = Severity.Info,
        Why = "A read-only root filesystem stops an intruder from changing the container's binaries and makes writes go to known places.",
        Fix = "Set `read_only: true` and mount volumes or tmpfs (type: tmpfs) where the process writes.",
        Source = "CIS Docker Benchmark 5.13; Polaris notReadOnlyRootFilesystem; swarmkit ContainerSpec read_only.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context) => context.Spec.Services
        .Where(s => s.ReadOnly != true)
        .Select(s => Report(PathOf(s, "read_only"), $"service {s.Name} can write to its root filesystem", subject: $"service {s.Name}"));
}

/// <summary>CSEC-003: no service joins the host network.</summary>
public sealed class HostNetworkRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "CSEC-003",
        Title = "No service on the host network",
        Severity = Severity.Error,
        Why = "The host network removes network isolation: the container sees and binds every interface of the node. (network_mode: host is ignored by stacks; see CMP-001.)",
        Fix = "Attach the service to an overlay network and publish only the ports it serves.",
        Source = "CIS Docker Benchmark 5.10; Polaris hostNetworkSet; KICS shared_host_network_namespace.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var service in context.Spec.Services)
        {
            if (ServiceFacts.HostNetworkOf(service, context.Spec) is { } network)
            {
                yield return Report(PathOf(service, "networks"), $"service {service.Name} joins the host network ({network.Name})", subject: $"service {service.Name}", value: network.Name);
            }
        }
    }
}
