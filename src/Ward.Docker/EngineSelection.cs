using Ward.Docker.Cluster;

namespace Ward.Docker;

/// <summary>
/// Which engine a command talks to: <c>--host</c>, else <c>DOCKER_HOST</c>, else the local cluster's manager when
/// <c>ward cluster up</c> made one, else the host's own socket. Commands print the choice so it is never a surprise.
/// </summary>
public static class EngineSelection
{
    public static (EngineEndpoint Endpoint, string Description) Resolve(string? host)
    {
        if (!string.IsNullOrWhiteSpace(host))
        {
            return (EngineEndpoint.FromEnvironment(host), $"engine {host}");
        }

        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("DOCKER_HOST")))
        {
            var endpoint = EngineEndpoint.FromEnvironment();
            return (endpoint, $"engine {endpoint} (DOCKER_HOST)");
        }

        if (LocalCluster.Load() is { Manager: { } manager })
        {
            return (manager.Endpoint, $"the local cluster ({manager.Name}, {manager.Socket})");
        }

        return (EngineEndpoint.FromEnvironment(), $"engine {EngineEndpoint.DefaultSocket}");
    }
}
