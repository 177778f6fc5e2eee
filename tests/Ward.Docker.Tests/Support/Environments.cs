using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Ward.Docker.Tests.Support;

/// <summary>An environment file a test writes, with its secret and config files beside it.</summary>
internal sealed class EnvironmentFile
{
    private EnvironmentFile(string name, string folder)
    {
        Name = name;
        Folder = folder;
    }

    public string Name { get; }

    public string Folder { get; }

    public string Path => System.IO.Path.Combine(Folder, "environment.yaml");

    /// <summary>Writes <paramref name="yaml"/> (its x-ward name is <paramref name="name"/>) into a fresh folder.</summary>
    public static EnvironmentFile Write(string name, string yaml, IReadOnlyDictionary<string, string>? files = null)
    {
        var environment = new EnvironmentFile(name, Scratch.Folder(name));
        environment.Update(yaml, files);
        return environment;
    }

    public void Update(string yaml, IReadOnlyDictionary<string, string>? files = null)
    {
        File.WriteAllText(Path, yaml);
        foreach (var (file, content) in files ?? new Dictionary<string, string>())
        {
            WriteFile(file, content);
        }
    }

    public void WriteFile(string file, string content) => File.WriteAllText(System.IO.Path.Combine(Folder, file), content);

    /// <summary>The name Ward gives the version of a secret or config with this content: scoped key and content hash.</summary>
    public string VersionedName(string key, string content) =>
        $"{Name}_{key}_{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content)))[..10]}";
}

/// <summary>What the swarm holds of an environment, read through the raw Engine API.</summary>
internal static class EnvironmentState
{
    /// <summary>Names of the environment's objects of a kind (services, networks, secrets, configs), sorted; duplicates kept.</summary>
    public static async Task<List<string>> NamesAsync(RawEngine engine, string kind, string environment, CancellationToken cancellationToken) =>
        [.. (await engine.ListStackAsync(kind, environment, cancellationToken))
            .Select(o => (o["Spec"]?["Name"] ?? o["Name"])!.GetValue<string>())
            .Order(StringComparer.Ordinal)];

    /// <summary>The lock config of the environment, if one is held.</summary>
    public static async Task<JsonObject?> LockAsync(RawEngine engine, string environment, CancellationToken cancellationToken) =>
        (await engine.ListAsync("configs", cancellationToken)).FirstOrDefault(c => c["Spec"]?["Name"]?.GetValue<string>() == $"ward-lock.{environment}");

    /// <summary>
    /// Whether every service of the environment runs its desired number of tasks on its current spec, with no
    /// update in progress (the raw engine's view, not Ward's).
    /// </summary>
    public static async Task<string?> NotConvergedAsync(RawEngine engine, string environment, CancellationToken cancellationToken)
    {
        foreach (var service in await engine.ListStackAsync("services", environment, cancellationToken))
        {
            var name = service["Spec"]!["Name"]!.GetValue<string>();
            var state = service["UpdateStatus"]?["State"]?.GetValue<string>();
            var template = service["Spec"]!["TaskTemplate"]!;
            var tasks = await engine.TasksAsync(service["ID"]!.GetValue<string>(), cancellationToken);
            var running = tasks
                .Where(t => t["DesiredState"]?.GetValue<string>() == "running" && t["Status"]?["State"]?.GetValue<string>() == "running")
                .Where(t => t["Spec"]?["ContainerSpec"]?.ToJsonString() == template["ContainerSpec"]?.ToJsonString())
                .ToList();

            // A global service runs one task per eligible node: as many as the scheduler wants running.
            var replicas = service["Spec"]!["Mode"]?["Global"] is not null
                ? Math.Max(1, tasks.Count(t => t["DesiredState"]?.GetValue<string>() == "running"))
                : service["Spec"]!["Mode"]?["Replicated"]?["Replicas"]?.GetValue<long>() ?? 1;
            if (running.Count != replicas || state is "updating" or "paused" or "rollback_started" or "rollback_paused")
            {
                return $"{name}: {running.Count}/{replicas} running on its current spec, update state {state ?? "none"}";
            }
        }

        return null;
    }
}
