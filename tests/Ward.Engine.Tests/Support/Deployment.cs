using System.Text.Json.Nodes;
using Ward.Engine.Applying;
using Ward.Engine.Desired;
using Ward.Engine.Observing;
using Ward.Engine.Planning;
using Ward.Engine.Ports;
using Ward.Model.Spec;

namespace Ward.Engine.Tests.Support;

/// <summary>An environment's files, a fake swarm and a fake clock: plan and apply as <c>ward apply</c> does.</summary>
internal sealed class Deployment : IDisposable
{
    public Deployment()
    {
        Env.File("token-v1.txt", "token one").File("token-v2.txt", "token two").File("site.conf", "server {}");
    }

    public Environments Env { get; } = new();

    public FakeEngine Engine { get; init; } = new();

    public TestClock Clock { get; } = new();

    public ApplyOptions Options { get; set; } = new() { PollInterval = TimeSpan.FromSeconds(1), Timeout = TimeSpan.FromMinutes(2) };

    public void Dispose() => Env.Dispose();

    public async Task<Plan> PlanAsync(string yaml, bool prune = false, IReadOnlyList<DesiredNode>? nodes = null)
    {
        var spec = Env.Read(yaml);
        var desired = Env.Converter().Convert(spec);
        var observed = await StateReader.ReadAsync(Engine, spec.Name, CancellationToken.None);
        return Planner.Make(spec.Name, desired, nodes ?? NodesOf(spec), observed, prune);
    }

    public Task<ApplyResult> ApplyAsync(Plan plan, IApplyObserver? observer = null) =>
        Clock.RunAsync(() => new Applier(Engine, Clock).ApplyAsync(plan, Options, observer ?? SilentObserver.Instance, CancellationToken.None));

    /// <summary>Plans and applies; the apply must converge.</summary>
    public async Task<Plan> DeployAsync(string yaml, bool prune = false)
    {
        var plan = await PlanAsync(yaml, prune);
        var result = await ApplyAsync(plan);
        Assert.True(result.Outcome == ApplyOutcome.Converged && result.Problems.Count == 0, $"the apply should converge: {result.Outcome} {string.Join("; ", result.Problems)}");
        return plan;
    }

    /// <summary>The nodes of x-ward.nodes as the CLI passes them to the planner.</summary>
    public static List<DesiredNode> NodesOf(EnvironmentSpec spec) =>
        [.. spec.Nodes.Select(n => new DesiredNode(n.Name, n.Address, n.Labels, n.Availability.ToString().ToLowerInvariant(), n.Role.ToString().ToLowerInvariant()))];

    /// <summary>
    /// What the swarm holds, comparable between runs: each object by kind and name with its spec as the planner reads
    /// it (ids and engine-assigned options left out), and each node's labels and availability.
    /// </summary>
    public SortedDictionary<string, string> State()
    {
        var objects = Engine.Objects;
        var networkNames = objects.Where(o => o.Kind == ObjectKind.Network).ToDictionary(o => o.Id, o => o.Name, StringComparer.Ordinal);
        var state = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in objects)
        {
            var key = $"{item.Kind} {item.Name}";
            Assert.False(state.ContainsKey(key), $"{key} exists twice");
            JsonObject spec;
            if (item.Kind == ObjectKind.Service)
            {
                spec = SpecNormalizer.Service(item.Spec, networkNames);
            }
            else
            {
                spec = (JsonObject)item.Spec.DeepClone();
                (spec["Options"] as JsonObject)?.Remove(FakeEngine.VxlanOption);
            }

            state[key] = spec.ToJsonString();
        }

        foreach (var node in Engine.Nodes)
        {
            state[$"Node {node.Id}"] = $"{node.Availability} {string.Join(",", node.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"))}";
        }

        return state;
    }

    /// <summary>A first version of an environment: three services, two networks, a secret, a config and three nodes.</summary>
    public const string V1 = """
        version: "3.13"
        x-ward:
          environment:
            name: demo
            kind: staging
          nodes:
            - name: manager-1
              role: manager
              size: small
            - name: worker-1
              size: small
              labels:
                tier: web
            - name: worker-2
              size: small
              labels:
                tier: db
        services:
          web:
            image: nginx:1.27
            networks: [front]
            secrets: [token]
            configs:
              - source: site
                target: /etc/nginx/conf.d/site.conf
            deploy:
              replicas: 2
          api:
            image: registry.example/app:1
            networks: [front, back]
            secrets: [token]
            environment:
              MODE: v1
          worker:
            image: registry.example/app:1
            command: ["work"]
            networks: [back]
        networks:
          front: {}
          back:
            internal: true
        secrets:
          token:
            file: ./token-v1.txt
        configs:
          site:
            file: ./site.conf
        """;

    /// <summary>
    /// The next version: web's image changes, the token's content changes, api's environment changes, worker and the
    /// config site leave the file, cron is new, worker-1's labels change and worker-2 is drained.
    /// </summary>
    public const string V2 = """
        version: "3.13"
        x-ward:
          environment:
            name: demo
            kind: staging
          nodes:
            - name: manager-1
              role: manager
              size: small
            - name: worker-1
              size: small
              labels:
                tier: edge
            - name: worker-2
              size: small
              availability: drain
              labels:
                tier: db
        services:
          web:
            image: nginx:1.28
            networks: [front]
            secrets: [token]
            deploy:
              replicas: 2
          api:
            image: registry.example/app:1
            networks: [front, back]
            secrets: [token]
            environment:
              MODE: v2
          cron:
            image: registry.example/app:1
            command: ["cron"]
            networks: [back]
        networks:
          front: {}
          back:
            internal: true
        secrets:
          token:
            file: ./token-v2.txt
        """;
}
