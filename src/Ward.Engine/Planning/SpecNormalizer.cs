using System.Text.Json.Nodes;

namespace Ward.Engine.Planning;

/// <summary>
/// Brings a service spec to a canonical form so that what Ward sends and what the engine reports back compare equal
/// when they mean the same thing (docs/reference/engine-api-notes.md B8/B9): engine defaults filled in, ids replaced
/// by names, and the fields the engine adds or manages (ForceUpdate, Platforms, object ids) left out.
/// Presence still matters where it changes behaviour (Init, RestartPolicy, UpdateConfig, Healthcheck...).
/// </summary>
public static class SpecNormalizer
{
    private static readonly HashSet<string> FalseMeansAbsent = new(StringComparer.Ordinal)
    {
        "ReadOnly", "TTY", "OpenStdin", "NoCopy", "Internal", "Attachable", "NoNewPrivileges",
    };

    /// <param name="spec">A service spec in the Engine API's JSON shape.</param>
    /// <param name="networkNames">Network id to name, to read targets the engine stored as ids.</param>
    public static JsonObject Service(JsonObject spec, IReadOnlyDictionary<string, string> networkNames)
    {
        var copy = (JsonObject)spec.DeepClone();
        if (copy["TaskTemplate"] is JsonObject task)
        {
            task.Remove("ForceUpdate");
            task.Remove("Runtime");
            if (task["Placement"] is JsonObject placement)
            {
                placement.Remove("Platforms");
            }

            if (task["RestartPolicy"] is JsonObject restart)
            {
                Default(restart, "Condition", "any");
                Default(restart, "MaxAttempts", 0);
            }

            if (task["Networks"] is JsonArray networks)
            {
                foreach (var network in networks.OfType<JsonObject>())
                {
                    if (network["Target"]?.GetValue<string>() is { } target && networkNames.TryGetValue(target, out var name))
                    {
                        network["Target"] = name;
                    }
                }

                task["Networks"] = new JsonArray([.. networks.OfType<JsonObject>().OrderBy(n => n["Target"]?.GetValue<string>(), StringComparer.Ordinal).Select(n => n.DeepClone())]);
            }

            if (task["ContainerSpec"] is JsonObject container)
            {
                NormalizeContainer(container);
            }
        }

        if (copy["Mode"]?["Replicated"] is JsonObject replicated)
        {
            Default(replicated, "Replicas", 1);
        }

        foreach (var name in new[] { "UpdateConfig", "RollbackConfig" })
        {
            if (copy[name] is JsonObject update)
            {
                Default(update, "FailureAction", "pause");
                Default(update, "Order", "stop-first");
                Default(update, "Monitor", 0);
                Default(update, "Delay", 0);
            }
        }

        if (copy["EndpointSpec"] is JsonObject endpoint)
        {
            Default(endpoint, "Mode", "vip");
            foreach (var port in (endpoint["Ports"] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                Default(port, "Protocol", "tcp");
                Default(port, "PublishMode", "ingress");
            }
        }

        Clean(copy);
        return copy;
    }

    private static void NormalizeContainer(JsonObject container)
    {
        foreach (var list in new[] { "Secrets", "Configs" })
        {
            foreach (var reference in (container[list] as JsonArray)?.OfType<JsonObject>() ?? [])
            {
                reference.Remove("SecretID");
                reference.Remove("ConfigID");
            }
        }

        if (container["Isolation"]?.GetValue<string>() is null or "" or "default")
        {
            container.Remove("Isolation");
        }

        if (container["Healthcheck"] is JsonObject health)
        {
            foreach (var key in new[] { "Interval", "Timeout", "StartPeriod", "StartInterval", "Retries" })
            {
                if (health[key] is JsonValue value && value.TryGetValue<long>(out var number) && number == 0)
                {
                    health.Remove(key);
                }
            }
        }

        if (container["Privileges"] is JsonObject privileges)
        {
            // The engine reports empty privileges with explicit nulls; what counts is that they are present.
            Clean(privileges);
        }
    }

    private static void Default(JsonObject target, string key, JsonNode value)
    {
        if (target[key] is null || (target[key] is JsonValue v && v.TryGetValue<string>(out var text) && text.Length == 0))
        {
            target[key] = value;
        }
    }

    /// <summary>Removes nulls, false flags that default to false, empty strings, empty lists and empty label maps.</summary>
    private static void Clean(JsonObject node)
    {
        foreach (var (key, value) in node.ToList())
        {
            switch (value)
            {
                case null:
                    node.Remove(key);
                    break;
                case JsonValue v when v.TryGetValue<bool>(out var flag) && !flag && FalseMeansAbsent.Contains(key):
                    node.Remove(key);
                    break;
                case JsonValue v when v.TryGetValue<string>(out var text) && text.Length == 0:
                    node.Remove(key);
                    break;
                case JsonArray array when array.Count == 0:
                    node.Remove(key);
                    break;
                case JsonArray array:
                    foreach (var item in array.OfType<JsonObject>())
                    {
                        Clean(item);
                    }

                    break;
                case JsonObject child:
                    Clean(child);
                    if (child.Count == 0 && key is "Labels" or "Options" or "Sysctls")
                    {
                        node.Remove(key);
                    }

                    break;
            }
        }
    }
}
