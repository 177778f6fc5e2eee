using System.Globalization;
using Ward.Model.Compose;
using Ward.Model.Diagnostics;
using Ward.Model.Placement;
using Ward.Model.Placement.Capacity;
using Ward.Model.Placement.Simulation;
using Ward.Model.Spec;

namespace Ward.Rules.Rules;

/// <summary>PLC-001: application tasks stay off the manager.</summary>
public sealed class ManagerFreeRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "PLC-001",
        Title = "Keep the manager free of application tasks",
        Severity = Severity.Error,
        Why = "Managers run Raft and the orchestrator; when an application task starves one of CPU or memory, orchestration slows and the web services go down. (Staging reports this as a warning.)",
        Fix = "Add the constraint to every service:\n  deploy:\n    placement:\n      constraints: [ \"node.role != manager\" ]\nor drain the managers (availability: drain). Platform services that must run on the manager (the load balancer) carry the label ward.platform=true.",
        Source = "MedStack Go to Production (\"node.role != manager\"); Docker admin guide \"Run manager-only nodes\".",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        if (context.Managers.Count > 0 && context.Managers.All(m => m.Availability == NodeAvailability.Drain))
        {
            yield break;
        }

        var severity = context.IsProduction ? Severity.Error : Severity.Warning;
        foreach (var service in context.Spec.Services)
        {
            if (context.IsPlatformService(service) || context.ConstraintsOf(service).Any(c => c.ExcludesManagers))
            {
                continue;
            }

            var pinnedAway = context.Managers.Count > 0 && context.Managers.All(m => context.ConstraintsOf(service).Any(c => c.Matches(m) == false));
            if (pinnedAway)
            {
                continue;
            }

            yield return Report(
                PathOf(service, "deploy", "placement", "constraints"),
                $"service {service.Name} may run on the manager; add the constraint node.role != manager",
                severity,
                $"service {service.Name}");
        }
    }
}

/// <summary>PLC-002: stateful services are pinned to a node.</summary>
public sealed class StatefulPinRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "PLC-002",
        Title = "Pin stateful services with a node label",
        Severity = Severity.Error,
        Why = "Swarm has no persistent volume claims: a rescheduled task lands on any node and finds an empty local volume there, so the database appears to lose its data.",
        Fix = "Label the node that holds the data and pin the service to it:\n  x-ward.nodes: - { name: worker-1, labels: { database: \"true\" } }\n  deploy.placement.constraints: [ \"node.labels.database == true\" ]",
        Source = "MedStack placement constraints (\"we recommend using stringent placement constraints to pin stateful services\"); MedStack Go to Production.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context) => context.Spec.Services
        .Where(s => ServiceFacts.IsStateful(s, context.Spec) && !context.ConstraintsOf(s).Any(c => c.IsPin))
        .Select(s => Report(
            PathOf(s, "deploy", "placement", "constraints"),
            $"stateful service {s.Name} ({Why(s, context)}) is not pinned with node.labels.<name> == <value>, node.hostname or node.id",
            subject: $"service {s.Name}"));

    internal static string Why(ServiceSpec service, RuleContext context)
    {
        var volumes = ServiceFacts.NodeLocalVolumes(service, context.Spec).Select(m => m.Source).Distinct().ToList();
        return volumes.Count > 0 ? $"local volume {string.Join(", ", volumes)}" : "a database";
    }
}

/// <summary>PLC-003: a stateful service's constraints select exactly one node.</summary>
public sealed class StatefulSingleNodeRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "PLC-003",
        Title = "A stateful service's constraints match exactly one node",
        Severity = Severity.Error,
        Why = "With no matching node the task stays Pending forever (error). With several, Swarm may move the task to another matching node, which holds an empty copy of the volume (warning).",
        Fix = "Give exactly one node the label the service is pinned to (x-ward.nodes[].labels), or pin by node.hostname.",
        Source = "Docker services (\"If a volume ... doesn't exist when a task is scheduled to a particular host, then one is created\"; \"tasks will wait in Pending\").",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        if (context.Spec.Nodes.Count == 0)
        {
            yield break;
        }

        foreach (var service in context.Spec.Services.Where(s => Judges(s, context)))
        {
            var constraints = context.ConstraintsOf(service);
            var matching = context.EligibleNodes(service);
            if (matching.Count == 1)
            {
                continue;
            }

            var path = PathOf(service, "deploy", "placement", "constraints");
            yield return matching.Count == 0
                ? Report(path, $"no active node matches the constraints of stateful service {service.Name} ({string.Join(" and ", constraints)}); its task would stay Pending", subject: $"service {service.Name}")
                : Report(path, $"{matching.Count} nodes match stateful service {service.Name} ({string.Join(", ", matching.Select(n => n.Name))}); its task may move to one with an empty volume", Severity.Warning, $"service {service.Name}");
        }
    }

    /// <summary>
    /// Whether this rule decides where the service may run: it keeps data on a node-local volume and is pinned by
    /// constraints the file can evaluate. PLC-004 leaves an empty match of such a service to this rule.
    /// </summary>
    internal static bool Judges(ServiceSpec service, RuleContext context)
    {
        var constraints = context.ConstraintsOf(service);
        return context.Spec.Nodes.Count > 0 &&
               ServiceFacts.NodeLocalVolumes(service, context.Spec).Count > 0 &&
               constraints.Any(c => c.IsPin) &&
               constraints.All(c => c.Matches(context.Spec.Nodes[0]) is not null);
    }
}

/// <summary>PLC-004: constraints are well-formed and can be satisfied.</summary>
public sealed class ConstraintSyntaxRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "PLC-004",
        Title = "Placement constraints are valid and satisfiable",
        Severity = Severity.Error,
        Why = "A typo in a constraint's attribute, operator or role silently makes a service unschedulable: Swarm accepts the service and leaves its tasks Pending.",
        Fix = "Write constraints as `attribute == value` or `attribute != value` with node.id, node.hostname, node.role (manager or worker), node.platform.os/arch, node.labels.<name> or engine.labels.<name>, and make sure some node in x-ward.nodes satisfies all of them.",
        Source = "Docker services (\"The --constraint flag uses an equality operator (== or !=)\"; \"Be careful not to use settings that are not possible to fulfill\"); Compose v3 placement.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var service in context.Spec.Services)
        {
            var constraints = service.Deploy.Placement.Constraints;
            var valid = true;
            for (var i = 0; i < constraints.Count; i++)
            {
                if (EngineLimits.ConstraintProblem(constraints[i]) is not null)
                {
                    // ENG-008 reports what the engine refuses outright; this rule what it accepts and never satisfies.
                    valid = false;
                }
                else if (!Constraint.TryParse(constraints[i], out _, out var error))
                {
                    valid = false;
                    yield return Report(PathOf(service, "deploy", "placement", "constraints") + $"[{i}]", $"service {service.Name}: {error}", subject: $"service {service.Name}", value: constraints[i]);
                }
            }

            // PLC-003 reports an empty match of a pinned service with a local volume, as an error of its own.
            if (valid && constraints.Count > 0 && context.Spec.Nodes.Count > 0 && context.EligibleNodes(service).Count == 0 &&
                !StatefulSingleNodeRule.Judges(service, context))
            {
                yield return Report(PathOf(service, "deploy", "placement", "constraints"), $"no active node satisfies the constraints of service {service.Name} ({string.Join(" and ", constraints)}); its tasks would stay Pending", subject: $"service {service.Name}");
            }
        }
    }
}

/// <summary>PLC-005: replicas are spread over nodes.</summary>
public sealed class ReplicaSpreadRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "PLC-005",
        Title = "Replicas are spread over nodes",
        Severity = Severity.Warning,
        Why = "Without a spread rule the scheduler may put every replica on one node, and that node's failure takes the whole service down.",
        Fix = "Set `deploy.placement.max_replicas_per_node: 1` (compose 3.8+), or a spread preference: `preferences: [ { spread: node.labels.zone } ]` with the label on every eligible node.",
        Source = "Docker services \"Placement preferences\"; Compose v3 max_replicas_per_node (3.8+); kube-score deployment-has-host-podantiaffinity; Polaris topologySpreadConstraint.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var service in context.Spec.Services.Where(s => s.Deploy.Mode == ServiceMode.Replicated && s.Deploy.EffectiveReplicas >= 2))
        {
            var placement = service.Deploy.Placement;
            var hostPorts = service.Ports.Any(p => p.Mode == "host" && p.Published is not null);
            if (placement.MaxReplicasPerNode is not null || hostPorts)
            {
                continue;
            }

            if (placement.Spread.Count == 0)
            {
                yield return Report(PathOf(service, "deploy", "placement"), $"service {service.Name} runs {service.Deploy.EffectiveReplicas} replicas with no spread rule; they may all land on one node", subject: $"service {service.Name}");
                continue;
            }

            foreach (var spread in placement.Spread.Where(s => s.StartsWith("node.labels.", StringComparison.Ordinal)))
            {
                var label = spread["node.labels.".Length..];
                var missing = context.EligibleNodes(service).Where(n => !n.Labels.ContainsKey(label)).Select(n => n.Name).ToList();
                if (missing.Count > 0)
                {
                    yield return Report(PathOf(service, "deploy", "placement", "preferences"), $"service {service.Name} spreads by {spread}, but {string.Join(", ", missing)} lack the label and form one extra group", Severity.Info, $"service {service.Name}");
                }
            }
        }
    }
}

/// <summary>PLC-006: the replicas can all be placed.</summary>
public sealed class ReplicaFeasibilityRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "PLC-006",
        Title = "Every replica can be placed",
        Severity = Severity.Error,
        Why = "Swarm leaves tasks Pending with \"no suitable node (max replicas per node limit exceed)\" when replicas exceed eligible nodes × max_replicas_per_node; a host-mode published port allows one task per node. A start-first update starts each new task beside the old one, so it needs that much more room: without it the update waits for a free node forever.",
        Fix = "Lower `replicas`, raise `max_replicas_per_node`, add eligible nodes, or publish in ingress mode (behind the load balancer) instead of host mode; for a start-first update without room, use `update_config.order: stop-first` (another replica keeps serving).",
        Source = "Compose v3 max_replicas_per_node; Docker services (host mode \"you can only run one task for that service on a given swarm node\").",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        if (context.Spec.Nodes.Count == 0)
        {
            yield break;
        }

        foreach (var service in context.Spec.Services.Where(s => s.Deploy.Mode == ServiceMode.Replicated))
        {
            var replicas = service.Deploy.EffectiveReplicas;
            var eligible = context.EligibleNodes(service).Count;
            var perNode = service.Deploy.Placement.MaxReplicasPerNode is { } max and > 0 ? max : int.MaxValue;
            if (service.Ports.Any(p => p.Mode == "host" && p.Published is not null))
            {
                perNode = Math.Min(perNode, 1);
            }

            if (eligible == 0 || perNode == int.MaxValue)
            {
                continue;
            }

            var room = (long)eligible * perNode;
            var why = perNode == 1 && service.Deploy.Placement.MaxReplicasPerNode is not 1 ? "a host-mode published port allows one per node" : $"max_replicas_per_node is {perNode}";
            if (room < replicas)
            {
                yield return Report(
                    PathOf(service, "deploy", "replicas"),
                    $"service {service.Name} wants {replicas} replicas but {eligible} eligible node(s) hold at most {room} ({why})",
                    subject: $"service {service.Name}",
                    value: $"replicas: {replicas}");
            }
            else if (service.Deploy.UpdateConfig is { Order: "start-first" } update && replicas > 0 && room < replicas + StartedAtOnce(update, replicas))
            {
                yield return Report(
                    PathOf(service, "deploy", "update_config", "order"),
                    $"service {service.Name} updates start-first, so an update runs {replicas + StartedAtOnce(update, replicas)} tasks at once, but {eligible} eligible node(s) hold at most {room} ({why}): every update would wait for a free node forever",
                    subject: $"service {service.Name}",
                    value: "order: start-first");
            }
        }
    }

    /// <summary>How many new tasks a start-first update starts before stopping old ones: its parallelism (0: all).</summary>
    private static long StartedAtOnce(UpdateConfigSpec update, long replicas) => update.Parallelism is { } parallelism and > 0 ? Math.Min(parallelism, replicas) : replicas;
}

/// <summary>PLC-007: reservations fit on some eligible node.</summary>
public sealed class ReservationFitRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "PLC-007",
        Title = "Reservations fit on an eligible node",
        Severity = Severity.Error,
        Why = "A task whose CPU or memory reservation exceeds every eligible node's capacity stays Pending forever.",
        Fix = "Lower deploy.resources.reservations, or make a larger node eligible (size in x-ward.nodes, or the service's constraints).",
        Source = "Docker services \"Reserve memory or CPUs for a service\"; MedStack node sizes.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        // Services share a few sets of eligible nodes (see RuleContext.EligibleNodes): their sizes are looked up once per set.
        var sizesOf = new Dictionary<IReadOnlyList<NodeSpec>, List<Model.Catalog.NodeSize>?>(ReferenceEqualityComparer.Instance);
        foreach (var service in context.Spec.Services)
        {
            if (service.Deploy.Resources.Reservations is not { } reservation || context.Spec.Nodes.Count == 0)
            {
                continue;
            }

            var eligible = context.EligibleNodes(service);
            if (!sizesOf.TryGetValue(eligible, out var sizes))
            {
                sizes = sizesOf[eligible] = KnownSizes(eligible, context);
            }

            if (sizes is null)
            {
                continue;
            }

            var fits = sizes.Any(s => (reservation.Cpus ?? 0) <= s.Vcpu && (reservation.MemoryBytes ?? 0) <= s.MemoryBytes);
            if (!fits)
            {
                var largest = sizes.MaxBy(s => s.MemoryBytes)!;
                var wanted = $"{(reservation.Cpus ?? 0).ToString("0.##", CultureInfo.InvariantCulture)} CPU, {ByteSize.Format(reservation.MemoryBytes ?? 0)}";
                yield return Report(
                    PathOf(service, "deploy", "resources", "reservations"),
                    $"service {service.Name} reserves {wanted}, more than any eligible node has (largest: {largest.Name}, {largest.Vcpu:0.#} CPU, {largest.MemoryGb:0.#} GB)",
                    subject: $"service {service.Name}",
                    value: wanted);
            }
        }
    }

    /// <summary>The distinct sizes of the nodes; null when there are none, or when one node's size is not in the catalog.</summary>
    private static List<Model.Catalog.NodeSize>? KnownSizes(IReadOnlyList<NodeSpec> nodes, RuleContext context)
    {
        var sizes = new List<Model.Catalog.NodeSize>();
        foreach (var node in nodes)
        {
            if (context.Catalog.FindSize(node.Size) is not { } size)
            {
                return null;
            }

            if (!sizes.Contains(size))
            {
                sizes.Add(size);
            }
        }

        return sizes.Count == 0 ? null : sizes;
    }
}

/// <summary>PLC-008: every task finds a node when the file is applied.</summary>
public sealed class PendingAtApplyRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "PLC-008",
        Title = "Every task finds a node at apply time",
        Severity = Severity.Error,
        Why = "A task no node can take stays Pending: the apply creates the services, waits, and fails when Swarm gives up placing the task. Ward places the file's services on its nodes as Swarm's scheduler would, with reservations adding up over services and host-mode ports and max_replicas_per_node counted per node, and reports what would not fit before anything is created. (A service that fits nowhere even alone is reported by PLC-003, PLC-004, PLC-006 or PLC-007 instead.)",
        Fix = "Add a worker or use larger sizes (the finding names the smallest change that is enough), lower the reservations, or relax the constraint or limit it names. `ward plan --capacity FILE` shows where every task lands.",
        Source = "Docker services (\"the service remains in a pending state until an appropriate node is available\"); SwarmKit's scheduler (manager/scheduler), simulated as docs/reference/placement.md describes.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        if (context.Placement is not { } placement)
        {
            yield break;
        }

        Scheduler? scheduler = null;
        foreach (var placed in placement.Services.Where(s => s.Pending > 0))
        {
            if (context.Spec.FindService(placed.Name) is not { } service)
            {
                // A service Ward adds for a database (its own, or its backup repository): reported at the database.
                var index = context.Spec.Databases.ToList().FindIndex(d => placed.Name == d.Name || placed.Name == d.RepositoryService);
                yield return Report(
                    Paths.Ward("databases", Math.Max(0, index)),
                    $"{placed.Name}, which Ward adds for database {context.Spec.Databases[Math.Max(0, index)].Name}: {placed.Pending} of {placed.Desired} tasks would stay pending at apply time: {placed.Reason}",
                    subject: $"service {placed.Name}",
                    value: $"{placed.Pending} pending");
                continue;
            }

            if (placed.Pending <= ReportedByOtherRules(context, service))
            {
                continue;
            }

            scheduler ??= context.PlacedScheduler()!;
            var fix = FixFinder.Find(scheduler, context.Catalog, [placed.Name]);
            var remedy = fix is null ? "" : $"; {fix.Advice}";
            yield return Report(
                PathOf(service, "deploy"),
                $"service {service.Name}: {placed.Pending} of {placed.Desired} tasks would stay pending at apply time: {placed.Reason}{remedy}",
                subject: $"service {service.Name}",
                value: $"{placed.Pending} pending");
        }
    }

    /// <summary>How many of the service's tasks a rule about the service alone already reports as unplaceable.</summary>
    private static int ReportedByOtherRules(RuleContext context, ServiceSpec service)
    {
        var eligible = context.EligibleNodes(service);
        var replicas = service.Deploy.Mode == ServiceMode.Global ? eligible.Count : service.Deploy.EffectiveReplicas;
        if (eligible.Count == 0 || !ReservationFitsSomewhere(context, service, eligible))
        {
            // PLC-003 or PLC-004 (no node at all), PLC-007 (no node large enough).
            return int.MaxValue;
        }

        var perNode = service.Deploy.Placement.MaxReplicasPerNode is { } max and > 0 ? max : int.MaxValue;
        if (service.Ports.Any(p => p.Mode == "host" && p.Published is not null))
        {
            perNode = Math.Min(perNode, 1);
        }

        // PLC-006: more replicas than the eligible nodes hold one per node (or max per node).
        return service.Deploy.Mode == ServiceMode.Replicated && perNode != int.MaxValue ? (int)Math.Max(0, replicas - ((long)eligible.Count * perNode)) : 0;
    }

    private static bool ReservationFitsSomewhere(RuleContext context, ServiceSpec service, IReadOnlyList<NodeSpec> eligible)
    {
        var reservation = service.Deploy.Resources.Reservations;
        return eligible.Any(n => context.Catalog.FindSize(n.Size) is { } size &&
                                 (reservation?.Cpus ?? 0) <= size.Vcpu && (reservation?.MemoryBytes ?? 0) <= size.MemoryBytes);
    }
}
