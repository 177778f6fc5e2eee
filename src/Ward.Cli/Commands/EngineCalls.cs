using Ward.Docker;
using Ward.Engine.Ports;

namespace Ward.Cli.Commands;

/// <summary>Running a command against the engine Ward selects (--host, DOCKER_HOST, the local cluster, the default socket).</summary>
internal static class EngineCalls
{
    /// <summary>Runs <paramref name="run"/>; an engine failure is one message, exit 69 when the engine cannot be used at all.</summary>
    public static async Task<int> WithEngine(string? host, Func<IEngine, string, Task<int>> run)
    {
        var (endpoint, description) = EngineSelection.Resolve(host);
        try
        {
            using var engine = new DockerEngine(endpoint);
            return await run(engine, description);
        }
        catch (EngineException e)
        {
            Console.Error.WriteLine($"ward: {e.Message}");
            return e is EngineUnavailableException or NotSwarmManagerException ? ExitCodes.Unavailable : ExitCodes.Failed;
        }
    }
}
