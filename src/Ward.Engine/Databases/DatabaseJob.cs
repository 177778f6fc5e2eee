using System.Text.Json.Nodes;
using Ward.Engine.Balancing;

namespace Ward.Engine.Databases;

/// <summary>
/// A Swarm job (Mode ReplicatedJob, one task, never restarted) that runs ward-db inside the cluster, made from the
/// spec of the service it works beside: the same image, settings, keys and volumes, pinned to that service's node, on
/// the database's network (without the service's aliases, so no one mistakes the job for the service). Jobs carry no
/// stack namespace: no apply or prune of the environment touches them; Ward removes each when it has read its result.
/// </summary>
public static class DatabaseJob
{
    /// <param name="beside">The spec of the service the job works beside (the database or its repository), as observed.</param>
    /// <param name="environment">The environment's name.</param>
    /// <param name="database">The database's name.</param>
    /// <param name="id">The job's id (part of its name).</param>
    /// <param name="nodeId">The node it must run on (where the volumes it needs are).</param>
    /// <param name="args">ward-db's command line.</param>
    /// <param name="change">Further changes to the container (another volume, a secret), or null.</param>
    public static JsonObject Spec(JsonObject beside, string environment, string database, string id, string nodeId, IReadOnlyList<string> args, Action<JsonObject>? change = null)
    {
        var source = (JsonObject)beside["TaskTemplate"]!["ContainerSpec"]!;
        var container = new JsonObject
        {
            ["Image"] = source["Image"]?.DeepClone(),
            ["Command"] = new JsonArray("/usr/local/bin/ward-db"),
            ["Args"] = new JsonArray([.. args.Select(a => (JsonNode)a)]),
            ["Env"] = source["Env"]?.DeepClone(),
            ["Mounts"] = source["Mounts"]?.DeepClone() ?? new JsonArray(),
            ["Secrets"] = source["Secrets"]?.DeepClone(),
            ["User"] = source["User"]?.DeepClone(),
            ["ReadOnly"] = true,
        };
        change?.Invoke(container);
        return new JsonObject
        {
            ["Name"] = DatabaseNames.Job(id),
            ["Labels"] = new JsonObject
            {
                [LoadBalancerService.PlatformLabel] = "database-job",
                [DatabaseNames.DatabaseLabel] = database,
                [DatabaseNames.RoleLabel] = "job",
                [DatabaseNames.JobEnvironmentLabel] = environment,
                [DatabaseNames.JobLabel] = args[0],
            },
            ["TaskTemplate"] = new JsonObject
            {
                ["ContainerSpec"] = container,
                ["RestartPolicy"] = new JsonObject { ["Condition"] = "none" },
                ["Placement"] = new JsonObject { ["Constraints"] = new JsonArray($"node.id == {nodeId}") },
                ["Networks"] = new JsonArray(new JsonObject { ["Target"] = DatabaseNames.Network(environment, database) }),
            },
            ["Mode"] = new JsonObject { ["ReplicatedJob"] = new JsonObject { ["MaxConcurrent"] = 1, ["TotalCompletions"] = 1 } },
        };
    }

    /// <summary>Adds a volume mount to a job's container (the scratch volume beside the database's, a new database's volume).</summary>
    public static void Mount(JsonObject container, string source, string target, JsonObject? volumeLabels = null)
    {
        var mounts = (JsonArray)container["Mounts"]!;
        foreach (var existing in mounts.OfType<JsonObject>().Where(m => m["Target"]?.GetValue<string>() == target).ToList())
        {
            mounts.Remove(existing);
        }

        var mount = new JsonObject { ["Type"] = "volume", ["Source"] = source, ["Target"] = target };
        if (volumeLabels is not null)
        {
            mount["VolumeOptions"] = new JsonObject { ["Labels"] = volumeLabels };
        }

        mounts.Add(mount);
    }

    /// <summary>Adds a secret (by id and name, as the engine wants them in a spec it is given directly) to a job's container.</summary>
    public static void Secret(JsonObject container, string id, string name, string file)
    {
        var secrets = container["Secrets"] as JsonArray ?? [];
        secrets.Add(new JsonObject
        {
            ["File"] = new JsonObject { ["Name"] = file, ["UID"] = DatabaseNames.User, ["GID"] = DatabaseNames.User, ["Mode"] = 256 },
            ["SecretID"] = id,
            ["SecretName"] = name,
        });
        container["Secrets"] = secrets;
    }
}
