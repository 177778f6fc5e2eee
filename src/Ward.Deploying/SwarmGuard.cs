using Ward.Engine.Ports;

namespace Ward.Deploying;

/// <summary>Only a swarm manager can deploy: says so, and how to get one, before anything else is tried.</summary>
public static class SwarmGuard
{
    public static async Task EnsureManagerAsync(IEngine engine, CancellationToken cancellationToken)
    {
        var info = await engine.InfoAsync(cancellationToken);
        if (info.IsManager)
        {
            return;
        }

        throw new NotSwarmManagerException(info.SwarmState == "inactive"
            ? "the engine is not part of a swarm. Initialise one with `docker swarm init` (or `./ward cluster up` for a local cluster), or point DOCKER_HOST at a swarm manager"
            : $"the engine is {(info.SwarmState == "active" ? "a worker of a swarm" : $"in swarm state {info.SwarmState}")}, not a manager, and only a manager can deploy. Point --host (or DOCKER_HOST) at a manager, or make this node one from a manager (`docker node promote`, or ward node promote NODE); an engine in no swarm becomes a manager with `docker swarm init`");
    }
}
