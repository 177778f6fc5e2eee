using Ward.Model.Compose;
using Ward.Model.Compose.Schema;
using Ward.Model.Diagnostics;
using Ward.Model.Spec;
using Ward.Model.Yaml;

namespace Ward.Model.Reading;

/// <summary>
/// Turns one validated service mapping into a <see cref="ServiceSpec"/>, expanding short syntax (ports,
/// volumes, secrets, command strings) the way the Docker CLI does.
/// </summary>
internal sealed class ServiceBinder(DiagnosticBag diagnostics)
{
    public ServiceSpec Bind(string name, YNode node, ModelPath path)
    {
        var service = Read(name, node, path);
        CheckRestart(service, node.Get("restart"), path);
        CheckHealthcheck(node.Get("healthcheck"), path);
        return service;
    }

    /// <summary>docker stack deploy refuses a healthcheck that is disabled and has a test (even NONE).</summary>
    private void CheckHealthcheck(YNode? node, ModelPath path)
    {
        var test = node.Get("test");
        if (node.Get("disable").Bool() == true && test is not (null or YScalar { IsNull: true } or YSequence { Items.Count: 0 }))
        {
            diagnostics.DeployBlocker(path.Child("healthcheck").ToString(), "test and disable can't be set at the same time; remove test, or disable: true", test.Location);
        }
    }

    private ServiceSpec Read(string name, YNode node, ModelPath path) => new()
    {
        Name = name,
        Image = node.Get("image").Text(),
        // Paths are lazy: they are made only for a value that is reported on.
        Command = Command(node.Get("command"), LazyPath.Child(path, "command")),
        Entrypoint = Command(node.Get("entrypoint"), LazyPath.Child(path, "entrypoint")),
        Environment = node.Get("environment").Pairs(),
        EnvFiles = node.Get("env_file").Strings(),
        Ports = Ports(node.Get("ports"), LazyPath.Child(path, "ports")),
        Volumes = Volumes(node.Get("volumes"), LazyPath.Child(path, "volumes")),
        Secrets = FileReferences(node.Get("secrets")),
        Configs = FileReferences(node.Get("configs")),
        Networks = Networks(node.Get("networks")),
        Deploy = Deploy(node.Get("deploy"), LazyPath.Child(path, "deploy")),
        Healthcheck = Healthcheck(node.Get("healthcheck")),
        User = node.Get("user").Text(),
        WorkingDir = node.Get("working_dir").Text(),
        Hostname = node.Get("hostname").Text(),
        Labels = node.Get("labels").Labels(),
        ReadOnly = node.Get("read_only").Bool(),
        Init = node.Get("init").Bool(),
        Tty = node.Get("tty").Bool() ?? false,
        StdinOpen = node.Get("stdin_open").Bool() ?? false,
        CapAdd = node.Get("cap_add").Strings(),
        CapDrop = node.Get("cap_drop").Strings(),
        StopGracePeriod = Duration(node.Get("stop_grace_period")),
        StopSignal = node.Get("stop_signal").Text(),
        Sysctls = node.Get("sysctls").Labels(),
        Ulimits = Ulimits(node.Get("ulimits")),
        Dns = node.Get("dns").Strings(),
        DnsSearch = node.Get("dns_search").Strings(),
        ExtraHosts = ExtraHosts(node.Get("extra_hosts")),
        Logging = Logging(node.Get("logging")),
        Isolation = node.Get("isolation").Text(),
        Restart = node.Get("restart").Text(),
        IgnoredKeys = IgnoredKeys(node),
    };

    /// <summary>
    /// docker stack deploy turns <c>restart:</c> into the restart policy when deploy.restart_policy is absent, and
    /// refuses the file when it cannot read it (after creating the networks); Ward refuses it before anything.
    /// </summary>
    private void CheckRestart(ServiceSpec service, YNode? node, ModelPath path)
    {
        if (service.Deploy.RestartPolicy is null && service.Restart is { } text && !RestartSyntax.TryParse(text, out _, out _, out var error))
        {
            diagnostics.DeployBlocker(path.Child("restart").ToString(), $"{error}; use no, always, unless-stopped or on-failure[:attempts] (or deploy.restart_policy)", node?.Location);
        }
    }

    /// <summary>The service's keys that docker stack deploy ignores (a loop: asked of every service, and rarely not empty).</summary>
    private static ValueList<string> IgnoredKeys(YNode node)
    {
        List<string>? ignored = null;
        foreach (var entry in (node as YMapping)?.Entries ?? [])
        {
            if (entry.KeyText is { } key && ComposeSchema.ServiceShape.Find(key)?.Status is KeyStatus.Ignored or KeyStatus.Deprecated)
            {
                (ignored ??= []).Add(key);
            }
        }

        return ignored is null ? ValueList<string>.Empty : ignored.ToValueList();
    }

    public static TimeSpan? Duration(YNode? node) => node.Text() is { } text && GoDuration.TryParse(text, out var value) ? value : null;

    private ValueList<string>? Command(YNode? node, LazyPath path)
    {
        switch (node)
        {
            case YSequence:
                return node.Strings();
            case YScalar { IsNull: false } scalar:
                if (ShellWords.TrySplit(scalar.Value, out var words, out var error))
                {
                    return words.ToValueList();
                }

                diagnostics.Error(DiagnosticCodes.Schema, path.ToString(), error!, scalar.Location);
                return null;
            default:
                return null;
        }
    }

    private ValueList<PortSpec> Ports(YNode? node, LazyPath path)
    {
        var ports = new List<PortSpec>();
        var items = node.Items();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (item is YMapping)
            {
                if (item.Get("target").Int() is { } target)
                {
                    ports.Add(new PortSpec
                    {
                        Target = target,
                        Published = item.Get("published").Int(),
                        Protocol = item.Get("protocol").Text() ?? "tcp",
                        Mode = item.Get("mode").Text() ?? "ingress",
                    });
                }
                else
                {
                    // The CLI reads a port without target ({} is accepted) and sends target 0, which no container listens on.
                    diagnostics.DeployBlocker(path.Resolve().Index(i).ToString(), "a port in long syntax needs 'target', the container port", item.Location);
                }

                continue;
            }

            string? error = null;
            if (item is YScalar { Kind: ScalarKind.Int or ScalarKind.String } scalar && PortText(scalar) is { } text &&
                PortSyntax.TryParse(text, out var parsed, out error))
            {
                ports.AddRange(parsed);
            }
            else
            {
                diagnostics.Error(DiagnosticCodes.Schema, path.Resolve().Index(i).ToString(), error ?? $"expected a port such as 8080:80, found {item.Describe()}", item.Location);
            }
        }

        return ports.ToValueList();
    }

    private static string? PortText(YScalar scalar) => scalar.Kind == ScalarKind.Int
        ? ScalarResolver.TryGetLong(scalar, out var number) ? number.ToString(System.Globalization.CultureInfo.InvariantCulture) : null
        : scalar.Value;

    private ValueList<MountSpec> Volumes(YNode? node, LazyPath path)
    {
        var mounts = new List<MountSpec>();
        var items = node.Items();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (item is YMapping)
            {
                if (LongVolume(item, path.Resolve().Index(i)) is { } mount)
                {
                    mounts.Add(mount);
                }

                continue;
            }

            string? error = null;
            if (item.Text() is { } text && VolumeSyntax.TryParse(text, out var parsed, out error))
            {
                mounts.Add(parsed!);
            }
            else
            {
                diagnostics.Error(DiagnosticCodes.Schema, path.Resolve().Index(i).ToString(), error ?? "not a volume", item.Location);
            }
        }

        return mounts.ToValueList();
    }

    private MountSpec? LongVolume(YNode item, ModelPath path)
    {
        var typeText = item.Get("type").Text();
        MountType? type = typeText switch
        {
            "volume" => MountType.Volume,
            "bind" => MountType.Bind,
            "tmpfs" => MountType.Tmpfs,
            "npipe" => MountType.Npipe,
            _ => null,
        };
        if (typeText is null)
        {
            // 'type' is required; the schema has said so.
            return null;
        }

        if (type is null)
        {
            // The CLI reads any type; the engine refuses unknown ones when the service is created.
            diagnostics.DeployBlocker(path.Child("type").ToString(), $"'{typeText}' is not a mount type Swarm knows; use volume, bind or tmpfs", item.Location);
            return null;
        }

        foreach (var (key, owner) in new[] { ("bind", MountType.Bind), ("volume", MountType.Volume), ("tmpfs", MountType.Tmpfs) })
        {
            if (type != owner && item.Get(key) is YMapping options)
            {
                // docker stack deploy refuses them: "bind options are incompatible with type volume".
                diagnostics.DeployBlocker(path.Child(key).ToString(), $"{key} options are incompatible with type {typeText}", options.Location);
            }
        }

        var source = item.Get("source").Text();
        if (type == MountType.Bind && string.IsNullOrEmpty(source))
        {
            diagnostics.Error(DiagnosticCodes.Schema, path.ToString(), "a bind mount needs 'source', the path on the node", item.Location);
            return null;
        }

        var target = item.Get("target").Text();
        if (target is null)
        {
            diagnostics.DeployBlocker(path.ToString(), "a mount needs 'target', the path in the container", item.Location);
            return null;
        }

        long? tmpfsSize = null;
        if (item.Get("tmpfs").Get("size") is YScalar size)
        {
            tmpfsSize = ScalarResolver.TryGetLong(size, out var bytes) ? bytes : ByteSize.TryParse(size.Value, out bytes) ? bytes : null;
        }

        return new MountSpec
        {
            Type = type.Value,
            Source = source,
            Target = target,
            ReadOnly = item.Get("read_only").Bool() ?? false,
            Consistency = item.Get("consistency").Text(),
            Propagation = item.Get("bind").Get("propagation").Text(),
            NoCopy = item.Get("volume").Get("nocopy").Bool() ?? false,
            TmpfsSizeBytes = tmpfsSize,
        };
    }

    private static ValueList<FileReference> FileReferences(YNode? node)
    {
        var items = node.Items();
        if (items.Count == 0)
        {
            return ValueList<FileReference>.Empty;
        }

        var references = new List<FileReference>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            if (FileReference(items[i]) is { } reference)
            {
                references.Add(reference);
            }
        }

        return references.ToValueList();
    }

    private static FileReference? FileReference(YNode item) => item switch
    {
        YMapping => item.Get("source").Text() is { } source
            ? new FileReference
            {
                Source = source,
                Target = item.Get("target").Text(),
                Uid = item.Get("uid").Text(),
                Gid = item.Get("gid").Text(),
                Mode = item.Get("mode").Int(),
                LongSyntax = true,
            }
            : null,
        _ => item.Text() is { } name ? new FileReference { Source = name } : null,
    };

    private static ValueList<ServiceNetwork> Networks(YNode? node) => node switch
    {
        YSequence => new ValueList<ServiceNetwork>(node.Strings().Select(n => new ServiceNetwork { Name = n })),
        YMapping => node.Entries().Select(e => new ServiceNetwork { Name = e.Key, Aliases = e.Value.Get("aliases").Strings() }).ToValueList(),
        _ => ValueList<ServiceNetwork>.Empty,
    };

    private DeploySpec Deploy(YNode? node, LazyPath path)
    {
        var placement = node.Get("placement");
        var resources = node.Get("resources");
        var restart = node.Get("restart_policy");
        var mode = node.Get("mode").Text();
        if (mode is "replicated-job" or "global-job")
        {
            diagnostics.DeployBlocker(path.Resolve().Child("mode").ToString(), $"Ward does not deploy jobs ('{mode}'), which docker stack deploy runs to completion; use replicated or global", node.Get("mode")!.Location);
        }
        else if (mode is not (null or "replicated" or "global"))
        {
            diagnostics.DeployBlocker(path.Resolve().Child("mode").ToString(), $"'{mode}' is not a service mode; use replicated or global", node.Get("mode")!.Location);
        }
        else if (mode == "global" && node.Get("replicas") is YScalar { IsNull: false } replicas)
        {
            diagnostics.DeployBlocker(path.Resolve().Child("replicas").ToString(), "replicas can only be used with replicated mode; a global service runs one task per eligible node", replicas.Location);
        }

        return new DeploySpec
        {
            Mode = mode == "global" ? ServiceMode.Global : ServiceMode.Replicated,
            Replicas = node.Get("replicas").Int(),
            Labels = node.Get("labels").Labels(),
            EndpointMode = node.Get("endpoint_mode").Text(),
            Placement = new PlacementSpec
            {
                Constraints = placement.Get("constraints").Strings(),
                Spread = placement.Get("preferences") is YSequence preferences
                    ? preferences.Items.Select(p => p.Get("spread").Text()).OfType<string>().ToValueList()
                    : ValueList<string>.Empty,
                MaxReplicasPerNode = placement.Get("max_replicas_per_node").Int(),
            },
            Resources = new ResourcesSpec
            {
                Limits = Resources(resources.Get("limits"), path, "limits"),
                Reservations = Resources(resources.Get("reservations"), path, "reservations"),
            },
            RestartPolicy = restart is YMapping
                ? new RestartPolicySpec
                {
                    Condition = restart.Get("condition").Text(),
                    Delay = Duration(restart.Get("delay")),
                    MaxAttempts = restart.Get("max_attempts").Long(),
                    Window = Duration(restart.Get("window")),
                }
                : null,
            UpdateConfig = UpdateConfig(node.Get("update_config")),
            RollbackConfig = UpdateConfig(node.Get("rollback_config")),
        };
    }

    /// <param name="node">The limits or reservations.</param>
    /// <param name="deploy">The path of the service's deploy section.</param>
    /// <param name="which">"limits" or "reservations".</param>
    private ResourceValues? Resources(YNode? node, LazyPath deploy, string which)
    {
        if (node is not YMapping)
        {
            return null;
        }

        long? memory = null;
        if (node.Get("memory") is YScalar { IsNull: false } memoryNode)
        {
            if (ByteSize.TryParse(memoryNode.Value, out var bytes, out var error))
            {
                memory = bytes;
            }
            else
            {
                diagnostics.Error(DiagnosticCodes.Schema, deploy.Resolve().Child("resources").Child(which).Child("memory").ToString(), error!, memoryNode.Location);
            }
        }

        double? cpus = null;
        if (node.Get("cpus") is YScalar { IsNull: false } cpusNode)
        {
            // The CLI reads any text here; the deploy then fails on one that is not a number.
            if (GoNumbers.TryParseFloat(cpusNode.Value, out var value) && value >= 0)
            {
                cpus = value;
            }
            else
            {
                diagnostics.DeployBlocker(deploy.Resolve().Child("resources").Child(which).Child("cpus").ToString(), $"'{cpusNode.Value}' is not a number of CPUs; write e.g. \"0.5\" or \"2\"", cpusNode.Location);
            }
        }

        return new ResourceValues
        {
            Cpus = cpus,
            MemoryBytes = memory,
            Pids = node.Get("pids").Long(),
            GenericResources = node.Get("generic_resources").Items()
                .Select(r => r.Get("discrete_resource_spec"))
                .Where(d => d.Get("kind").Text() is not null)
                .Select(d => new GenericResource(d.Get("kind").Text()!, d.Get("value").Double() is { } value ? (long)value : 0))
                .ToValueList(),
        };
    }

    private static UpdateConfigSpec? UpdateConfig(YNode? node) => node is YMapping
        ? new UpdateConfigSpec
        {
            Parallelism = node.Get("parallelism").Long(),
            Delay = Duration(node.Get("delay")),
            FailureAction = node.Get("failure_action").Text(),
            Monitor = Duration(node.Get("monitor")),
            MaxFailureRatio = node.Get("max_failure_ratio").Double(),
            Order = node.Get("order").Text(),
        }
        : null;

    private static HealthcheckSpec? Healthcheck(YNode? node)
    {
        if (node is not YMapping)
        {
            return null;
        }

        var testNode = node.Get("test");
        ValueList<string>? test = testNode switch
        {
            YSequence => testNode.Strings(),
            YScalar { IsNull: false } scalar => ValueList.Of("CMD-SHELL", scalar.Value),
            _ => null,
        };
        var disabled = (node.Get("disable").Bool() ?? false) || (test is { Count: > 0 } && test[0] == "NONE");
        return new HealthcheckSpec
        {
            Test = test,
            Interval = Duration(node.Get("interval")),
            Timeout = Duration(node.Get("timeout")),
            StartPeriod = Duration(node.Get("start_period")),
            // A number, truncated as the CLI's decoder does (retries: 2.7 is 2).
            Retries = node.Get("retries").Double() is { } retries ? (long)retries : null,
            Disabled = disabled,
        };
    }

    private static ValueList<UlimitSpec> Ulimits(YNode? node) => node.Entries()
        .Select(e => e.Value is YMapping
            ? new UlimitSpec(e.Key, e.Value.Get("soft").Long() ?? 0, e.Value.Get("hard").Long() ?? 0)
            : new UlimitSpec(e.Key, e.Value.Long() ?? 0, e.Value.Long() ?? 0))
        .ToValueList();

    private static ValueList<string> ExtraHosts(YNode? node) => node switch
    {
        YMapping => node.Pairs().Select(p => $"{p.Key}:{p.Value}").ToValueList(),
        _ => node.Strings(),
    };

    private static LoggingSpec? Logging(YNode? node) => node is YMapping
        ? new LoggingSpec { Driver = node.Get("driver").Text(), Options = node.Get("options").Labels() }
        : null;
}
