using Ward.Engine.Ports;

namespace Ward.Docker.Images;

/// <summary>
/// Images on the local cluster, where there is no registry and Ward itself puts images on the nodes. Each tag is
/// pinned to the image it stands for now (the newest of that tag on any node, which <see cref="DistributeAsync"/>
/// copies to the others), so a rebuilt image under an unchanged tag is a change that an apply rolls out. The pin is
/// the plain image ID: a node runs an image by ID without asking any registry, while name@ID is a registry digest
/// that no local image has.
/// </summary>
public sealed class LocalClusterImages(IReadOnlyList<EngineEndpoint> nodes) : IImageSource
{
    public async Task<ImageResolution> ResolveAsync(IReadOnlyCollection<string> images, CancellationToken cancellationToken)
    {
        var pinned = new Dictionary<string, string>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var image in images)
        {
            var newest = await new ImageDistributor(nodes, _ => { }).NewestAsync(image, cancellationToken);
            if (newest is null)
            {
                missing.Add(image);
            }
            else
            {
                pinned[image] = newest.Id;
            }
        }

        return new ImageResolution(ImagePinning.ImageId, pinned, missing);
    }

    public async Task DistributeAsync(ImageResolution resolution, Action<string> report, CancellationToken cancellationToken)
    {
        var missing = await new ImageDistributor(nodes, report).EnsureEverywhereAsync(resolution.Pinned.Keys, cancellationToken);
        if (missing.Count > 0)
        {
            // Resolved a moment ago: an image removed from every node meanwhile.
            throw new EngineRequestException($"no node of the local cluster has {string.Join(", ", missing)} any more");
        }
    }

    public async Task<long?> SizeAsync(string image, CancellationToken cancellationToken) =>
        (await new ImageDistributor(nodes, _ => { }).NewestAsync(image, cancellationToken))?.Size;
}

/// <summary>
/// Images on a swarm whose nodes pull from registries: tags go to the services as written, and an image's size is
/// known where the manager's engine holds it.
/// </summary>
public sealed class ManagerImages(EngineEndpoint manager) : IImageSource
{
    public Task<ImageResolution> ResolveAsync(IReadOnlyCollection<string> images, CancellationToken cancellationToken) =>
        Task.FromResult(ImageResolution.AsWritten);

    public Task DistributeAsync(ImageResolution resolution, Action<string> report, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<long?> SizeAsync(string image, CancellationToken cancellationToken) =>
        (await new ImageDistributor([manager], _ => { }).NewestAsync(image, cancellationToken))?.Size;
}
