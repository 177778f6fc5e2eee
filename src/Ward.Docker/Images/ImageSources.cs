using Ward.Docker.Cluster;
using Ward.Engine.Ports;

namespace Ward.Docker.Images;

/// <summary>Chooses how a deployment's images are found, from the engine it goes to.</summary>
public static class ImageSources
{
    /// <summary>The local cluster's own images when deploying to its manager; else the registries, through the manager.</summary>
    public static IImageSource For(EngineEndpoint target) =>
        LocalCluster.Load() is { Manager: { } manager } layout && manager.Endpoint.Address == target.Address
            ? new LocalClusterImages([.. layout.Nodes.Select(n => n.Endpoint)])
            : new ManagerImages(target);
}
