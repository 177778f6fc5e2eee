using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ward.Engine.Planning;

/// <summary>One field that differs: its path (e.g. <c>TaskTemplate.ContainerSpec.Image</c>) and both values as JSON.</summary>
public sealed record FieldChange(string Path, string? Before, string? After);

/// <summary>Field-level differences between two JSON documents: objects are walked, lists compared whole.</summary>
public static class JsonDiff
{
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    public static List<FieldChange> Compare(JsonNode? before, JsonNode? after)
    {
        var changes = new List<FieldChange>();
        Walk("", before, after, changes);
        return changes;
    }

    private static void Walk(string path, JsonNode? before, JsonNode? after, List<FieldChange> changes)
    {
        if (before is JsonObject left && after is JsonObject right)
        {
            foreach (var key in left.Select(p => p.Key).Union(right.Select(p => p.Key)).Order(StringComparer.Ordinal))
            {
                Walk(path.Length == 0 ? key : $"{path}.{key}", left[key], right[key], changes);
            }

            return;
        }

        if (before is JsonArray leftArray && after is JsonArray rightArray && leftArray.Count == rightArray.Count &&
            leftArray.All(i => i is JsonObject) && rightArray.All(i => i is JsonObject))
        {
            for (var i = 0; i < leftArray.Count; i++)
            {
                Walk($"{path}[{i}]", leftArray[i], rightArray[i], changes);
            }

            return;
        }

        if (!JsonNode.DeepEquals(before, after))
        {
            changes.Add(new FieldChange(path, before?.ToJsonString(Compact), after?.ToJsonString(Compact)));
        }
    }
}
