using System.Text.Json.Nodes;
using Ward.Engine.Desired;
using Ward.Engine.Observing;
using Ward.Engine.Ports;
using Ward.Engine.Tests.Support;

namespace Ward.Engine.Tests.Observing;

public sealed class EnvironmentStatusTests
{
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly JsonObject Template = Json.Parse("""{"ContainerSpec":{"Image":"nginx:1.27"}}""");

    private readonly List<ObservedNode> _nodes =
    [
        FakeEngine.Node("manager-1", "manager"),
        FakeEngine.Node("worker-1", "worker"),
        FakeEngine.Node("worker-2", "worker"),
    ];

    private readonly List<ObservedObject> _services = [];
    private readonly List<ObservedTask> _tasks = [];

    private void Service(string name, int replicas, string? updateState = null)
    {
        var spec = new JsonObject
        {
            ["Name"] = $"demo_{name}",
            ["TaskTemplate"] = Template.DeepClone(),
            ["Mode"] = Json.Parse("{\"Replicated\":{\"Replicas\":" + replicas + "}}"), // numbers as the engine adapter reads them
        };
        _services.Add(new ObservedObject(ObjectKind.Service, $"id-{name}", $"demo_{name}", 1, spec) { UpdateState = updateState });
    }

    private void Task(string service, string node, string state, string? error = null, string desired = "running") =>
        _tasks.Add(new ObservedTask
        {
            Id = $"t{_tasks.Count}",
            ServiceId = $"id-{service}",
            NodeId = $"node-{node}",
            DesiredState = desired,
            State = state,
            Error = error,
            Timestamp = Now,
            Spec = (JsonObject)Template.DeepClone(),
        });

    private EnvironmentStatusReport Judge() => EnvironmentStatus.Judge("demo", _nodes, _services, _tasks, Now);

    private void Healthy()
    {
        Service("web", 2);
        Service("api", 1);
        Task("web", "worker-2", "running");
        Task("web", "worker-1", "running");
        Task("api", "worker-1", "running");
    }

    [Fact]
    public void Every_task_running_on_ready_nodes_is_converged()
    {
        Healthy();
        var report = Judge();
        Assert.Equal(Verdict.Converged, report.Verdict);
        Assert.Empty(report.Reasons);
        Assert.Equal(["demo_api", "demo_web"], report.Services.Select(s => s.Name));
        var web = report.Services[1];
        Assert.Equal((2, 2, "converged", "nginx:1.27"), (web.Running, web.Desired, web.State, web.Image));
        Assert.Equal(["worker-1", "worker-2"], web.Nodes);
    }

    [Fact]
    public void Tasks_being_started_are_progressing()
    {
        Healthy();
        _tasks[0] = _tasks[0] with { State = "preparing" };
        var report = Judge();
        Assert.Equal(Verdict.Progressing, report.Verdict);
        Assert.Equal(["demo_web: 1/2 running, progressing"], report.Reasons);
    }

    [Fact]
    public void An_update_under_way_is_progressing()
    {
        Service("web", 1, updateState: "updating");
        Task("web", "worker-1", "running");
        Assert.Equal(Verdict.Progressing, Judge().Verdict);
    }

    [Fact]
    public void A_node_down_with_tasks_on_it_is_degraded()
    {
        Healthy();
        _nodes[1] = _nodes[1] with { State = "down", Message = "heartbeat failure" };
        var report = Judge();
        Assert.Equal(Verdict.Degraded, report.Verdict);
        Assert.Equal("node worker-1 is down (heartbeat failure)", report.Reasons[0]);
        Assert.Equal(["demo_api: 1/1 running, degraded", "demo_web: 2/2 running, degraded"], report.Reasons.Skip(1));
        Assert.All(report.Services, s => Assert.Equal("degraded", s.State));
    }

    [Fact]
    public void Missing_tasks_that_nothing_is_starting_are_degraded()
    {
        Healthy();
        _tasks[0] = _tasks[0] with { State = "shutdown", DesiredState = "shutdown" };
        var report = Judge();
        Assert.Equal(Verdict.Degraded, report.Verdict);
        Assert.Equal(["demo_web: 1/2 running, degraded"], report.Reasons);
    }

    [Fact]
    public void A_service_that_cannot_converge_is_failed_with_the_task_error()
    {
        Healthy();
        Service("worker", 1);
        Task("worker", "worker-2", "rejected", "No such image: registry.example/worker:1");
        var report = Judge();
        Assert.Equal(Verdict.Failed, report.Verdict);
        var worker = report.Services.Single(s => s.Name == "demo_worker");
        Assert.Equal("failed", worker.State);
        Assert.Contains("No such image: registry.example/worker:1", worker.LastError, StringComparison.Ordinal);
        Assert.Contains(report.Reasons, r => r.StartsWith("demo_worker: 0/1 running, failed (the image is missing", StringComparison.Ordinal));
    }

    [Fact]
    public void Unschedulable_tasks_fail_at_once_when_judging()
    {
        Service("db", 1);
        Task("db", "worker-1", "pending", "no suitable node (1 node not available for new tasks)");
        Assert.Equal(Verdict.Failed, Judge().Verdict);
    }

    [Fact]
    public void Failure_outranks_degradation_which_outranks_progress()
    {
        Healthy();
        _tasks[0] = _tasks[0] with { State = "starting" };
        _nodes[2] = _nodes[2] with { State = "down" };
        Assert.Equal(Verdict.Degraded, Judge().Verdict);
        _services[1] = _services[1] with { UpdateState = "rollback_completed", UpdateMessage = "rolled back" };
        Assert.Equal(Verdict.Failed, Judge().Verdict);
    }

    [Fact]
    public void Nodes_are_named_by_their_ward_name_or_hostname_and_short_id()
    {
        Assert.Equal("worker-1", EnvironmentStatus.NodeName(_nodes[1]));
        var unnamed = _nodes[1] with { Id = "abcdef0123456789", Hostname = "ip-10-0-0-5", Labels = new Dictionary<string, string>() };
        Assert.Equal("ip-10-0-0-5/abcdef01", EnvironmentStatus.NodeName(unnamed));
        Assert.Equal(StackNames.NodeLabel, "ward.node");
    }
}
