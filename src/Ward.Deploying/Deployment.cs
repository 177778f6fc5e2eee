using Ward.Engine.Ports;
using Ward.Deploying.Balancing;
using Ward.Engine.Applying;
using Ward.Engine.Planning;

namespace Ward.Deploying;

/// <summary>A plan together with how its images were identified, and the load balancer's routes when it has domains.</summary>
public sealed record DeploymentPlan(Plan Plan, ImageResolution Images)
{
    public string Environment => Plan.Environment;

    /// <summary>How each domain would be served, and whether the routes in force change; null without domains.</summary>
    public RoutesPlan? Routes { get; init; }

    /// <summary>Whether an apply would change anything: the swarm's objects, or the load balancer's routes.</summary>
    public bool HasChanges => Plan.HasChanges || Routes?.Changes == true;
}

/// <summary>What a plan or an apply is asked to do beyond the file.</summary>
public sealed record DeployRequest
{
    /// <summary>Also remove what the environment owns but the file no longer lists.</summary>
    public bool Prune { get; init; }

    /// <summary>Services (as named in the file) whose tasks are replaced even when their spec did not change.</summary>
    public IReadOnlyList<string> Restart { get; init; } = [];

    /// <summary>Identify images by content where Ward can (<c>--resolve-image always</c>), or take tags as written.</summary>
    public bool ResolveImages { get; init; } = true;

    /// <summary>Apply a production environment despite error-level findings.</summary>
    public bool Force { get; init; }

    /// <summary>How long another apply may hold the environment before this one gives up.</summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.Zero;

    public ApplyOptions Apply { get; init; } = new();
}

public enum DeployStatus
{
    /// <summary>Every step done and every service converged (also when there was nothing to change).</summary>
    Converged,

    /// <summary>A step failed, or a service cannot converge.</summary>
    Failed,

    /// <summary>The services did not converge in time.</summary>
    TimedOut,

    /// <summary>The readiness gate refused the apply: nothing was done.</summary>
    RefusedByGate,

    /// <summary>The plan was shown and not confirmed: nothing was done.</summary>
    Declined,

    /// <summary>Images the services need are nowhere on the cluster: nothing was done.</summary>
    ImagesMissing,
}

/// <summary>What an apply did: its gate, its plan (unless refused), and the applier's result (when it ran).</summary>
public sealed record DeployResult(DeployStatus Status, GateVerdict Gate, DeploymentPlan? Deployment, ApplyResult? Applied)
{
    /// <summary>The apply found nothing to change (it still waited for the services to converge).</summary>
    public bool NothingChanged => Deployment?.HasChanges == false;

    /// <summary>How each domain is served after the apply sent the routes; null without domains.</summary>
    public RoutesPlan? Routes { get; init; }
}

/// <summary>Follows an apply as it happens; the CLI draws it, the server streams it as operation events.</summary>
public interface IDeployObserver : IApplyObserver
{
    /// <summary>The plan, made under the environment's lock, before anything changes.</summary>
    void Planned(DeploymentPlan deployment, GateVerdict gate);

    /// <summary>Whether to carry out the plan (a terminal asks; the API and --yes do not).</summary>
    Task<bool> ConfirmAsync(DeploymentPlan deployment, CancellationToken cancellationToken);
}

/// <summary>A request that names something the environment or swarm does not have (bad input, not a failure of the swarm).</summary>
/// <param name="code">What is wrong, stable for clients (the API's problem code): see <see cref="DeployRequestCodes"/>.</param>
/// <param name="message">What was found and what is allowed, for people.</param>
public sealed class DeployRequestException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>The codes of <see cref="DeployRequestException"/>.</summary>
public static class DeployRequestCodes
{
    /// <summary>--restart (or the API's restart) names a service the file lacks.</summary>
    public const string UnknownService = "unknown_service";

    /// <summary>No node of the swarm goes by the name given.</summary>
    public const string NodeNotFound = "node_not_found";

    /// <summary>Several nodes go by the name given.</summary>
    public const string AmbiguousNode = "ambiguous_node";

    /// <summary>A node change with a value Swarm does not take (availability, role, label).</summary>
    public const string InvalidNodeChange = "invalid_node_change";

    /// <summary>A DNS resolver that is not an address with an optional port.</summary>
    public const string InvalidResolver = "invalid_resolver";

    /// <summary>A database's placement names a node label no node of the swarm has (the file declares no nodes).</summary>
    public const string UnknownPlacementLabel = "unknown_placement_label";

    /// <summary>A log query out of range (a tail too long, a time that is not one).</summary>
    public const string InvalidLogQuery = "invalid_log_query";
}
