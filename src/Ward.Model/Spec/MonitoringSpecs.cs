namespace Ward.Model.Spec;

/// <summary>
/// Metrics for the environment, from <c>x-ward.monitoring</c>: Ward adds a collector on every node and Prometheus on
/// one worker (never the manager), whose data stays on a volume of that worker.
/// </summary>
public sealed record MonitoringSpec
{
    /// <summary>The worker (a name of x-ward.nodes) that keeps Prometheus and its data; null: the file's first worker.</summary>
    public string? Node { get; init; }

    /// <summary>How long samples are kept.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(15);

    /// <summary>The most disk the samples may take, in bytes; the oldest go first (null: no limit but the retention).</summary>
    public long? RetentionBytes { get; init; }

    /// <summary>How often every node is sampled: 5 s, so that a 15-second spike shows in three samples.</summary>
    public TimeSpan ScrapeInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The port Prometheus answers on, published on its worker for Ward (host mode).</summary>
    public int Port { get; init; } = 9090;
}

/// <summary>Alerts, from <c>x-ward.alerts</c>: the built-in rules' thresholds and durations, and where notices go.</summary>
public sealed record AlertsSpec
{
    /// <summary>Rules whose threshold, duration or use the file changes (the others keep their defaults).</summary>
    public ValueList<AlertRuleSetting> Rules { get; init; } = ValueList<AlertRuleSetting>.Empty;

    /// <summary>Addresses that get the notices by e-mail (through the server's SMTP relay).</summary>
    public ValueList<string> Email { get; init; } = ValueList<string>.Empty;

    public ValueList<WebhookSpec> Webhooks { get; init; } = ValueList<WebhookSpec>.Empty;
}

/// <summary>A rule's settings as the file (or the console) changes them; null keeps the default.</summary>
public sealed record AlertRuleSetting(string Rule)
{
    public double? Threshold { get; init; }

    public TimeSpan? For { get; init; }

    public bool? Enabled { get; init; }
}

/// <summary>A webhook: its URL, and the secret of the file whose value signs each body (HMAC-SHA256).</summary>
public sealed record WebhookSpec(string Url, string? Secret);

/// <summary>
/// A built-in alert rule: what it watches, its threshold (with unit and allowed range, none for rules that need none) and
/// how long its condition must hold before it fires.
/// </summary>
public sealed record AlertRuleDefinition(string Id, string Title, string? Unit, double? Threshold, double Minimum, double Maximum, TimeSpan For, string Explanation)
{
    /// <summary>The longest duration any rule may wait.</summary>
    public static readonly TimeSpan MaxFor = TimeSpan.FromDays(1);

    public bool HasThreshold => Threshold is not null;

    /// <summary>Why a threshold is not allowed, with the allowed range; null when it is.</summary>
    public string? ThresholdProblem(double value) => !HasThreshold
        ? $"the rule {Id} has no threshold; only its duration (for) can be changed"
        : double.IsFinite(value) && value >= Minimum && value <= Maximum ? null
        : $"{Format(value)} is out of range for {Id}: allowed is {Format(Minimum)} to {Format(Maximum)} {Unit}";

    /// <summary>Why a duration is not allowed, with the allowed range; null when it is.</summary>
    public static string? ForProblem(TimeSpan value) =>
        value >= TimeSpan.Zero && value <= MaxFor ? null : $"{value} is out of range: allowed is 0s to 24h";

    private static string Format(double value) => value.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The built-in alert rules, in the order people read them.</summary>
public static class AlertCatalog
{
    public static IReadOnlyList<AlertRuleDefinition> All { get; } =
    [
        new("node-down", "A node is down", null, null, 0, 0, TimeSpan.Zero,
            "The swarm lost a node: its tasks are rescheduled elsewhere, and a lost manager weakens the swarm's quorum."),
        new("manager-cpu", "Manager CPU over threshold", "%", 80, 1, 100, TimeSpan.FromMinutes(5),
            "An exhausted manager makes orchestration slow and the web services unavailable (its load balancer runs there)."),
        new("manager-memory", "Manager memory over threshold", "%", 85, 1, 100, TimeSpan.FromMinutes(5),
            "A manager out of memory kills processes, the swarm's own among them."),
        new("manager-disk", "Manager disk over threshold", "%", 85, 1, 100, TimeSpan.FromMinutes(1),
            "A manager whose disk fills can no longer write the swarm's Raft log: the swarm stops accepting changes."),
        new("task-on-manager", "An application task runs on the manager", null, null, 0, 0, TimeSpan.FromMinutes(1),
            "The manager should carry no application work (placement constraint node.role != manager)."),
        new("service-degraded", "A service runs fewer tasks than it wants", null, null, 0, 0, TimeSpan.FromMinutes(2),
            "Some of the service's tasks do not run: it has less capacity than planned, and no spare."),
        new("service-failed", "A service runs none of its tasks", null, null, 0, 0, TimeSpan.FromSeconds(30),
            "The service is down."),
        new("task-restarting", "A task restarts repeatedly", "restarts", 3, 1, 100, TimeSpan.FromMinutes(10),
            "A slot of the service started this many new tasks within the duration: it crashes and is restarted."),
        new("certificate-expiring", "A certificate expires soon", "days", 21, 1, 90, TimeSpan.Zero,
            "A domain's certificate expires within this many days and has not been renewed (renewal starts at 30), or its last order or renewal failed."),
        new("backup-late", "A backup is late or failed", "hours", 26, 1, 720, TimeSpan.Zero,
            "A database's last successful backup is older than this, or its last backup failed."),
        new("disk-filling", "A disk fills within the threshold at its current rate", "hours", 24, 1, 168, TimeSpan.FromMinutes(10),
            "At the rate of the last six hours, a node's disk is full within this many hours."),
        new("metrics-unavailable", "The metrics store does not answer", null, null, 0, 0, TimeSpan.FromMinutes(2),
            "Ward cannot read the environment's Prometheus: metric rules are not evaluated until it answers."),
    ];

    public static AlertRuleDefinition? Find(string id) => All.FirstOrDefault(r => r.Id == id);

    public static string Ids => string.Join(", ", All.Select(r => r.Id));
}
