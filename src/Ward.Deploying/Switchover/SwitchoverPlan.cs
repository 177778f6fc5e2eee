namespace Ward.Deploying.Switchover;

/// <summary>One condition that must hold before the switchover starts, as Ward observed it.</summary>
/// <param name="Id">Stable for scripts: readiness, rehearsal:DB, rehearsal-time, dns:DOMAIN, window, swarm-backup, rollback-plan.</param>
/// <param name="Title">What must hold, for people.</param>
/// <param name="Passed">Whether it holds.</param>
/// <param name="Observed">What Ward saw (or why it could not see it; a claim in the file is named as a claim).</param>
/// <param name="Action">What to do for it to pass; null when it does.</param>
/// <param name="PassableAt">The earliest time it can pass if the action is taken now; null when it passes, or when no time can be named.</param>
public sealed record SwitchoverGate(string Id, string Title, bool Passed, string Observed, string? Action, DateTimeOffset? PassableAt);

/// <summary>One step of the switchover's runbook, in the order it runs.</summary>
/// <param name="Id">Stable: maintenance-page-up, stop-writes, move-data, start-services, smoke-test, maintenance-page-down.</param>
/// <param name="Title">The step, for people.</param>
/// <param name="Detail">What it does in this environment (its databases, services and domains).</param>
/// <param name="Undo">How the step is undone when rolling back.</param>
public sealed record RunbookStep(string Id, string Title, string Detail, string Undo);

/// <summary>
/// The switchover of one environment as planned: its window, its back-out plan, the steps in order and every gate with
/// its state. <see cref="Ready"/> when every gate passes.
/// </summary>
/// <param name="Environment">The environment's name.</param>
/// <param name="At">When the gates were observed.</param>
/// <param name="WindowStart">The maintenance window's start.</param>
/// <param name="WindowEnd">The maintenance window's end.</param>
/// <param name="RollbackPlan">The back-out plan the file names.</param>
/// <param name="Gates">Each gate, in the order they are checked.</param>
/// <param name="Steps">The runbook.</param>
/// <param name="Runs">Who runs the steps: Ward does not run them yet (<c>ward switchover start</c> is to come).</param>
public sealed record SwitchoverPlan(
    string Environment,
    DateTimeOffset At,
    DateTimeOffset WindowStart,
    DateTimeOffset WindowEnd,
    string RollbackPlan,
    IReadOnlyList<SwitchoverGate> Gates,
    IReadOnlyList<RunbookStep> Steps,
    string Runs)
{
    public bool Ready => Gates.All(g => g.Passed);
}

/// <summary>What the host could observe beyond the swarm's live facts.</summary>
/// <param name="MappedSince">Since when Ward has seen each domain point at the manager; null when the host keeps no such history (the CLI without the control plane).</param>
/// <param name="SwarmBackupAt">When Ward last saw the managers' Raft state backed up; null: Ward cannot take or observe one.</param>
/// <param name="AnnouncedSince">Since when Ward has shown the maintenance notice through the load balancer; null: it cannot show one.</param>
public sealed record SwitchoverObservations(
    IReadOnlyDictionary<string, DateTimeOffset>? MappedSince,
    DateTimeOffset? SwarmBackupAt = null,
    DateTimeOffset? AnnouncedSince = null);
