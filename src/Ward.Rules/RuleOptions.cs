namespace Ward.Rules;

/// <summary>
/// The thresholds the catalog marks as defaults to make configurable. Defaults follow the catalog.
/// </summary>
public sealed record RuleOptions
{
    /// <summary>REL-001: the smallest replica count for a stateless replicated service.</summary>
    public int MinimumReplicas { get; init; } = 2;

    /// <summary>IMG-001: tags that move, besides an absent tag.</summary>
    public IReadOnlyList<string> FloatingTags { get; init; } = ["latest", "stable", "nightly", "edge", "main", "master", "dev"];

    /// <summary>IMG-002: the largest image, in bytes (500 MB).</summary>
    public long ImageSizeBudgetBytes { get; init; } = 500L * 1000 * 1000;

    /// <summary>IMG-003: registries images may come from; empty means any (the rule then has nothing to check).</summary>
    public IReadOnlyList<string> AllowedRegistries { get; init; } = [];

    /// <summary>SWO-001: how recent a restore rehearsal must be, before the switchover.</summary>
    public TimeSpan RestoreRehearsalFreshness { get; init; } = TimeSpan.FromDays(30);

    /// <summary>RES-005: the share of each node's CPU and memory that reservations must leave free, in percent.</summary>
    public int NodeHeadroomPercent { get; init; } = 10;

    /// <summary>Services exempt from manager placement, socket and port rules: platform services Ward itself runs.</summary>
    public string PlatformLabel { get; init; } = "ward.platform";
}
