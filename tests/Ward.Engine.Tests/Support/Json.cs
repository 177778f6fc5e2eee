using System.Text.Json;
using System.Text.Json.Nodes;
using Ward.Engine.Planning;

namespace Ward.Engine.Tests.Support;

internal static class Json
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();

    public static string Show(JsonNode? node) => node?.ToJsonString(Indented) ?? "null";

    /// <summary>Asserts two documents are equal, showing the differing fields when they are not.</summary>
    public static void Equal(JsonNode? expected, JsonNode? actual)
    {
        var changes = JsonDiff.Compare(expected, actual);
        Assert.True(changes.Count == 0, "the documents differ:\n" + string.Join("\n", changes.Select(c => $"  {c.Path}: {c.Before ?? "(none)"} -> {c.After ?? "(none)"}")) + "\nactual:\n" + Show(actual));
    }

    /// <summary>The value at a dotted path such as <c>TaskTemplate.ContainerSpec.Image</c> (indexes as <c>Mounts[1]</c>).</summary>
    public static JsonNode? At(this JsonNode? node, string path)
    {
        JsonNode? current = node;
        foreach (var part in path.Split('.'))
        {
            var name = part;
            var index = -1;
            if (part.EndsWith(']'))
            {
                var open = part.IndexOf('[', StringComparison.Ordinal);
                index = int.Parse(part[(open + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
                name = part[..open];
            }

            current = current?[name];
            if (index >= 0)
            {
                current = current?[index];
            }
        }

        return current;
    }

    public static string? Text(this JsonNode? node, string path) => node.At(path)?.GetValue<string>();

    public static List<string> Strings(this JsonNode? node, string path) =>
        node.At(path) is JsonArray array ? [.. array.Select(i => i!.GetValue<string>())] : [];
}
