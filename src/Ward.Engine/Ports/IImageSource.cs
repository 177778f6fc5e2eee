namespace Ward.Engine.Ports;

/// <summary>How the images of a deployment were identified.</summary>
public enum ImagePinning
{
    /// <summary>Tags as written: each node resolves them itself (a rebuilt image under the same tag goes unnoticed).</summary>
    AsWritten,

    /// <summary>Pinned to the image's ID, found on the nodes themselves (the local cluster, where Ward puts the images).</summary>
    ImageId,
}

/// <summary>The images of a deployment: what each reference in the file runs as, and those no node has.</summary>
/// <param name="Pinning">How they were identified.</param>
/// <param name="Pinned">Image as written (familiar form) → what the services run (an image ID); only for pinned images.</param>
/// <param name="Missing">Images the cluster has nowhere, where Ward is the one who puts images on nodes.</param>
public sealed record ImageResolution(ImagePinning Pinning, IReadOnlyDictionary<string, string> Pinned, IReadOnlyList<string> Missing)
{
    public static ImageResolution AsWritten { get; } = new(ImagePinning.AsWritten, new Dictionary<string, string>(), []);

    /// <summary>An image ID as docker shows it (its first 12 hex digits); anything else as it is.</summary>
    public static string ShortId(string id) => id.StartsWith("sha256:", StringComparison.Ordinal) && id.Length >= 19 ? id[7..19] : id;

    /// <summary>For people: how the images were identified.</summary>
    public string Description => Pinning switch
    {
        ImagePinning.ImageId => "images pinned by content: each tag resolved to its image ID on the local cluster's nodes, so a rebuilt image under the same tag is a change",
        _ => "images by tag as written: each node resolves the tag itself",
    };
}

/// <summary>
/// Where a deployment's images come from. On the local cluster Ward itself puts images on the nodes (there is no
/// registry), so it can pin each tag to the image it stands for now and copy it where it is missing.
/// </summary>
public interface IImageSource
{
    /// <summary>Identifies the images (read-only: nothing is copied or pulled).</summary>
    Task<ImageResolution> ResolveAsync(IReadOnlyCollection<string> images, CancellationToken cancellationToken);

    /// <summary>Makes the resolved images present on every node that will run them.</summary>
    Task DistributeAsync(ImageResolution resolution, Action<string> report, CancellationToken cancellationToken);

    /// <summary>The size in bytes of an image where the cluster holds it, or null when unknown (for rule IMG-002).</summary>
    Task<long?> SizeAsync(string image, CancellationToken cancellationToken);
}

/// <summary>Images left to the nodes: nothing is resolved, copied or measured (a swarm whose nodes pull from a registry).</summary>
public sealed class TagsAsWritten : IImageSource
{
    public static TagsAsWritten Instance { get; } = new();

    public Task<ImageResolution> ResolveAsync(IReadOnlyCollection<string> images, CancellationToken cancellationToken) =>
        Task.FromResult(ImageResolution.AsWritten);

    public Task DistributeAsync(ImageResolution resolution, Action<string> report, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<long?> SizeAsync(string image, CancellationToken cancellationToken) => Task.FromResult<long?>(null);
}
