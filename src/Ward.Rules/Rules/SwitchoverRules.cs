using Ward.Model.Diagnostics;
using Ward.Model.Spec;

namespace Ward.Rules.Rules;

/// <summary>DNS-001: each domain resolves to the manager (needs DNS look-ups).</summary>
public sealed class DomainRecordRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "DNS-001",
        Title = "Domains resolve to the manager node",
        Severity = Severity.Error,
        Scope = RuleScope.ProductionOnly,
        NeedsLiveData = "DNS look-ups",
        Why = "Public traffic enters through the load balancer on the manager: a domain whose A record points elsewhere never reaches the application, and its certificate cannot be issued.",
        Fix = "Set the domain's A record to the manager's static address (x-ward.nodes[].address of the manager).",
        Source = "MedStack Go to Production (domain validation against the manager node's IP).",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        var managers = context.Managers.Select(m => m.Address).Where(a => !string.IsNullOrWhiteSpace(a)).OfType<string>().ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < context.Spec.Domains.Count; i++)
        {
            var domain = context.Spec.Domains[i];
            var records = context.Live?.ResolveA(domain.Name);

            // Every A record must be a manager's: resolvers pick any one of them, so a stray address takes part of the traffic.
            if (managers.Count == 0 || records is null || (records.Count > 0 && records.All(managers.Contains)))
            {
                continue;
            }

            yield return Report(Paths.Ward("domains", i, "name"), $"{domain.Name} resolves to {(records.Count == 0 ? "nothing" : string.Join(", ", records))}; every A record must be the manager's address ({string.Join(" or ", managers)})", subject: $"domain {domain.Name}");
        }
    }
}

/// <summary>DNS-002: the A record was mapped 48 hours before the switchover.</summary>
public sealed class DomainLeadTimeRule : Rule
{
    public static readonly TimeSpan LeadTime = TimeSpan.FromHours(48);

    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "DNS-002",
        Title = "A record mapped 48 hours ahead",
        Severity = Severity.Error,
        Scope = RuleScope.ProductionOnly,
        Kind = RuleKind.Attest,
        Why = "DNS changes take time to reach resolvers and caches; mapping the record at least 48 hours before the cut-over means users arrive at the new environment when it opens.",
        Fix = "Point the domain's A record at the manager 48 hours before the switchover window. The Ward server observes when it first does (GET /api/v1/environments/NAME/domains); without the server, record it in the file: `mapped_at: 2026-11-20T09:00:00Z`.",
        Source = "MedStack Go to Production (DNS A record to the manager node 48 hours ahead).",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        var reference = context.Spec.Switchover?.Window?.Start ?? context.Now;
        var against = context.Spec.Switchover?.Window is null ? "now" : $"the switchover at {reference:u}";
        for (var i = 0; i < context.Spec.Domains.Count; i++)
        {
            var domain = context.Spec.Domains[i];

            // What Ward saw counts; the file's mapped_at is a claim, used only when Ward has seen nothing.
            if (context.Live?.MappedSince(domain.Name) is { } observed)
            {
                if (reference - observed < LeadTime)
                {
                    var ready = observed + LeadTime;
                    yield return Report(Paths.Ward("domains", i, "name"), $"{domain.Name} has pointed at the manager since {observed:u} (observed by Ward): {(reference - observed).TotalHours:0} hours before {against}, and 48 are needed; it will be at {ready:u}", subject: $"domain {domain.Name}", value: $"observed since {observed:u}");
                }
            }
            else if (domain.MappedAt is not { } mapped)
            {
                yield return Report(Paths.Ward("domains", i), $"{domain.Name} has no mapped_at, and Ward has not seen its A record point at the manager: record when it was pointed there, or let the Ward server observe it", subject: $"domain {domain.Name}");
            }
            else if (reference - mapped < LeadTime)
            {
                yield return Report(Paths.Ward("domains", i, "mapped_at"), $"{domain.Name} was mapped {(reference - mapped).TotalHours:0} hours before {against} (declared in the file, not observed); at least 48 are needed", subject: $"domain {domain.Name}", value: $"mapped_at: {mapped:u}");
            }
        }
    }
}

/// <summary>
/// SWO-001: the databases' migration has been rehearsed, and verified, shortly before the switchover. Connected, it
/// judges the rehearsals Ward ran and recorded (<c>ward db rehearse</c>) and estimates the cut-over's dump and restore
/// from them; the file's <c>restore_rehearsal</c> is a claim, judged only when there is nothing observed to judge.
/// </summary>
public sealed class RestoreRehearsalRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "SWO-001",
        Title = "Database restore rehearsed",
        Severity = Severity.Error,
        Scope = RuleScope.ProductionOnly,
        Kind = RuleKind.Attest,
        Why = "An untested restore is not a migration plan: dump the current database, restore it into the new environment, verify nothing was lost and time it, before the real switchover. Ward runs the rehearsal and records it; what the file declares (restore_rehearsal) is a claim, not an observation. The rehearsal's time also tells whether the dump and restore fit in half the maintenance window.",
        Fix = "Rehearse against the current database, within 30 days before the window:\n  ward db rehearse ENV DB --from postgresql://USER:PASSWORD@HOST:PORT/DATABASE\nthen `ward db rehearsals ENV DB` shows what was recorded. Without a connection to the swarm, Ward can only read the file's claim: `switchover: { restore_rehearsal: { at: 2026-11-28T10:00:00Z, passed: true } }`.",
        Source = "MedStack Go to Production (test a database dump and restore before switchover).",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        // Only a migration has a restore to rehearse; a file without a switchover section is told so by SWO-002.
        if (context.Spec.Switchover is not { } switchover)
        {
            return [];
        }

        var hosted = context.Spec.Databases.Select((database, index) => (database, index)).Where(d => d.database.IsHosted).ToList();
        var observed = context.Live is { } live && hosted.Count > 0 && hosted.All(d => live.Rehearsals(d.database.Name) is not null);
        // A window that has ended is SWO-002's to report (record the outcome, or plan a new window); rehearsals are
        // judged against the next one.
        var ended = switchover.Window is { } window && window.End <= context.Now;
        var findings = ended ? [] : observed ? Observed(context, switchover, hosted).ToList() : Declared(context, switchover).ToList();
        if (switchover.RestoreRehearsal is { } claim)
        {
            findings.Add(Report(
                Paths.Ward("switchover", "restore_rehearsal"),
                observed
                    ? $"restore_rehearsal ({claim.At:u}) is declared in the file, not observed: Ward judged the rehearsals it recorded instead"
                    : $"restore_rehearsal ({claim.At:u}) is declared in the file, not observed: connected to the swarm (ward check --live, the console), Ward judges the rehearsals it ran and recorded (ward db rehearse)",
                Severity.Info,
                "switchover"));
        }

        return findings;
    }

    /// <summary>The newest rehearsal Ward recorded for each database it hosts, before the switchover starts.</summary>
    private IEnumerable<Finding> Observed(RuleContext context, SwitchoverSpec switchover, IReadOnlyList<(DatabaseSpec Database, int Index)> hosted)
    {
        var deadline = RehearsalJudgement.Deadline(switchover.Window, context.Now);
        var estimate = 0.0;
        foreach (var (database, index) in hosted)
        {
            var verdict = RehearsalJudgement.Judge(context.Spec.Name, database.Name, context.Live!.Rehearsals(database.Name)!, deadline, context.Options.RestoreRehearsalFreshness);
            if (verdict.Problem is { } problem)
            {
                yield return Report(Paths.Ward("databases", index), problem, subject: $"database {database.Name}");
            }

            estimate += verdict.EstimateSeconds;
        }

        if (switchover.Window is { } window && RehearsalJudgement.WindowProblem(estimate, window) is { } tooLong)
        {
            yield return Report(Paths.Ward("switchover", "window"), tooLong, Severity.Warning, "switchover");
        }
    }

    /// <summary>What the file claims, when nothing observed can be judged (not connected, or no database Ward hosts).</summary>
    private IEnumerable<Finding> Declared(RuleContext context, SwitchoverSpec switchover)
    {
        var rehearsal = switchover.RestoreRehearsal;
        var path = Paths.Ward("switchover", "restore_rehearsal");
        if (rehearsal is null)
        {
            yield return Report(path, "no restore rehearsal is recorded (x-ward.switchover.restore_rehearsal; connected to the swarm, Ward reads the rehearsals it ran: ward db rehearse)", subject: "switchover");
            yield break;
        }

        if (!rehearsal.Passed)
        {
            yield return Report(path + ".passed", $"the restore rehearsal of {rehearsal.At:u} did not pass", subject: "switchover", value: "passed: false");
        }

        if (switchover.Window is { } window)
        {
            if (rehearsal.At > window.Start)
            {
                yield return Report(path + ".at", $"the restore rehearsal ({rehearsal.At:u}) is after the switchover starts ({window.Start:u})", subject: "switchover");
            }
            else if (window.Start - rehearsal.At > context.Options.RestoreRehearsalFreshness)
            {
                yield return Report(path + ".at", $"the restore rehearsal ({rehearsal.At:u}) is {(window.Start - rehearsal.At).TotalDays:0} days before the switchover; rehearse within {context.Options.RestoreRehearsalFreshness.TotalDays:0} days", subject: "switchover");
            }
        }
    }
}

/// <summary>SWO-002: a maintenance window of at least two hours.</summary>
public sealed class MaintenanceWindowRule : Rule
{
    public static readonly TimeSpan MinimumWindow = TimeSpan.FromHours(2);

    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "SWO-002",
        Title = "Maintenance window of at least two hours",
        Severity = Severity.Error,
        Scope = RuleScope.ProductionOnly,
        Why = "The cut-over needs time for the final dump, the restore, verification and, if needed, rolling back; two hours is the minimum to announce. A window that has passed needs its outcome recorded or a new window (information). The switchover rules apply only when migrating: a production file without a switchover section gets an information saying what to add if a migration is planned.",
        Fix = "Plan and announce the window: `switchover: { window: { start: 2026-12-05T02:00:00Z, end: 2026-12-05T05:00:00Z } }`.",
        Source = "MedStack Go to Production (maintenance window of at least two hours).",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        if (context.Spec.Switchover is null)
        {
            // "If you're migrating": a new application has nothing to move, and a clean file must not fail for it.
            yield return Report(
                Paths.Ward("switchover"),
                "no switchover section: nothing is being migrated. If this environment replaces an existing host, add x-ward.switchover with a window of at least two hours, a back-out plan (rollback_plan) and a rehearsed restore, and map the domains 48 hours ahead",
                Severity.Info,
                "switchover");
            yield break;
        }

        var window = context.Spec.Switchover.Window;
        var path = Paths.Ward("switchover", "window");
        if (window is null)
        {
            yield return Report(path, "no switchover window is planned (x-ward.switchover.window)", subject: "switchover");
            yield break;
        }

        if (window.Length < MinimumWindow)
        {
            yield return Report(path, $"the switchover window is {window.Length.TotalMinutes:0} minutes ({window.Start:u} to {window.End:u}); plan at least two hours", subject: "switchover", value: $"{window.Length.TotalMinutes:0} minutes");
        }

        if (window.End < context.Now)
        {
            yield return Report(path, $"the switchover window ended on {window.End:u}; record the outcome or plan a new window", Severity.Info, "switchover");
        }
    }
}

/// <summary>SWO-003: a back-out plan exists.</summary>
public sealed class RollbackPlanRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "SWO-003",
        Title = "Back-out plan documented",
        Severity = Severity.Warning,
        Scope = RuleScope.ProductionOnly,
        Kind = RuleKind.Attest,
        Why = "Without a back-out plan a failed cut-over becomes an outage: someone must know the previous DNS target, the restore point and who decides to roll back.",
        Fix = "Write it down: `switchover: { rollback_plan: \"repoint app.example.org to 198.51.100.7; restore point: pre-cutover dump; owner: on-call lead\" }`.",
        Source = "Ward (the back-out counterpart of Docker's service rollback).",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        if (context.Spec.Switchover is { } switchover && string.IsNullOrWhiteSpace(switchover.RollbackPlan))
        {
            yield return Report(Paths.Ward("switchover"), "no back-out plan is recorded (x-ward.switchover.rollback_plan)", subject: "switchover");
        }
    }
}

/// <summary>SWO-004: the swarm state is backed up before the switchover.</summary>
public sealed class SwarmBackupRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "SWO-004",
        Title = "Swarm state backed up",
        Severity = Severity.Info,
        Scope = RuleScope.ProductionOnly,
        Kind = RuleKind.Attest,
        Why = "A backup of /var/lib/docker/swarm (and the unlock key, with autolock) is the only way to recover the control plane when the manager is lost.",
        Fix = "Back up the manager's /var/lib/docker/swarm before the switchover and record it: `switchover: { swarm_backup_at: 2026-12-04T18:00:00Z }`.",
        Source = "Docker admin guide \"Back up the swarm\".",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        if (context.Spec.Switchover is not { } switchover)
        {
            yield break;
        }

        if (switchover.SwarmBackupAt is not { } backup)
        {
            yield return Report(Paths.Ward("switchover"), "no swarm backup is recorded (x-ward.switchover.swarm_backup_at)", subject: "swarm");
        }
        else if (switchover.Window is { } window && backup > window.Start)
        {
            yield return Report(Paths.Ward("switchover", "swarm_backup_at"), $"the swarm backup ({backup:u}) is after the switchover starts", subject: "swarm");
        }
    }
}

/// <summary>CIS-7.5: the swarm is autolocked.</summary>
public sealed class AutolockRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "CIS-7.5",
        Title = "Swarm autolock is enabled",
        Severity = Severity.Warning,
        Scope = RuleScope.ProductionOnly,
        Kind = RuleKind.Attest,
        Why = "Autolock encrypts the Raft keys at rest with an unlock key kept outside the nodes. The cost: a restarted manager waits for someone to unlock it.",
        Fix = "Run `docker swarm update --autolock=true`, store the unlock key safely, and attest it: `x-ward: { swarm: { autolock: true } }`.",
        Source = "CIS Docker Benchmark 7.5 (check_7_5).",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        if (context.Spec.Swarm?.Autolock != true)
        {
            yield return Report(Paths.Ward("swarm", "autolock"), "the swarm is not attested to be autolocked (x-ward.swarm.autolock)", subject: "swarm");
        }
    }
}

/// <summary>CIS-7.X: the remaining control-plane hardening items.</summary>
public sealed class SwarmHardeningRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "CIS-7.X",
        Title = "Swarm control plane hardened",
        Severity = Severity.Info,
        Scope = RuleScope.ProductionOnly,
        Kind = RuleKind.Attest,
        Why = "The swarm should listen on a specific interface (not 0.0.0.0:2377), rotate its unlock key and CA, keep node certificates short-lived, and separate management from data traffic.",
        Fix = "Attest what is in place under x-ward.swarm: listen_addr, unlock_key_rotated_at, cert_expiry (e.g. 720h), ca_rotated_at, data_path_addr.",
        Source = "CIS Docker Benchmark 7.2, 7.6-7.9 (docker-bench-security tests/7_docker_swarm_configuration.sh).",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        var swarm = context.Spec.Swarm ?? new SwarmAttestation();
        var missing = new List<string>();
        if (string.IsNullOrEmpty(swarm.ListenAddr) || swarm.ListenAddr.StartsWith("0.0.0.0", StringComparison.Ordinal))
        {
            missing.Add("a specific listen_addr (7.2)");
        }

        if (swarm.UnlockKeyRotatedAt is null)
        {
            missing.Add("unlock key rotation (7.6)");
        }

        if (swarm.CertExpiry is null)
        {
            missing.Add("node certificate expiry (7.7)");
        }

        if (swarm.CaRotatedAt is null)
        {
            missing.Add("CA rotation (7.8)");
        }

        if (string.IsNullOrEmpty(swarm.DataPathAddr))
        {
            missing.Add("a separate data_path_addr (7.9)");
        }

        if (missing.Count > 0)
        {
            yield return Report(Paths.Ward("swarm"), $"not attested: {string.Join(", ", missing)}", subject: "swarm");
        }
    }
}
