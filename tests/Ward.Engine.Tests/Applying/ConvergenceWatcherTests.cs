using System.Text.Json.Nodes;
using Ward.Engine.Applying;
using Ward.Engine.Planning;
using Ward.Engine.Ports;
using Ward.Engine.Tests.Support;

namespace Ward.Engine.Tests.Applying;

/// <summary>Waiting for convergence on a fake clock: what counts as converged, failed and timed out.</summary>
public sealed class ConvergenceWatcherTests
{
    private readonly FakeEngine _engine = new() { RunTasksAtOnce = false };
    private readonly TestClock _clock = new();
    private readonly List<IReadOnlyList<ServiceProgress>> _seen = [];

    public ConvergenceWatcherTests()
    {
        _engine.Time = _clock;
    }

    private ApplyOptions Options { get; set; } = new()
    {
        PollInterval = TimeSpan.FromSeconds(1),
        Timeout = TimeSpan.FromMinutes(2),
        UnschedulableAfter = TimeSpan.FromSeconds(15),
        FailedTasksLimit = 3,
    };

    private static JsonObject Service(string name, int replicas, string image = "registry.example/app:1")
    {
        var spec = Json.Parse("""
            {"Labels":{"com.docker.stack.namespace":"demo"},"TaskTemplate":{"ContainerSpec":{},"ForceUpdate":0},"Mode":{"Replicated":{}}}
            """);
        spec["Name"] = $"demo_{name}";
        spec.At("TaskTemplate.ContainerSpec")!["Image"] = image;
        spec.At("Mode.Replicated")!["Replicas"] = replicas;
        return spec;
    }

    private Task<ApplyResult> WaitAsync() =>
        _clock.RunAsync(() => new ConvergenceWatcher(_engine, _clock).WaitAsync("demo", Options, new Recorder(_seen), 0, CancellationToken.None));

    [Fact]
    public async Task Converged_when_every_task_runs()
    {
        _engine.RunTasksAtOnce = true;
        _engine.Seed(ObjectKind.Service, Service("web", 2));
        _engine.Seed(ObjectKind.Service, Service("api", 1));
        _engine.Seed(ObjectKind.Service, Json.Parse("""{"Name":"other_web","Labels":{"com.docker.stack.namespace":"other"},"TaskTemplate":{"ContainerSpec":{"Image":"x"}}}"""));
        _engine.SetTaskState("other_web", "rejected", "No such image: x");

        var result = await WaitAsync();
        Assert.Equal(ApplyOutcome.Converged, result.Outcome);
        Assert.Equal(TimeSpan.Zero, result.Elapsed);
        Assert.Equal(
            [new ServiceProgress("demo_api", 1, 1, "converged", null), new ServiceProgress("demo_web", 2, 2, "converged", null)],
            result.Services);
    }

    [Fact]
    public async Task Starting_tasks_are_waited_for()
    {
        _engine.Seed(ObjectKind.Service, Service("web", 2));
        _clock.OnWait = elapsed =>
        {
            if (elapsed == TimeSpan.FromSeconds(5))
            {
                _engine.SetTaskState("demo_web", "running");
            }
        };

        var result = await WaitAsync();
        Assert.Equal(ApplyOutcome.Converged, result.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(6), result.Elapsed);
        Assert.Equal(new ServiceProgress("demo_web", 0, 2, "starting", null), _seen[0].Single());
        Assert.Equal(7, _seen.Count);
    }

    [Fact]
    public async Task A_task_rejected_for_a_missing_image_fails_with_the_engine_error()
    {
        _engine.Seed(ObjectKind.Service, Service("web", 2));
        _engine.Seed(ObjectKind.Service, Service("api", 1));
        _engine.SetTaskState("demo_api", "running");
        _engine.SetTaskState("demo_web", "rejected", "No such image: registry.example/app:1");

        var result = await WaitAsync();
        Assert.Equal(ApplyOutcome.Failed, result.Outcome);
        Assert.Equal(["demo_web: the image is missing on a node (no registry to pull from): No such image: registry.example/app:1"], result.Problems);
        Assert.Equal(TimeSpan.Zero, result.Elapsed);
    }

    [Fact]
    public async Task Tasks_failing_the_configured_number_of_times_fail_with_their_error()
    {
        _engine.Seed(ObjectKind.Service, Service("web", 1));
        _engine.SetTaskState("demo_web", "starting");
        _clock.OnWait = elapsed =>
        {
            if (elapsed < TimeSpan.FromSeconds(3))
            {
                _engine.FailTask("demo_web", $"task: non-zero exit (1) after {elapsed.TotalSeconds} s");
            }
        };

        var result = await WaitAsync();
        Assert.Equal(ApplyOutcome.Failed, result.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(3), result.Elapsed);
        Assert.Equal(["demo_web: 3 tasks failed: task: non-zero exit (1) after 2 s"], result.Problems);
    }

    [Fact]
    public async Task Fewer_failures_than_the_limit_still_converge()
    {
        _engine.Seed(ObjectKind.Service, Service("web", 1));
        _engine.FailTask("demo_web", "task: non-zero exit (1)");
        _engine.FailTask("demo_web", "task: non-zero exit (1)");
        _clock.OnWait = _ => _engine.SetTaskState("demo_web", "running");

        var result = await WaitAsync();
        Assert.Equal(ApplyOutcome.Converged, result.Outcome);
        Assert.Equal(new ServiceProgress("demo_web", 0, 1, "starting", "task: non-zero exit (1)"), _seen[0].Single());
    }

    [Fact]
    public async Task Tasks_no_node_can_run_fail_after_the_unschedulable_delay()
    {
        _engine.Seed(ObjectKind.Service, Service("web", 2));
        _engine.SetTaskState("demo_web", "pending", "no suitable node (scheduling constraints not satisfied on 3 nodes)");

        var result = await WaitAsync();
        Assert.Equal(ApplyOutcome.Failed, result.Outcome);
        Assert.Equal(Options.UnschedulableAfter, result.Elapsed);
        Assert.Equal(["demo_web: no node can run its tasks: no suitable node (scheduling constraints not satisfied on 3 nodes)"], result.Problems);
    }

    [Fact]
    public async Task Tasks_placed_before_the_unschedulable_delay_converge()
    {
        _engine.Seed(ObjectKind.Service, Service("web", 1));
        _engine.SetTaskState("demo_web", "pending", "no suitable node (insufficient resources on 2 nodes)");
        _clock.OnWait = elapsed =>
        {
            if (elapsed == TimeSpan.FromSeconds(10))
            {
                _engine.SetTaskState("demo_web", "running");
            }
        };

        var result = await WaitAsync();
        Assert.Equal(ApplyOutcome.Converged, result.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(11), result.Elapsed);
    }

    [Theory]
    [InlineData("paused", "update paused due to failure or early termination of task 9ly", "demo_web: the update paused: update paused due to failure or early termination of task 9ly")]
    [InlineData("rollback_completed", "rollback completed", "demo_web: the update rollback completed: rollback completed")]
    [InlineData("rollback_started", "update rolled back due to failure", "demo_web: the update rollback started: update rolled back due to failure")]
    public async Task A_paused_or_rolled_back_update_fails(string state, string message, string problem)
    {
        _engine.RunTasksAtOnce = true;
        _engine.Seed(ObjectKind.Service, Service("web", 1));
        _engine.SetUpdateState("demo_web", state, message);

        var result = await WaitAsync();
        Assert.Equal(ApplyOutcome.Failed, result.Outcome);
        Assert.Equal([problem], result.Problems);
    }

    [Fact]
    public async Task An_update_in_progress_is_waited_for()
    {
        _engine.RunTasksAtOnce = true;
        _engine.Seed(ObjectKind.Service, Service("web", 1));
        _engine.SetUpdateState("demo_web", "updating", "update in progress");
        _clock.OnWait = elapsed =>
        {
            if (elapsed == TimeSpan.FromSeconds(4))
            {
                _engine.SetUpdateState("demo_web", "completed", "update completed");
            }
        };

        var result = await WaitAsync();
        Assert.Equal(ApplyOutcome.Converged, result.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(5), result.Elapsed);
        Assert.Equal("updating", _seen[0].Single().State);
    }

    [Fact]
    public async Task Timing_out_lists_every_service_that_did_not_converge()
    {
        Options = Options with { Timeout = TimeSpan.FromSeconds(30) };
        _engine.Seed(ObjectKind.Service, Service("web", 2));
        _engine.Seed(ObjectKind.Service, Service("api", 1));
        _engine.Seed(ObjectKind.Service, Service("worker", 1));
        _engine.SetTaskState("demo_worker", "running");
        _engine.SetTaskState("demo_api", "starting", "health check failing");

        var result = await WaitAsync();
        Assert.Equal(ApplyOutcome.TimedOut, result.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(30), result.Elapsed);
        Assert.Equal(["demo_api: 0/1 running after 30 s; last error: health check failing", "demo_web: 0/2 running after 30 s"], result.Problems);
        Assert.Equal(["starting", "starting", "converged"], result.Services.Select(s => s.State));
    }

    [Fact]
    public async Task Old_tasks_do_not_count_for_or_against_convergence()
    {
        _engine.RunTasksAtOnce = true;
        _engine.Seed(ObjectKind.Service, Service("web", 2, image: "registry.example/app:2"));
        var service = _engine.Object(ObjectKind.Service, "demo_web");
        var oldSpec = Json.Parse("""{"ContainerSpec":{"Image":"registry.example/app:1"},"ForceUpdate":0}""");
        for (var i = 0; i < 5; i++)
        {
            _engine.AddTask(new ObservedTask { Id = $"old-failed-{i}", ServiceId = service.Id, DesiredState = "shutdown", State = "failed", Error = "task: non-zero exit (1)", Spec = oldSpec });
        }

        Assert.Equal(ApplyOutcome.Converged, (await WaitAsync()).Outcome);

        // An old task Swarm still wants running (a rolling update under way) keeps the service from converging.
        _engine.AddTask(new ObservedTask { Id = "old-running", ServiceId = service.Id, DesiredState = "running", State = "running", Spec = oldSpec });
        _clock.OnWait = elapsed =>
        {
            if (elapsed == TimeSpan.FromSeconds(2))
            {
                _engine.SetTaskState("demo_web", "running");
            }
        };
        var result = await WaitAsync();
        Assert.Equal(ApplyOutcome.TimedOut, result.Outcome);
        Assert.Equal(new ServiceProgress("demo_web", 2, 2, "starting", null), result.Services.Single());
    }

    [Fact]
    public async Task Old_tasks_are_recognised_by_their_spec_not_by_networks_or_platforms()
    {
        var template = Json.Parse("""{"ContainerSpec":{"Image":"a"},"Networks":[{"Target":"n1"}],"Placement":{}}""");
        var task = new ObservedTask
        {
            Id = "t",
            ServiceId = "s",
            DesiredState = "running",
            State = "running",
            Spec = Json.Parse("""{"ContainerSpec":{"Image":"a"},"Networks":[{"Target":"n1","Aliases":["x"]}],"Placement":{"Platforms":[{"OS":"linux"}]},"Runtime":"container"}"""),
        };
        Assert.True(ConvergenceWatcher.IsCurrent(task, template));
        Assert.False(ConvergenceWatcher.IsCurrent(task with { Spec = Json.Parse("""{"ContainerSpec":{"Image":"b"}}""") }, template));
    }

    private sealed class Recorder(List<IReadOnlyList<ServiceProgress>> seen) : IApplyObserver
    {
        public void StepStarted(PlanStep step)
        {
        }

        public void StepFinished(PlanStep step, string? error)
        {
        }

        public void Waiting(IReadOnlyList<ServiceProgress> services) => seen.Add(services);

        public void Note(string message)
        {
        }
    }
}
