using System.Formats.Tar;
using Ward.Docker;
using Ward.Docker.Cluster;
using Ward.Docker.Images;
using Ward.Engine.Observing;
using Ward.Engine.Ports;

namespace Ward.EndToEnd.Tests.Support;

/// <summary>
/// The local swarm (`ward cluster up`) that the end-to-end story deploys to: checked before the story starts, given
/// the busybox image when a node lacks it, and cleaned of what the story deployed at the end. Other engineers use
/// the same swarm, so the story uses its own environment name and a published port nobody else uses.
/// </summary>
internal sealed class LocalSwarm : IDisposable
{
    public const string Image = "ward/busybox:1.0";

    private readonly ClusterLayout _layout;

    private LocalSwarm(ClusterLayout layout)
    {
        _layout = layout;
        Engine = new DockerEngine(layout.Manager!.Endpoint, TimeSpan.FromSeconds(30));
    }

    public DockerEngine Engine { get; }

    /// <summary>The local cluster, or a failed test that says how to start it (the story is never skipped).</summary>
    public static async Task<LocalSwarm> RequireAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_HOST")))
        {
            Assert.Fail("DOCKER_HOST is set: the end-to-end story deploys to the local cluster only; unset DOCKER_HOST and run it again.");
        }

        var layout = LocalCluster.Load();
        if (layout?.Manager is null)
        {
            Assert.Fail("The local cluster is not up: the end-to-end story deploys to it. Start it with `./ward up` (or `./ward cluster up`), check it with `./ward cluster status`, and run the tests again.");
        }

        if (!await LocalCluster.IsHealthyAsync(layout, cancellationToken))
        {
            Assert.Fail("The local cluster is not healthy (a node's engine does not answer or a node is not ready): see `./ward cluster status`.");
        }

        return new LocalSwarm(layout);
    }

    /// <summary>Puts the busybox image on every node, importing it from the host's busybox when no node has it.</summary>
    public async Task EnsureImageAsync(CancellationToken cancellationToken)
    {
        var distributor = new ImageDistributor([.. _layout.Nodes.Select(n => n.Endpoint)], _ => { });
        if ((await distributor.EnsureEverywhereAsync([Image], cancellationToken)).Count == 0)
        {
            return;
        }

        using var rootfs = BusyboxRootfs();
        await distributor.ImportAsync(rootfs, Image, ["ENV PATH=/bin"], null, cancellationToken);
        Assert.Empty(await distributor.EnsureEverywhereAsync([Image], cancellationToken));
    }

    /// <summary>A host-mode port that no service on the swarm publishes.</summary>
    public async Task<int> FreePublishedPortAsync(CancellationToken cancellationToken)
    {
        var services = await Engine.ListAsync(ObjectKind.Service, null, cancellationToken);
        var used = services
            .SelectMany(s => s.Spec["EndpointSpec"]?["Ports"]?.AsArray() ?? [])
            .Select(p => p?["PublishedPort"]?.GetValue<int>() ?? 0)
            .ToHashSet();
        return Enumerable.Range(0, 100).Select(_ => Random.Shared.Next(20000, 30000)).First(p => !used.Contains(p));
    }

    /// <summary>Removes what the environment owns (services first, then secrets and configs, then networks), and checks that nothing is left.</summary>
    public async Task DestroyAsync(string environment, CancellationToken cancellationToken)
    {
        var owned = (await StateReader.ReadAsync(Engine, environment, cancellationToken)).Owned;
        foreach (var kind in new[] { ObjectKind.Service, ObjectKind.Secret, ObjectKind.Config, ObjectKind.Network })
        {
            foreach (var item in owned.Where(o => o.Kind == kind))
            {
                await RemoveAsync(item, cancellationToken);
            }
        }

        Assert.Empty((await StateReader.ReadAsync(Engine, environment, cancellationToken)).Owned);
    }

    private async Task RemoveAsync(ObservedObject item, CancellationToken cancellationToken)
    {
        // A network stays in use until the removed services' tasks have stopped: retry for a while.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await Engine.RemoveAsync(item.Kind, item.Id, cancellationToken);
                return;
            }
            catch (EngineNotFoundException)
            {
                return;
            }
            catch (EngineRequestException) when (attempt < 60)
            {
                await Task.Delay(500, cancellationToken);
            }
        }
    }

    /// <summary>A root filesystem of the host's static busybox with the applets the story's services use.</summary>
    private static MemoryStream BusyboxRootfs()
    {
        var stream = new MemoryStream();
        using (var tar = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "bin/") { Mode = (UnixFileMode)0b111_101_101 });
            tar.WriteEntry("/usr/bin/busybox", "bin/busybox");
            foreach (var applet in new[] { "sh", "cat", "echo", "mkdir", "httpd", "sleep", "hostname", "ls", "wget" })
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, $"bin/{applet}") { LinkName = "busybox", Mode = (UnixFileMode)0b111_111_111 });
            }

            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "tmp/") { Mode = (UnixFileMode)0b111_111_111 });
        }

        stream.Position = 0;
        return stream;
    }

    public void Dispose() => Engine.Dispose();
}
