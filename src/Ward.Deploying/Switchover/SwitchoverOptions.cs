using Ward.Rules.Rules;

namespace Ward.Deploying.Switchover;

/// <summary>
/// The switchover's time thresholds, in one record: the hosts use the defaults (the production page's figures); an end
/// to end test shortens them to run a switchover in minutes.
/// </summary>
public sealed record SwitchoverOptions
{
    /// <summary>How long each domain's A record must have pointed at the manager when the window starts.</summary>
    public TimeSpan DomainLeadTime { get; init; } = DomainLeadTimeRule.LeadTime;

    /// <summary>How long before the window the newest verified rehearsal of each database may have run.</summary>
    public TimeSpan RehearsalFreshness { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How long before the window the swarm's own backup (the managers' Raft state) may have been taken.</summary>
    public TimeSpan SwarmBackupFreshness { get; init; } = TimeSpan.FromHours(24);

    /// <summary>The shortest window: time for the final dump, the restore, verification and, if need be, rolling back.</summary>
    public TimeSpan MinimumWindow { get; init; } = MaintenanceWindowRule.MinimumWindow;
}
