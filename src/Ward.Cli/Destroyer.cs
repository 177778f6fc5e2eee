using Ward.Engine.Ports;

namespace Ward.Cli;

/// <summary>Removes an environment's objects in the order docker stack rm does: services first, then what they used.</summary>
internal static class Destroyer
{
    public static async Task DestroyAsync(IEngine engine, IReadOnlyList<ObservedObject> owned, CancellationToken token)
    {
        await Task.WhenAll(owned.Where(o => o.Kind == ObjectKind.Service).Select(s => RemoveAsync(engine, s, token)));
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
