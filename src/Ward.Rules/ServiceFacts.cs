using Ward.Model.Spec;

namespace Ward.Rules;

/// <summary>What a service is, derived from the file: database-like, stateful, where its data lives.</summary>
public static class ServiceFacts
{
    /// <summary>A service labelled with this (value "database") is a database whatever its image.</summary>
    public const string RoleLabel = "ward.role";

    // Image names of databases and stores, with the directory where each keeps its data.
    private static readonly Dictionary<string, string> DataDirectories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["postgres"] = "/var/lib/postgresql/data",
        ["postgis"] = "/var/lib/postgresql/data",
        ["timescaledb"] = "/var/lib/postgresql/data",
        ["mysql"] = "/var/lib/mysql",
        ["mariadb"] = "/var/lib/mysql",
        ["percona"] = "/var/lib/mysql",
        ["mongo"] = "/data/db",
        ["mongodb"] = "/data/db",
        ["redis"] = "/data",
        ["valkey"] = "/data",
        ["elasticsearch"] = "/usr/share/elasticsearch/data",
        ["opensearch"] = "/usr/share/opensearch/data",
        ["rabbitmq"] = "/var/lib/rabbitmq",
        ["influxdb"] = "/var/lib/influxdb2",
        ["clickhouse-server"] = "/var/lib/clickhouse",
        ["couchdb"] = "/opt/couchdb/data",
        ["cassandra"] = "/var/lib/cassandra",
        ["neo4j"] = "/data",
        ["etcd"] = "/etcd-data",
        ["zookeeper"] = "/data",
        ["minio"] = "/data",
    };

    /// <summary>The image's repository name without registry, path or tag: "registry/x/postgres:15" → "postgres".</summary>
    public static string? ImageName(string? image)
    {
        if (string.IsNullOrEmpty(image))
        {
            return null;
        }

        var withoutDigest = image.Split('@')[0];
        var lastSegment = withoutDigest[(withoutDigest.LastIndexOf('/') + 1)..];
        var colon = lastSegment.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? lastSegment : lastSegment[..colon];
    }

    /// <summary>A database or data store: by image name, by the <c>ward.role=database</c> label, or named in x-ward.databases.</summary>
    public static bool IsDatabaseLike(ServiceSpec service, EnvironmentSpec spec) =>
        DatabaseDataDirectory(service) is not null ||
        Label(service, RoleLabel) is "database" ||
        IsDatabaseService(service, spec);

    // A loop, not Any with a lambda: asked of every service by several rules.
    private static bool IsDatabaseService(ServiceSpec service, EnvironmentSpec spec)
    {
        foreach (var database in spec.Databases)
        {
            if (database.Service == service.Name)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Where the service's database keeps its data, when the image is a known one.</summary>
    public static string? DatabaseDataDirectory(ServiceSpec service) =>
        ImageName(service.Image) is { } name && DataDirectories.TryGetValue(name, out var directory) ? directory : null;

    /// <summary>Named volumes the service mounts that live on one node (the local driver, the default).</summary>
    public static List<MountSpec> NodeLocalVolumes(ServiceSpec service, EnvironmentSpec spec) => spec.NodeLocalVolumesOf(service);

    /// <summary>Stateful: it keeps data on a node-local named volume, or it is a database.</summary>
    public static bool IsStateful(ServiceSpec service, EnvironmentSpec spec) =>
        NodeLocalVolumes(service, spec).Count > 0 || IsDatabaseLike(service, spec);

    /// <summary>Whether a service is meant to take public traffic: named by a domain, or labelled <c>ward.edge=true</c>.</summary>
    public static bool IsEdge(ServiceSpec service, EnvironmentSpec spec) =>
        spec.Domains.Any(d => d.Service == service.Name) || Label(service, "ward.edge") is "true";

    /// <summary>A label from the service's labels or its deploy labels.</summary>
    public static string? Label(ServiceSpec service, string key) =>
        service.Labels.TryGetValue(key, out var value) ? value : service.Deploy.Labels.TryGetValue(key, out value) ? value : null;

    /// <summary>Whether the mount's target is at or under <paramref name="directory"/>, or its parent holds it.</summary>
    public static bool Covers(MountSpec mount, string directory)
    {
        var target = mount.Target.TrimEnd('/');
        return directory == target || directory.StartsWith(target + "/", StringComparison.Ordinal);
    }
}
