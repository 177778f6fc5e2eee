using System.Text.Json.Nodes;

namespace Ward.Deploying.Nodes;

/// <summary>A change to a node's spec (role, availability, labels), validated when it is made.</summary>
public sealed class NodeChange
{
    private static readonly string[] Availabilities = ["active", "pause", "drain"];
    private static readonly string[] Roles = ["manager", "worker"];

    private readonly Action<JsonObject> _apply;

    private NodeChange(string description, Action<JsonObject> apply)
    {
        Description = description;
        _apply = apply;
    }

    /// <summary>What the change does, for the audit log and messages ("availability drain").</summary>
    public string Description { get; }

    /// <exception cref="DeployRequestException">Not one of active, pause, drain.</exception>
    public static NodeChange Availability(string? value) => Availabilities.Contains(value)
        ? new($"availability {value}", spec => spec["Availability"] = value)
        : throw new DeployRequestException(DeployRequestCodes.InvalidNodeChange, $"availability is one of {string.Join(", ", Availabilities)}, not '{value}'");

    /// <exception cref="DeployRequestException">Not manager or worker.</exception>
    public static NodeChange Role(string? value) => Roles.Contains(value)
        ? new($"role {value}", spec => spec["Role"] = value)
        : throw new DeployRequestException(DeployRequestCodes.InvalidNodeChange, $"role is manager or worker, not '{value}'");

    /// <summary>Replaces every label.</summary>
    /// <exception cref="DeployRequestException">No labels given, or a key that is not a label key.</exception>
    public static NodeChange ReplaceLabels(IReadOnlyDictionary<string, string>? labels)
    {
        if (labels is null)
        {
            throw new DeployRequestException(DeployRequestCodes.InvalidNodeChange, "labels must be an object of key: value pairs (send {} to remove every label)");
        }

        foreach (var (key, value) in labels)
        {
            CheckLabel(key, value);
        }

        return new($"labels {string.Join(",", labels.Select(l => $"{l.Key}={l.Value}"))}", spec =>
        {
            var replaced = new JsonObject();
            foreach (var (key, value) in labels)
            {
                replaced[key] = value;
            }

            spec["Labels"] = replaced;
        });
    }

    /// <summary>Sets (<c>key=value</c>) and removes (<c>key-</c>) labels, keeping the others.</summary>
    /// <exception cref="DeployRequestException">An edit of neither form.</exception>
    public static NodeChange EditLabels(IReadOnlyList<string> edits)
    {
        var set = new List<KeyValuePair<string, string>>();
        var remove = new List<string>();
        foreach (var edit in edits)
        {
            if (edit.EndsWith('-') && edit.Length > 1 && !edit.Contains('=', StringComparison.Ordinal))
            {
                remove.Add(edit[..^1]);
            }
            else if (edit.Split('=', 2) is [var key, var value] && key.Length > 0)
            {
                CheckLabel(key, value);
                set.Add(new(key, value));
            }
            else
            {
                throw new DeployRequestException(DeployRequestCodes.InvalidNodeChange, $"'{edit}' is not key=value (set a label) or key- (remove one)");
            }
        }

        return new($"labels {string.Join(" ", edits)}", spec =>
        {
            var labels = spec["Labels"] as JsonObject ?? [];
            foreach (var key in remove)
            {
                labels.Remove(key);
            }

            foreach (var (key, value) in set)
            {
                labels[key] = value;
            }

            spec["Labels"] = labels;
        });
    }

    internal void ApplyTo(JsonObject spec) => _apply(spec);

    /// <summary>Label keys as Swarm takes them: printable, no spaces, no '='; values without control characters.</summary>
    private static void CheckLabel(string key, string value)
    {
        if (key.Length == 0 || key.Length > 256 || key.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c == '='))
        {
            throw new DeployRequestException(DeployRequestCodes.InvalidNodeChange, $"'{key}' is not a label key: 1 to 256 printable characters without spaces or '='");
        }

        if (value.Length > 4096 || value.Any(char.IsControl))
        {
            throw new DeployRequestException(DeployRequestCodes.InvalidNodeChange, $"the value of label '{key}' must be at most 4096 characters without control characters");
        }
    }
}
