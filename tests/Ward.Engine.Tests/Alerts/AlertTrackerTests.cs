using Ward.Deploying.Alerts;
using Ward.Engine.Observing;
using Ward.Engine.Ports;
using Ward.Model.Spec;

namespace Ward.Engine.Tests.Alerts;

/// <summary>Alerts over time: conditions from the swarm's state, firing after their duration, resolving, one notice each, silences and acks.</summary>
public sealed class AlertTrackerTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-12-07T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static readonly AlertCondition WorkerDown = new("node-down", "worker-1", "the node is down");

    [Fact]
    public void The_swarm_state_gives_node_down_failed_degraded_and_tasks_on_the_manager()
    {
        var status = new EnvironmentStatusReport(
            "shop",
            Verdict.Failed,
            [Node("manager-1", "manager", "ready"), Node("worker-1", "worker", "down"), Node("worker-2", "worker", "ready")],
            [
                new ServiceStatus("shop_web", 1, 2, "degraded", null, ["worker-2"], "web:1"),
                new ServiceStatus("shop_db", 0, 1, "failed", "no suitable node", [], "db:1"),
                new ServiceStatus("shop_cron", 1, 1, "converged", null, ["manager-1"], "cron:1"),
                new ServiceStatus("shop_api", 2, 2, "converged", null, ["worker-2", "worker-2"], "api:1"),

                // Ward's own load balancer belongs on the manager: it is not application work.
                new ServiceStatus("shop_ward-lb", 1, 1, "converged", null, ["manager-1"], "ward/lb:2.6.2"),
            ],
            []);
        var conditions = AlertConditions.From(status);
        Assert.Equal(
            ["node-down|worker-1", "service-degraded|web", "service-failed|db", "task-on-manager|cron@manager-1"],
            conditions.Select(c => c.Key));
        Assert.Equal("0 of 1 tasks running; last error: no suitable node", conditions.Single(c => c.Rule == "service-failed").Detail);
    }

    [Fact]
    public void An_alert_fires_once_after_its_duration_and_resolves_once()
    {
        var tracker = new AlertTracker("shop");
        var settings = new AlertsSpec { Rules = ValueList.Of(new AlertRuleSetting("node-down") { For = TimeSpan.FromSeconds(20) }) };

        Assert.Empty(tracker.Evaluate([WorkerDown], settings, T0));
        Assert.False(tracker.Current(T0).Single().Firing);
        Assert.Empty(tracker.Evaluate([WorkerDown], settings, T0.AddSeconds(10)));
        var fired = tracker.Evaluate([WorkerDown], settings, T0.AddSeconds(20));
        Assert.Equal((AlertNoticeKind.Firing, "worker-1", T0), (fired.Single().Kind, fired.Single().Alert.Subject, fired.Single().Alert.Since));

        // Still down: no further notice however often it is evaluated.
        for (var s = 30; s < 300; s += 10)
        {
            Assert.Empty(tracker.Evaluate([WorkerDown], settings, T0.AddSeconds(s)));
        }

        var resolved = tracker.Evaluate([], settings, T0.AddSeconds(300));
        Assert.Equal(AlertNoticeKind.Resolved, resolved.Single().Kind);
        Assert.Empty(tracker.Current(T0.AddSeconds(300)));
        Assert.Empty(tracker.Evaluate([], settings, T0.AddSeconds(310)));
    }

    [Fact]
    public void A_condition_shorter_than_the_duration_never_tells_anyone()
    {
        var tracker = new AlertTracker("shop");
        Assert.Empty(tracker.Evaluate([new AlertCondition("service-degraded", "web", "1 of 2")], null, T0));
        Assert.Empty(tracker.Evaluate([new AlertCondition("service-degraded", "web", "1 of 2")], null, T0.AddSeconds(90)));
        Assert.Empty(tracker.Evaluate([], null, T0.AddSeconds(100)));
    }

    [Fact]
    public void Conditions_seen_twice_in_one_evaluation_are_one_alert_and_a_disabled_rule_is_ignored()
    {
        var tracker = new AlertTracker("shop");
        var settings = new AlertsSpec { Rules = ValueList.Of(new AlertRuleSetting("task-on-manager") { Enabled = false }) };
        var notices = tracker.Evaluate([WorkerDown, WorkerDown, new AlertCondition("task-on-manager", "cron@manager-1", "x")], settings, T0);
        Assert.Single(notices);
        Assert.Single(tracker.Current(T0));
    }

    [Fact]
    public void A_silenced_alert_is_listed_and_its_firing_and_resolving_are_marked_silenced_and_an_ack_names_who()
    {
        var tracker = new AlertTracker("shop");
        var settings = new AlertsSpec { Rules = ValueList.Of(new AlertRuleSetting("node-down") { For = TimeSpan.FromSeconds(10) }) };
        tracker.Evaluate([WorkerDown], settings, T0);
        Assert.True(tracker.Silence("node-down", "worker-1", T0.AddHours(1)));
        Assert.False(tracker.Silence("node-down", "worker-9", T0.AddHours(1)));
        Assert.True(tracker.Evaluate([WorkerDown], settings, T0.AddSeconds(10)).Single() is { Kind: AlertNoticeKind.Firing, Silenced: true });
        var listed = tracker.Current(T0.AddSeconds(10)).Single();
        Assert.Equal((true, T0.AddHours(1)), (listed.Firing, listed.SilencedUntil));
        Assert.True(tracker.Acknowledge("node-down", "worker-1", "alice"));
        Assert.Equal("alice", tracker.Current(T0.AddSeconds(11)).Single().AcknowledgedBy);
        Assert.True(tracker.Evaluate([], settings, T0.AddSeconds(20)).Single() is { Kind: AlertNoticeKind.Resolved, Silenced: true });
    }

    [Fact]
    public void A_digest_groups_an_evaluation_into_one_message()
    {
        var tracker = new AlertTracker("shop");
        var notices = tracker.Evaluate([WorkerDown, new AlertCondition("node-down", "worker-2", "the node is down"), new AlertCondition("service-failed", "db", "0 of 1")], null, T0.AddMinutes(1));
        Assert.Equal(2, notices.Count);
        var digest = new AlertDigest("shop", notices);
        Assert.Equal("[Ward] shop: 2 firing (node-down worker-1, node-down worker-2)", digest.Subject);
        Assert.Contains("FIRING: A node is down — worker-2", digest.Text(), StringComparison.Ordinal);
        var json = System.Text.Json.Nodes.JsonNode.Parse(digest.JsonBody())!;
        Assert.Equal(("shop", "firing", "worker-1"), (json["environment"]!.GetValue<string>(), json["notices"]![0]!["kind"]!.GetValue<string>(), json["notices"]![0]!["subject"]!.GetValue<string>()));
    }

    private static ObservedNode Node(string name, string role, string state) => new()
    {
        Id = "id-" + name,
        Version = 1,
        Hostname = name,
        Role = role,
        Availability = "active",
        State = state,
        Address = "10.0.0.1",
        Labels = new Dictionary<string, string> { ["ward.node"] = name },
        Cpus = 2,
        MemoryBytes = 4L << 30,
    };
}
