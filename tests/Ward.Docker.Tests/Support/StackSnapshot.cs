using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Ward.Docker.Tests.Support;

/// <summary>
/// What one stack holds on the swarm, as the engine stores it, normalised for comparing a stack Ward deployed with
/// one docker stack deploy deployed (docs/reference/engine-api-notes.md, B9): network ids mapped to names, the stack
/// name replaced by &lt;stack&gt;, Ward's content hash removed from secret and config names (a deliberate
/// difference), and the fields that depend on history or ids (Placement.Platforms, ForceUpdate, SecretID, ConfigID,
/// Ward's com.ward.key label) left out. Each object is flattened to field path → value.
/// </summary>
internal sealed partial class StackSnapshot
{
    private static readonly HashSet<string> FalseMeansAbsent = new(StringComparer.Ordinal)
    {
        "ReadOnly", "TTY", "OpenStdin", "NoCopy", "Internal", "Attachable", "NoNewPrivileges", "Ingress", "ConfigOnly", "EnableIPv6",
    };

    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly HashSet<string> Maps = new(StringComparer.Ordinal) { "Labels", "Options", "Sysctls", "DriverOpts" };

    /// <summary>Kind → object name (normalised) → field path → value.</summary>
    public SortedDictionary<string, SortedDictionary<string, SortedDictionary<string, string>>> Objects { get; } = new(StringComparer.Ordinal);

    public static async Task<StackSnapshot> ReadAsync(RawEngine engine, string stack, bool ward, CancellationToken cancellationToken)
    {
        var networkNames = (await engine.ListAsync("networks", cancellationToken))
            .ToDictionary(n => n["Id"]!.GetValue<string>(), n => n["Name"]!.GetValue<string>(), StringComparer.Ordinal);
        return From(
            stack,
            ward,
            networkNames,
            await engine.ListStackAsync("services", stack, cancellationToken),
            await engine.ListStackAsync("networks", stack, cancellationToken),
            await engine.ListStackAsync("secrets", stack, cancellationToken),
            await engine.ListStackAsync("configs", stack, cancellationToken));
    }

    /// <summary>A snapshot of objects as the engine lists them (services, secrets and configs with their Spec; networks as listed).</summary>
    public static StackSnapshot From(string stack, bool ward, IReadOnlyDictionary<string, string> networkNames, IEnumerable<JsonObject> services, IEnumerable<JsonObject> networks, IEnumerable<JsonObject> secrets, IEnumerable<JsonObject> configs)
    {
        var snapshot = new StackSnapshot();
        foreach (var service in services)
        {
            var spec = (JsonObject)service["Spec"]!.DeepClone();
            snapshot.Add("service", Service(spec, networkNames, ward), stack);
        }

        foreach (var network in networks)
        {
            snapshot.Add("network", Network(network), stack);
        }

        foreach (var (kind, items) in new[] { ("secret", secrets), ("config", configs) })
        {
            foreach (var item in items)
            {
                var spec = (JsonObject)item["Spec"]!.DeepClone();
                if (ward)
                {
                    spec["Name"] = WithoutHash(spec["Name"]!.GetValue<string>());
                    (spec["Labels"] as JsonObject)?.Remove("com.ward.key");
                }

                snapshot.Add(kind, spec, stack);
            }
        }

        return snapshot;
    }

    /// <summary>Every difference, as "kind name: path: ward value | cli value".</summary>
    public static List<string> Compare(StackSnapshot ward, StackSnapshot cli)
    {
        var differences = new List<string>();
        foreach (var kind in ward.Objects.Keys.Union(cli.Objects.Keys).Order(StringComparer.Ordinal))
        {
            var w = ward.Objects.GetValueOrDefault(kind) ?? new(StringComparer.Ordinal);
            var c = cli.Objects.GetValueOrDefault(kind) ?? new(StringComparer.Ordinal);
            foreach (var name in w.Keys.Union(c.Keys).Order(StringComparer.Ordinal))
            {
                if (!c.TryGetValue(name, out var cliFields))
                {
                    differences.Add($"{kind} {name}: only Ward created it");
                    continue;
                }

                if (!w.TryGetValue(name, out var wardFields))
                {
                    differences.Add($"{kind} {name}: only the CLI created it");
                    continue;
                }

                foreach (var path in wardFields.Keys.Union(cliFields.Keys).Order(StringComparer.Ordinal))
                {
                    var wardValue = wardFields.GetValueOrDefault(path);
                    var cliValue = cliFields.GetValueOrDefault(path);
                    if (wardValue != cliValue)
                    {
                        differences.Add($"{kind} {name}: {path}: Ward {wardValue ?? "(absent)"} | CLI {cliValue ?? "(absent)"}");
                    }
                }
            }
        }

        return differences;
    }

    /// <summary>Replaces, in every service, an image named in <paramref name="ids"/> by the image id it names.</summary>
    public void PinImages(IReadOnlyDictionary<string, string> ids)
    {
        foreach (var fields in Objects.GetValueOrDefault("service")?.Values ?? Enumerable.Empty<SortedDictionary<string, string>>())
        {
            if (fields.TryGetValue(ImageField, out var image) && ids.TryGetValue(image, out var id))
            {
                fields[ImageField] = id;
            }
        }
    }

    /// <summary>The images the services name, as their field values (JSON strings).</summary>
    public IEnumerable<string> Images() =>
        (Objects.GetValueOrDefault("service")?.Values ?? Enumerable.Empty<SortedDictionary<string, string>>())
        .Select(f => f.GetValueOrDefault(ImageField)).OfType<string>().Distinct(StringComparer.Ordinal);

    public const string ImageField = "TaskTemplate.ContainerSpec.Image";

    public int Count(string kind) => Objects.GetValueOrDefault(kind)?.Count ?? 0;

    public override string ToString() => string.Join('\n', Objects.SelectMany(k => k.Value.Select(o => $"{k.Key} {o.Key}: {o.Value.Count} fields")));

    private void Add(string kind, JsonObject spec, string stack)
    {
        Rename(spec, stack);

        // Lists the CLI sorts by name are compared in name order, after the names are made comparable.
        if (spec["TaskTemplate"] is JsonObject task)
        {
            if (task["Networks"] is JsonArray networks)
            {
                task["Networks"] = Sorted(networks, n => n["Target"]?.GetValue<string>() ?? "");
            }

            foreach (var (list, nameField) in new[] { ("Secrets", "SecretName"), ("Configs", "ConfigName") })
            {
                if (task["ContainerSpec"]?[list] is JsonArray references)
                {
                    task["ContainerSpec"]![list] = Sorted(references, r => $"{r[nameField]?.GetValue<string>()}\0{r["File"]?["Name"]?.GetValue<string>()}");
                }
            }
        }

        Canonical(spec);
        var name = spec["Name"]?.GetValue<string>() ?? "?";
        var fields = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Flatten(spec, "", fields);
        if (!Objects.TryGetValue(kind, out var ofKind))
        {
            Objects[kind] = ofKind = new(StringComparer.Ordinal);
        }

        ofKind[name] = fields;
    }

    private static JsonObject Service(JsonObject spec, IReadOnlyDictionary<string, string> networkNames, bool ward)
    {
        if (spec["TaskTemplate"] is JsonObject task)
        {
            task.Remove("ForceUpdate");
            (task["Placement"] as JsonObject)?.Remove("Platforms");
            if (task["Networks"] is JsonArray networks)
            {
                foreach (var network in networks.OfType<JsonObject>())
                {
                    if (network["Target"]?.GetValue<string>() is { } target && networkNames.TryGetValue(target, out var name))
                    {
                        network["Target"] = name;
                    }
                }

            }

            if (task["ContainerSpec"] is JsonObject container)
            {
                foreach (var (list, nameField, idField) in new[] { ("Secrets", "SecretName", "SecretID"), ("Configs", "ConfigName", "ConfigID") })
                {
                    if (container[list] is not JsonArray references)
                    {
                        continue;
                    }

                    foreach (var reference in references.OfType<JsonObject>())
                    {
                        reference.Remove(idField);
                        if (ward && reference[nameField]?.GetValue<string>() is { } referenced)
                        {
                            reference[nameField] = WithoutHash(referenced);
                        }
                    }

                }
            }
        }

        Default(spec["EndpointSpec"], "Mode", "vip");
        foreach (var port in (spec["EndpointSpec"]?["Ports"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            Default(port, "Protocol", "tcp");
            Default(port, "PublishMode", "ingress");
        }

        Default(spec["Mode"]?["Replicated"], "Replicas", 1);
        foreach (var update in new[] { spec["UpdateConfig"], spec["RollbackConfig"] })
        {
            Default(update, "FailureAction", "pause");
            Default(update, "Order", "stop-first");
        }

        Default(spec["TaskTemplate"]?["RestartPolicy"], "Condition", "any");
        Default(spec["TaskTemplate"]?["RestartPolicy"], "MaxAttempts", 0);
        Default(spec["TaskTemplate"]?["ContainerSpec"], "Isolation", "default");
        if (spec["TaskTemplate"]?["ContainerSpec"]?["Healthcheck"] is JsonObject health)
        {
            foreach (var key in new[] { "Interval", "Timeout", "StartPeriod", "StartInterval", "Retries" })
            {
                if (health[key] is JsonValue value && value.TryGetValue<long>(out var number) && number == 0)
                {
                    health.Remove(key);
                }
            }
        }

        return spec;
    }

    /// <summary>A network as its create body and what the engine made of it; subnets the engine chose (10.0.0.0/8) read &lt;auto&gt;.</summary>
    private static JsonObject Network(JsonObject network)
    {
        var options = (network["Options"] as JsonObject)?.DeepClone() as JsonObject ?? [];
        options.Remove("com.docker.network.driver.overlay.vxlanid_list");
        var subnets = new JsonArray();
        foreach (var config in (network["IPAM"]?["Config"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var subnet = config["Subnet"]?.GetValue<string>() ?? "";
            subnets.Add(subnet.StartsWith("10.", StringComparison.Ordinal) ? "<auto>" : subnet);
        }

        return new JsonObject
        {
            ["Name"] = network["Name"]?.DeepClone(),
            ["Driver"] = network["Driver"]?.DeepClone(),
            ["Scope"] = network["Scope"]?.DeepClone(),
            ["Internal"] = network["Internal"]?.DeepClone(),
            ["Attachable"] = network["Attachable"]?.DeepClone(),
            ["Ingress"] = network["Ingress"]?.DeepClone(),
            ["ConfigOnly"] = network["ConfigOnly"]?.DeepClone(),
            ["EnableIPv6"] = network["EnableIPv6"]?.DeepClone(),
            ["Labels"] = network["Labels"]?.DeepClone(),
            ["Options"] = options,
            ["IPAM"] = new JsonObject
            {
                ["Driver"] = network["IPAM"]?["Driver"]?.DeepClone(),
                ["Options"] = network["IPAM"]?["Options"]?.DeepClone(),
                ["Subnets"] = subnets,
            },
        };
    }

    /// <summary>Replaces the stack's own name, wherever a value is or starts with it, by &lt;stack&gt;.</summary>
    private static void Rename(JsonNode? node, string stack)
    {
        switch (node)
        {
            case JsonObject item:
                foreach (var (key, value) in item.ToList())
                {
                    if (value is JsonValue v && v.TryGetValue<string>(out var text))
                    {
                        item[key] = Renamed(text, stack);
                    }
                    else
                    {
                        Rename(value, stack);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue v && v.TryGetValue<string>(out var text))
                    {
                        array[i] = Renamed(text, stack);
                    }
                    else
                    {
                        Rename(array[i], stack);
                    }
                }

                break;
        }
    }

    private static string Renamed(string text, string stack) =>
        text == stack ? "<stack>" : text.StartsWith(stack + "_", StringComparison.Ordinal) ? "<stack>_" + text[(stack.Length + 1)..] : text;

    /// <summary>B9's equivalences: null, "", empty lists and empty maps are absent; false flags are absent.</summary>
    // Written apart from Ward's own SpecNormalizer on purpose, though the two look alike: the parity tests judge what
    // Ward deploys, so their yardstick must not be Ward's code.
    private static void Canonical(JsonObject node)
    {
        foreach (var (key, value) in node.ToList())
        {
            switch (value)
            {
                case null:
                case JsonValue v when v.TryGetValue<string>(out var text) && text.Length == 0:
                case JsonValue f when f.TryGetValue<bool>(out var flag) && !flag && FalseMeansAbsent.Contains(key):
                case JsonArray { Count: 0 }:
                    node.Remove(key);
                    break;
                case JsonArray array:
                    foreach (var child in array.OfType<JsonObject>())
                    {
                        Canonical(child);
                    }

                    break;
                case JsonObject child:
                    Canonical(child);
                    if (child.Count == 0 && Maps.Contains(key))
                    {
                        node.Remove(key);
                    }

                    break;
            }
        }
    }

    private static void Flatten(JsonNode? node, string path, SortedDictionary<string, string> fields)
    {
        switch (node)
        {
            case JsonObject item when item.Count == 0:
                fields[path] = "{}";
                break;
            case JsonObject item:
                foreach (var (key, value) in item)
                {
                    Flatten(value, path.Length == 0 ? key : $"{path}.{key}", fields);
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    Flatten(array[i], $"{path}[{i.ToString(CultureInfo.InvariantCulture)}]", fields);
                }

                break;
            default:
                fields[path] = node?.ToJsonString(Readable) ?? "null";
                break;
        }
    }

    private static void Default(JsonNode? target, string key, JsonNode value)
    {
        if (target is JsonObject item && (item[key] is null || (item[key] is JsonValue v && v.TryGetValue<string>(out var text) && text.Length == 0)))
        {
            item[key] = value;
        }
    }

    private static JsonArray Sorted(JsonArray array, Func<JsonObject, string> key) =>
        [.. array.OfType<JsonObject>().OrderBy(key, StringComparer.Ordinal).Select(n => n.DeepClone())];

    private static string WithoutHash(string name) => ContentHash().Replace(name, "");

    [GeneratedRegex("_[0-9a-f]{10}$")]
    private static partial Regex ContentHash();
}
