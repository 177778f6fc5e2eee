using System.Text.Json.Nodes;
using Ward.Docker.Tests.Support;
using Ward.Engine.Applying;
using Ward.Engine.Desired;
using Ward.Engine.Observing;
using Ward.Engine.Planning;
using Ward.Model.Reading;
using Ward.Rules;

namespace Ward.Docker.Tests;

/// <summary>
/// Issue 15, "nothing half-done", on the real swarm: a file the engine would refuse creates nothing; an apply that the
/// engine still stops part-way (for a reason outside the file) says exactly what it created, and the next apply, once
/// the cause is gone, finishes the job.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class PartWayApplyTests(TestCluster cluster)
{
    private const int TakenPort = 30555;

    private static string Yaml(string name, int port, string badImage = "") => $$"""
        version: "3.9"
        x-ward:
          environment: { name: {{name}}, kind: staging }
        services:
          first:
            image: {{TestCluster.Image}}
            networks: [ front ]
            secrets: [ token ]
            deploy: { replicas: 0 }
          publisher:
            image: {{(badImage.Length > 0 ? badImage : TestCluster.Image)}}
            networks: [ front, back ]
            ports: [ "{{port}}:80" ]
            deploy: { replicas: 0 }
          last:
            image: {{TestCluster.Image}}
            networks: [ back ]
            deploy: { replicas: 0 }
        networks:
          front: {}
          back: {}
        secrets:
          token: { file: ./token.txt }
        """;

    private static readonly Dictionary<string, string> TokenFile = new() { ["token.txt"] = "part-way" };

    [Fact]
    public async Task A_file_with_an_invalid_image_reference_creates_nothing()
    {
        cluster.Require();
        var token = TestContext.Current.CancellationToken;
        var environment = EnvironmentFile.Write("partway-image", Yaml("partway-image", 30556, badImage: "\"busybox:\""), TokenFile);
        try
        {
            var apply = await WardCli.ApplyAsync(environment.Path);

            Assert.True(apply.ExitCode == 2, $"ward apply of a file with an empty tag: {apply}");
            Assert.Contains("invalid image reference for service publisher: invalid reference format", apply.Stderr, StringComparison.Ordinal);
            WardCli.AssertNoStackTrace(apply);
            Assert.All(await Stacks.CountAsync(cluster.Manager, "partway-image", token), c => Assert.Equal(0, c.Value));
            Assert.Null(await EnvironmentState.LockAsync(cluster.Manager, "partway-image", token));

            // ward check reports it as a finding that blocks every deploy.
            var check = Check(environment.Path);
            Assert.Equal(("ENG-001", "services.publisher.image"), DeployBlockers.Find(check).Select(f => (f.Rule, f.Path)).Single());
        }
        finally
        {
            await Stacks.RemoveAsync(cluster.Manager, "partway-image", token);
        }
    }

    [Fact]
    public async Task An_apply_the_engine_stops_part_way_says_what_it_created_and_the_next_apply_finishes()
    {
        cluster.Require();
        var token = TestContext.Current.CancellationToken;
        const string name = "partway-port";
        var environment = EnvironmentFile.Write(name, Yaml(name, TakenPort), TokenFile);

        // Another team's service holds the port in ingress mode: nothing in the file can tell, the engine refuses ours.
        var outsider = await cluster.Manager.PostAsync("services/create", new JsonObject
        {
            ["Name"] = "partway-outsider",
            ["TaskTemplate"] = new JsonObject { ["ContainerSpec"] = new JsonObject { ["Image"] = TestCluster.Image } },
            ["Mode"] = new JsonObject { ["Replicated"] = new JsonObject { ["Replicas"] = 0 } },
            ["EndpointSpec"] = new JsonObject { ["Ports"] = new JsonArray(new JsonObject { ["Protocol"] = "tcp", ["TargetPort"] = 80, ["PublishedPort"] = TakenPort }) },
        }, token);
        try
        {
            Assert.Empty(DeployBlockers.Find(Check(environment.Path)));
            using var engine = new DockerEngine(EngineEndpoint.Socket(TestCluster.ManagerSocket));

            var stopped = await ApplyAsync(engine, environment, token);

            Assert.Equal(ApplyOutcome.Failed, stopped.Outcome);
            Assert.Contains($"create service {name}_publisher: ", stopped.Problems[0], StringComparison.Ordinal);
            Assert.Contains($"port '{TakenPort}' is already in use by service 'partway-outsider'", stopped.Problems[0], StringComparison.Ordinal);
            Assert.Contains($"create service {name}_publisher", stopped.NotDone.Select(ApplyResult.Describe));
            Assert.StartsWith($"the apply stopped after {stopped.Done.Count} of {stopped.Done.Count + stopped.NotDone.Count} changes; done: ", stopped.Problems[^1], StringComparison.Ordinal);

            // Exactly what the result says was done is what the swarm holds of the environment.
            var created = stopped.Done.Where(s => s.Change == ChangeKind.Create).Select(s => $"{s.Target.ToString().ToLowerInvariant()}s {s.Name}").Order(StringComparer.Ordinal);
            Assert.Equal(created, await HeldAsync(name, token));
            Assert.Contains($"networks {name}_front", created);
            Assert.DoesNotContain($"services {name}_publisher", created);

            // The file is fixed (another port): the next apply creates what is missing, and nothing is left to do.
            environment.Update(Yaml(name, TakenPort + 1));
            var finished = await ApplyAsync(engine, environment, token);
            Assert.True(finished.Outcome == ApplyOutcome.Converged, string.Join("\n", finished.Problems));
            Assert.Contains($"create service {name}_publisher", finished.Done.Select(ApplyResult.Describe));
            Assert.DoesNotContain(finished.Done, s => created.Contains($"{s.Target.ToString().ToLowerInvariant()}s {s.Name}"));
            Assert.Equal(
                [$"networks {name}_back", $"networks {name}_front", $"secrets {environment.VersionedName("token", "part-way")}", $"services {name}_first", $"services {name}_last", $"services {name}_publisher"],
                await HeldAsync(name, token));
            var again = await PlanAsync(engine, environment, token);
            Assert.False(again.HasChanges, string.Join(", ", again.Steps.Select(ApplyResult.Describe)));
        }
        finally
        {
            await cluster.Manager.DeleteAsync($"services/{outsider!["ID"]!.GetValue<string>()}", token);
            await Stacks.RemoveAsync(cluster.Manager, name, token);
        }
    }

    private static CheckResult Check(string file)
    {
        var read = EnvironmentFileReader.Read(file, new ReaderOptions());
        var context = new RuleContext(read.Spec!, Model.Catalog.SizeCatalog.BuiltIn, read.Spec!.Kind, DateTimeOffset.UtcNow)
        {
            ReaderDiagnostics = read.Diagnostics,
            Files = new DirectorySideFiles(Path.GetDirectoryName(file)!),
        };
        return Checker.Run(context, useWaivers: true, read.Locate);
    }

    private static async Task<Plan> PlanAsync(DockerEngine engine, EnvironmentFile environment, CancellationToken token)
    {
        var spec = EnvironmentFileReader.Read(environment.Path, new ReaderOptions()).Spec!;
        var desired = new StackConverter(environment.Folder, _ => null, path => File.Exists(path) ? File.ReadAllBytes(path) : null).Convert(spec);
        return Planner.Make(spec.Name, desired, [], await StateReader.ReadAsync(engine, spec.Name, token), prune: false);
    }

    /// <summary>The deploy core's apply, in process: plan, then apply (with its own reporting of a part-way stop).</summary>
    private static async Task<ApplyResult> ApplyAsync(DockerEngine engine, EnvironmentFile environment, CancellationToken token) =>
        await new Applier(engine, TimeProvider.System).ApplyAsync(await PlanAsync(engine, environment, token), new ApplyOptions { Timeout = TimeSpan.FromMinutes(2) }, SilentObserver.Instance, token);

    /// <summary>"kind name" of every object the environment owns on the swarm, sorted.</summary>
    private async Task<List<string>> HeldAsync(string environment, CancellationToken token)
    {
        var held = new List<string>();
        foreach (var kind in new[] { "networks", "secrets", "services" })
        {
            held.AddRange((await EnvironmentState.NamesAsync(cluster.Manager, kind, environment, token)).Select(n => $"{kind} {n}"));
        }

        return [.. held.Order(StringComparer.Ordinal)];
    }
}
