using System.Text.Json.Nodes;
using Ward.Engine.Planning;
using Ward.Engine.Ports;

namespace Ward.Deploying.Images;

/// <summary>Puts pinned images into the services' specs; the file's own reference stays in the com.docker.stack.image label.</summary>
internal static class ImagePins
{
    public static IReadOnlyList<DesiredObject> Apply(IReadOnlyList<DesiredObject> objects, ImageResolution resolution)
    {
        if (resolution.Pinned.Count == 0)
        {
            return objects;
        }

        return [.. objects.Select(o => o.Kind == ObjectKind.Service && ImageOf(o) is { } image && resolution.Pinned.TryGetValue(image, out var pinned)
            ? o with { Spec = WithImage(o.Spec, pinned) }
            : o)];
    }

    /// <summary>
    /// Says in a service update's reason which image it rolls out, when the image is what changed: a field change
    /// from one image ID to another means little to people without the tag it stands for.
    /// </summary>
    public static Plan Explain(Plan plan, ImageResolution resolution)
    {
        if (resolution.Pinned.Count == 0)
        {
            return plan;
        }

        // Two tags may name one image: either tag says which image it is.
        var tagOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (tag, id) in resolution.Pinned)
        {
            tagOf.TryAdd(id, tag);
        }

        return plan with
        {
            Steps = [.. plan.Steps.Select(step => step.Reason is null && step.Fields.FirstOrDefault(f => f.Path == ImageField) is { } image &&
                                                  Unquote(image.After) is { } after && tagOf.TryGetValue(after, out var tag)
                ? step with { Reason = $"image {tag}: {Describe(Unquote(image.Before))} → {ImageResolution.ShortId(after)}" }
                : step)],
        };
    }

    private const string ImageField = "TaskTemplate.ContainerSpec.Image";

    private static string Describe(string? before) =>
        before is null ? "none" : before.StartsWith("sha256:", StringComparison.Ordinal) ? $"{ImageResolution.ShortId(before)}, rebuilt under the same tag" : $"{before} by tag, now pinned";

    private static string? Unquote(string? json) => json is null ? null : System.Text.Json.JsonSerializer.Deserialize<string>(json);

    private static string? ImageOf(DesiredObject service) => service.Spec["TaskTemplate"]?["ContainerSpec"]?["Image"]?.GetValue<string>();

    private static JsonObject WithImage(JsonObject spec, string image)
    {
        var copy = (JsonObject)spec.DeepClone();
        copy["TaskTemplate"]!["ContainerSpec"]!["Image"] = image;
        return copy;
    }
}
