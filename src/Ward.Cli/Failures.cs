using Ward.Deploying;
using Ward.Deploying.Databases;
using Ward.Deploying.Switchover;
using Ward.Docker.Cluster;
using Ward.Engine.Applying;
using Ward.Engine.Desired;
using Ward.Engine.Ports;

namespace Ward.Cli;

/// <summary>
/// The one map from what the core throws to a message and an exit code: every command that talks to a swarm runs
/// through it, so the same failure reads and exits the same way whichever command met it.
/// </summary>
internal static class Failures
{
    /// <param name="command">The command's work; returns its exit code.</param>
    /// <param name="invalidInput">The exit code for bad input (plan uses 1: its 2 means "changes").</param>
    public static async Task<int> RunAsync(Func<Task<int>> command, int invalidInput = ExitCodes.InvalidInput)
    {
        try
        {
            return await command();
        }
        catch (Exception e) when (ExitCodeOf(e, invalidInput) is { } code)
        {
            Console.Error.WriteLine($"ward: {e.Message}");
            return code;
        }
    }

    private static int? ExitCodeOf(Exception e, int invalidInput) => e switch
    {
        EngineUnavailableException or NotSwarmManagerException => ExitCodes.Unavailable,
        LockConflictException => ExitCodes.Conflict,
        DeployRequestException or DesiredStateException or DatabaseRequestException or SwitchoverRequestException => invalidInput,
        DatabaseOperationException => ExitCodes.Failed,
        EngineException or ClusterException or IOException => ExitCodes.Failed,
        _ => null,
    };
}
