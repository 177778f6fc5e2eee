using Docker.DotNet.Models;
using Ward.Engine.Ports;

namespace Ward.Docker.Images;

/// <summary>
/// Puts images on engines without a registry: imports a root filesystem as an image on one engine, and copies images
/// to every engine that lacks them by streaming the Engine API's image save from one engine into image load on another.
/// </summary>
public sealed class ImageDistributor(IReadOnlyList<EngineEndpoint> engines, Action<string> report)
{
    /// <summary>Imports a tar of a root filesystem as <paramref name="reference"/> (changes are Dockerfile lines: CMD, USER, ENV...).</summary>
    public async Task ImportAsync(Stream rootfs, string reference, IReadOnlyList<string> changes, IReadOnlyDictionary<string, string>? labels, CancellationToken cancellationToken)
    {
        var (repository, tag) = Split(reference);
        using var engine = new DockerEngine(engines[0], TimeSpan.FromMinutes(10));
        var allChanges = changes.Concat((labels ?? new Dictionary<string, string>()).Select(l => $"LABEL {l.Key}=\"{l.Value}\"")).ToList();
        var errors = new List<string>();
        await EngineErrors.Call(engines[0], () => engine.Client.Images.CreateImageAsync(
            new ImagesCreateParameters { FromSrc = "-", Repo = repository, Tag = tag, Changes = allChanges },
            rootfs,
            null,
            new Progress(m => { if (m.Error is { } e) { errors.Add(e.Message ?? "import failed"); } }),
            cancellationToken), cancellationToken);
        if (errors.Count > 0)
        {
            throw new EngineRequestException($"importing {reference} failed: {string.Join("; ", errors)}");
        }

        report($"imported {reference} into {engines[0]}");
    }

    /// <summary>Loads an image archive (docker save format) into every engine.</summary>
    public async Task LoadAsync(Func<Stream> archive, CancellationToken cancellationToken)
    {
        foreach (var endpoint in engines)
        {
            await using var stream = archive();
            await LoadIntoAsync(endpoint, stream, cancellationToken);
            report($"loaded into {endpoint}");
        }
    }

    /// <summary>
    /// Makes every image present, and the same, on every engine: an engine that lacks it, or holds a different image
    /// under the same reference (an older build of a re-imported tag), gets a copy of the newest one. Returns the
    /// images no engine has.
    /// </summary>
    public async Task<IReadOnlyList<string>> EnsureEverywhereAsync(IEnumerable<string> images, CancellationToken cancellationToken)
    {
        var missingEverywhere = new List<string>();
        foreach (var image in images.Distinct(StringComparer.Ordinal))
        {
            var held = new List<(EngineEndpoint Endpoint, ImageInspectResponse? Image)>();
            foreach (var endpoint in engines)
            {
                held.Add((endpoint, await InspectAsync(endpoint, image, cancellationToken)));
            }

            var holders = held.Where(h => h.Image is not null).ToList();
            if (holders.Count == 0)
            {
                missingEverywhere.Add(image);
                continue;
            }

            var (source, newest) = holders.MaxBy(h => h.Image!.Created);
            foreach (var (target, current) in held.Where(h => h.Image?.ID != newest!.ID))
            {
                await CopyAsync(image, source, target, cancellationToken);
                report(current is null ? $"copied {image} to {target}" : $"replaced an older {image} on {target}");
            }
        }

        return missingEverywhere;
    }

    /// <summary>The newest image of that reference on any engine (its id, size and where it is), or null when none has it.</summary>
    public async Task<HeldImage?> NewestAsync(string image, CancellationToken cancellationToken)
    {
        HeldImage? newest = null;
        foreach (var endpoint in engines)
        {
            if (await InspectAsync(endpoint, image, cancellationToken) is { } found && (newest is null || found.Created > newest.Created))
            {
                newest = new HeldImage(found.ID, found.Size, found.Created, endpoint);
            }
        }

        return newest;
    }

    public static async Task<bool> HasAsync(EngineEndpoint endpoint, string image, CancellationToken cancellationToken) =>
        await InspectAsync(endpoint, image, cancellationToken) is not null;

    private static async Task<ImageInspectResponse?> InspectAsync(EngineEndpoint endpoint, string image, CancellationToken cancellationToken)
    {
        using var engine = new DockerEngine(endpoint, TimeSpan.FromSeconds(30));
        try
        {
            return await EngineErrors.Call(endpoint, () => engine.Client.Images.InspectImageAsync(image, cancellationToken), cancellationToken);
        }
        catch (EngineNotFoundException)
        {
            return null;
        }
    }

    private static async Task CopyAsync(string image, EngineEndpoint from, EngineEndpoint to, CancellationToken cancellationToken)
    {
        using var source = new DockerEngine(from, TimeSpan.FromMinutes(10));
        await using var archive = await EngineErrors.Call(from, () => source.Client.Images.SaveImageAsync(image, cancellationToken), cancellationToken);
        await LoadIntoAsync(to, archive, cancellationToken);
    }

    private static async Task LoadIntoAsync(EngineEndpoint endpoint, Stream archive, CancellationToken cancellationToken)
    {
        using var engine = new DockerEngine(endpoint, TimeSpan.FromMinutes(10));
        var errors = new List<string>();

        // Load errors arrive inside a successful response, not as an HTTP error: collect them.
        await EngineErrors.Call(endpoint, () => engine.Client.Images.LoadImageAsync(
            new ImageLoadParameters { Quiet = true },
            archive,
            new Progress(m => { if (m.Error is { } e) { errors.Add(e.Message ?? "load failed"); } }),
            cancellationToken), cancellationToken);
        if (errors.Count > 0)
        {
            throw new EngineRequestException($"loading an image into {endpoint} failed: {string.Join("; ", errors)}");
        }
    }

    private static (string Repository, string Tag) Split(string reference)
    {
        var colon = reference.LastIndexOf(':');
        return colon > reference.LastIndexOf('/') && colon > 0 ? (reference[..colon], reference[(colon + 1)..]) : (reference, "latest");
    }

    /// <summary>Progress reported on the reading thread, in order (System.Progress would post it elsewhere).</summary>
    private sealed class Progress(Action<JSONMessage> handle) : IProgress<JSONMessage>
    {
        public void Report(JSONMessage value) => handle(value);
    }
}

/// <summary>An image as one engine holds it.</summary>
public sealed record HeldImage(string Id, long Size, DateTime? Created, EngineEndpoint Engine);
