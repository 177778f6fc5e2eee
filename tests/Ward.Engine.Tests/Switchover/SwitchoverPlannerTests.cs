using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Ward.Deploying.Databases;
using Ward.Deploying.Live;
using Ward.Deploying.Loading;
using Ward.Deploying.Switchover;
using Ward.Engine.Ports;
using Ward.Engine.Tests.Balancing;
using Ward.Engine.Tests.Deploying;

namespace Ward.Engine.Tests.Switchover;

/// <summary>
/// The switchover plan over the fake engine and a table of DNS answers: the file's switchover checked before anything
/// is asked, rehearsals read from the records the swarm keeps, A records resolved, and every gate judged from what was
/// observed (what the file declares is named as a claim and passes nothing).
/// </summary>
public sealed class SwitchoverPlannerTests : IDisposable
{
    private static readonly DateTimeOffset Now = At("2026-12-01T12:00:00Z");
    private static readonly DateTimeOffset WindowStart = At("2026-12-05T02:00:00Z");

    private readonly CoreWorld _world = new();
    private readonly FakeDns _dns = new();
    private readonly FakeTimeProvider _time = new(Now);

    private static string File(string switchover = """
            window: { start: 2026-12-05T02:00:00Z, end: 2026-12-05T05:00:00Z }
            rollback_plan: "repoint app.clinic.example.org to 198.51.100.7; owner: on-call lead"
            swarm_backup_at: 2026-12-04T18:00:00Z
        """, string kind = "staging") => $$"""
        version: "3.9"
        x-ward:
          environment: { name: clinic, kind: {{kind}} }
          nodes:
            - { name: manager-1, role: manager, size: medium, address: 203.0.113.10 }
          databases:
            - { name: records, engine: postgres, version: "15", tier: basic-1 }
          domains:
            - { name: app.clinic.example.org, service: web, port: 8080, mapped_at: 2026-11-20T09:00:00Z }
        {{(switchover.Length == 0 ? "" : "  switchover:\n" + switchover)}}
        services:
          web:
            image: registry.example.org/web:1.0
        """;

    [Theory]
    [InlineData("", "no_switchover", "clinic has no switchover section (x-ward.switchover)")]
    [InlineData("""
            window: { start: 2026-12-05T02:00:00Z, end: 2026-12-05T03:30:00Z }
            rollback_plan: "repoint"
        """, "invalid_switchover_window", "x-ward.switchover.window is 90 minutes (2026-12-05 02:00:00Z to 2026-12-05 03:30:00Z); it must be at least 2 hours")]
    [InlineData("""
            window: { start: 2026-11-30T02:00:00Z, end: 2026-11-30T05:00:00Z }
            rollback_plan: "repoint"
        """, "invalid_switchover_window", "x-ward.switchover.window starts 2026-11-30 02:00:00Z, which is not in the future (now 2026-12-01 12:00:00Z)")]
    [InlineData("""
            window: { start: 2026-12-05T02:00:00Z, end: 2026-12-05T05:00:00Z }
        """, "no_rollback_plan", "x-ward.switchover.rollback_plan is missing")]
    public async Task A_file_that_cannot_plan_a_switchover_is_refused_naming_the_value_before_the_swarm_is_asked(string switchover, string code, string message)
    {
        var environment = _world.Load(File(switchover));
        var asked = false;

        var failure = await Assert.ThrowsAsync<SwitchoverRequestException>(() => Planner().PlanAsync(environment, _ => { asked = true; return Gather(environment); }, null, TestContext.Current.CancellationToken));

        Assert.Equal(code, failure.Code);
        Assert.StartsWith(message, failure.Message, StringComparison.Ordinal);
        Assert.False(asked);
    }

    [Fact]
    public async Task From_the_cli_the_observed_gates_pass_and_the_unobservable_ones_fail_saying_why_and_when()
    {
        await RecordAsync("records", At("2026-12-02T10:00:00Z"), verified: true, seconds: 1800);
        _dns.Records["app.clinic.example.org"] = ["203.0.113.10"];
        var environment = _world.Load(File());

        var plan = await Planner().PlanAsync(environment, _ => Gather(environment), mappedSince: null, TestContext.Current.CancellationToken);

        Assert.False(plan.Ready);
        Assert.Equal(["readiness", "rehearsal:records", "rehearsal-time", "dns:app.clinic.example.org", "window", "swarm-backup", "rollback-plan"], plan.Gates.Select(g => g.Id));
        Assert.Equal(["readiness", "rehearsal:records", "rehearsal-time", "rollback-plan"], plan.Gates.Where(g => g.Passed).Select(g => g.Id));
        Assert.Equal("verified rehearsal recorded 2026-12-02 10:00:00Z from legacy@db.example.org:5432/records: 30 min for the dump, restore and verification, 64 h before the window", Gate(plan, "rehearsal:records").Observed);
        Assert.Equal("the rehearsals took 30 min in all; half the 3 h window is 1.5 h", Gate(plan, "rehearsal-time").Observed);

        var dns = Gate(plan, "dns:app.clinic.example.org");
        Assert.Equal("app.clinic.example.org resolves to the manager (203.0.113.10) now; for how long cannot be observed without the control plane's history; the file's mapped_at (2026-11-20 09:00:00Z) is declared, not observed", dns.Observed);
        Assert.Equal(Now.AddHours(48), dns.PassableAt);

        var window = Gate(plan, "window");
        Assert.StartsWith("2026-12-05 02:00:00Z to 2026-12-05 05:00:00Z (3 h), starting in 86 h; not announced: Ward cannot yet show a maintenance notice", window.Observed, StringComparison.Ordinal);
        Assert.Null(window.PassableAt);

        var backup = Gate(plan, "swarm-backup");
        Assert.Equal("Ward cannot take or observe a backup of the managers' Raft state (/var/lib/docker/swarm) yet; the file's swarm_backup_at (2026-12-04 18:00:00Z) is declared, not observed", backup.Observed);
        Assert.Contains("between 2026-12-04 02:00:00Z and the window", backup.Action, StringComparison.Ordinal);

        Assert.Equal(["maintenance-page-up", "stop-writes", "move-data", "start-services", "smoke-test", "maintenance-page-down"], plan.Steps.Select(s => s.Id));
        Assert.Contains("restore it into records", plan.Steps[2].Detail, StringComparison.Ordinal);
        Assert.Equal(SwitchoverPlanner.RunsByHand, plan.Runs);
    }

    [Fact]
    public async Task A_rehearsal_too_old_failed_or_too_long_for_the_window_fails_its_gate_with_when_to_rehearse()
    {
        var environment = _world.Load(File());

        await RecordAsync("records", At("2026-11-25T10:00:00Z"), verified: true, seconds: 600);
        var stale = Gate(await PlanAsync(environment), "rehearsal:records");
        Assert.False(stale.Passed);
        Assert.Equal("the newest verified rehearsal of database records (2026-11-25 10:00:00Z) is 10 days before the switchover; rehearse within 7 days", stale.Observed);
        Assert.Equal(Now, stale.PassableAt);
        Assert.Contains("ward db rehearse clinic records --from", stale.Action, StringComparison.Ordinal);

        await RecordAsync("records", At("2026-11-30T10:00:00Z"), verified: false, seconds: 0);
        var failed = await PlanAsync(environment);
        Assert.Equal("the newest rehearsal of database records (2026-11-30 10:00:00Z, from legacy@db.example.org:5432/records) did not verify: table visits: 1200 rows at the source, 1199 restored", Gate(failed, "rehearsal:records").Observed);
        Assert.Equal("cannot be measured: not every database has a verified rehearsal", Gate(failed, "rehearsal-time").Observed);

        await RecordAsync("records", At("2026-12-01T09:00:00Z"), verified: true, seconds: 7200);
        var tooLong = await PlanAsync(environment);
        Assert.True(Gate(tooLong, "rehearsal:records").Passed);
        var time = Gate(tooLong, "rehearsal-time");
        Assert.False(time.Passed);
        Assert.StartsWith("the dump, restore and verification of the databases took 2 h when rehearsed; the 3 h window leaves 1.5 h for it", time.Observed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dns_gate_counts_from_what_the_control_plane_observed_and_names_the_hour_it_passes()
    {
        await RecordAsync("records", At("2026-12-02T10:00:00Z"), verified: true, seconds: 60);
        var environment = _world.Load(File());

        _dns.Records["app.clinic.example.org"] = ["198.51.100.7"];
        var elsewhere = Gate(await PlanAsync(environment, new Dictionary<string, DateTimeOffset>()), "dns:app.clinic.example.org");
        Assert.False(elsewhere.Passed);
        Assert.Equal("app.clinic.example.org resolves to 198.51.100.7 now, not to the manager (203.0.113.10)", elsewhere.Observed);
        Assert.Equal("point its A record at 203.0.113.10 by 2026-12-03 02:00:00Z (48 h before the window)", elsewhere.Action);

        _dns.Records["app.clinic.example.org"] = ["203.0.113.10"];
        var young = Gate(await PlanAsync(environment, new Dictionary<string, DateTimeOffset> { ["app.clinic.example.org"] = At("2026-11-30T20:00:00Z") }), "dns:app.clinic.example.org");
        Assert.False(young.Passed);
        Assert.Equal(At("2026-12-02T20:00:00Z"), young.PassableAt);
        Assert.Equal("keep it pointing at the manager: it passes at 2026-12-02 20:00:00Z, before the window", young.Action);

        var old = Gate(await PlanAsync(environment, new Dictionary<string, DateTimeOffset> { ["app.clinic.example.org"] = At("2026-11-28T12:00:00Z") }), "dns:app.clinic.example.org");
        Assert.True(old.Passed);
        Assert.Equal("pointing at the manager (203.0.113.10) since 2026-11-28 12:00:00Z (observed by Ward), 72 h", old.Observed);

        var unseen = Gate(await PlanAsync(environment, new Dictionary<string, DateTimeOffset>()), "dns:app.clinic.example.org");
        Assert.Contains("the server has not recorded it yet", unseen.Observed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_production_file_with_error_findings_fails_the_readiness_gate_naming_them()
    {
        await RecordAsync("records", At("2026-12-02T10:00:00Z"), verified: true, seconds: 60);
        var environment = _world.Load(File(kind: "production"));

        var readiness = Gate(await PlanAsync(environment), "readiness");

        Assert.False(readiness.Passed);
        Assert.Matches(@"^[1-9]\d* error-level finding\(s\): [A-Z]+-[0-9X.]+ ", readiness.Observed);
        Assert.Contains("ward check FILE --live", readiness.Action, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_gate_passes_when_everything_was_observed_in_time()
    {
        var environment = _world.Load(File());
        var facts = new ObservedFacts();
        facts.Records["app.clinic.example.org"] = ["203.0.113.10"];
        facts.Recorded["records"] = [new Rules.ObservedRehearsal(At("2026-12-03T10:00:00Z"), "legacy@db:5432/records", true, null, 1_000_000, 900)];
        var observed = new SwitchoverObservations(
            new Dictionary<string, DateTimeOffset> { ["app.clinic.example.org"] = At("2026-11-28T12:00:00Z") },
            SwarmBackupAt: At("2026-12-04T20:00:00Z"),
            AnnouncedSince: At("2026-11-29T00:00:00Z"));
        var gates = new SwitchoverGates(environment.Spec, new SwitchoverOptions(), Now)
            .Evaluate(new Model.Spec.TimeWindow(WindowStart, WindowStart.AddHours(3)), "repoint", environment.WithLive(facts).Check, facts, observed);

        Assert.All(gates, g => Assert.True(g.Passed, $"{g.Id}: {g.Observed}"));
        Assert.All(gates, g => Assert.Null(g.Action));

        // Shortened thresholds (as an end-to-end test sets them) change the verdicts, not the code.
        var strict = new SwitchoverGates(environment.Spec, new SwitchoverOptions { SwarmBackupFreshness = TimeSpan.FromHours(1) }, Now)
            .Evaluate(new Model.Spec.TimeWindow(WindowStart, WindowStart.AddHours(3)), "repoint", environment.WithLive(facts).Check, facts, observed);
        Assert.False(strict.Single(g => g.Id == "swarm-backup").Passed);
    }

    public void Dispose() => _world.Dispose();

    private static DateTimeOffset At(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    private static SwitchoverGate Gate(SwitchoverPlan plan, string id) => plan.Gates.Single(g => g.Id == id);

    private SwitchoverPlanner Planner() => new(_time, new SwitchoverOptions());

    private Task<SwitchoverPlan> PlanAsync(LoadedEnvironment environment, IReadOnlyDictionary<string, DateTimeOffset>? mappedSince = null) =>
        Planner().PlanAsync(environment, _ => Gather(environment), mappedSince, TestContext.Current.CancellationToken);

    private Task<LiveFacts> Gather(LoadedEnvironment environment) =>
        LiveFacts.GatherAsync(environment.Spec, _world.Images, _dns, new Rehearsals(_world.Engine, _time), TestContext.Current.CancellationToken);

    /// <summary>A rehearsal recorded on the swarm as <see cref="Rehearsals"/> records it.</summary>
    private Task RecordAsync(string database, DateTimeOffset at, bool verified, double seconds)
    {
        var record = new RehearsalRecord("clinic", database, at, "owner", "legacy@db.example.org:5432/records", verified, verified ? null : "table visits: 1200 rows at the source, 1199 restored", null,
            1_000_000, 400_000, 3, 1200, new Dictionary<string, double> { ["dump"] = seconds / 2, ["restore"] = seconds / 2 }, seconds, 9.8);
        return _world.Engine.CreateAsync(ObjectKind.Config, Rehearsals.RecordSpec(record, "test"), TestContext.Current.CancellationToken);
    }

    /// <summary>Facts as a connected host would have gathered them.</summary>
    private sealed class ObservedFacts : Rules.ILiveFacts
    {
        public Dictionary<string, IReadOnlyList<string>> Records { get; } = new(StringComparer.OrdinalIgnoreCase);

        public Dictionary<string, IReadOnlyList<Rules.ObservedRehearsal>> Recorded { get; } = new(StringComparer.Ordinal);

        public long? ImageSize(string image) => 1_000;

        public IReadOnlyList<string>? ResolveA(string domain) => Records.GetValueOrDefault(domain);

        public IReadOnlyList<Rules.ObservedRehearsal>? Rehearsals(string database) => Recorded.GetValueOrDefault(database);
    }
}
