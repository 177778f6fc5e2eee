using System.Text.Json.Nodes;
using Ward.Deploying;
using Ward.Engine.Applying;
using Ward.Engine.Planning;
using Ward.Engine.Ports;

namespace Ward.Engine.Tests.Deploying;

/// <summary>
/// The deploy use case as both hosts run it (the CLI's ward apply, the server's apply operation): gate, lock, plan,
/// confirmation, images, apply, convergence, against the fake engine.
/// </summary>
public sealed class DeployerTests : IDisposable
{
    private const string Staging = """
        version: "3.9"
        x-ward:
          environment: { name: demo, kind: staging }
        services:
          web:
            image: clinic/web:1.0
            deploy: { replicas: 2 }
          worker:
            image: clinic/worker:1.0
        """;

    /// <summary>A production environment with every node rule failing (no nodes at all): error-level findings.</summary>
    private const string ProductionWithErrors = """
        version: "3.9"
        x-ward:
          environment: { name: prod, kind: production }
        services:
          web:
            image: clinic/web:1.0
        """;

    private readonly CoreWorld _world = new();

    public DeployerTests()
    {
        _world.Images.Ids["clinic/web:1.0"] = "sha256:" + new string('a', 64);
        _world.Images.Ids["clinic/worker:1.0"] = "sha256:" + new string('c', 64);
    }

    public void Dispose() => _world.Dispose();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private IEnumerable<string> Creations => _world.Engine.Calls.Where(c => c.StartsWith("Create", StringComparison.Ordinal) && !c.Contains("ward-lock.", StringComparison.Ordinal));

    [Fact]
    public async Task Each_image_runs_as_the_id_it_is_pinned_to_and_a_rebuilt_tag_is_an_update_that_apply_rolls_out()
    {
        var environment = _world.Load(Staging);
        var first = await _world.Deployer().ApplyAsync(environment, CoreWorld.Quick(), new RecordingObserver(), Token);
        Assert.Equal(DeployStatus.Converged, first.Status);
        Assert.Equal("sha256:" + new string('a', 64), ImageOf("demo_web"));
        Assert.Equal(["clinic/web:1.0", "clinic/worker:1.0"], _world.Images.Distributed.Order(StringComparer.Ordinal));

        // The same tag, rebuilt: a new ID.
        _world.Images.Ids["clinic/web:1.0"] = "sha256:" + new string('b', 64);
        var plan = (await _world.Deployer().PlanAsync(environment, CoreWorld.Quick(), Token)).Plan;
        var step = Assert.Single(plan.Steps);
        Assert.Equal((ChangeKind.Update, "demo_web"), (step.Change, step.Name));
        Assert.Equal("TaskTemplate.ContainerSpec.Image", Assert.Single(step.Fields).Path);
        Assert.Equal("image clinic/web:1.0: aaaaaaaaaaaa, rebuilt under the same tag → bbbbbbbbbbbb", step.Reason);

        var second = await _world.Deployer().ApplyAsync(environment, CoreWorld.Quick(), new RecordingObserver(), Token);
        Assert.Equal(DeployStatus.Converged, second.Status);
        Assert.Equal("sha256:" + new string('b', 64), ImageOf("demo_web"));
        Assert.Equal("clinic/web:1.0", _world.Engine.Object(ObjectKind.Service, "demo_web").Labels["com.docker.stack.image"]);
        Assert.False((await _world.Deployer().PlanAsync(environment, CoreWorld.Quick(), Token)).Plan.HasChanges);
    }

    [Fact]
    public async Task Two_tags_of_one_image_are_pinned_to_it_both()
    {
        _world.Images.Ids["clinic/worker:1.0"] = _world.Images.Ids["clinic/web:1.0"];
        var result = await _world.Deployer().ApplyAsync(_world.Load(Staging), CoreWorld.Quick(), new RecordingObserver(), Token);
        Assert.Equal(DeployStatus.Converged, result.Status);
        Assert.Equal(ImageOf("demo_web"), ImageOf("demo_worker"));
    }

    [Fact]
    public async Task Tags_as_written_when_images_are_not_resolved()
    {
        var environment = _world.Load(Staging);
        var request = CoreWorld.Quick() with { ResolveImages = false };
        var result = await _world.Deployer().ApplyAsync(environment, request, new RecordingObserver(), Token);
        Assert.Equal(DeployStatus.Converged, result.Status);
        Assert.Equal("clinic/web:1.0", ImageOf("demo_web"));
        Assert.Equal(ImagePinning.AsWritten, result.Deployment!.Images.Pinning);
    }

    [Fact]
    public async Task An_image_no_node_has_stops_the_apply_before_anything_is_created()
    {
        _world.Images.Ids.Remove("clinic/worker:1.0");
        var observer = new RecordingObserver();
        var result = await _world.Deployer().ApplyAsync(_world.Load(Staging), CoreWorld.Quick(), observer, Token);
        Assert.Equal(DeployStatus.ImagesMissing, result.Status);
        Assert.Equal(["clinic/worker:1.0"], result.Deployment!.Images.Missing);
        Assert.Empty(Creations);
        Assert.DoesNotContain("asked", observer.Events);
        Assert.Empty(_world.Locks);
    }

    [Fact]
    public async Task The_readiness_gate_refuses_production_with_errors_before_touching_the_swarm_and_force_passes_it()
    {
        var environment = _world.Load(ProductionWithErrors);
        var refused = await _world.Deployer().ApplyAsync(environment, CoreWorld.Quick(), new RecordingObserver(), Token);
        Assert.Equal(DeployStatus.RefusedByGate, refused.Status);
        Assert.NotEmpty(refused.Gate.Blocking);
        Assert.All(refused.Gate.Blocking, f => Assert.Equal(Model.Diagnostics.Severity.Error, f.Severity));
        Assert.Empty(_world.Engine.Calls);

        var forced = await _world.Deployer().ApplyAsync(environment, CoreWorld.Quick(force: true), new RecordingObserver(), Token);
        Assert.Equal(DeployStatus.Converged, forced.Status);
        Assert.True(forced.Gate.Forced);
        Assert.Contains("Create Service prod_web", _world.Engine.Calls);
    }

    [Fact]
    public void Admitting_an_apply_asks_the_gate_first_so_a_refused_file_is_refused_for_its_findings()
    {
        var environment = _world.Load(ProductionWithErrors + "\n    secrets: [token]\nsecrets:\n  token: { file: ./missing.txt }\n");
        var refused = Deployer.Admit(environment, CoreWorld.Quick());
        Assert.False(refused.Passes);
        Assert.NotEmpty(refused.Blocking);

        // Forced past the findings, the file's own problem is next.
        Assert.Throws<Ward.Engine.Desired.DesiredStateException>(() => Deployer.Admit(environment, CoreWorld.Quick(force: true)));
    }

    [Fact]
    public async Task What_the_engine_would_refuse_stops_every_apply_before_anything_is_created_forced_or_not()
    {
        // Two mounts on one target: docker stack deploy creates the networks, then the engine refuses the service.
        var environment = _world.Load(Staging.Replace("    image: clinic/worker:1.0", "    image: clinic/worker:1.0\n    volumes: [ \"/srv/a:/data\", \"/srv/b:/data\" ]", StringComparison.Ordinal));
        foreach (var force in new[] { false, true })
        {
            var result = await _world.Deployer().ApplyAsync(environment, CoreWorld.Quick(force), new RecordingObserver(), Token);
            Assert.Equal(DeployStatus.RefusedByGate, result.Status);
            Assert.False(result.Gate.Forceable);
            Assert.Contains(result.Gate.Blocking, f => f.Rule.StartsWith("ENG-", StringComparison.Ordinal));
        }

        Assert.Empty(_world.Engine.Calls);
    }

    [Fact]
    public async Task A_plan_that_is_not_confirmed_changes_nothing_and_releases_the_lock()
    {
        var observer = new RecordingObserver(confirm: false);
        var result = await _world.Deployer().ApplyAsync(_world.Load(Staging), CoreWorld.Quick(), observer, Token);
        Assert.Equal(DeployStatus.Declined, result.Status);
        Assert.Equal(["planned 3 steps", "asked"], observer.Events);
        Assert.Empty(Creations);
        Assert.Empty(_world.Images.Distributed);
        Assert.Empty(_world.Locks);
    }

    [Fact]
    public async Task An_apply_waits_for_no_other_and_a_crashed_holders_lock_is_taken_over()
    {
        var environment = _world.Load(Staging);
        _world.Engine.Seed(ObjectKind.Config, Lock("test-host:2000", DateTimeOffset.UtcNow.AddHours(1)));

        // Process 2000 still runs: its apply is going on.
        var conflict = await Assert.ThrowsAsync<LockConflictException>(() => _world.Deployer(pid: 1000, alive: 2000).ApplyAsync(environment, CoreWorld.Quick(), new RecordingObserver(), Token));
        Assert.Contains("test-host:2000", conflict.Message, StringComparison.Ordinal);
        Assert.Empty(Creations);

        // It died without releasing the lock: the next apply takes it over, applies, and leaves no lock behind.
        var result = await _world.Deployer(pid: 1000).ApplyAsync(environment, CoreWorld.Quick(), new RecordingObserver(), Token);
        Assert.Equal(DeployStatus.Converged, result.Status);
        Assert.Empty(_world.Locks);
    }

    [Fact]
    public async Task An_apply_killed_at_any_call_leaves_its_lock_and_the_next_apply_finishes_the_job()
    {
        var environment = _world.Load(Staging);
        using var reference = new CoreWorld();
        reference.Images.Ids.Clear();
        foreach (var (image, id) in _world.Images.Ids)
        {
            reference.Images.Ids[image] = id;
        }

        await reference.Deployer().ApplyAsync(reference.Load(Staging), CoreWorld.Quick(), new RecordingObserver(), Token);
        var calls = reference.Engine.Calls.Count;
        Assert.True(calls >= 5, $"taking the lock, a network, two services and releasing the lock are five calls; this apply made {calls}");

        for (var kill = 0; kill < calls; kill++)
        {
            using var world = new CoreWorld();
            foreach (var (image, id) in _world.Images.Ids)
            {
                world.Images.Ids[image] = id;
            }

            var seen = 0;
            world.Engine.BeforeCall = call =>
            {
                if (Interlocked.Increment(ref seen) > kill)
                {
                    throw new OperationCanceledException($"killed at call {kill} ({call})");
                }
            };
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => world.Deployer(pid: 1000 + kill).ApplyAsync(world.Load(Staging), CoreWorld.Quick(), new RecordingObserver(), Token));
            world.Engine.BeforeCall = null;

            var resumed = await world.Deployer(pid: 5000).ApplyAsync(world.Load(Staging), CoreWorld.Quick(), new RecordingObserver(), Token);
            Assert.True(resumed.Status == DeployStatus.Converged, $"kill at call {kill}: {resumed.Status}");
            Assert.Empty(world.Locks);
            Assert.Equal(
                reference.Engine.Objects.Where(o => o.Kind != ObjectKind.Config).Select(o => o.Name).Order(StringComparer.Ordinal),
                world.Engine.Objects.Where(o => o.Kind != ObjectKind.Config).Select(o => o.Name).Order(StringComparer.Ordinal));
            Assert.False((await world.Deployer().PlanAsync(world.Load(Staging), CoreWorld.Quick(), Token)).Plan.HasChanges, $"kill at call {kill}: changes left");
        }
    }

    [Fact]
    public async Task Restart_replaces_the_tasks_of_a_service_whose_spec_did_not_change()
    {
        var environment = _world.Load(Staging);
        await _world.Deployer().ApplyAsync(environment, CoreWorld.Quick(), new RecordingObserver(), Token);
        var plan = (await _world.Deployer().PlanAsync(environment, CoreWorld.Quick(restart: "worker"), Token)).Plan;
        var step = Assert.Single(plan.Steps);
        Assert.True(step.Restart);
        Assert.Equal((ChangeKind.Update, "demo_worker"), (step.Change, step.Name));
        Assert.Empty(step.Fields);

        for (var round = 1; round <= 2; round++)
        {
            var result = await _world.Deployer().ApplyAsync(environment, CoreWorld.Quick(restart: "worker"), new RecordingObserver(), Token);
            Assert.Equal(DeployStatus.Converged, result.Status);
            Assert.Equal(round, _world.Engine.Object(ObjectKind.Service, "demo_worker").Spec["TaskTemplate"]!["ForceUpdate"]!.GetValue<long>());
        }

        // The other service keeps its tasks: its counter never moved.
        Assert.Equal(0, _world.Engine.Object(ObjectKind.Service, "demo_web").Spec["TaskTemplate"]?["ForceUpdate"]?.GetValue<long>() ?? 0);
    }

    [Fact]
    public async Task Restart_of_a_service_the_file_lacks_is_bad_input_naming_the_services()
    {
        var environment = _world.Load(Staging);
        var wrong = await Assert.ThrowsAsync<DeployRequestException>(() => _world.Deployer().PlanAsync(environment, CoreWorld.Quick(restart: "wbe"), Token));
        Assert.Equal(DeployRequestCodes.UnknownService, wrong.Code);
        Assert.Equal("--restart names 'wbe', which is not a service of demo; its services are web, worker", wrong.Message);
        Assert.Throws<DeployRequestException>(() => Deployer.Admit(environment, CoreWorld.Quick(restart: "wbe")));
        await Assert.ThrowsAsync<DeployRequestException>(() => _world.Deployer().ApplyAsync(environment, CoreWorld.Quick(restart: "wbe"), new RecordingObserver(), Token));
        Assert.Empty(_world.Engine.Calls);
    }

    [Fact]
    public async Task A_database_placed_by_a_label_no_node_of_the_swarm_has_is_bad_input_naming_the_labels_and_nothing_is_created()
    {
        // The file declares no nodes: the swarm's own (worker-1, worker-2, labelled ward.node) are the truth.
        var environment = _world.Load("""
            version: "3.9"
            x-ward:
              environment: { name: demo, kind: staging }
              databases:
                - name: records
                  engine: postgres
                  tier: basic-1
                  placement: [ "node.labels.ward.node == worker-1" ]
                  backups:
                    repository: { placement: [ "node.labels.backups == true" ] }
            services:
              web:
                image: clinic/web:1.0
            """);
        var plan = await Assert.ThrowsAsync<DeployRequestException>(() => _world.Deployer().PlanAsync(environment, CoreWorld.Quick(), Token));
        Assert.Equal(DeployRequestCodes.UnknownPlacementLabel, plan.Code);
        Assert.Equal("the placement 'node.labels.backups == true' of the backup repository of records names the label 'backups', which no node of the swarm has (the nodes' labels are ward.node); label a node (ward node label NODE backups=...) or change the placement", plan.Message);
        await Assert.ThrowsAsync<DeployRequestException>(() => _world.Deployer().ApplyAsync(environment, CoreWorld.Quick(), new RecordingObserver(), Token));
        Assert.Empty(Creations);

        // Once a node has the label, the same file plans.
        _world.Engine.SetNodes([.. _world.Engine.Nodes.Select(n => n.Hostname == "worker-2" ? n with { Labels = new Dictionary<string, string>(n.Labels) { ["backups"] = "true" } } : n)]);
        Assert.True((await _world.Deployer().PlanAsync(environment, CoreWorld.Quick(), Token)).Plan.HasChanges);
    }

    [Fact]
    public async Task An_engine_that_is_not_a_manager_is_refused_before_anything_else()
    {
        _world.Engine.IsManager = false;
        var refused = await Assert.ThrowsAsync<NotSwarmManagerException>(() => _world.Deployer().ApplyAsync(_world.Load(Staging), CoreWorld.Quick(), new RecordingObserver(), Token));
        Assert.Contains("not part of a swarm", refused.Message, StringComparison.Ordinal);
        Assert.Empty(_world.Engine.Calls);
    }

    [Fact]
    public async Task Nothing_to_change_still_waits_for_the_services_to_converge()
    {
        var environment = _world.Load(Staging);
        await _world.Deployer().ApplyAsync(environment, CoreWorld.Quick(), new RecordingObserver(), Token);
        _world.Engine.FailTask("demo_web", "task: non-zero exit (1)");
        var waiting = _world.Deployer().ApplyAsync(environment, CoreWorld.Quick(), new RecordingObserver(), Token);
        await Task.Delay(50, Token);
        Assert.False(waiting.IsCompleted, "an apply with nothing to change returned while a task was still pending");
        _world.Engine.SetTaskState("demo_web", "running");
        var result = await waiting;
        Assert.Equal(DeployStatus.Converged, result.Status);
        Assert.True(result.NothingChanged);
    }

    [Fact]
    public async Task Destroy_removes_what_the_environment_owns_and_waits_for_an_apply_that_holds_it()
    {
        var environment = _world.Load(Staging);
        await _world.Deployer().ApplyAsync(environment, CoreWorld.Quick(), new RecordingObserver(), Token);
        var destroyer = new EnvironmentDestroyer(_world.Engine, TimeProvider.System, new LockHolder("test-host", 1000), p => p is 1000 or 2000);
        _world.Engine.Seed(ObjectKind.Config, Lock("test-host:2000", DateTimeOffset.UtcNow.AddHours(1)));
        await Assert.ThrowsAsync<LockConflictException>(() => destroyer.DestroyAsync("demo", TimeSpan.Zero, Token));
        Assert.NotEmpty(await destroyer.OwnedAsync("demo", Token));

        await _world.Engine.RemoveAsync(ObjectKind.Config, _world.Locks.Single().Id, Token);
        var removed = await destroyer.DestroyAsync("demo", TimeSpan.Zero, Token);
        Assert.Equal(3, removed.Count);
        Assert.Empty(await destroyer.OwnedAsync("demo", Token));
        Assert.Empty(_world.Locks);
    }

    private string? ImageOf(string service) => _world.Engine.Object(ObjectKind.Service, service).Spec["TaskTemplate"]?["ContainerSpec"]?["Image"]?.GetValue<string>();

    private static JsonObject Lock(string holder, DateTimeOffset expires) => new()
    {
        ["Name"] = "ward-lock.demo",
        ["Labels"] = new JsonObject { ["ward.lock.holder"] = holder, ["ward.lock.expires"] = expires.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) },
        ["Data"] = "",
    };
}
