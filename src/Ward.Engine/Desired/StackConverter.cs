using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Ward.Engine.Ports;
using Ward.Model.Compose;
using Ward.Model.Spec;

namespace Ward.Engine.Desired;

/// <summary>
/// Turns an environment into the Swarm objects <c>docker stack deploy</c> creates for the same file: the same
/// names, labels and specs, field for field (docs/reference/engine-api-notes.md, part B). One deliberate
/// difference: secrets and configs carry a hash of their content in their name, so that a changed secret is a new
/// object and services move to it without downtime (Swarm secrets are immutable).
/// </summary>
/// <param name="environmentDirectory">Relative file paths in the environment resolve against it.</param>
/// <param name="processEnvironment">The deploying process's variables (names without value take theirs).</param>
/// <param name="readFile">Reads a secret or config source file; null when it does not exist.</param>
/// <param name="managedContent">
/// The value of a secret or config declared with neither <c>file</c> nor <c>external</c>: Ward keeps those values
/// itself (the server's store); null when nothing manages them.
/// </param>
/// <param name="versionOf">
/// The version part of a secret's or config's object name from its content; null: the first characters of its SHA-256.
/// The server gives a keyed hash, so that names in the swarm do not let anyone test guesses of a weak value.
/// </param>
public sealed class StackConverter(
    string environmentDirectory,
    Func<string, string?> processEnvironment,
    Func<string, byte[]?> readFile,
    Func<ObjectKind, string, byte[]?>? managedContent = null,
    Func<byte[], string>? versionOf = null)
{
    /// <summary>The length of the content hash in versioned secret and config names.</summary>
    public const int HashLength = 10;

    public IReadOnlyList<DesiredObject> Convert(EnvironmentSpec spec)
    {
        RequireValidImages(spec);
        var objects = new List<DesiredObject>();
        var ns = spec.Name;
        objects.AddRange(Networks(spec));
        var secretNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var secret in spec.Secrets)
        {
            secretNames[secret.Key] = ResolveFileObject(secret, ObjectKind.Secret, ns, objects);
        }

        var configNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var config in spec.Configs)
        {
            configNames[config.Key] = ResolveFileObject(config, ObjectKind.Config, ns, objects);
        }

        var services = new ServiceConverter(spec, environmentDirectory, processEnvironment, secretNames, configNames);
        objects.AddRange(spec.Services.Select(s => new DesiredObject(ObjectKind.Service, StackNames.Scoped(ns, s.Name), services.Convert(s))));
        return objects;
    }

    /// <summary>
    /// Like docker stack deploy, refuses the whole file before anything is created when an image reference is invalid
    /// (an unset variable, no image, an empty tag...), naming every such service at once.
    /// </summary>
    private static void RequireValidImages(EnvironmentSpec spec)
    {
        var problems = spec.Services
            .Select(s => (s.Name, Problem: ImageReferences.CliProblem(s.Image)))
            .Where(s => s.Problem is not null)
            .Select(s => $"invalid image reference for service {s.Name}: {s.Problem}")
            .ToList();
        if (problems.Count > 0)
        {
            throw new DesiredStateException(string.Join("; ", problems));
        }
    }

    /// <summary>The networks services use: those declared (not external) and the implicit default network.</summary>
    private static IEnumerable<DesiredObject> Networks(EnvironmentSpec spec)
    {
        var used = spec.Services.SelectMany(s => s.Networks.Count == 0 ? ["default"] : s.Networks.Select(n => n.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (var key in used.Order(StringComparer.Ordinal))
        {
            var declared = spec.Networks.FirstOrDefault(n => n.Key == key);
            if (declared?.External == true || (declared is null && key != "default"))
            {
                continue;
            }

            var labels = Labels(declared?.Labels, spec.Name);
            var body = new JsonObject
            {
                ["Name"] = declared?.Name ?? StackNames.Scoped(spec.Name, key),
                ["Driver"] = string.IsNullOrEmpty(declared?.Driver) ? "overlay" : declared.Driver,
                ["Labels"] = labels,
            };
            if (declared is not null)
            {
                if (declared.DriverOpts.Count > 0)
                {
                    body["Options"] = Map(declared.DriverOpts);
                }

                if (declared.Internal)
                {
                    body["Internal"] = true;
                }

                if (declared.Attachable)
                {
                    body["Attachable"] = true;
                }

                if (declared.Subnets.Count > 0)
                {
                    body["IPAM"] = new JsonObject { ["Config"] = new JsonArray([.. declared.Subnets.Select(s => (JsonNode)new JsonObject { ["Subnet"] = s })]) };
                }
            }

            yield return new DesiredObject(ObjectKind.Network, body["Name"]!.GetValue<string>(), body);
        }
    }

    /// <summary>
    /// The content of a secret or config that is not external: its file (relative to the environment file), else what the
    /// host keeps for it (the server's vault); null when there is none.
    /// </summary>
    public byte[]? ContentOf(FileObjectSpec item, ObjectKind kind) =>
        item.File is not null ? readFile(Path.Combine(environmentDirectory, item.File)) : managedContent?.Invoke(kind, item.Key);

    /// <summary>
    /// The name services reference for a secret or config. External ones exist already; the others become an object
    /// whose name carries a hash of their content.
    /// </summary>
    private string ResolveFileObject(FileObjectSpec item, ObjectKind kind, string ns, List<DesiredObject> objects)
    {
        if (item.External)
        {
            return item.Name ?? item.Key;
        }

        var data = ContentOf(item, kind) ?? throw new DesiredStateException(item.File is not null
            ? $"{kind.ToString().ToLowerInvariant()} {item.Key}: the file {item.File} does not exist (relative to {environmentDirectory})"
            : $"{kind.ToString().ToLowerInvariant()} {item.Key} has no value: give it a file:, declare it external: true, or set it in the Ward server (PUT /api/v1/environments/{ns}/secrets/{item.Key})");
        // A keyed version when the host gives one (the server: an HMAC with its installation key), so that whoever can
        // list the swarm's secrets cannot test guesses of a value against the name; the CLI keeps the plain hash.
        var hash = versionOf?.Invoke(data) ?? System.Convert.ToHexStringLower(SHA256.HashData(data))[..HashLength];
        var name = $"{item.Name ?? StackNames.Scoped(ns, item.Key)}_{hash}";
        var labels = Labels(item.Labels, ns);
        labels[StackNames.KeyLabel] = item.Key;
        var body = new JsonObject { ["Name"] = name, ["Labels"] = labels, ["Data"] = System.Convert.ToBase64String(data) };
        if (item.TemplateDriver is { } template)
        {
            body["Templating"] = new JsonObject { ["Name"] = template };
        }

        objects.Add(new DesiredObject(kind, name, body) { Key = item.Key });
        return name;
    }

    /// <summary>A mount of a volume the file declares: its name on the swarm, and (unless external) its labels and driver.</summary>
    public static JsonObject VolumeMount(string ns, VolumeSpec declared, string target, bool readOnly = false, bool noCopy = false)
    {
        var result = new JsonObject
        {
            ["Type"] = "volume",
            ["Source"] = declared.External ? declared.Name ?? declared.Key : declared.Name ?? StackNames.Scoped(ns, declared.Key),
            ["Target"] = target,
        };
        if (readOnly)
        {
            result["ReadOnly"] = true;
        }

        var options = new JsonObject();
        if (noCopy)
        {
            options["NoCopy"] = true;
        }

        if (!declared.External)
        {
            options["Labels"] = Labels(declared.Labels, ns);
            if (declared.Driver is not null || declared.DriverOpts.Count > 0)
            {
                var driver = new JsonObject { ["Name"] = declared.Driver };
                if (declared.DriverOpts.Count > 0)
                {
                    driver["Options"] = Map(declared.DriverOpts);
                }

                options["DriverConfig"] = driver;
            }
        }

        result["VolumeOptions"] = options;
        return result;
    }

    /// <summary>User labels plus the stack namespace, which wins over a user label of the same key.</summary>
    internal static JsonObject Labels(IEnumerable<KeyValuePair<string, string>>? labels, string ns)
    {
        var result = new JsonObject();
        foreach (var (key, value) in labels ?? [])
        {
            result[key] = value;
        }

        result[StackNames.NamespaceLabel] = ns;
        return result;
    }

    internal static JsonObject Map(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var result = new JsonObject();
        foreach (var (key, value) in pairs)
        {
            result[key] = value;
        }

        return result;
    }
}

/// <summary>The environment cannot be turned into Swarm objects (a missing secret file, an undefined volume...).</summary>
public sealed class DesiredStateException(string message) : Exception(message);
