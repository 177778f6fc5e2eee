using Ward.Engine.Planning;
using Ward.Engine.Ports;

namespace Ward.Engine.Observing;

/// <summary>Reads what the swarm holds for an environment, in parallel where the engine allows.</summary>
public static class StateReader
{
    public static async Task<ObservedState> ReadAsync(IEngine engine, string environment, CancellationToken cancellationToken)
    {
        var services = engine.ListAsync(ObjectKind.Service, environment, cancellationToken);
        var networks = engine.ListAsync(ObjectKind.Network, null, cancellationToken);
        var secrets = engine.ListAsync(ObjectKind.Secret, null, cancellationToken);
        var configs = engine.ListAsync(ObjectKind.Config, null, cancellationToken);
        var nodes = engine.ListNodesAsync(cancellationToken);
        await Task.WhenAll(services, networks, secrets, configs, nodes);
        var owned = new List<ObservedObject>();
        owned.AddRange(await services);
        foreach (var list in new[] { await networks, await secrets, await configs })
        {
            owned.AddRange(list.Where(o => o.Labels.TryGetValue(Desired.StackNames.NamespaceLabel, out var ns) && ns == environment));
        }

        return new ObservedState
        {
            Owned = owned,
            NetworkNames = (await networks).ToDictionary(n => n.Id, n => n.Name, StringComparer.Ordinal),
            SecretNames = (await secrets).Select(s => s.Name).ToHashSet(StringComparer.Ordinal),
            ConfigNames = (await configs).Select(c => c.Name).ToHashSet(StringComparer.Ordinal),
            Nodes = await nodes,
        };
    }
}
