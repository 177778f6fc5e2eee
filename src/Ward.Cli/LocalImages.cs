using Ward.Docker.Cluster;
using Ward.Docker.Images;
using Ward.Engine.Ports;

namespace Ward.Cli;

/// <summary>
/// On the local cluster there is no registry, so before services are created every image they use is copied to every
/// node that lacks it. An image no node has stops the apply with a message that says how to bring it.
/// </summary>
internal static class LocalImages
{
    public static async Task<bool> EnsureAsync(DeployInput input, Docker.EngineEndpoint target, CancellationToken token)
    {
        // Only when deploying to the local cluster itself: other swarms' nodes pull from their registries.
        if (LocalCluster.Load() is not { } layout || layout.Manager?.Endpoint.Address != target.Address)
        {
            return true;
        }

        var images = input.Desired
            .Where(d => d.Kind == ObjectKind.Service)
            .Select(d => d.Spec["TaskTemplate"]?["ContainerSpec"]?["Image"]?.GetValue<string>())
            .OfType<string>()
            .Where(i => i.Length > 0)
            .ToList();
        var distributor = new ImageDistributor([.. layout.Nodes.Select(n => n.Endpoint)], message => Console.Error.WriteLine($"ward: {message}"));
        var missing = await distributor.EnsureEverywhereAsync(images, token);
        if (missing.Count == 0)
        {
            return true;
        }

        Console.Error.WriteLine($"ward: no node of the local cluster has {string.Join(", ", missing)}.");
        Console.Error.WriteLine("  Bring images with `ward image load ARCHIVE.tar` (docker save format) or `ward image import ROOTFS.tar -t NAME:TAG`;");
        Console.Error.WriteLine("  the sample application's images are built by scripts/build-images.sh.");
        return false;
    }
}
