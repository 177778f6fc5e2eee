using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Ward.Engine.Applying;
using Ward.Engine.Desired;
using Ward.Engine.Planning;
using Ward.Engine.Ports;
using Ward.Engine.Tests.Support;

namespace Ward.Engine.Tests.Applying;

public sealed class ApplierTests : IDisposable
{
    private readonly Deployment _deployment = new();

    public void Dispose() => _deployment.Dispose();

    private FakeEngine Engine => _deployment.Engine;

    [Fact]
    public async Task A_plan_is_applied_and_the_environment_converges()
    {
        var plan = await _deployment.PlanAsync(Deployment.V1);
        var result = await _deployment.ApplyAsync(plan);

        Assert.Equal(ApplyOutcome.Converged, result.Outcome);
        Assert.Empty(result.Problems);
        Assert.Equal(plan.Steps.Count, result.StepsDone);
        Assert.Equal(["demo_api", "demo_web", "demo_worker"], result.Services.Select(s => s.Name));
        Assert.All(result.Services, s => Assert.Equal("converged", s.State));
        Assert.Equal(2, result.Services.Single(s => s.Name == "demo_web").Running);
        Assert.Equal(
            ["Config", "Network demo_back", "Network demo_front", "Secret", "Service demo_api", "Service demo_web", "Service demo_worker"],
            Engine.Objects.Select(o => o.Kind is ObjectKind.Config or ObjectKind.Secret ? $"{o.Kind}" : $"{o.Kind} {o.Name}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Secret_and_config_ids_are_filled_in_the_service_specs()
    {
        await _deployment.DeployAsync(Deployment.V1);
        var secret = Engine.Objects.Single(o => o.Kind == ObjectKind.Secret);
        var config = Engine.Objects.Single(o => o.Kind == ObjectKind.Config);
        var web = Engine.Object(ObjectKind.Service, "demo_web").Spec.At("TaskTemplate.ContainerSpec");
        Assert.Equal((secret.Name, secret.Id), (web.Text("Secrets[0].SecretName"), web.Text("Secrets[0].SecretID")));
        Assert.Equal((config.Name, config.Id), (web.Text("Configs[0].ConfigName"), web.Text("Configs[0].ConfigID")));
    }

    [Fact]
    public async Task Phases_run_in_order_and_the_steps_of_a_phase_in_parallel()
    {
        var plan = await _deployment.PlanAsync(Deployment.V1);
        var width = plan.Steps.GroupBy(s => Phase($"x {s.Target}")).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<string, int> { ["Network"] = 2, ["Secret/Config"] = 2, ["Node"] = 2, ["Service"] = 3 }, width);

        // Each call waits until every step of its phase has started: a phase run one step at a time never gets there.
        var waiting = new List<(string Phase, TaskCompletionSource Release)>();
        var overlaps = new List<string>();
        Engine.Pause = call =>
        {
            var phase = Phase(call);
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (waiting)
            {
                overlaps.AddRange(waiting.Where(w => w.Phase != phase).Select(w => $"{call} while a {w.Phase} call is in flight"));
                waiting.Add((phase, release));
                if (waiting.Count(w => w.Phase == phase) == width[phase])
                {
                    waiting.Where(w => w.Phase == phase).ToList().ForEach(w => w.Release.SetResult());
                    waiting.RemoveAll(w => w.Phase == phase);
                }
            }

            return release.Task;
        };

        // The convergence wait polls without sleeping here (tasks run at once), so real time only guards against a hang.
        var result = await Task.Run(() => new Applier(Engine, _deployment.Clock).ApplyAsync(plan, _deployment.Options, SilentObserver.Instance, CancellationToken.None))
            .WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(ApplyOutcome.Converged, result.Outcome);
        Assert.Empty(overlaps);
        Assert.Equal(["Network", "Secret/Config", "Node", "Service"], Engine.Calls.Select(Phase).Distinct());

        // Removals wait until the services moved: the new token version is in use before the old one goes.
        Engine.Pause = null;
        Engine.Calls.Clear();
        await _deployment.DeployAsync(Deployment.V2, prune: true);
        var phases = Engine.Calls.Select(c => c.StartsWith("Remove", StringComparison.Ordinal) && !c.StartsWith("Remove Service", StringComparison.Ordinal) ? "Remove" : Phase(c));
        Assert.Equal(["Secret/Config", "Node", "Service", "Remove"], phases.Distinct());
    }

    private static string Phase(string call) => call.Split(' ')[1] switch
    {
        "Secret" or "Config" => "Secret/Config",
        var kind => kind,
    };

    [Fact]
    public async Task An_old_secret_version_is_removed_once_the_services_moved_to_the_new_one()
    {
        await _deployment.DeployAsync(Deployment.V1);
        var old = Engine.Objects.Single(o => o.Kind == ObjectKind.Secret);
        await _deployment.DeployAsync(Deployment.V1.Replace("token-v1.txt", "token-v2.txt", StringComparison.Ordinal));
        var current = Engine.Objects.Single(o => o.Kind == ObjectKind.Secret);
        Assert.NotEqual(old.Name, current.Name);
        foreach (var service in new[] { "demo_web", "demo_api" })
        {
            Assert.Equal(current.Id, Engine.Object(ObjectKind.Service, service).Spec.Text("TaskTemplate.ContainerSpec.Secrets[0].SecretID"));
        }
    }

    [Fact]
    public async Task An_old_secret_version_another_service_still_uses_stays_until_the_next_apply()
    {
        await _deployment.DeployAsync(Deployment.V1);
        var old = Engine.Objects.Single(o => o.Kind == ObjectKind.Secret);
        Engine.Seed(ObjectKind.Service, Json.Parse("""
            {"Name":"tools_shell","Labels":{"com.docker.stack.namespace":"tools"},
             "TaskTemplate":{"ContainerSpec":{"Image":"busybox","Secrets":[{"SecretID":"ID","SecretName":"NAME"}]}}}
            """.Replace("ID", old.Id, StringComparison.Ordinal).Replace("NAME", old.Name, StringComparison.Ordinal)));
        var v2 = Deployment.V1.Replace("token-v1.txt", "token-v2.txt", StringComparison.Ordinal);

        var plan = await _deployment.PlanAsync(v2);
        var result = await _deployment.ApplyAsync(plan);
        Assert.Equal(ApplyOutcome.Converged, result.Outcome);
        Assert.Empty(result.Problems);
        Assert.Contains(Engine.Objects, o => o.Name == old.Name);
        Assert.DoesNotContain(Engine.Calls, c => c.StartsWith("Remove", StringComparison.Ordinal));

        // Once the other service lets go, the next apply removes it.
        await Engine.RemoveAsync(ObjectKind.Service, Engine.Object(ObjectKind.Service, "tools_shell").Id, TestContext.Current.CancellationToken);
        var next = await _deployment.PlanAsync(v2);
        var remove = Assert.Single(next.Steps, s => s.Change == ChangeKind.Remove);
        Assert.Equal((StepTarget.Secret, old.Name), (remove.Target, remove.Name));
        await _deployment.ApplyAsync(next);
        Assert.DoesNotContain(Engine.Objects, o => o.Name == old.Name);
    }

    [Fact]
    public async Task A_stale_version_on_a_service_update_is_retried_on_fresh_state()
    {
        await _deployment.DeployAsync(Deployment.V1);
        var plan = await _deployment.PlanAsync(Deployment.V1.Replace("nginx:1.27", "nginx:1.28", StringComparison.Ordinal));
        var touched = false;
        Engine.BeforeCall = call =>
        {
            if (call == "Update Service demo_web" && !touched)
            {
                // Someone else (or Swarm itself) changes the service between the plan and the update.
                touched = true;
                Engine.Mutate(ObjectKind.Service, "demo_web", spec => spec["Labels"]!["touched"] = "yes");
            }
        };

        var result = await _deployment.ApplyAsync(plan);
        Assert.Equal(ApplyOutcome.Converged, result.Outcome);
        Assert.Equal(2, Engine.Calls.Count(c => c == "Update Service demo_web"));
        var web = Engine.Object(ObjectKind.Service, "demo_web");
        Assert.Equal("nginx:1.28", web.Spec.Text("TaskTemplate.ContainerSpec.Image"));
        Assert.Equal(3, web.Version);
    }

    [Fact]
    public async Task A_conflict_injected_once_is_retried_and_succeeds()
    {
        await _deployment.DeployAsync(Deployment.V1);
        var plan = await _deployment.PlanAsync(Deployment.V1.Replace("MODE: v1", "MODE: v2", StringComparison.Ordinal));
        Engine.Fail("Update Service demo_api", new EngineConflictException("update out of sequence"));
        var result = await _deployment.ApplyAsync(plan);
        Assert.Equal(ApplyOutcome.Converged, result.Outcome);
        Assert.Equal(["MODE=v2"], Engine.Object(ObjectKind.Service, "demo_api").Spec.Strings("TaskTemplate.ContainerSpec.Env"));
    }

    [Fact]
    public async Task When_someone_else_already_made_the_change_no_second_update_is_sent()
    {
        await _deployment.DeployAsync(Deployment.V1);
        var plan = await _deployment.PlanAsync(Deployment.V1.Replace("nginx:1.27", "nginx:1.28", StringComparison.Ordinal));
        var step = plan.Steps.Single();
        var secretId = Engine.Objects.Single(o => o.Kind == ObjectKind.Secret).Id;
        var configId = Engine.Objects.Single(o => o.Kind == ObjectKind.Config).Id;
        Engine.BeforeCall = call =>
        {
            if (call == "Update Service demo_web" && Engine.Object(ObjectKind.Service, "demo_web").Version == 1)
            {
                // Another apply of the same file got there first: the service already has the desired spec.
                Engine.Mutate(ObjectKind.Service, "demo_web", spec =>
                {
                    var desired = (JsonObject)step.Spec!.DeepClone();
                    desired.At("TaskTemplate.ContainerSpec.Secrets[0]")!["SecretID"] = secretId;
                    desired.At("TaskTemplate.ContainerSpec.Configs[0]")!["ConfigID"] = configId;
                    spec.Clear();
                    foreach (var (key, value) in desired.ToList())
                    {
                        spec[key] = value?.DeepClone();
                    }
                });
            }
        };

        var result = await _deployment.ApplyAsync(plan);
        Assert.Equal(ApplyOutcome.Converged, result.Outcome);
        Assert.Equal(1, Engine.Calls.Count(c => c == "Update Service demo_web"));
        Assert.Equal(2, Engine.Object(ObjectKind.Service, "demo_web").Version);
    }

    [Fact]
    public async Task Persistent_conflicts_fail_after_the_configured_retries_with_a_clear_message()
    {
        await _deployment.DeployAsync(Deployment.V1);
        var plan = await _deployment.PlanAsync(Deployment.V1.Replace("nginx:1.27", "nginx:1.28", StringComparison.Ordinal));
        _deployment.Options = _deployment.Options with { ConflictRetries = 3 };
        for (var i = 0; i < 10; i++)
        {
            Engine.Fail("Update Service demo_web", new EngineConflictException("rpc error: code = Unknown desc = update out of sequence"));
        }

        var result = await _deployment.ApplyAsync(plan);
        Assert.Equal(ApplyOutcome.Failed, result.Outcome);
        Assert.Equal(3, Engine.Calls.Count(c => c == "Update Service demo_web"));
        Assert.Equal(2, result.Problems.Count);
        var problem = result.Problems[0];
        Assert.StartsWith("update service demo_web: ", problem, StringComparison.Ordinal);
        Assert.EndsWith("not done: update service demo_web. Fix the cause and apply again: it carries on from what exists.", result.Problems[1], StringComparison.Ordinal);
        Assert.Contains("3 attempts", problem, StringComparison.Ordinal);
        Assert.Contains("update out of sequence", problem, StringComparison.Ordinal);
        Assert.Equal("nginx:1.27", Engine.Object(ObjectKind.Service, "demo_web").Spec.Text("TaskTemplate.ContainerSpec.Image"));
    }

    [Fact]
    public async Task A_node_changed_meanwhile_is_updated_at_its_new_version_keeping_the_new_label()
    {
        var plan = await _deployment.PlanAsync(Deployment.V1);
        Engine.BeforeCall = call =>
        {
            if (call == "Update Node node-worker-1" && Engine.Nodes.Single(n => n.Id == "node-worker-1").Version == 1)
            {
                var node = Engine.Nodes.Single(n => n.Id == "node-worker-1");
                Engine.SetNodes([.. Engine.Nodes.Select(n => n.Id != node.Id ? n : n with { Version = 2, Labels = new Dictionary<string, string>(n.Labels) { ["gpu"] = "yes" } })]);
            }
        };

        await _deployment.ApplyAsync(plan);
        var worker = Engine.Nodes.Single(n => n.Id == "node-worker-1");
        Assert.Equal(("web", "yes", 3L), (worker.Labels["tier"], worker.Labels["gpu"], worker.Version));
    }

    [Fact]
    public async Task Objects_an_interrupted_apply_already_created_are_fine()
    {
        var plan = await _deployment.PlanAsync(Deployment.V1);
        foreach (var step in plan.Steps.Where(s => s.Target is StepTarget.Network or StepTarget.Secret or StepTarget.Config))
        {
            Engine.Seed(step.Target switch { StepTarget.Network => ObjectKind.Network, StepTarget.Secret => ObjectKind.Secret, _ => ObjectKind.Config }, step.Spec!);
        }

        var result = await _deployment.ApplyAsync(plan);
        Assert.Equal(ApplyOutcome.Converged, result.Outcome);
        Assert.Empty(result.Problems);
        Assert.Equal(7, Engine.Objects.Count);
        Assert.Equal(4, Engine.Calls.Count(c => c.StartsWith("Create", StringComparison.Ordinal) && !c.StartsWith("Create Service", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_service_that_exists_already_is_a_failure_not_silently_skipped()
    {
        var plan = await _deployment.PlanAsync(Deployment.V1);
        Engine.Seed(ObjectKind.Service, Json.Parse("""{"Name":"demo_web","Labels":{},"TaskTemplate":{"ContainerSpec":{"Image":"someone/else"}}}"""));
        var result = await _deployment.ApplyAsync(plan);
        Assert.Equal(ApplyOutcome.Failed, result.Outcome);
        Assert.StartsWith("create service demo_web: ", result.Problems[0], StringComparison.Ordinal);
        Assert.Contains("create service demo_web", result.NotDone.Select(ApplyResult.Describe));
        Assert.Equal(2, result.Problems.Count);
    }

    [Fact]
    public async Task An_engine_failure_fails_the_apply_naming_the_step_and_a_second_apply_finishes_the_job()
    {
        var reference = new Deployment();
        using (reference)
        {
            await reference.DeployAsync(Deployment.V1);
        }

        var plan = await _deployment.PlanAsync(Deployment.V1);
        Engine.Fail("Create Service demo_api", new EngineRequestException("rpc error: code = InvalidArgument desc = invalid mount config"));
        var result = await _deployment.ApplyAsync(plan);
        Assert.Equal(ApplyOutcome.Failed, result.Outcome);
        Assert.Equal("create service demo_api: rpc error: code = InvalidArgument desc = invalid mount config", result.Problems[0]);
        Assert.DoesNotContain(Engine.Objects, o => o.Name == "demo_api");

        // The result says exactly what exists now and what does not: every created object is listed as done, every
        // step of the plan is either done or not, and the refused one is not.
        Assert.Equal(result.Done.Count, result.StepsDone);
        Assert.Equal(plan.Steps, plan.Steps.Where(s => result.Done.Contains(s) || result.NotDone.Contains(s)));
        Assert.Empty(result.Done.Intersect(result.NotDone));
        Assert.Contains("create service demo_api", result.NotDone.Select(ApplyResult.Describe));
        Assert.Equal(
            Engine.Objects.Select(o => o.Name).Order(StringComparer.Ordinal),
            result.Done.Where(s => s.Change == ChangeKind.Create).Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.Equal(
            $"the apply stopped after {result.Done.Count} of {plan.Steps.Count} changes; done: {string.Join(", ", result.Done.Select(ApplyResult.Describe))}; not done: {string.Join(", ", result.NotDone.Select(ApplyResult.Describe))}. Fix the cause and apply again: it carries on from what exists.",
            result.Problems[1]);
        Assert.Equal(2, result.Problems.Count);

        await _deployment.DeployAsync(Deployment.V1);
        Assert.Equal(reference.State(), _deployment.State());
        Assert.False((await _deployment.PlanAsync(Deployment.V1)).HasChanges);
    }

    [Fact]
    public async Task After_a_refused_step_no_further_step_is_started_and_the_result_lists_both()
    {
        // One step at a time, so that what comes after the refusal is known: nothing of it is started.
        _deployment.Options = _deployment.Options with { Parallelism = 1 };
        var plan = await _deployment.PlanAsync(Deployment.V1);
        var first = plan.Steps.First(s => s.Target == StepTarget.Network);
        Engine.Fail($"Create Network {first.Name}", new EngineRequestException("invalid subnet"));

        var result = await _deployment.ApplyAsync(plan);

        Assert.Equal(ApplyOutcome.Failed, result.Outcome);
        Assert.Empty(result.Done);
        Assert.Equal(plan.Steps, result.NotDone);
        Assert.Equal([$"create network {first.Name}: invalid subnet", $"the apply stopped before it changed anything; not done: {string.Join(", ", plan.Steps.Select(ApplyResult.Describe))}. Fix the cause and apply again: it carries on from what exists."], result.Problems);
        Assert.Equal([$"Create Network {first.Name}"], Engine.Calls.Where(c => c.StartsWith("Create", StringComparison.Ordinal)));
        Assert.Empty(Engine.Objects);
    }

    [Fact]
    public async Task Without_awaiting_convergence_the_apply_returns_once_its_steps_are_done()
    {
        Engine.RunTasksAtOnce = false;
        _deployment.Options = _deployment.Options with { AwaitConvergence = false };
        var plan = await _deployment.PlanAsync(Deployment.V1);

        var result = await _deployment.ApplyAsync(plan);

        Assert.Equal(ApplyOutcome.Applied, result.Outcome);
        Assert.Equal(plan.Steps, result.Done);
        Assert.Empty(result.Problems);
        Assert.Empty(result.Services);
        Assert.NotEmpty(Engine.Tasks);
        Assert.All(Engine.Tasks, t => Assert.Equal("pending", t.State));
    }

    [Fact]
    public async Task A_missing_external_secret_fails_the_services_that_need_it()
    {
        var yaml = Deployment.V1.Replace("token:\n    file: ./token-v1.txt", "token:\n    external: true\n    name: shared-token", StringComparison.Ordinal);
        var result = await _deployment.ApplyAsync(await _deployment.PlanAsync(yaml));
        Assert.Equal(ApplyOutcome.Failed, result.Outcome);
        Assert.Contains("create service demo_web: the secret shared-token does not exist on the swarm", result.Problems[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_force_update_counter_of_the_existing_service_is_kept()
    {
        await _deployment.DeployAsync(Deployment.V1);
        Engine.Mutate(ObjectKind.Service, "demo_web", spec => spec["TaskTemplate"]!["ForceUpdate"] = 3);
        var plan = await _deployment.PlanAsync(Deployment.V1.Replace("nginx:1.27", "nginx:1.28", StringComparison.Ordinal));
        Assert.Equal(0, plan.Steps.Single().Spec!.At("TaskTemplate.ForceUpdate")!.GetValue<int>());

        await _deployment.ApplyAsync(plan);
        Assert.Equal(3, Engine.Object(ObjectKind.Service, "demo_web").Spec.At("TaskTemplate.ForceUpdate")!.GetValue<long>());
    }

    [Fact]
    public async Task An_apply_that_does_not_converge_keeps_the_old_secret_version()
    {
        await _deployment.DeployAsync(Deployment.V1);
        var old = Engine.Objects.Single(o => o.Kind == ObjectKind.Secret);
        Engine.AfterCall = call =>
        {
            if (call == "Update Service demo_api")
            {
                Engine.SetTaskState("demo_api", "rejected", "No such image: registry.example/app:1");
            }
        };

        var result = await _deployment.ApplyAsync(await _deployment.PlanAsync(Deployment.V1.Replace("token-v1.txt", "token-v2.txt", StringComparison.Ordinal)));
        Assert.Equal(ApplyOutcome.Failed, result.Outcome);
        Assert.Equal(["demo_api: the image is missing on a node (no registry to pull from): No such image: registry.example/app:1"], result.Problems);
        Assert.Contains(Engine.Objects, o => o.Id == old.Id);
        Assert.Equal(2, Engine.Objects.Count(o => o.Kind == ObjectKind.Secret));
    }

    [Fact]
    public async Task The_observer_hears_each_step_and_its_error()
    {
        var observer = new Recorder();
        var plan = await _deployment.PlanAsync(Deployment.V1);
        Engine.Fail("Create Service demo_worker", new EngineRequestException("no such network"));
        await _deployment.ApplyAsync(plan, observer);
        Assert.Equal(plan.Steps.Select(s => s.Name).Order(StringComparer.Ordinal), observer.Started.Order(StringComparer.Ordinal));
        Assert.Equal(plan.Steps.Count, observer.Finished.Count);
        Assert.Equal("no such network", Assert.Single(observer.Finished, f => f.Error is not null).Error);
        Assert.Equal("demo_worker", Assert.Single(observer.Finished, f => f.Error is not null).Name);
    }

    private sealed class Recorder : IApplyObserver
    {
        public ConcurrentQueue<string> Started { get; } = new();

        public ConcurrentQueue<(string Name, string? Error)> Finished { get; } = new();

        public void StepStarted(PlanStep step) => Started.Enqueue(step.Name);

        public void StepFinished(PlanStep step, string? error) => Finished.Enqueue((step.Name, error));

        public void Waiting(IReadOnlyList<ServiceProgress> services)
        {
        }

        public void Note(string message)
        {
        }
    }

    [Fact]
    public async Task Pruning_removes_services_before_waiting_and_unused_objects_after()
    {
        await _deployment.DeployAsync(Deployment.V1);
        var reference = _deployment.State();
        await _deployment.DeployAsync(Deployment.V2, prune: true);
        var names = Engine.Objects.Select(o => $"{o.Kind} {o.Name}").ToList();
        Assert.Contains("Service demo_cron", names);
        Assert.DoesNotContain("Service demo_worker", names);
        Assert.DoesNotContain(Engine.Objects, o => o.Kind == ObjectKind.Config);
        Assert.Single(Engine.Objects, o => o.Kind == ObjectKind.Secret);
        Assert.NotEqual(reference, _deployment.State());
        Assert.False((await _deployment.PlanAsync(Deployment.V2, prune: true)).HasChanges);
    }
}
