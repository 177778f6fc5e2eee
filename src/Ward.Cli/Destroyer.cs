using Ward.Engine.Ports;

namespace Ward.Cli;

/// <summary>Removes an environment's objects in the order docker stack rm does: services first, then what they used.</summary>
internal static class Destroyer
{
    public static async Task DestroyAsync(IEngine engine, IReadOnlyList<ObservedObject> owned, CancellationToken token)
    {
        var services = owned.Where(o => o.Kind == ObjectKind.Service).ToList();
        await Task.WhenAll(services.Select(s => RemoveAsync(engine, s, token)));
        await WaitForTasksToGoAsync(engine, [.. services.Select(s => s.Id)], token);
        await Task.WhenAll(owned.Where(o => o.Kind is ObjectKind.Secret or ObjectKind.Config).Select(s => RemoveAsync(engine, s, token)));

        // A network stays in use until the removed services' tasks have stopped: retry for a while.
        foreach (var network in owned.Where(o => o.Kind == ObjectKind.Network))
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await RemoveAsync(engine, network, token);
                    break;
                }
                catch (EngineRequestException) when (attempt < 60)
                {
                    await Task.Delay(500, token);
                }
            }
        }
    }

    /// <summary>
    /// Waits (up to a minute) until no task of the removed services is left on any node. A network removed while a
    /// worker still holds its sandbox frees its VXLAN id for the next network created, which that worker then cannot
    /// join ("error creating vxlan interface: file exists"): an apply right after a destroy would fail.
    /// </summary>
    private static async Task WaitForTasksToGoAsync(IEngine engine, HashSet<string> serviceIds, CancellationToken token)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (serviceIds.Count > 0 && DateTime.UtcNow < deadline &&
               (await engine.ListTasksAsync(null, token)).Any(t => serviceIds.Contains(t.ServiceId)))
        {
            await Task.Delay(250, token);
        }
    }

    private static async Task RemoveAsync(IEngine engine, ObservedObject item, CancellationToken token)
    {
        try
        {
            await engine.RemoveAsync(item.Kind, item.Id, token);
        }
        catch (EngineNotFoundException)
        {
            // Gone already.
        }
    }
}
