using System.Globalization;
using System.Text.Json.Nodes;
using Ward.Engine.Balancing;
using Ward.Engine.Desired;
using Ward.Engine.Ports;
using Ward.Model.Catalog;
using Ward.Model.Spec;

namespace Ward.Engine.Databases;

/// <summary>A database Ward hosts, as planning needs it: the environment, the declaration and what its tier means.</summary>
public sealed record DatabaseDesign(string Environment, DatabaseSpec Database, DatabaseSizing Sizing)
{
    public string Name => Database.Name;

    public BackupSpec? Backups => Database.Backups;
}

/// <summary>
/// The Swarm objects of a database Ward hosts: its service (the file's own service completed, or one Ward adds), the
/// network it shares with its repository and jobs, and its backup repository's service. Sized by the tier: limits and
/// reservations, PostgreSQL's settings, a /dev/shm large enough for parallel queries. Always one task, replaced
/// stop-first: two servers on one data folder would corrupt it.
/// </summary>
public static class DatabaseServices
{
    private const long Second = 1_000_000_000L;
    private const long Mebibyte = 1024 * 1024;

    /// <summary>The file's service made into the database's: Ward's image and tool, the tier, the backups' settings.</summary>
    public static JsonObject Complete(JsonObject fileService, DatabaseDesign design)
    {
        var spec = (JsonObject)fileService.DeepClone();
        ((JsonObject)spec["Labels"]!)[DatabaseNames.DatabaseLabel] = design.Name;
        ((JsonObject)spec["Labels"]!)[DatabaseNames.RoleLabel] = "database";
        var task = (JsonObject)spec["TaskTemplate"]!;
        var container = (JsonObject)task["ContainerSpec"]!;
        Shape(spec, container, design);
        if (!Mounts(container).Any(m => m?["Target"]?.GetValue<string>() == DatabaseNames.DataPath))
        {
            Mounts(container).Add(Volume(DatabaseNames.DataVolume(design.Environment, design.Name), DatabaseNames.DataPath, design.Environment));
        }

        var placement = task["Placement"] as JsonObject ?? new JsonObject();
        var constraints = (placement["Constraints"] as JsonArray)?.Select(c => c!.GetValue<string>()) ?? [];
        placement["Constraints"] = Strings(constraints.Concat(design.Database.Placement).Distinct(StringComparer.Ordinal));
        task["Placement"] = placement;
        var networks = task["Networks"] as JsonArray ?? [];
        networks.Add(new JsonObject { ["Target"] = DatabaseNames.Network(design.Environment, design.Name), ["Aliases"] = new JsonArray(DatabaseNames.DatabaseAlias(design.Name)) });
        task["Networks"] = networks;
        return spec;
    }

    /// <summary>The service of a database the file declares without one: named after it, on the given networks.</summary>
    public static DesiredObject Added(DatabaseDesign design, IReadOnlyList<string> networks, string passwordSecret)
    {
        var (environment, name) = (design.Environment, design.Name);
        var labels = ServiceLabels(environment, name, platform: "database", role: "database");
        var container = new JsonObject
        {
            ["Labels"] = StackConverter.Labels([], environment),
            ["Env"] = Strings([$"POSTGRES_DB={name}", $"POSTGRES_PASSWORD_FILE=/run/secrets/{PasswordFile}", $"POSTGRES_USER={name}"]),
            ["Mounts"] = new JsonArray(Volume(DatabaseNames.DataVolume(environment, name), DatabaseNames.DataPath, environment)),
            ["Secrets"] = new JsonArray(SecretReference(passwordSecret, PasswordFile)),
            ["ReadOnly"] = true,
        };
        var spec = new JsonObject
        {
            ["Name"] = StackNames.Scoped(environment, name),
            ["Labels"] = labels,
            ["TaskTemplate"] = new JsonObject
            {
                ["ContainerSpec"] = container,
                ["RestartPolicy"] = new JsonObject { ["Condition"] = "any", ["Delay"] = 10 * Second, ["MaxAttempts"] = 0 },
                ["Placement"] = new JsonObject { ["Constraints"] = Strings(design.Database.Placement) },
                ["Networks"] = new JsonArray([
                    .. networks.Order(StringComparer.Ordinal).Select(n => (JsonNode)new JsonObject { ["Target"] = n, ["Aliases"] = new JsonArray(name) }),
                    new JsonObject { ["Target"] = DatabaseNames.Network(environment, name), ["Aliases"] = new JsonArray(DatabaseNames.DatabaseAlias(name)) },
                ]),
                ["ForceUpdate"] = 0,
            },
            ["EndpointSpec"] = new JsonObject { ["Mode"] = "dnsrr" },
        };
        Shape(spec, container, design);
        return new DesiredObject(ObjectKind.Service, StackNames.Scoped(environment, name), spec);
    }

    /// <summary>The labels of a service Ward adds for a database: the stack's, Ward's image, and what it is to Ward.</summary>
    private static JsonObject ServiceLabels(string environment, string database, string platform, string role)
    {
        var labels = StackConverter.Labels([], environment);
        labels[StackNames.ImageLabel] = DatabaseNames.Image;
        labels[LoadBalancerService.PlatformLabel] = platform;
        labels[DatabaseNames.DatabaseLabel] = database;
        labels[DatabaseNames.RoleLabel] = role;
        return labels;
    }

    /// <summary>The file of the password Ward makes for a database it adds, under /run/secrets.</summary>
    public const string PasswordFile = "ward-db-password";

    /// <summary>The overlay network of the database, its repository and its jobs (the database's alias lives there).</summary>
    public static DesiredObject Network(string environment, string database)
    {
        var name = DatabaseNames.Network(environment, database);
        var labels = StackConverter.Labels([], environment);
        labels[DatabaseNames.DatabaseLabel] = database;
        return new DesiredObject(ObjectKind.Network, name, new JsonObject { ["Name"] = name, ["Driver"] = "overlay", ["Labels"] = labels });
    }

    /// <summary>A secret Ward makes once and keeps (its name carries no content hash: a new plan never replaces it).</summary>
    public static DesiredObject Secret(string environment, string name, string database, byte[] data)
    {
        var labels = StackConverter.Labels([], environment);
        labels[DatabaseNames.DatabaseLabel] = database;
        return new DesiredObject(ObjectKind.Secret, name, new JsonObject { ["Name"] = name, ["Labels"] = labels, ["Data"] = Convert.ToBase64String(data) });
    }

    /// <summary>The repository's service, on its own node, with the schedule and retention; the mount is its storage.</summary>
    public static DesiredObject Repository(DatabaseDesign design, BackupSpec backups, JsonObject storage)
    {
        var (environment, name) = (design.Environment, design.Name);
        var serviceName = DatabaseNames.RepositoryService(environment, name);
        var labels = ServiceLabels(environment, name, platform: "backups", role: "repository");
        var spec = new JsonObject
        {
            ["Name"] = serviceName,
            ["Labels"] = labels,
            ["TaskTemplate"] = new JsonObject
            {
                ["ContainerSpec"] = new JsonObject
                {
                    ["Image"] = DatabaseNames.Image,
                    ["Labels"] = StackConverter.Labels([], environment),
                    ["Command"] = new JsonArray("/usr/local/bin/ward-db"),
                    ["Args"] = new JsonArray("repository"),
                    ["Env"] = Strings(CommonEnvironment(design).Concat([
                        $"WARD_DB_RETENTION=hourly={backups.KeepHourly} daily={backups.KeepDaily} weekly={backups.KeepWeekly}",
                        $"WARD_DB_SCHEDULE=full={backups.FullAt.ToString("HH:mm", CultureInfo.InvariantCulture)} incremental={(long)backups.IncrementalEvery.TotalMinutes}m",
                    ]).Order(StringComparer.Ordinal)),
                    ["Mounts"] = new JsonArray(
                        storage,
                        Volume(DatabaseNames.ScratchVolume(environment, name), DatabaseNames.ScratchPath, environment),
                        Tmpfs("/tmp", 64 * Mebibyte)),
                    ["Secrets"] = new JsonArray(SecretReference(DatabaseNames.TlsSecret(environment, name), DatabaseNames.TlsFile)),
                    ["ReadOnly"] = true,
                    ["StopGracePeriod"] = 60 * Second,
                },
                ["Resources"] = new JsonObject
                {
                    ["Limits"] = new JsonObject { ["NanoCPUs"] = BackupRepositorySizing.LimitNanoCpus, ["MemoryBytes"] = BackupRepositorySizing.LimitMemoryBytes },
                    ["Reservations"] = new JsonObject { ["NanoCPUs"] = BackupRepositorySizing.ReservedNanoCpus, ["MemoryBytes"] = BackupRepositorySizing.ReservedMemoryBytes },
                },
                ["RestartPolicy"] = new JsonObject { ["Condition"] = "any", ["Delay"] = 10 * Second, ["MaxAttempts"] = 0 },
                ["Placement"] = new JsonObject { ["Constraints"] = Strings(backups.Placement) },
                ["Networks"] = new JsonArray(new JsonObject { ["Target"] = DatabaseNames.Network(environment, name), ["Aliases"] = new JsonArray(DatabaseNames.RepositoryAlias(name)) }),
                ["ForceUpdate"] = 0,
            },
            ["Mode"] = new JsonObject { ["Replicated"] = new JsonObject { ["Replicas"] = 1 } },
            // One task on the repository's volume at a time: the old stops before the new starts.
            ["UpdateConfig"] = new JsonObject { ["Parallelism"] = 1, ["FailureAction"] = "pause", ["Order"] = "stop-first", ["MaxFailureRatio"] = 0 },
            ["EndpointSpec"] = new JsonObject { ["Mode"] = "dnsrr" },
        };
        return new DesiredObject(ObjectKind.Service, serviceName, spec);
    }

    /// <summary>Ward's own named volume for a database's repository.</summary>
    public static JsonObject RepositoryVolume(DatabaseDesign design) =>
        Volume(DatabaseNames.RepositoryVolume(design.Environment, design.Name), DatabaseNames.RepositoryPath, design.Environment);

    /// <summary>A host folder of the repository's node as its repository.</summary>
    public static JsonObject RepositoryFolder(string path) => new() { ["Type"] = "bind", ["Source"] = path, ["Target"] = DatabaseNames.RepositoryPath };

    /// <summary>The tier, the tool and its settings, the keys and the update order: what every database service of Ward's has.</summary>
    private static void Shape(JsonObject spec, JsonObject container, DatabaseDesign design)
    {
        ((JsonObject)spec["Labels"]!)[DatabaseNames.TierLabel] = design.Sizing.Tier.Name;
        container["Image"] = DatabaseNames.Image;
        container["Command"] = new JsonArray("/usr/local/bin/ward-db");
        container["Args"] = new JsonArray("server");
        var environment = (container["Env"] as JsonArray)?.Select(e => e!.GetValue<string>()).Where(e => !e.StartsWith("WARD_DB_", StringComparison.Ordinal)) ?? [];
        var settings = string.Join(' ', design.Sizing.Settings.Select(s => $"{s.Key}={s.Value}"));
        container["Env"] = Strings(environment.Concat(CommonEnvironment(design)).Append($"WARD_DB_SETTINGS={settings}").Order(StringComparer.Ordinal));
        var mounts = Mounts(container);
        foreach (var (target, size) in new[] { ("/tmp", 64 * Mebibyte), ("/run/postgresql", Mebibyte), ("/dev/shm", design.Sizing.SharedMemoryBytes) })
        {
            var existing = mounts.FirstOrDefault(m => m?["Target"]?.GetValue<string>() == target);
            if (existing is not null && target == "/dev/shm")
            {
                mounts.Remove(existing);
                existing = null;
            }

            if (existing is null)
            {
                mounts.Add(Tmpfs(target, size));
            }
        }

        if (design.Backups is not null)
        {
            var secrets = container["Secrets"] as JsonArray ?? [];
            secrets.Add(SecretReference(DatabaseNames.TlsSecret(design.Environment, design.Name), DatabaseNames.TlsFile));
            container["Secrets"] = secrets;
        }

        container["StopSignal"] ??= "SIGINT";
        container["StopGracePeriod"] ??= 60 * Second;
        container["Healthcheck"] ??= new JsonObject
        {
            ["Test"] = new JsonArray("CMD", "/usr/local/bin/ward-db", "health"),
            ["Interval"] = 10 * Second,
            ["Timeout"] = 5 * Second,
            ["StartPeriod"] = 60 * Second,
            ["Retries"] = 5,
        };
        var task = (JsonObject)spec["TaskTemplate"]!;
        var sizing = design.Sizing;
        task["Resources"] = new JsonObject
        {
            ["Limits"] = new JsonObject { ["NanoCPUs"] = (long)(sizing.LimitCpus * 1e9), ["MemoryBytes"] = sizing.MemoryBytes },
            ["Reservations"] = new JsonObject { ["NanoCPUs"] = (long)(sizing.ReservedCpus * 1e9), ["MemoryBytes"] = sizing.ReservedMemoryBytes },
        };
        spec["Mode"] = new JsonObject { ["Replicated"] = new JsonObject { ["Replicas"] = 1 } };
        var update = spec["UpdateConfig"] as JsonObject ?? new JsonObject { ["Parallelism"] = 1, ["FailureAction"] = "pause", ["MaxFailureRatio"] = 0 };
        update["Order"] = "stop-first";
        spec["UpdateConfig"] = update;
        if (spec["RollbackConfig"] is JsonObject rollback)
        {
            rollback["Order"] = "stop-first";
        }
    }

    private static IEnumerable<string> CommonEnvironment(DatabaseDesign design)
    {
        yield return $"WARD_DB_HOST={DatabaseNames.DatabaseAlias(design.Name)}";
        yield return $"WARD_DB_NAME={design.Name}";
        if (design.Backups is not null)
        {
            yield return $"WARD_DB_REPOSITORY={DatabaseNames.RepositoryAlias(design.Name)}";
            yield return $"WARD_DB_TLS=/run/secrets/{DatabaseNames.TlsFile}";
        }
    }

    private static JsonArray Mounts(JsonObject container)
    {
        if (container["Mounts"] is not JsonArray mounts)
        {
            mounts = [];
            container["Mounts"] = mounts;
        }

        return mounts;
    }

    private static JsonObject Volume(string source, string target, string environment) => new()
    {
        ["Type"] = "volume",
        ["Source"] = source,
        ["Target"] = target,
        ["VolumeOptions"] = new JsonObject { ["Labels"] = StackConverter.Labels([], environment) },
    };

    private static JsonObject Tmpfs(string target, long size) => new()
    {
        ["Type"] = "tmpfs",
        ["Target"] = target,
        ["TmpfsOptions"] = new JsonObject { ["SizeBytes"] = size },
    };

    private static JsonObject SecretReference(string secret, string file) => new()
    {
        ["File"] = new JsonObject { ["Name"] = file, ["UID"] = DatabaseNames.User, ["GID"] = DatabaseNames.User, ["Mode"] = 256 },
        ["SecretName"] = secret,
    };

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)v)]);
}
