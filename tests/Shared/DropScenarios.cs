using System.Diagnostics;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Ward.Docker;
using Ward.Docker.Cluster;
using Ward.Engine.Balancing;
using Ward.Engine.Ports;

namespace Ward.Testing;

/// <summary>
/// Issue 10's "no dropped requests", each disruption under a load loop to a domain through the manager's load
/// balancer: rolling updates of the web service in a row (start-first), another domain added and later removed, and a
/// web task's container killed. Shared by the Docker tests (small counts, on their cluster) and the load balancer
/// benchmark (the counts, on its own), so both measure the same thing the same way.
/// </summary>
/// <param name="target">The environment under load and how to reach and change it.</param>
internal sealed class DropScenarios(DropTarget target)
{
    /// <summary>Requests a second, as the issue asks.</summary>
    public const int Rate = 200;

    /// <summary>
    /// <paramref name="updates"/> rolling updates of the service in a row (<c>ward apply --restart SERVICE</c>, each
    /// until converged), under load from before the first to after the last.
    /// </summary>
    public async Task<LoadCounts> RollingUpdatesAsync(int updates, CancellationToken cancellationToken)
    {
        await using var load = target.NewLoad();
        load.Start();
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        for (var i = 1; i <= updates; i++)
        {
            var clock = Stopwatch.StartNew();
            await target.ApplyAsync(target.File, ["--restart", target.Service], cancellationToken);
            target.Report($"rolling update {i}/{updates} of {target.Service} converged in {clock.Elapsed.TotalSeconds:0.0} s");
        }

        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        return await load.StopAsync();
    }

    /// <summary>
    /// Another domain (to the same service) added, served a while, and removed again, under load on the first domain.
    /// Returns the counts and the load balancer's task before and after: routes are sent to the running task, never by
    /// replacing it.
    /// </summary>
    public async Task<(LoadCounts Counts, string TaskBefore, string TaskAfter)> DomainAddedAndRemovedAsync(string extraDomain, CancellationToken cancellationToken)
    {
        var before = await BalancerTaskAsync(cancellationToken);
        var original = await File.ReadAllTextAsync(target.File, cancellationToken);
        var extended = Path.Combine(Path.GetDirectoryName(target.File)!, "with-extra-domain.yaml");
        await File.WriteAllTextAsync(extended, target.WithDomain(original, extraDomain), cancellationToken);

        await using var load = target.NewLoad();
        load.Start();
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        await target.ApplyAsync(extended, [], cancellationToken);
        target.Report($"{extraDomain} added");
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        await target.ApplyAsync(target.File, [], cancellationToken);
        target.Report($"{extraDomain} removed");
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        var counts = await load.StopAsync();
        return (counts, before, await BalancerTaskAsync(cancellationToken));
    }

    /// <summary>
    /// One of the service's task containers killed (SIGKILL, on its node's engine) under load. Returns the counts and
    /// when the kill was sent, on the load loop's clock.
    /// </summary>
    public async Task<(LoadCounts Counts, TimeSpan KilledAt, string Killed)> TaskKilledAsync(CancellationToken cancellationToken)
    {
        using var manager = new DockerEngine(EngineEndpoint.Socket(target.Cluster.Manager!.Socket));
        var service = (await manager.ListAsync(ObjectKind.Service, target.Environment, cancellationToken)).Single(s => s.Name == $"{target.Environment}_{target.Service}");
        var task = (await manager.ListTasksAsync([service.Id], cancellationToken)).First(t => t is { DesiredState: "running", State: "running", ContainerId: not null });
        var nodeAddress = (await manager.ListNodesAsync(cancellationToken)).Single(n => n.Id == task.NodeId).Address;
        var node = target.Cluster.Nodes.Single(n => n.Address == nodeAddress);

        await using var load = target.NewLoad();
        load.Start();
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        var killedAt = load.Elapsed;
        await target.KillAsync(node.Socket, task.ContainerId!, cancellationToken);
        target.Report($"killed task {task.Id[..12]} (container {task.ContainerId![..12]} on {node.Name}) at {killedAt.TotalSeconds:0.000} s");
        await Task.Delay(TimeSpan.FromSeconds(8), cancellationToken);
        return (await load.StopAsync(), killedAt, task.ContainerId!);
    }

    /// <summary>The load balancer's running task.</summary>
    public async Task<string> BalancerTaskAsync(CancellationToken cancellationToken)
    {
        using var manager = new DockerEngine(EngineEndpoint.Socket(target.Cluster.Manager!.Socket));
        var service = (await manager.ListAsync(ObjectKind.Service, target.Environment, cancellationToken)).Single(s => s.Name == LoadBalancerService.ServiceName(target.Environment));
        return (await manager.ListTasksAsync([service.Id], cancellationToken)).Single(t => t is { DesiredState: "running", State: "running" }).Id;
    }
}

/// <summary>An environment under load: where it is, how to reach its domain, and how to change it.</summary>
/// <param name="Environment">Its name.</param>
/// <param name="File">Its file, as applied.</param>
/// <param name="Service">The service its domain routes to (as named in the file).</param>
/// <param name="Port">The service's port the domain goes to.</param>
/// <param name="Url">The domain's URL.</param>
/// <param name="Cluster">The cluster it runs on (the manager's address is where requests go).</param>
/// <param name="TrustedRoot">The root the load balancer's certificate chains to (its internal authority's), or null for any.</param>
/// <param name="Ward">Runs the ward command (arguments) and returns its exit code and output.</param>
/// <param name="Docker">Runs the Docker CLI, the reference tool (arguments), and returns its exit code and output.</param>
/// <param name="Report">Where progress lines go.</param>
internal sealed record DropTarget(
    string Environment,
    string File,
    string Service,
    int Port,
    Uri Url,
    ClusterLayout Cluster,
    X509Certificate2? TrustedRoot,
    Func<IReadOnlyList<string>, CancellationToken, Task<(int ExitCode, string Output)>> Ward,
    Func<IReadOnlyList<string>, CancellationToken, Task<(int ExitCode, string Output)>> Docker,
    Action<string> Report)
{
    public LoadLoop NewLoad() => new(Url, IPAddress.Parse(Cluster.Manager!.Address), DropScenarios.Rate, TrustedRoot);

    /// <summary>The file with one more domain, to the same service and port, just before x-ward's first domain.</summary>
    public string WithDomain(string yaml, string domain)
    {
        var at = yaml.IndexOf("    - name: " + Url.Host, StringComparison.Ordinal);
        if (at < 0)
        {
            throw new InvalidOperationException($"{File} has no '    - name: {Url.Host}' line under x-ward.domains");
        }

        return yaml[..at] + $"    - {{ name: {domain}, service: {Service}, port: {Port}, tls: internal }}\n" + yaml[at..];
    }

    public async Task ApplyAsync(string file, IReadOnlyList<string> more, CancellationToken cancellationToken)
    {
        var (code, output) = await Ward(["apply", file, "--yes", "--host", "unix://" + Cluster.Manager!.Socket, .. more], cancellationToken);
        if (code != 0)
        {
            throw new InvalidOperationException($"ward apply {file} {string.Join(' ', more)} failed (exit {code}):\n{output}");
        }
    }

    public async Task KillAsync(string nodeSocket, string container, CancellationToken cancellationToken)
    {
        var (code, output) = await Docker(["-H", "unix://" + nodeSocket, "kill", container], cancellationToken);
        if (code != 0)
        {
            throw new InvalidOperationException($"docker kill {container} failed (exit {code}): {output}");
        }
    }
}
