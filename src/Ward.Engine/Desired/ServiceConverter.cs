using System.Text.Json.Nodes;
using Ward.Model.Compose;
using Ward.Model.Spec;

namespace Ward.Engine.Desired;

/// <summary>
/// One compose service to the Engine API's ServiceSpec, as docker/cli's stack converter does it: entrypoint to
/// Command and command to Args, sorted Env, the service name added as a network alias, Privileges, Resources,
/// Placement and EndpointSpec always present, ports sorted by published port and capabilities by name, defaults of
/// 0444 for mounted secrets.
/// </summary>
internal sealed class ServiceConverter(
    EnvironmentSpec spec,
    string environmentDirectory,
    Func<string, string?> processEnvironment,
    IReadOnlyDictionary<string, string> secretNames,
    IReadOnlyDictionary<string, string> configNames)
{
    private const int DefaultFileMode = 0x124; // 0444, the CLI's default for mounted secrets and configs

    private static readonly HashSet<string> BuiltInNetworks = new(StringComparer.Ordinal) { "host", "bridge", "none", "default" };

    public JsonObject Convert(ServiceSpec service)
    {
        var ns = spec.Name;
        var labels = StackConverter.Labels(service.Deploy.Labels, ns);
        labels[StackNames.ImageLabel] = service.Image ?? "";
        return new JsonObject
        {
            ["Name"] = StackNames.Scoped(ns, service.Name),
            ["Labels"] = labels,
            ["TaskTemplate"] = TaskTemplate(service),
            ["Mode"] = Mode(service.Deploy),
            ["UpdateConfig"] = UpdateConfig(service.Deploy.UpdateConfig),
            ["RollbackConfig"] = UpdateConfig(service.Deploy.RollbackConfig),
            ["EndpointSpec"] = Endpoint(service),
        };
    }

    private JsonObject TaskTemplate(ServiceSpec service) => new()
    {
        ["ContainerSpec"] = ContainerSpec(service),
        ["Resources"] = Resources(service.Deploy.Resources),
        ["RestartPolicy"] = RestartPolicy(service),
        ["Placement"] = Placement(service.Deploy.Placement),
        ["Networks"] = Networks(service),
        ["LogDriver"] = LogDriver(service.Logging),
        ["ForceUpdate"] = 0,
    };

    /// <summary>Whenever the file gives logging, as the CLI does: options without a driver are the engine default's.</summary>
    private static JsonObject? LogDriver(LoggingSpec? logging)
    {
        if (logging is null)
        {
            return null;
        }

        var driver = new JsonObject();
        Set(driver, "Name", logging.Driver);
        driver["Options"] = StackConverter.Map(logging.Options);
        return driver;
    }

    private JsonObject ContainerSpec(ServiceSpec service)
    {
        var container = new JsonObject
        {
            ["Image"] = service.Image is null ? "" : ImageReference.Familiar(service.Image),
            ["Labels"] = StackConverter.Labels(service.Labels, spec.Name),
        };
        Set(container, "Command", Strings(service.Entrypoint));
        Set(container, "Args", Strings(service.Command));
        Set(container, "Hostname", service.Hostname);
        Set(container, "Env", Environment(service));
        Set(container, "Dir", service.WorkingDir);
        Set(container, "User", service.User);
        container["Privileges"] = new JsonObject();
        if (service.Init is { } init)
        {
            container["Init"] = init;
        }

        Set(container, "StopSignal", service.StopSignal);
        SetTrue(container, "TTY", service.Tty);
        SetTrue(container, "OpenStdin", service.StdinOpen);
        SetTrue(container, "ReadOnly", service.ReadOnly == true);
        Set(container, "Mounts", Mounts(service));
        if (service.StopGracePeriod is { } grace)
        {
            container["StopGracePeriod"] = Nanoseconds(grace);
        }

        Set(container, "Healthcheck", Healthcheck(service.Healthcheck));
        Set(container, "Hosts", Strings(service.ExtraHosts.Select(HostsEntry).OfType<string>().ToList()));
        if (service.Dns.Count > 0 || service.DnsSearch.Count > 0)
        {
            var dns = new JsonObject();
            Set(dns, "Nameservers", Strings(service.Dns));
            Set(dns, "Search", Strings(service.DnsSearch));
            container["DNSConfig"] = dns;
        }

        Set(container, "Secrets", FileReferences(service.Secrets, secretNames, "Secret"));
        Set(container, "Configs", FileReferences(service.Configs, configNames, "Config"));
        Set(container, "Isolation", service.Isolation);
        if (service.Sysctls.Count > 0)
        {
            container["Sysctls"] = StackConverter.Map(service.Sysctls);
        }

        var capAdd = Capabilities(service.CapAdd);
        Set(container, "CapabilityAdd", capAdd);
        Set(container, "CapabilityDrop", Capabilities(service.CapDrop, except: capAdd));
        if (service.Ulimits.Count > 0)
        {
            container["Ulimits"] = new JsonArray([.. service.Ulimits.OrderBy(u => u.Name, StringComparer.Ordinal)
                .Select(u => (JsonNode)new JsonObject { ["Name"] = u.Name, ["Hard"] = u.Hard, ["Soft"] = u.Soft })]);
        }

        return container;
    }

    /// <summary>
    /// env_file and environment merged (already, by the reader); a name given twice keeps its last value, as the CLI's
    /// map does; a name without value takes the deploying shell's value.
    /// </summary>
    private List<string>? Environment(ServiceSpec service)
    {
        var entries = service.Environment.Keys.Distinct(StringComparer.Ordinal).Select(key =>
        {
            var written = service.Environment[key];
            var value = string.IsNullOrEmpty(written) ? processEnvironment(key) ?? written : written;
            return value is null ? key : $"{key}={value}";
        });
        return [.. entries.Order(StringComparer.Ordinal)];
    }

    private List<JsonObject> Mounts(ServiceSpec service) => [.. service.Volumes.Select(Mount)];

    private JsonObject Mount(MountSpec mount)
    {
        var result = new JsonObject { ["Type"] = mount.Type.ToString().ToLowerInvariant() };
        switch (mount.Type)
        {
            case MountType.Volume when mount.Source is { } source:
                var declared = spec.Volumes.FirstOrDefault(v => v.Key == source)
                    ?? throw new DesiredStateException($"undefined volume \"{source}\": declare it under the top-level volumes");
                result = StackConverter.VolumeMount(spec.Name, declared, mount.Target, mount.ReadOnly, mount.NoCopy);
                break;
            case MountType.Bind:
                result["Source"] = HostPaths.ResolveBindSource(mount.Source!, environmentDirectory, processEnvironment);
                result["Target"] = mount.Target;
                SetTrue(result, "ReadOnly", mount.ReadOnly);
                if (mount.Propagation is { } propagation)
                {
                    result["BindOptions"] = new JsonObject { ["Propagation"] = propagation };
                }

                break;
            default:
                result["Target"] = mount.Target;
                SetTrue(result, "ReadOnly", mount.ReadOnly);
                if (mount.TmpfsSizeBytes is { } size)
                {
                    result["TmpfsOptions"] = new JsonObject { ["SizeBytes"] = size };
                }

                break;
        }

        Set(result, "Consistency", mount.Consistency);
        return result;
    }

    private static JsonObject? Healthcheck(HealthcheckSpec? check)
    {
        if (check is null)
        {
            return null;
        }

        // As the CLI does: disable: true alone is the bare NONE (with a test as well, the reader has refused the file);
        // a test of NONE is converted like any other test, its durations and retries included.
        if (check.Disabled && check.Test is null)
        {
            return new JsonObject { ["Test"] = new JsonArray("NONE") };
        }

        var result = new JsonObject();
        Set(result, "Test", Strings(check.Test));
        result["Interval"] = Nanoseconds(check.Interval ?? TimeSpan.Zero);
        result["Timeout"] = Nanoseconds(check.Timeout ?? TimeSpan.Zero);
        result["StartPeriod"] = Nanoseconds(check.StartPeriod ?? TimeSpan.Zero);
        result["Retries"] = check.Retries ?? 0;
        return result;
    }

    /// <summary>"host:ip" (split at the first ':') or "host=ip" to the "ip host" lines of /etc/hosts.</summary>
    private static string? HostsEntry(string entry)
    {
        var at = entry.IndexOfAny([':', '=']);
        return at <= 0 ? null : $"{entry[(at + 1)..]} {entry[..at]}";
    }

    private static List<JsonObject>? FileReferences(IReadOnlyList<FileReference> references, IReadOnlyDictionary<string, string> names, string kind)
    {
        if (references.Count == 0)
        {
            return null;
        }

        // An undeclared one refuses the file, as docker stack deploy does ("undefined secret").
        string NameOf(string source) => names.TryGetValue(source, out var name)
            ? name
            : throw new DesiredStateException($"undefined {kind.ToLowerInvariant()} \"{source}\": declare it under the top-level {kind.ToLowerInvariant()}s");

        return
        [
            .. references
                .Select(r => (Name: NameOf(r.Source), Reference: r))
                .OrderBy(r => r.Name, StringComparer.Ordinal)
                .ThenBy(r => r.Reference.Target ?? r.Reference.Source, StringComparer.Ordinal)
                .Select(r => new JsonObject
                {
                    ["File"] = new JsonObject
                    {
                        ["Name"] = r.Reference.Target ?? r.Reference.Source,
                        ["UID"] = r.Reference.Uid ?? "0",
                        ["GID"] = r.Reference.Gid ?? "0",
                        ["Mode"] = r.Reference.Mode ?? DefaultFileMode,
                    },
                    [$"{kind}Name"] = r.Name,
                }),
        ];
    }

    /// <summary>
    /// Upper case with the CAP_ prefix, de-duplicated and sorted; ALL stands alone; a capability in the effective add
    /// list (after ALL took over it) is not dropped, as the CLI's effectiveCapAddCapDrop does it.
    /// </summary>
    private static List<string> Capabilities(IReadOnlyList<string> capabilities, IReadOnlyList<string>? except = null)
    {
        static string Normalize(string c)
        {
            var upper = c.Trim().ToUpperInvariant();
            return upper == "ALL" || upper.StartsWith("CAP_", StringComparison.Ordinal) ? upper : "CAP_" + upper;
        }

        var set = capabilities.Select(Normalize).ToHashSet(StringComparer.Ordinal);
        if (set.Contains("ALL"))
        {
            set = new HashSet<string>(StringComparer.Ordinal) { "ALL" };
        }

        set.ExceptWith(except ?? []);
        return [.. set.Order(StringComparer.Ordinal)];
    }

    private static JsonObject Resources(ResourcesSpec resources)
    {
        var result = new JsonObject();
        if (resources.Limits is { } limits)
        {
            var node = new JsonObject();
            Set(node, "NanoCPUs", limits.Cpus is { } cpus ? NanoCpus.From(cpus) : null);
            Set(node, "MemoryBytes", limits.MemoryBytes);
            Set(node, "Pids", limits.Pids);
            result["Limits"] = node;
        }

        if (resources.Reservations is { } reservations)
        {
            var node = new JsonObject();
            Set(node, "NanoCPUs", reservations.Cpus is { } cpus ? NanoCpus.From(cpus) : null);
            Set(node, "MemoryBytes", reservations.MemoryBytes);
            if (reservations.GenericResources.Count > 0)
            {
                node["GenericResources"] = new JsonArray([.. reservations.GenericResources.Select(r => (JsonNode)new JsonObject
                {
                    ["DiscreteResourceSpec"] = new JsonObject { ["Kind"] = r.Kind, ["Value"] = r.Value },
                })]);
            }

            result["Reservations"] = node;
        }

        return result;
    }

    /// <summary>deploy.restart_policy, else the compose <c>restart:</c> key as the CLI maps it, else none.</summary>
    private static JsonObject? RestartPolicy(ServiceSpec service)
    {
        if (service.Deploy.RestartPolicy is { } policy)
        {
            var result = new JsonObject();
            Set(result, "Condition", policy.Condition);
            Set(result, "Delay", policy.Delay is { } delay ? Nanoseconds(delay) : null);
            Set(result, "MaxAttempts", policy.MaxAttempts);
            Set(result, "Window", policy.Window is { } window ? Nanoseconds(window) : null);
            return result;
        }

        // The reader has refused (CMP-002) a value the CLI cannot read.
        if (service.Restart is not { } text || !RestartSyntax.TryParse(text, out var condition, out var attempts, out _) || condition == "none")
        {
            return null;
        }

        return condition == "on-failure"
            ? new JsonObject { ["Condition"] = condition, ["MaxAttempts"] = attempts }
            : new JsonObject { ["Condition"] = condition };
    }

    private static JsonObject Placement(PlacementSpec placement)
    {
        var result = new JsonObject();
        Set(result, "Constraints", Strings(placement.Constraints));
        if (placement.Spread.Count > 0)
        {
            result["Preferences"] = new JsonArray([.. placement.Spread.Select(s => (JsonNode)new JsonObject { ["Spread"] = new JsonObject { ["SpreadDescriptor"] = s } })]);
        }

        Set(result, "MaxReplicas", placement.MaxReplicasPerNode);
        return result;
    }

    /// <summary>The networks a service joins (the stack default when none), each with the service name as an alias, sorted by target.</summary>
    private JsonArray Networks(ServiceSpec service)
    {
        var attachments = service.Networks.Count == 0 ? [new ServiceNetwork { Name = "default" }] : service.Networks.ToList();
        var converted = attachments.Select(attachment =>
        {
            var declared = spec.Networks.FirstOrDefault(n => n.Key == attachment.Name);
            var target = declared switch
            {
                { External: true } => declared.Name ?? declared.Key,
                { Name: { } name } => name,
                _ => StackNames.Scoped(spec.Name, attachment.Name),
            };
            var result = new JsonObject { ["Target"] = target };
            if (!BuiltInNetworks.Contains(target))
            {
                result["Aliases"] = new JsonArray([.. attachment.Aliases.Append(service.Name).Select(a => (JsonNode)a)]);
            }

            return result;
        });
        return new JsonArray([.. converted.OrderBy(n => n["Target"]!.GetValue<string>(), StringComparer.Ordinal)]);
    }

    private static JsonObject Mode(DeploySpec deploy) => deploy.Mode == ServiceMode.Global
        ? new JsonObject { ["Global"] = new JsonObject() }
        : new JsonObject { ["Replicated"] = deploy.Replicas is { } replicas ? new JsonObject { ["Replicas"] = replicas } : new JsonObject() };

    private static JsonObject? UpdateConfig(UpdateConfigSpec? config)
    {
        if (config is null)
        {
            return null;
        }

        var result = new JsonObject { ["Parallelism"] = config.Parallelism ?? 1 };
        Set(result, "Delay", config.Delay is { } delay ? Nanoseconds(delay) : null);
        Set(result, "FailureAction", config.FailureAction);
        Set(result, "Monitor", config.Monitor is { } monitor ? Nanoseconds(monitor) : null);
        result["MaxFailureRatio"] = config.MaxFailureRatio ?? 0;
        result["Order"] = config.Order ?? "";
        return result;
    }

    private static JsonObject Endpoint(ServiceSpec service)
    {
        var result = new JsonObject();
        Set(result, "Mode", service.Deploy.EndpointMode?.ToLowerInvariant());
        if (service.Ports.Count > 0)
        {
            result["Ports"] = new JsonArray([.. service.Ports
                // By published port only, keeping the file's order among equal ones (a stable sort), as the CLI's
                // sort.Slice does on a short list; it is unstable beyond 12 ports, where either order is the CLI's.
                .OrderBy(p => p.Published ?? 0)
                .Select(p =>
                {
                    var port = new JsonObject { ["Protocol"] = p.Protocol, ["TargetPort"] = p.Target };
                    Set(port, "PublishedPort", p.Published);
                    port["PublishMode"] = p.Mode;
                    return (JsonNode)port;
                })]);
        }

        return result;
    }

    private static long Nanoseconds(TimeSpan value) => value.Ticks * 100;

    private static List<string>? Strings(IEnumerable<string>? values) => values is null ? null : [.. values];

    private static void Set<T>(JsonObject target, string name, T? value)
    {
        switch (value)
        {
            case null:
                return;
            case string text when text.Length == 0:
                return;
            case IEnumerable<string> strings:
                var list = strings.ToList();
                if (list.Count > 0)
                {
                    target[name] = new JsonArray([.. list.Select(s => (JsonNode)s)]);
                }

                return;
            case IEnumerable<JsonObject> objects:
                var items = objects.ToList();
                if (items.Count > 0)
                {
                    target[name] = new JsonArray([.. items]);
                }

                return;
            case JsonNode node:
                target[name] = node;
                return;
            default:
                target[name] = JsonValue.Create(value);
                return;
        }
    }

    private static void Set(JsonObject target, string name, long? value)
    {
        if (value is { } number)
        {
            target[name] = number;
        }
    }

    private static void SetTrue(JsonObject target, string name, bool value)
    {
        if (value)
        {
            target[name] = true;
        }
    }
}
