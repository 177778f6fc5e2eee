using Ward.Model.Compose;
using Ward.Model.Diagnostics;
using Ward.Model.Spec;

namespace Ward.Rules.Rules;

/// <summary>REL-001: stateless services run at least two replicas.</summary>
public sealed class ReplicaCountRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "REL-001",
        Title = "Stateless services run at least two replicas",
        Severity = Severity.Warning,
        Why = "One replica means downtime whenever its node fails or the service updates.",
        Fix = "Set `deploy.replicas: 2` or more (stateful services are exempt: see REL-006).",
        Source = "Polaris deploymentMissingReplicas (minimum 2); kube-score deployment-replicas.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context) => context.Spec.Services
        .Where(s => s.Deploy.Mode == ServiceMode.Replicated && !ServiceFacts.IsStateful(s, context.Spec) && s.Deploy.EffectiveReplicas < context.Options.MinimumReplicas)
        .Select(s => Report(
            PathOf(s, "deploy", "replicas"),
            $"service {s.Name} runs {s.Deploy.EffectiveReplicas} replica{(s.Deploy.Replicas is null ? " (replicas not set)" : "")}; at least {context.Options.MinimumReplicas} keep it up through a node loss or an update",
            subject: $"service {s.Name}",
            value: $"replicas: {s.Deploy.EffectiveReplicas}"));
}

/// <summary>REL-002: every service has an enabled healthcheck.</summary>
public sealed class HealthcheckRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "REL-002",
        Title = "Services have a healthcheck",
        Severity = Severity.Warning,
        Why = "Swarm's rolling updates, rollbacks and restarts rely on health: without a check, a task that started but does not serve counts as running.",
        Fix = "Add a healthcheck, e.g.\n  healthcheck:\n    test: [\"CMD\", \"wget\", \"-q\", \"-O-\", \"http://localhost:8080/health\"]\n    interval: 10s\n    timeout: 3s\n    retries: 3\n    start_period: 20s\n(Ward cannot see a HEALTHCHECK in the image until it is connected to a cluster.)",
        Source = "KICS healthcheck_not_set; CIS Docker Benchmark 4.6, 5.27; hadolint DL3057; Checkov CKV_DOCKER_2.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var service in context.Spec.Services)
        {
            var check = service.Healthcheck;
            if (check is null || check.Disabled)
            {
                yield return Report(PathOf(service, "healthcheck"), $"service {service.Name} has {(check is null ? "no healthcheck" : "its healthcheck disabled")}", subject: $"service {service.Name}");
                continue;
            }

            if (check.Timeout is { } timeout && check.Interval is { } interval && timeout >= interval)
            {
                yield return Report(PathOf(service, "healthcheck", "timeout"), $"service {service.Name}: healthcheck timeout {GoDuration.Format(timeout)} is not shorter than its interval {GoDuration.Format(interval)}", Severity.Info, $"service {service.Name}");
            }

            if (check.Retries is 0)
            {
                yield return Report(PathOf(service, "healthcheck", "retries"), $"service {service.Name}: healthcheck retries is 0, so one slow answer marks the task unhealthy", Severity.Info, $"service {service.Name}");
            }

            // Databases are the slow starters: recovery and migrations at start must not count as failed checks.
            if (check.StartPeriod is null && ServiceFacts.IsDatabaseLike(service, context.Spec))
            {
                yield return Report(PathOf(service, "healthcheck", "start_period"), $"database service {service.Name} starts slowly but its healthcheck sets no start_period, so checks failing while it starts count against it", Severity.Info, $"service {service.Name}");
            }
        }
    }
}

/// <summary>REL-003: restart policies give up eventually.</summary>
public sealed class RestartPolicyRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "REL-003",
        Title = "Restart policy is bounded",
        Severity = Severity.Warning,
        Why = "The default restart policy is \"any\" and never gives up, so a broken release crash-loops forever and hides the failure. (The top-level `restart:` key is ignored by stacks.)",
        Fix = "Set\n  deploy:\n    restart_policy: { condition: on-failure, delay: 5s, max_attempts: 5, window: 120s }",
        Source = "Compose v3 restart_policy (defaults any / never give up); CIS Docker Benchmark 5.15; KICS restart_policy_on_failure_not_set_to_5.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var service in context.Spec.Services)
        {
            var policy = service.Deploy.RestartPolicy;
            var problems = new List<string>();
            if (policy is null)
            {
                problems.Add("no restart_policy (the default restarts forever)");
            }
            else
            {
                if (policy.Condition is not ("on-failure" or "any"))
                {
                    problems.Add(policy.Condition is null ? "no condition" : $"condition '{policy.Condition}' (use on-failure or any)");
                }

                if (policy.MaxAttempts is null or 0)
                {
                    problems.Add("no max_attempts (it never gives up)");
                }

                if (policy.Window is null)
                {
                    problems.Add("no window");
                }
            }

            if (problems.Count > 0)
            {
                yield return Report(PathOf(service, "deploy", "restart_policy"), $"service {service.Name}: {string.Join(", ", problems)}", subject: $"service {service.Name}");
            }
        }
    }
}

/// <summary>REL-004: updates roll out carefully and stop on failure.</summary>
public sealed class UpdateConfigRule : Rule
{
    // Swarm's defaults when a healthcheck leaves them unset.
    private static readonly TimeSpan DefaultMonitor = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(30);
    private const long DefaultRetries = 3;

    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "REL-004",
        Title = "Updates are safe",
        Severity = Severity.Warning,
        Why = "A bad image must not roll out to every replica: an update needs a failure action that stops it (rollback or pause), a parallelism below the replica count and a delay. A task failing after the monitor window does not count towards the failure ratio, so the monitor must outlast the healthcheck's verdict.",
        Fix = "Set\n  deploy:\n    update_config: { parallelism: 1, delay: 10s, failure_action: rollback, monitor: 60s, order: start-first }\n    rollback_config: { parallelism: 1, order: stop-first }",
        Source = "Docker services \"Configure a service's update behavior\" and \"Automatically roll back if an update fails\"; Compose v3 update_config/rollback_config; kube-score deployment-strategy.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var service in context.Spec.Services)
        {
            var update = service.Deploy.UpdateConfig;
            var subject = $"service {service.Name}";
            if (update is null)
            {
                yield return Report(PathOf(service, "deploy", "update_config"), $"service {service.Name} has no update_config: updates use Swarm's defaults (no delay, no monitoring window)", subject: subject);
                continue;
            }

            var problems = new List<string>();
            if (update.FailureAction is "continue")
            {
                problems.Add("failure_action continue rolls a failing image out everywhere");
            }

            // docker stack deploy sends parallelism 1 when the file leaves it unset; 0 means all at once.
            var replicas = service.Deploy.EffectiveReplicas;
            var parallelism = update.Parallelism ?? 1;
            if (service.Deploy.Mode == ServiceMode.Replicated && replicas > 1 && (parallelism == 0 || parallelism >= replicas))
            {
                problems.Add($"parallelism {(parallelism == 0 ? "0 (unlimited)" : $"{parallelism}")} updates all {replicas} replicas at once");
            }

            if (update.Delay is null)
            {
                problems.Add("no delay between batches");
            }

            if (problems.Count > 0)
            {
                yield return Report(PathOf(service, "deploy", "update_config"), $"service {service.Name}: {string.Join("; ", problems)}", subject: subject);
            }

            if (update.FailureAction is "rollback" && service.Deploy.RollbackConfig is null)
            {
                yield return Report(PathOf(service, "deploy", "rollback_config"), $"service {service.Name} rolls back on failure but has no rollback_config (Swarm then rolls back all replicas at once)", Severity.Info, subject);
            }

            if (service.HasEnabledHealthcheck)
            {
                var verdict = Verdict(service.Healthcheck!);
                var monitor = update.Monitor ?? DefaultMonitor;
                if (monitor < verdict)
                {
                    yield return Report(
                        PathOf(service, "deploy", "update_config", "monitor"),
                        $"service {service.Name}: update monitor {GoDuration.Format(monitor)} ends before the healthcheck can fail a task ({GoDuration.Format(verdict)} = start_period + interval × retries), so unhealthy updates pass",
                        subject: subject,
                        value: $"monitor: {GoDuration.Format(monitor)}");
                }
            }
        }
    }

    /// <summary>
    /// How long the healthcheck takes to fail a task: start_period + interval × retries. Saturates rather than
    /// overflowing, since a file may write a 290-year interval (Go's longest duration) and a million retries.
    /// </summary>
    private static TimeSpan Verdict(HealthcheckSpec check)
    {
        var ticks = (check.StartPeriod ?? TimeSpan.Zero).Ticks + ((double)(check.Interval ?? DefaultInterval).Ticks * (check.Retries ?? DefaultRetries));
        return ticks >= long.MaxValue ? TimeSpan.MaxValue : ticks <= long.MinValue ? TimeSpan.MinValue : new TimeSpan((long)ticks);
    }
}

/// <summary>REL-005: the update order suits the workload.</summary>
public sealed class UpdateOrderRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "REL-005",
        Title = "Update order fits the workload",
        Severity = Severity.Warning,
        Why = "start-first briefly runs old and new tasks together: on a database that means two writers on one volume, and with a host-mode port the new task cannot bind. stop-first on a single replica means downtime at every update.",
        Fix = "Stateful, volume-pinned or host-port services: `update_config.order: stop-first`. Single-replica stateless services: `order: start-first`.",
        Source = "Compose v3 update_config.order (\"the running tasks briefly overlap\"; default stop-first); docker/cli issue 346.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var service in context.Spec.Services)
        {
            var order = service.Deploy.UpdateConfig?.Order;
            var exclusive = ServiceFacts.IsStateful(service, context.Spec) || service.Ports.Any(p => p.Mode == "host" && p.Published is not null);
            if (exclusive && order == "start-first")
            {
                yield return Report(PathOf(service, "deploy", "update_config", "order"), $"service {service.Name} keeps state or a host port but updates start-first: old and new tasks overlap", subject: $"service {service.Name}", value: "order: start-first");
            }
            else if (!exclusive && service.Deploy.Mode == ServiceMode.Replicated && service.Deploy.EffectiveReplicas == 1 && order != "start-first")
            {
                yield return Report(PathOf(service, "deploy", "update_config", "order"), $"service {service.Name} has one replica and updates stop-first: it is down during every update", Severity.Info, $"service {service.Name}", $"order: {order ?? "stop-first (default)"}");
            }
        }
    }
}

/// <summary>REL-006: one writer per node-local volume.</summary>
public sealed class SingleWriterRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "REL-006",
        Title = "One task per node-local volume",
        Severity = Severity.Error,
        Why = "Each task of a replicated or global service gets its own local volume on whatever node it lands: two replicas mean two diverging copies of the data, or two writers on one.",
        Fix = "Run stateful services with `replicas: 1` (mode replicated), or use a volume driver that shares data between nodes and say so with `driver:`.",
        Source = "Docker services \"Data volumes\" (volumes are per host, created on demand); KICS shared_volumes_between_containers.",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        foreach (var service in context.Spec.Services)
        {
            var volumes = ServiceFacts.NodeLocalVolumes(service, context.Spec).Select(m => m.Source).Distinct().ToList();
            if (volumes.Count == 0)
            {
                continue;
            }

            if (service.Deploy.Mode == ServiceMode.Global)
            {
                yield return Report(PathOf(service, "deploy", "mode"), $"global service {service.Name} writes to local volume {string.Join(", ", volumes)} on every node", subject: $"service {service.Name}", value: "mode: global");
            }
            else if (service.Deploy.EffectiveReplicas > 1)
            {
                yield return Report(PathOf(service, "deploy", "replicas"), $"service {service.Name} runs {service.Deploy.EffectiveReplicas} replicas on local volume {string.Join(", ", volumes)}", subject: $"service {service.Name}", value: $"replicas: {service.Deploy.EffectiveReplicas}");
            }
        }
    }
}
