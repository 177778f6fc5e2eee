using Ward.Engine.Applying;
using Ward.Engine.Observing;
using Ward.Engine.Ports;

namespace Ward.Deploying;

/// <summary>
/// Removes what an environment owns on the swarm, in the order <c>docker stack rm</c> does: services first, then what
/// they used once their tasks are gone. Named volumes stay on the nodes. Takes the environment's lock, so a destroy
/// never interleaves with an apply.
/// </summary>
public sealed class EnvironmentDestroyer(IEngine engine, TimeProvider time, LockHolder? holder = null, Func<int, bool>? isProcessAlive = null)
{
    /// <summary>How long the removed services' tasks, and the networks they held, are waited for.</summary>
    public static readonly TimeSpan SettleTimeout = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>What the environment owns now (nothing to destroy when empty).</summary>
    public async Task<IReadOnlyList<ObservedObject>> OwnedAsync(string environment, CancellationToken cancellationToken)
    {
        await SwarmGuard.EnsureManagerAsync(engine, cancellationToken);
        return (await StateReader.ReadAsync(engine, environment, cancellationToken)).Owned;
    }

    /// <summary>Removes everything the environment owns, as it is when the lock is held.</summary>
    public async Task<IReadOnlyList<ObservedObject>> DestroyAsync(string environment, TimeSpan lockWait, CancellationToken cancellationToken)
    {
        await SwarmGuard.EnsureManagerAsync(engine, cancellationToken);
        await using var held = await EnvironmentLock.AcquireAsync(
            engine, environment, SettleTimeout * 3, lockWait, time, holder ?? LockHolder.Current, isProcessAlive ?? (pid => Directory.Exists($"/proc/{pid}")), cancellationToken);
        var owned = (await StateReader.ReadAsync(engine, environment, cancellationToken)).Owned;
        var services = owned.Where(o => o.Kind == ObjectKind.Service).ToList();
        await Task.WhenAll(services.Select(s => RemoveAsync(s, cancellationToken)));
        await WaitForTasksToGoAsync([.. services.Select(s => s.Id)], cancellationToken);
        await Task.WhenAll(owned.Where(o => o.Kind is ObjectKind.Secret or ObjectKind.Config).Select(s => RemoveAsync(s, cancellationToken)));
        foreach (var network in owned.Where(o => o.Kind == ObjectKind.Network))
        {
            await RemoveNetworkAsync(network, cancellationToken);
        }

        return owned;
    }

    /// <summary>
    /// Waits until no task of the removed services is left on any node. A network removed while a worker still holds
    /// its sandbox frees its VXLAN id for the next network created, which that worker then cannot join ("error
    /// creating vxlan interface: file exists"): an apply right after a destroy would fail.
    /// </summary>
    private async Task WaitForTasksToGoAsync(HashSet<string> serviceIds, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (serviceIds.Count > 0 && time.GetElapsedTime(started) < SettleTimeout &&
               (await engine.ListTasksAsync(null, cancellationToken)).Any(t => serviceIds.Contains(t.ServiceId)))
        {
            await Task.Delay(PollInterval, time, cancellationToken);
        }
    }

    /// <summary>A network stays in use until the removed services' tasks have stopped: tried again for a while.</summary>
    private async Task RemoveNetworkAsync(ObservedObject network, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            try
            {
                await RemoveAsync(network, cancellationToken);
                return;
            }
            catch (EngineRequestException) when (time.GetElapsedTime(started) < SettleTimeout)
            {
                await Task.Delay(PollInterval * 2, time, cancellationToken);
            }
        }
    }

    private async Task RemoveAsync(ObservedObject item, CancellationToken cancellationToken)
    {
        try
        {
            await engine.RemoveAsync(item.Kind, item.Id, cancellationToken);
        }
        catch (EngineNotFoundException)
        {
            // Gone already.
        }
    }
}
