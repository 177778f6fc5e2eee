using System.Globalization;
using System.Text.Json.Nodes;
using Ward.Docker.Cluster;
using Ward.Engine.Balancing;
using Ward.Engine.Desired;

namespace Ward.Bench.LoadBalancer;

/// <summary>
/// Throughput and p50/p99 latency of the clinic's front page, measured by wrk in the same run three ways, alternating
/// round by round: through Ward's load balancer (HTTPS to the manager), through the reference nginx (HTTPS to the
/// manager, <see cref="ReferenceProxy"/>), and direct to a web task (plain HTTP to its overlay address, from the load
/// balancer container's network namespace: the same path without a proxy). Prints each round, the medians, and Ward's
/// ratios to nginx against the issue's targets (at least 0.8 of its throughput, p99 at most 1.25 of its p99).
/// </summary>
internal static class Throughput
{
    private const double ThroughputTarget = 0.8;
    private const double P99Target = 1.25;

    public static async Task<int> RunAsync(ClusterLayout layout, BenchOptions options, CancellationToken cancellationToken)
    {
        var manager = layout.Manager!;
        var folder = Directory.CreateTempSubdirectory("ward-bench-lb-throughput-").FullName;
        var network = StackNames.Scoped(BenchEnvironment.Name, BenchEnvironment.Network);
        await ReferenceProxy.DeployAsync(manager.Socket, network, folder, cancellationToken);
        var balancer = await ContainerPidAsync(manager.Socket, LoadBalancerService.ServiceName(BenchEnvironment.Name), cancellationToken);
        var task = await WebTaskAddressAsync(manager.Socket, network, cancellationToken);
        var hosts = Path.Combine(folder, "hosts");
        await File.WriteAllTextAsync(hosts, $"127.0.0.1 localhost\n{manager.Address} {BenchEnvironment.Domain}\n", cancellationToken);

        var targets = new (string Name, Func<Wrk, Task<WrkResult>> Run)[]
        {
            ("ward", wrk => wrk.WithHostsAsync(hosts, new Uri($"https://{BenchEnvironment.Domain}/"), cancellationToken)),
            ("nginx", wrk => wrk.WithHostsAsync(hosts, new Uri($"https://{BenchEnvironment.Domain}:{ReferenceProxy.Port}/"), cancellationToken)),
            ("direct", wrk => wrk.InNetworkNamespaceAsync(balancer, new Uri($"http://{task}:{BenchEnvironment.WebPort}/"), cancellationToken)),
        };
        Console.WriteLine($"wrk: {options.Connections} connections, 2 threads, {options.Seconds} s a run, {options.Rounds} rounds; GET / (the clinic's front page); ward and nginx over HTTPS to {manager.Address}, direct over HTTP to the web task {task}");

        // A short run of each first: connections, TLS sessions and upstream look-ups warm, not measured.
        foreach (var (_, run) in targets)
        {
            _ = await run(new Wrk(3, options.Connections));
        }

        var measured = new Wrk(options.Seconds, options.Connections);
        var results = targets.ToDictionary(t => t.Name, _ => new List<WrkResult>(), StringComparer.Ordinal);
        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var (name, run) in targets)
            {
                var result = await run(measured);
                results[name].Add(result);
                Console.WriteLine($"round {round} {name,-6}: {result}");
            }
        }

        Console.WriteLine("medians:");
        var medians = results.ToDictionary(r => r.Key, r => WrkResult.Median(r.Value), StringComparer.Ordinal);
        foreach (var (name, median) in medians)
        {
            Console.WriteLine($"  {name,-6}: {median}");
        }

        var (ward, nginx) = (medians["ward"], medians["nginx"]);
        var throughputRatio = ward.RequestsPerSecond / nginx.RequestsPerSecond;
        var p99Ratio = ward.P99Milliseconds / nginx.P99Milliseconds;
        var errors = results.Values.SelectMany(r => r).Sum(r => r.Errors);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ward / nginx: throughput {throughputRatio:0.00} (target >= {ThroughputTarget}), p99 {p99Ratio:0.00} (target <= {P99Target}); ward / direct: throughput {ward.RequestsPerSecond / medians["direct"].RequestsPerSecond:0.00}; errors in all runs: {errors}"));
        var met = throughputRatio >= ThroughputTarget && p99Ratio <= P99Target && errors == 0;
        Console.WriteLine($"targets: {(met ? "met" : "NOT met")}");
        return met ? 0 : 1;
    }

    /// <summary>The host PID of the running container of a service's single task (on the manager: the load balancer).</summary>
    private static async Task<int> ContainerPidAsync(string socket, string service, CancellationToken cancellationToken)
    {
        var ids = await DockerAsync(socket, ["ps", "-q", "--filter", $"label=com.docker.swarm.service.name={service}"], cancellationToken);
        var id = ids.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single();
        return int.Parse((await DockerAsync(socket, ["inspect", "-f", "{{.State.Pid}}", id], cancellationToken)).Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>A running web task's address on the overlay network the load balancer shares with it.</summary>
    private static async Task<string> WebTaskAddressAsync(string socket, string network, CancellationToken cancellationToken)
    {
        var service = StackNames.Scoped(BenchEnvironment.Name, "web");
        var taskIds = (await DockerAsync(socket, ["service", "ps", "-q", "--filter", "desired-state=running", service], cancellationToken)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var task = JsonNode.Parse(await DockerAsync(socket, ["inspect", "--type", "task", taskIds[0]], cancellationToken))![0]!;
        var attachment = task["NetworksAttachments"]!.AsArray().First(a => a!["Network"]!["Spec"]!["Name"]!.GetValue<string>() == network)!;
        return attachment["Addresses"]![0]!.GetValue<string>().Split('/')[0];
    }

    private static async Task<string> DockerAsync(string socket, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var (code, output) = await BenchCommands.RunAsync(BenchCommands.Docker, ["-H", "unix://" + socket, .. arguments], cancellationToken);
        return code == 0 ? output : throw new InvalidOperationException($"docker {string.Join(' ', arguments)} failed (exit {code}): {output}");
    }
}
