using System.Globalization;
using Ward.Model.Compose;
using Ward.Model.Diagnostics;

namespace Ward.Rules.Rules;

/// <summary>RES-001: a memory limit on every service.</summary>
public sealed class MemoryLimitRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "RES-001",
        Title = "Memory limit is set",
        Severity = Severity.Warning,
        Why = "Without a limit one leaking service can trigger the kernel's OOM killer on a shared node, including the manager.",
        Fix = "Set `deploy.resources.limits.memory`, e.g. \"512M\".",
        Source = "KICS memory_not_limited; CIS Docker Benchmark 5.11; Polaris memoryLimitsMissing; kube-score container-resources.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context) => context.Spec.Services
        .Where(s => s.Deploy.Resources.Limits?.MemoryBytes is null)
        .Select(s => Report(PathOf(s, "deploy", "resources", "limits", "memory"), $"service {s.Name} has no memory limit", subject: $"service {s.Name}"));
}

/// <summary>RES-002: a CPU limit on every service.</summary>
public sealed class CpuLimitRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "RES-002",
        Title = "CPU limit is set",
        Severity = Severity.Info,
        Why = "A CPU limit keeps one busy service from slowing its neighbours. Opinions differ (limits can throttle bursts), so this is information.",
        Fix = "Set `deploy.resources.limits.cpus`, e.g. \"1.0\".",
        Source = "KICS cpus_not_limited; CIS Docker Benchmark 5.12; Polaris cpuLimitsMissing.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context) => context.Spec.Services
        .Where(s => s.Deploy.Resources.Limits?.Cpus is null)
        .Select(s => Report(PathOf(s, "deploy", "resources", "limits", "cpus"), $"service {s.Name} has no CPU limit", subject: $"service {s.Name}"));
}

/// <summary>RES-003: reservations set and within limits.</summary>
public sealed class ReservationRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "RES-003",
        Title = "Reservations are set and within limits",
        Severity = Severity.Warning,
        Why = "The scheduler can only pack nodes, keep the manager safe and answer \"what if a node fails\" (NODE-007, PLC-007) when services reserve what they need. A reservation above its limit can never be used.",
        Fix = "Set `deploy.resources.reservations` with cpus and memory, each no more than the matching limit.",
        Source = "Polaris memoryRequestsMissing/cpuRequestsMissing; Docker admin guide (resource constraints protect managers); Docker services.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var service in context.Spec.Services)
        {
            var reservation = service.Deploy.Resources.Reservations;
            var limits = service.Deploy.Resources.Limits;
            var path = PathOf(service, "deploy", "resources", "reservations");
            if (reservation?.MemoryBytes is null || reservation.Cpus is null)
            {
                var missing = string.Join(" and ", new[] { reservation?.Cpus is null ? "cpus" : null, reservation?.MemoryBytes is null ? "memory" : null }.OfType<string>());
                yield return Report(path, $"service {service.Name} reserves no {missing}", subject: $"service {service.Name}");
                continue;
            }

            if (limits?.MemoryBytes is { } memoryLimit && reservation.MemoryBytes > memoryLimit)
            {
                yield return Report(path + ".memory", $"service {service.Name} reserves {ByteSize.Format(reservation.MemoryBytes.Value)} of memory but is limited to {ByteSize.Format(memoryLimit)}", subject: $"service {service.Name}");
            }

            if (limits?.Cpus is { } cpuLimit && reservation.Cpus > cpuLimit)
            {
                yield return Report(path + ".cpus", $"service {service.Name} reserves {reservation.Cpus} CPU but is limited to {cpuLimit}", subject: $"service {service.Name}");
            }
        }
    }
}

/// <summary>RES-004: a process limit.</summary>
public sealed class PidsLimitRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "RES-004",
        Title = "Process limit is set",
        Severity = Severity.Info,
        Why = "A limit on processes stops a fork bomb from exhausting the node.",
        Fix = "Set `deploy.resources.limits.pids` (compose 3.9+), e.g. 200.",
        Source = "CIS Docker Benchmark 5.29; KICS pids_limit_not_set.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context) => context.Spec.Services
        .Where(s => s.Deploy.Resources.Limits?.Pids is not > 0)
        .Select(s => Report(PathOf(s, "deploy", "resources", "limits", "pids"), $"service {s.Name} has no process limit", subject: $"service {s.Name}"));
}

/// <summary>RES-005: the tasks Swarm would put on a node leave it some of its CPU and memory.</summary>
public sealed class NodeOvercommitRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "RES-005",
        Title = "Reservations do not overcommit a node",
        Severity = Severity.Warning,
        Why = "Swarm lets tasks reserve a node's CPU and memory up to what its engine reports, but the catalog's sizes are the machine's nominal ones: the kernel, the engine and, on a manager, Raft keep part of them. A node whose tasks reserve nearly all of it is overcommitted in fact: on the real machine the last tasks stay Pending, or starve the node when they use what they reserved. Ward places the file's services as Swarm's scheduler would and sums what lands on each node.",
        Fix = "Spread the load over more or larger workers, or lower the reservations, so that each node keeps some of its CPU and memory unreserved (10% by default). `ward plan --capacity FILE` shows each node's reservations against its size.",
        Source = "Docker \"Resource constraints\" (reservations are soft limits the scheduler honours); Azure VM sizes (the memory a guest OS reports is below the nominal size); SwarmKit's scheduler, simulated as docs/reference/placement.md describes.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        if (context.Placement is not { } placement)
        {
            yield break;
        }

        var limit = 1 - (context.Options.NodeHeadroomPercent / 100.0);
        for (var i = 0; i < placement.Nodes.Count; i++)
        {
            var node = placement.Nodes[i];
            if (node.CpuShare <= limit && node.MemoryShare <= limit)
            {
                continue;
            }

            var spec = context.Spec.Nodes[i];
            var cpu = string.Create(CultureInfo.InvariantCulture, $"{node.ReservedNanoCpus / 1e9:0.##} of {node.Node.NanoCpus / 1e9:0.##} CPU ({node.CpuShare * 100:0}%)");
            var memory = string.Create(CultureInfo.InvariantCulture, $"{ByteSize.Format(node.ReservedMemoryBytes)} of {ByteSize.Format(node.Node.MemoryBytes)} memory ({node.MemoryShare * 100:0}%)");
            yield return Report(
                NodePaths.Of(context, spec),
                $"{(node.Node.IsManager ? "manager" : "worker")} {NodePaths.Describe(context, spec)}: its tasks ({string.Join(", ", node.Tasks.Select(t => t.Count == 1 ? t.Service : $"{t.Service} x{t.Count}"))}) reserve {cpu} and {memory}; keep at least {context.Options.NodeHeadroomPercent}% of each unreserved",
                subject: $"node {spec.Name}",
                value: string.Create(CultureInfo.InvariantCulture, $"{Math.Max(node.CpuShare, node.MemoryShare) * 100:0}% reserved"));
        }
    }
}
