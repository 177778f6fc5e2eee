using System.Text.Json.Nodes;
using Ward.Engine.Desired;
using Ward.Engine.Ports;

namespace Ward.Engine.Planning;

/// <summary>
/// Compares the desired objects with the observed ones and lists the changes in dependency order: networks,
/// secrets and configs, node labels, services; then the removal of old secret and config versions no service uses.
/// Objects the environment owns but the file no longer lists are removed only when pruning.
/// </summary>
public static class Planner
{
    /// <summary>The label holding the keys Ward set on a node, so it removes its own labels and never others'.</summary>
    public const string ManagedLabelsLabel = "ward.managed-labels";

    /// <param name="environment">The environment's name (its stack namespace).</param>
    /// <param name="desired">The objects the file asks for.</param>
    /// <param name="nodes">The file's nodes.</param>
    /// <param name="observed">What the swarm holds.</param>
    /// <param name="prune">Also remove owned objects the file no longer lists.</param>
    /// <param name="restart">Services (scoped names) whose tasks are replaced even if their spec is unchanged.</param>
    public static Plan Make(string environment, IReadOnlyList<DesiredObject> desired, IReadOnlyList<DesiredNode> nodes, ObservedState observed, bool prune, IReadOnlySet<string>? restart = null)
    {
        var steps = new List<PlanStep>();
        var warnings = new List<string>();
        var immutable = new[] { ObjectKind.Network, ObjectKind.Secret, ObjectKind.Config }.SelectMany(kind => PlanImmutable(kind, desired, observed, prune, warnings)).ToList();
        steps.AddRange(immutable.Where(s => !s.AfterServices));
        steps.AddRange(PlanNodes(nodes, observed.Nodes, warnings));
        steps.AddRange(PlanServices(desired, observed, prune, restart ?? new HashSet<string>()));

        // Listed where they happen: old versions and pruned objects go once the services have moved off them.
        steps.AddRange(immutable.Where(s => s.AfterServices));
        CheckExternal(desired, observed, warnings);
        return new Plan(environment, steps, warnings);
    }

    /// <summary>
    /// Networks, secrets and configs cannot be changed in place: missing ones are created; owned ones the file no
    /// longer wants are removed. An old version of a secret or config whose key is still in the file goes once unused;
    /// an object whose key left the file goes only when pruning.
    /// </summary>
    private static IEnumerable<PlanStep> PlanImmutable(ObjectKind kind, IReadOnlyList<DesiredObject> desired, ObservedState observed, bool prune, List<string> warnings)
    {
        var target = PlanStep.TargetOf(kind);
        var wanted = desired.Where(d => d.Kind == kind).ToList();
        var owned = observed.OwnedOf(kind).ToList();
        var ownedNames = owned.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var item in wanted.Where(w => !ownedNames.Contains(w.Name)))
        {
            yield return new PlanStep { Change = ChangeKind.Create, Target = target, Name = item.Name, Spec = item.Spec, Reason = item.Key is null ? null : $"content version of {item.Key}" };
        }

        if (kind == ObjectKind.Network)
        {
            foreach (var item in wanted)
            {
                if (owned.FirstOrDefault(o => o.Name == item.Name) is { } existing && NetworkDiffers(item.Spec, existing.Spec) is { } difference)
                {
                    warnings.Add($"network {item.Name} differs from the file ({difference}); Swarm cannot change a network in place: remove it (ward destroy) to recreate it");
                }
            }
        }

        var wantedNames = wanted.Select(w => w.Name).ToHashSet(StringComparer.Ordinal);
        var wantedKeys = wanted.Select(w => w.Key).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var stale in owned.Where(o => !wantedNames.Contains(o.Name)))
        {
            var key = stale.Labels.GetValueOrDefault(StackNames.KeyLabel) ?? KeyOfUnversioned(stale.Name, desired);
            var oldVersion = kind != ObjectKind.Network && key is not null && wantedKeys.Contains(key);
            if (oldVersion || prune)
            {
                yield return new PlanStep
                {
                    Change = ChangeKind.Remove,
                    Target = target,
                    Name = stale.Name,
                    Id = stale.Id,
                    AfterServices = true,
                    Reason = oldVersion ? $"old version of {key}, removed once no service uses it" : "no longer in the file (--prune)",
                };
            }
        }
    }

    /// <summary>
    /// A secret docker stack deploy created (named env_key, without a content hash) belongs to that key, so Ward's
    /// first apply after the CLI moves services to a versioned copy and then removes it.
    /// </summary>
    private static string? KeyOfUnversioned(string name, IReadOnlyList<DesiredObject> desired) =>
        desired.FirstOrDefault(d => d.Key is not null && d.Name.StartsWith(name + "_", StringComparison.Ordinal) && d.Name.Length == name.Length + 1 + StackConverter.HashLength)?.Key;

    private static string? NetworkDiffers(JsonObject wanted, JsonObject existing)
    {
        foreach (var key in new[] { "Driver", "Options", "Internal", "Attachable" })
        {
            var want = wanted[key];
            var have = key == "Options" ? WithoutEngineOptions(existing[key]) : existing[key];
            var equal = JsonNode.DeepEquals(want, have) ||
                        (want is null && have is JsonValue v && v.TryGetValue<bool>(out var flag) && !flag) ||
                        (want is null && have is JsonObject { Count: 0 });
            if (!equal)
            {
                return $"{key}: {have?.ToJsonString() ?? "none"} on the swarm, {want?.ToJsonString() ?? "none"} in the file";
            }
        }

        return null;
    }

    /// <summary>Options the engine assigns itself (the overlay's VXLAN id) are not the file's business.</summary>
    private static JsonNode? WithoutEngineOptions(JsonNode? options)
    {
        if (options is not JsonObject map)
        {
            return options;
        }

        var copy = (JsonObject)map.DeepClone();
        copy.Remove("com.docker.network.driver.overlay.vxlanid_list");
        return copy.Count == 0 ? null : copy;
    }

    private static IEnumerable<PlanStep> PlanServices(IReadOnlyList<DesiredObject> desired, ObservedState observed, bool prune, IReadOnlySet<string> restart)
    {
        var owned = observed.OwnedOf(ObjectKind.Service).ToDictionary(s => s.Name, StringComparer.Ordinal);
        foreach (var service in desired.Where(d => d.Kind == ObjectKind.Service))
        {
            if (!owned.TryGetValue(service.Name, out var existing))
            {
                yield return new PlanStep { Change = ChangeKind.Create, Target = StepTarget.Service, Name = service.Name, Spec = service.Spec };
                continue;
            }

            var fields = JsonDiff.Compare(
                SpecNormalizer.Service(existing.Spec, observed.NetworkNames),
                SpecNormalizer.Service(service.Spec, observed.NetworkNames));
            var restarted = restart.Contains(service.Name);
            if (fields.Count > 0 || restarted)
            {
                yield return new PlanStep
                {
                    Change = ChangeKind.Update,
                    Target = StepTarget.Service,
                    Name = service.Name,
                    Id = existing.Id,
                    Version = existing.Version,
                    Spec = service.Spec,
                    Fields = fields,
                    Restart = restarted,
                    Reason = restarted ? "restart: every task replaced (--restart)" : null,
                };
            }
        }

        if (prune)
        {
            var wanted = desired.Where(d => d.Kind == ObjectKind.Service).Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var stale in owned.Values.Where(s => !wanted.Contains(s.Name)))
            {
                yield return new PlanStep { Change = ChangeKind.Remove, Target = StepTarget.Service, Name = stale.Name, Id = stale.Id, Reason = "no longer in the file (--prune)" };
            }
        }
    }

    /// <summary>Labels and availability of the swarm nodes matched to x-ward.nodes.</summary>
    private static IEnumerable<PlanStep> PlanNodes(IReadOnlyList<DesiredNode> desired, IReadOnlyList<ObservedNode> nodes, List<string> warnings)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var want in desired)
        {
            var node = NodeMatcher.Match(want, nodes, used);
            if (node is null)
            {
                warnings.Add($"node {want.Name} of the file matches no swarm node (by label ward.node, hostname or address); services pinned to its labels cannot be placed");
                continue;
            }

            used.Add(node.Id);
            if (node.Role != want.Role)
            {
                warnings.Add($"node {want.Name} ({node.Hostname}) is a {node.Role} on the swarm but a {want.Role} in the file; change it with ward node promote/demote");
            }

            var spec = NodeMatcher.DesiredSpec(want, node);
            var fields = JsonDiff.Compare(NodeMatcher.SpecOf(node), spec);
            if (fields.Count > 0)
            {
                yield return new PlanStep
                {
                    Change = ChangeKind.Update,
                    Target = StepTarget.Node,
                    Name = want.Name,
                    Node = want,
                    Id = node.Id,
                    Version = node.Version,
                    Spec = spec,
                    Fields = fields,
                };
            }
        }
    }

    private static void CheckExternal(IReadOnlyList<DesiredObject> desired, ObservedState observed, List<string> warnings)
    {
        foreach (var service in desired.Where(d => d.Kind == ObjectKind.Service))
        {
            var container = service.Spec["TaskTemplate"]?["ContainerSpec"];
            foreach (var (list, field, names, created) in new[]
                     {
                         ("Secrets", "SecretName", observed.SecretNames, ObjectKind.Secret),
                         ("Configs", "ConfigName", observed.ConfigNames, ObjectKind.Config),
                     })
            {
                foreach (var reference in (container?[list] as JsonArray)?.OfType<JsonObject>() ?? [])
                {
                    var name = reference[field]?.GetValue<string>();
                    if (name is not null && !names.Contains(name) && !desired.Any(d => d.Kind == created && d.Name == name))
                    {
                        warnings.Add($"service {service.Name} uses the external {created.ToString().ToLowerInvariant()} {name}, which does not exist on the swarm");
                    }
                }
            }
        }
    }
}
