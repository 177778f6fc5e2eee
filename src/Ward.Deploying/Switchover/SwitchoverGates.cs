using Ward.Model.Diagnostics;
using Ward.Model.Spec;
using Ward.Rules;

namespace Ward.Deploying.Switchover;

/// <summary>
/// The gates a switchover must pass before it starts, judged from what Ward observed: the readiness check with live
/// facts, the rehearsals it recorded, the A records it resolved (and, with the control plane, since when), the window,
/// the swarm's own backup and the back-out plan. A pure function of its inputs: the hosts gather, this judges. What the
/// file declares (mapped_at, restore_rehearsal, swarm_backup_at) never passes a gate: it is named as a claim.
/// </summary>
public sealed class SwitchoverGates(EnvironmentSpec spec, SwitchoverOptions options, DateTimeOffset now)
{
    /// <summary>Every gate, in the order they are checked.</summary>
    /// <param name="window">The validated window (see <see cref="SwitchoverRequest"/>).</param>
    /// <param name="rollbackPlan">The validated back-out plan.</param>
    /// <param name="readiness">The readiness check, with live facts and the file's waivers.</param>
    /// <param name="live">The facts gathered from the swarm and DNS (rehearsals, A records).</param>
    /// <param name="observed">What the host observed beyond them.</param>
    public IReadOnlyList<SwitchoverGate> Evaluate(TimeWindow window, string rollbackPlan, CheckResult readiness, ILiveFacts live, SwitchoverObservations observed)
    {
        var gates = new List<SwitchoverGate> { Readiness(readiness) };
        gates.AddRange(Rehearsals(window, live));
        gates.AddRange(spec.Domains.Select(d => d.Name).Distinct(StringComparer.OrdinalIgnoreCase).Select(domain => Domain(domain, window, live, observed)));
        gates.Add(Window(window, observed));
        gates.Add(SwarmBackup(window, observed));
        gates.Add(new SwitchoverGate("rollback-plan", "A back-out plan is named", true, $"named in the file: {rollbackPlan}", null, null));
        return gates;
    }

    private static SwitchoverGate Readiness(CheckResult readiness)
    {
        const string title = "The readiness check is clean (no error-level finding; waivers in date)";
        var errors = readiness.Findings.Where(f => !f.Waived && f.Severity == Severity.Error).ToList();
        var notChecked = readiness.NotChecked.Count == 0 ? "" : $"; not checked: {string.Join(", ", readiness.NotChecked.Select(n => n.Rule))}";
        if (errors.Count == 0)
        {
            return new SwitchoverGate("readiness", title, true, $"no error-level finding with live facts ({readiness.Summary.Warnings} warning(s), {readiness.Summary.Waived} waived in date){notChecked}", null, null);
        }

        var listed = string.Join("; ", errors.Take(5).Select(f => $"{f.Rule} {f.Message}"));
        var more = errors.Count > 5 ? $"; and {errors.Count - 5} more" : "";
        return new SwitchoverGate("readiness", title, false, $"{errors.Count} error-level finding(s): {listed}{more}{notChecked}",
            "fix each, or waive it with a reason and an expiry (x-ward.waivers); `ward check FILE --live` explains them", null);
    }

    /// <summary>One gate per database Ward hosts, and one for the rehearsed time against the window.</summary>
    private IEnumerable<SwitchoverGate> Rehearsals(TimeWindow window, ILiveFacts live)
    {
        var hosted = spec.Databases.Where(d => d.IsHosted).ToList();
        if (hosted.Count == 0)
        {
            yield break;
        }

        var earliest = Later(now, window.Start - options.RehearsalFreshness);
        var verdicts = new List<RehearsalVerdict>();
        foreach (var database in hosted)
        {
            var verdict = RehearsalJudgement.Judge(spec.Name, database.Name, live.Rehearsals(database.Name) ?? [], window.Start, options.RehearsalFreshness);
            verdicts.Add(verdict);
            var title = $"Database {database.Name}: a verified rehearsal within {Days(options.RehearsalFreshness)} before the window";
            yield return verdict is { Problem: null, Newest: { } good }
                ? new SwitchoverGate($"rehearsal:{database.Name}", title, true,
                    $"verified rehearsal recorded {good.At:u} from {good.Source}: {RehearsalJudgement.Duration(good.TotalSeconds)} for the dump, restore and verification, {Hours(verdict.Age!.Value)} before the window", null, null)
                : new SwitchoverGate($"rehearsal:{database.Name}", title, false, verdict.Problem!,
                    $"run `ward db rehearse {spec.Name} {database.Name} --from postgresql://USER:PASSWORD@HOST:PORT/DATABASE` between {earliest:u} and the window ({window.Start:u}), and see it pass", earliest);
        }

        const string fits = "The rehearsed data move fits in half the window";
        if (verdicts.Any(v => v.Newest is not { Verified: true }))
        {
            yield return new SwitchoverGate("rehearsal-time", fits, false, "cannot be measured: not every database has a verified rehearsal", "rehearse each database (the gates above)", earliest);
            yield break;
        }

        var estimate = verdicts.Sum(v => v.EstimateSeconds);
        yield return RehearsalJudgement.WindowProblem(estimate, window) is { } problem
            ? new SwitchoverGate("rehearsal-time", fits, false, problem, "make the window longer (x-ward.switchover.window), or move most of the data ahead of it", null)
            : new SwitchoverGate("rehearsal-time", fits, true,
                $"the rehearsals took {RehearsalJudgement.Duration(estimate)} in all; half the {Hours(window.Length)} window is {RehearsalJudgement.Duration(window.Length.TotalSeconds * RehearsalJudgement.WindowShareForDataMove)}", null, null);
    }

    private SwitchoverGate Domain(string domain, TimeWindow window, ILiveFacts live, SwitchoverObservations observed)
    {
        var id = $"dns:{domain}";
        var title = $"{domain}: its A record seen pointing at the manager for at least {Hours(options.DomainLeadTime)}";
        var managers = spec.Nodes.Where(n => n.Role == NodeRole.Manager).Select(n => n.Address).OfType<string>().Where(a => a.Length > 0).ToList();
        if (managers.Count == 0)
        {
            return new SwitchoverGate(id, title, false, "x-ward.nodes gives no manager an address: Ward cannot tell what the A record must point at", "give the manager node its public address (x-ward.nodes[].address)", null);
        }

        var manager = string.Join(" or ", managers);
        var records = live.ResolveA(domain);
        if (records is null)
        {
            return new SwitchoverGate(id, title, false, $"{domain} could not be resolved (the resolver did not answer)", $"check the domain's DNS, then plan again; its A record must be {manager}", null);
        }

        if (records.Count == 0 || !records.All(managers.Contains))
        {
            var ready = now + options.DomainLeadTime;
            var action = ready <= window.Start
                ? $"point its A record at {manager} by {window.Start - options.DomainLeadTime:u} ({Hours(options.DomainLeadTime)} before the window)"
                : $"point its A record at {manager} now, and move the window to start at or after {ready:u}: {Hours(options.DomainLeadTime)} are needed";
            return new SwitchoverGate(id, title, false, $"{domain} resolves to {(records.Count == 0 ? "nothing" : string.Join(", ", records))} now, not to the manager ({manager})", action, ready);
        }

        var declared = spec.Domains.FirstOrDefault(d => string.Equals(d.Name, domain, StringComparison.OrdinalIgnoreCase))?.MappedAt is { } claim
            ? $"; the file's mapped_at ({claim:u}) is declared, not observed"
            : "";
        if (observed.MappedSince is null)
        {
            return new SwitchoverGate(id, title, false,
                $"{domain} resolves to the manager ({manager}) now; for how long cannot be observed without the control plane's history{declared}",
                $"let the Ward server watch it (ward serve records each domain's A records; GET /api/v1/environments/{spec.Name}/switchover/plan judges this gate from them): watched from now, it passes at {now + options.DomainLeadTime:u}",
                now + options.DomainLeadTime);
        }

        if (!observed.MappedSince.TryGetValue(domain, out var since))
        {
            return new SwitchoverGate(id, title, false, $"{domain} resolves to the manager ({manager}) now, but the server has not recorded it yet{declared}",
                $"wait for the server's next DNS look (Ward:DnsCheckInterval) or ask for one (POST /api/v1/environments/{spec.Name}/domains/checks); it passes {Hours(options.DomainLeadTime)} after the first", now + options.DomainLeadTime);
        }

        var passes = since + options.DomainLeadTime;
        if (passes <= now)
        {
            return new SwitchoverGate(id, title, true, $"pointing at the manager ({manager}) since {since:u} (observed by Ward), {Hours(now - since)}", null, null);
        }

        return new SwitchoverGate(id, title, false, $"pointing at the manager ({manager}) since {since:u} (observed by Ward), {Hours(now - since)} so far",
            passes <= window.Start
                ? $"keep it pointing at the manager: it passes at {passes:u}, before the window"
                : $"keep it pointing at the manager: it passes at {passes:u}, after the window starts ({window.Start:u}); move the window to start at or after then",
            passes);
    }

    private SwitchoverGate Window(TimeWindow window, SwitchoverObservations observed)
    {
        const string title = "The window is at least the minimum, starts in the future, and is announced";
        var planned = $"{window.Start:u} to {window.End:u} ({Hours(window.Length)}), starting in {Hours(window.Start - now)}";
        return observed.AnnouncedSince is { } since
            ? new SwitchoverGate("window", title, true, $"{planned}; the maintenance notice has been shown since {since:u} (observed by Ward)", null, null)
            : new SwitchoverGate("window", title, false,
                $"{planned}; not announced: Ward cannot yet show a maintenance notice on the application's pages through the load balancer, and cannot see one posted elsewhere",
                "announce the window to the users yourself; this gate can pass only once Ward shows the notice through the load balancer (not built yet)", null);
    }

    private SwitchoverGate SwarmBackup(TimeWindow window, SwitchoverObservations observed)
    {
        var title = $"The swarm's own backup (the managers' Raft state) taken within {Hours(options.SwarmBackupFreshness)} before the window";
        var earliest = Later(now, window.Start - options.SwarmBackupFreshness);
        if (observed.SwarmBackupAt is not { } at)
        {
            var declared = spec.Switchover?.SwarmBackupAt is { } claim ? $"; the file's swarm_backup_at ({claim:u}) is declared, not observed" : "";
            return new SwitchoverGate("swarm-backup", title, false,
                $"Ward cannot take or observe a backup of the managers' Raft state (/var/lib/docker/swarm) yet{declared}",
                $"back up /var/lib/docker/swarm on a manager (and keep the unlock key, if autolocked) between {earliest:u} and the window; this gate can pass only once Ward takes or observes the backup (not built yet)", null);
        }

        return window.Start - at <= options.SwarmBackupFreshness
            ? new SwitchoverGate("swarm-backup", title, true, $"backed up {at:u} (observed by Ward), {Hours(window.Start - at)} before the window", null, null)
            : new SwitchoverGate("swarm-backup", title, false, $"the last backup Ward saw was {at:u}, {Hours(window.Start - at)} before the window", $"back it up again between {earliest:u} and the window", earliest);
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static string Hours(TimeSpan length) => length.TotalHours >= 1 ? $"{length.TotalHours:0.#} h" : $"{Math.Max(0, length.TotalMinutes):0} min";

    private static string Days(TimeSpan length) => length.TotalDays >= 1 ? $"{length.TotalDays:0.#} days" : Hours(length);
}
