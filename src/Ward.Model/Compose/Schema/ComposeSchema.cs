using System.Buffers;
using static Ward.Model.Compose.Schema.S;

namespace Ward.Model.Compose.Schema;

/// <summary>
/// The compose file format 3.0-3.13 as <c>docker stack deploy</c> (Docker CLI 28) reads it: every key with the
/// version that introduced it and what the stack deployer does with it (deploys, ignores, refuses). The reader
/// validates with this table, and <c>schema/ward-environment.schema.json</c> is generated from it.
/// The facts are measured against the CLI: docs/reference/stack-config-behaviour.md.
/// </summary>
internal static class ComposeSchema
{
    /// <summary>Names of services, volumes, secrets and configs (network names are not checked by the CLI).</summary>
    public const string NamePattern = "^[a-zA-Z0-9._-]+$";

    // Checked on every name of a large file, so without a regex (and a .NET regex '$' would also let a final line break pass).
    private static readonly SearchValues<char> NameCharacters = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

    private static readonly ComposeVersionRequirement ExtensionsInSections = V(3, 7);

    /// <summary>Whether <paramref name="name"/> matches <see cref="NamePattern"/> as the CLI matches it (to the end of the text).</summary>
    public static bool IsName(string name) => name.Length > 0 && !name.AsSpan().ContainsAnyExcept(NameCharacters);

    /// <summary>Values of list_or_dict mappings: booleans are refused (quote them).</summary>
    private static readonly ScalarShape DictValue = new(ScalarTypes.String | ScalarTypes.Number | ScalarTypes.Null) { TimestampIsText = true };

    private static readonly ScalarShape OptionValue = new(ScalarTypes.String | ScalarTypes.Number) { TimestampIsText = true };

    /// <summary>A mapping of names to scalars, or a list of unique "KEY=value" strings (environment, labels, ...).</summary>
    public static readonly OneOfShape ListOrDict = new(MapOf(DictValue, ".+"), ListOfStrings()) { Name = "list_or_dict" };

    private static readonly ObjectShape Healthcheck = Object(
        F("disable", Boolean(cast: true)),
        F("interval", Duration()),
        F("retries", new ScalarShape(ScalarTypes.Number) { Cast = Cast.Int, Minimum = 0 }),
        F("start_period", Duration(), 3, 4),
        F("start_interval", Duration(), 3, 12),
        F("test", Command()),
        F("timeout", Duration()));

    private static readonly ObjectShape UpdateConfig = Object(
        F("parallelism", Count()),
        F("delay", Duration()),
        F("failure_action", String()),
        F("monitor", Duration()),
        F("max_failure_ratio", Number(Cast.Float)),
        F("order", Enum("start-first", "stop-first"), 3, 4));

    private static readonly ObjectShape ResourceLimits = Object(
        F("cpus", String()),
        F("memory", String()),
        F("pids", Integer(), 3, 9));

    private static readonly ObjectShape GenericResource = Object(
        F("discrete_resource_spec", Object(F("kind", String()), F("value", Number()))));

    private static readonly ObjectShape ResourceReservations = Object(
        F("cpus", String()),
        F("memory", String()),
        F("generic_resources", List(GenericResource), 3, 5));

    private static readonly ObjectShape Deploy = new([
        F("mode", String()),
        F("endpoint_mode", String(), 3, 2),
        F("replicas", Count()),
        F("labels", ListOrDict),
        F("rollback_config", UpdateConfig, 3, 7),
        F("update_config", UpdateConfig),
        F("resources", Object(F("limits", ResourceLimits), F("reservations", ResourceReservations))),
        F("restart_policy", Object(
            F("condition", String()),
            F("delay", Duration()),
            F("max_attempts", Count()),
            F("window", Duration()))),
        F("placement", Object(
            F("constraints", ListOfStrings(unique: false)),
            F("preferences", List(Object(F("spread", String()))), 3, 3),
            F("max_replicas_per_node", Count(), 3, 8))),
    ]) { Nullable = true };

    private static readonly OneOfShape Port = new(
        new ScalarShape(ScalarTypes.Integer) { Format = "ports" },
        String("ports"),
        new ObjectShape([
            F("mode", String()),
            F("target", Count()),
            F("published", Count()),
            F("protocol", String()),
        ]) { Since = V(3, 2) });

    private static readonly OneOfShape ServiceVolume = new(
        String(),
        new ObjectShape([
            F("type", String()),
            F("source", String()),
            F("target", String()),
            F("read_only", Boolean(cast: true)),
            F("consistency", String()),
            F("bind", Open(F("propagation", String()))),
            F("volume", Open(F("nocopy", Boolean(cast: true)))),
            F("tmpfs", Open(F("size", new ScalarShape(ScalarTypes.Integer) { Minimum = 0 })), 3, 6),
        ]) { Since = V(3, 2), Required = ["type"] });

    private static readonly OneOfShape FileReference = new(
        String(),
        Open(
            F("source", String()),
            F("target", String()),
            F("uid", String()),
            F("gid", String()),
            F("mode", new ScalarShape(ScalarTypes.Number) { Cast = Cast.Int, Minimum = 0 })));

    private static readonly OneOfShape ServiceNetworks = new(
        ListOfStrings(),
        new ObjectShape([])
        {
            KeyPattern = NamePattern,
            AdditionalValues = new ObjectShape([
                F("aliases", ListOfStrings()),
                F("ipv4_address", String()),
                F("ipv6_address", String()),
                F("driver_opts", MapOf(OptionValue), 3, 13),
            ]) { Nullable = true },
        });

    private static readonly OneOfShape Ulimit = new(
        new ScalarShape(ScalarTypes.Integer) { Cast = Cast.Int },
        new ObjectShape([
            F("hard", new ScalarShape(ScalarTypes.Integer) { Cast = Cast.Int }),
            F("soft", new ScalarShape(ScalarTypes.Integer) { Cast = Cast.Int }),
        ]) { Required = ["soft", "hard"] });

    private static readonly OneOfShape Build = new(
        String(),
        new ObjectShape([
            F("context", String()),
            F("dockerfile", String()),
            F("args", ListOrDict),
            F("labels", ListOrDict, 3, 3),
            F("cache_from", ListOfStrings(), 3, 2),
            F("network", String(), 3, 4),
            F("target", String(), 3, 4),
            F("shm_size", new ScalarShape(ScalarTypes.Integer | ScalarTypes.String), 3, 5),
            F("extra_hosts", ListOrDict, 3, 9),
        ]) { OpenSince = V(3, 11) });

    private static readonly ObjectShape Service = new([
        F("deploy", Deploy),
        Ignored("build", Build, "stacks deploy pre-built images only; build and load the image, then set 'image'"),
        F("cap_add", ListOfStrings()),
        F("cap_drop", ListOfStrings()),
        Ignored("cgroup_parent", String()),
        Ignored("cgroupns_mode", String(), since: V(3, 9)),
        F("command", Command()),
        F("configs", List(FileReference), 3, 3),
        Deprecated("container_name", String(), "Swarm names containers itself"),
        F("credential_spec", Object(F("config", String(), 3, 8), F("file", String()), F("registry", String())), 3, 3),
        Ignored("depends_on", ListOfStrings(), "Swarm starts services in any order; make services retry their dependencies"),
        Ignored("devices", ListOfStrings()),
        F("dns", StringOrList()),
        F("dns_search", StringOrList()),
        Ignored("domainname", String()),
        F("entrypoint", Command()),
        F("env_file", StringOrList()),
        F("environment", ListOrDict),
        Deprecated("expose", List(new ScalarShape(ScalarTypes.String | ScalarTypes.Number), unique: true), "services reach each other on the overlay network without it"),
        Ignored("external_links", ListOfStrings()),
        F("extra_hosts", ListOrDict),
        F("healthcheck", Healthcheck),
        F("hostname", String()),
        F("image", String()),
        F("init", Boolean(), 3, 7),
        Ignored("ipc", String()),
        F("isolation", String(), 3, 5),
        F("labels", ListOrDict),
        Ignored("links", ListOfStrings(), "services reach each other by name on a shared network"),
        F("logging", Object(F("driver", String()), F("options", MapOf(DictValue, "^.+$")))),
        Ignored("mac_address", String()),
        Ignored("network_mode", String(), "attach the service to networks instead"),
        F("networks", ServiceNetworks),
        F("oom_score_adj", new ScalarShape(ScalarTypes.Integer) { Cast = Cast.Int }, 3, 13),
        Ignored("pid", new ScalarShape(ScalarTypes.String | ScalarTypes.Null)),
        F("ports", List(Port, unique: true)),
        Ignored("privileged", Boolean(cast: true), "Swarm services cannot run privileged; grant the capabilities needed with cap_add"),
        F("read_only", Boolean(cast: true)),
        Ignored("restart", String(), "use deploy.restart_policy"),
        F("secrets", List(FileReference), 3, 1),
        Ignored("security_opt", ListOfStrings(), "the stack deployer drops it, so no-new-privileges, seccomp and AppArmor settings do not apply"),
        Ignored("shm_size", String()),
        F("sysctls", ListOrDict),
        F("stdin_open", Boolean(cast: true)),
        F("stop_grace_period", Duration()),
        F("stop_signal", String()),
        Ignored("tmpfs", StringOrList(), "use a volume of type tmpfs"),
        F("tty", Boolean(cast: true)),
        F("ulimits", new ObjectShape([]) { AdditionalValues = Ulimit }),
        F("user", String()),
        Ignored("userns_mode", String()),
        F("volumes", new ArrayShape(ServiceVolume) { UniqueItems = true, UniqueItemsBefore = V(3, 2) }),
        F("working_dir", String()),
        Forbidden("extends", "stack files cannot extend other services; write the service out in full"),
        Forbidden("volume_driver", "define the volume under the top-level 'volumes' with a driver"),
        Forbidden("volumes_from", "share a named volume declared under the top-level 'volumes'"),
        Forbidden("cpu_quota", "set limits with deploy.resources.limits.cpus"),
        Forbidden("cpu_shares", "set reservations with deploy.resources.reservations.cpus"),
        Forbidden("cpuset", "set limits with deploy.resources.limits.cpus"),
        Forbidden("mem_limit", "set limits with deploy.resources.limits.memory"),
        Forbidden("memswap_limit", "set limits with deploy.resources.limits.memory"),
    ]) { ExtensionsSince = ExtensionsInSections };

    private static readonly OneOfShape NetworkOrVolumeExternal = new(
        Boolean(cast: true),
        Object(F("name", String())));

    private static readonly OneOfShape FileObjectExternal = new(
        Boolean(cast: true),
        Open(F("name", String())));

    private static readonly Field[] NetworkFields = [
        F("name", String(), 3, 5),
        F("driver", String()),
        F("driver_opts", MapOf(OptionValue)),
        F("ipam", Object(
            F("driver", String()),
            F("config", List(Object(F("subnet", String())))))),
        F("external", NetworkOrVolumeExternal),
        F("internal", Boolean(cast: true)),
        F("attachable", Boolean(cast: true), 3, 2),
        F("labels", ListOrDict),
    ];

    private static readonly ObjectShape Network = new(NetworkFields) { ExtensionsSince = ExtensionsInSections, Nullable = true };

    /// <summary>
    /// A network whose name the schema's pattern does not match ("bad name!"): the schema never looks at it, but the
    /// loader decodes it, so known keys keep their types (in any version) and unknown keys are ignored.
    /// </summary>
    private static readonly ObjectShape UncheckedNetwork = new(NetworkFields.Select(f => f with { Since = ComposeVersionRequirement.Any }))
    {
        OpenSince = ComposeVersionRequirement.Any,
        Nullable = true,
    };

    /// <summary>
    /// Swarm cluster (CSI) volume options. The schema knows the key from 3.10 and leaves every level open; before that
    /// it passes as an ordinary x- key (3.7+), but the loader decodes it in every version, so the same types apply.
    /// </summary>
    private static readonly ObjectShape ClusterVolumeSpec = Open(
        F("group", String()),
        F("availability", String()),
        F("access_mode", Open(
            F("scope", String()),
            F("sharing", String()),
            F("mount_volume", Open(F("fs_type", String()), F("mount_flags", ListOfStrings(unique: false)))),
            F("block_volume", Open()))),
        F("accessibility_requirements", Open(
            F("requisite", List(Open(F("segments", ListOrDict)))),
            F("preferred", List(Open(F("segments", ListOrDict)))))),
        F("capacity_range", Open(F("required_bytes", String("bytes")), F("limit_bytes", String("bytes")))));

    private static readonly ObjectShape Volume = new([
        F("name", String(), 3, 4),
        F("driver", String()),
        F("driver_opts", MapOf(OptionValue)),
        F("external", NetworkOrVolumeExternal),
        F("labels", ListOrDict),
        F("x-cluster-spec", ClusterVolumeSpec, 3, 7),
    ]) { ExtensionsSince = ExtensionsInSections, Nullable = true };

    private static readonly ObjectShape Secret = new([
        F("name", String(), 3, 5),
        F("file", String()),
        F("external", FileObjectExternal),
        F("labels", ListOrDict),
        F("driver", String(), 3, 8),
        F("driver_opts", MapOf(OptionValue), 3, 8),
        F("template_driver", String(), 3, 8),
    ]) { ExtensionsSince = ExtensionsInSections };

    private static readonly ObjectShape Config = new([
        F("name", String(), 3, 5),
        F("file", String()),
        F("external", FileObjectExternal),
        F("labels", ListOrDict),
        F("template_driver", String(), 3, 8),
    ]) { ExtensionsSince = ExtensionsInSections };

    /// <summary>The whole file. <c>x-ward</c> is an extension field to the compose tools (allowed from 3.4).</summary>
    public static ObjectShape Root { get; } = new([
        F("version", String()),
        F("services", NamedSection(Service, NamePattern)),
        F("networks", new ObjectShape([]) { KeyPattern = NamePattern, AdditionalValues = Network, UnmatchedValues = UncheckedNetwork }),
        F("volumes", NamedSection(Volume, NamePattern)),
        F("secrets", NamedSection(Secret, NamePattern), 3, 1),
        F("configs", NamedSection(Config, NamePattern), 3, 3),
    ]) { ExtensionsSince = V(3, 4) };

    public static ObjectShape ServiceShape => Service;

    private static ObjectShape NamedSection(Shape item, string? keyPattern) => new([]) { KeyPattern = keyPattern, AdditionalValues = item };

    /// <summary>An object that accepts any further key unchecked, as the CLI's schema does for a few option objects.</summary>
    private static ObjectShape Open(params Field[] fields) => new(fields) { OpenSince = ComposeVersionRequirement.Any };

    private static Field Ignored(string key, Shape shape, string? advice = null, ComposeVersionRequirement? since = null) =>
        new(key, shape) { Status = KeyStatus.Ignored, Advice = advice, Since = since ?? ComposeVersionRequirement.Any };

    private static Field Deprecated(string key, Shape shape, string? advice = null) => new(key, shape) { Status = KeyStatus.Deprecated, Advice = advice };

    private static Field Forbidden(string key, string advice) =>
        new(key, new ScalarShape(ScalarTypes.String | ScalarTypes.Number | ScalarTypes.Boolean | ScalarTypes.Null)) { Status = KeyStatus.Forbidden, Advice = advice };
}
