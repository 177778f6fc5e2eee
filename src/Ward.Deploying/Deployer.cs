using Ward.Deploying.Balancing;
using Ward.Deploying.Images;
using Ward.Deploying.Loading;
using Ward.Engine.Applying;
using Ward.Engine.Desired;
using Ward.Engine.Observing;
using Ward.Engine.Planning;
using Ward.Engine.Ports;

namespace Ward.Deploying;

/// <summary>
/// The deploy use cases, once for the CLI and the server: plan (convert, observe, compare) and apply (readiness gate,
/// convert, lock, observe, plan, confirm, images, apply, converge). Hosts parse arguments and present results; every
/// step of the sequence is here. Failures of the swarm surface as <see cref="EngineException"/>s and
/// <see cref="LockConflictException"/>; a file that cannot become Swarm objects as <see cref="DesiredStateException"/>;
/// a request naming what the file lacks as <see cref="DeployRequestException"/>. Each host maps them once.
/// </summary>
/// <param name="engine">The swarm.</param>
/// <param name="images">Where the services' images come from.</param>
/// <param name="time">The clock.</param>
/// <param name="holder">Who takes the environment's lock.</param>
/// <param name="isProcessAlive">Whether a process of this host still runs (to take over a crashed holder's lock).</param>
/// <param name="balancer">Keeps the load balancer's routes; null: routes are neither planned nor sent.</param>
public sealed class Deployer(IEngine engine, IImageSource images, TimeProvider time, LockHolder? holder = null, Func<int, bool>? isProcessAlive = null, LoadBalancerSync? balancer = null)
{
    /// <summary>How much longer than an apply's own timeout its lock stays valid should its holder die.</summary>
    private static readonly TimeSpan LockMargin = TimeSpan.FromMinutes(5);

    private readonly LockHolder _holder = holder ?? LockHolder.Current;
    private readonly Func<int, bool> _isProcessAlive = isProcessAlive ?? (pid => Directory.Exists($"/proc/{pid}"));

    /// <summary>What an apply would change now. Changes nothing.</summary>
    public async Task<DeploymentPlan> PlanAsync(LoadedEnvironment environment, DeployRequest request, CancellationToken cancellationToken)
    {
        var desired = Desire(environment, request);
        await SwarmGuard.EnsureManagerAsync(engine, cancellationToken);
        return await PlanAsync(environment, desired, request, cancellationToken);
    }

    /// <summary>
    /// Applies the environment: nothing happens unless the readiness gate passes and the observer confirms the plan,
    /// made under the environment's lock so that two applies never interleave.
    /// </summary>
    public async Task<DeployResult> ApplyAsync(LoadedEnvironment environment, DeployRequest request, IDeployObserver observer, CancellationToken cancellationToken)
    {
        var gate = ReadinessGate.Evaluate(environment, request.Force);
        if (!gate.Passes)
        {
            return new DeployResult(DeployStatus.RefusedByGate, gate, null, null);
        }

        var desired = Desire(environment, request);
        await SwarmGuard.EnsureManagerAsync(engine, cancellationToken);
        await using var held = await EnvironmentLock.AcquireAsync(
            engine, environment.Name, request.Apply.Timeout + LockMargin, request.LockWait, time, _holder, _isProcessAlive, cancellationToken);
        var deployment = await PlanAsync(environment, desired, request, cancellationToken);
        observer.Planned(deployment, gate);
        if (deployment.Images.Missing.Count > 0)
        {
            return new DeployResult(DeployStatus.ImagesMissing, gate, deployment, null);
        }

        ApplyResult result;
        if (!deployment.Plan.HasChanges)
        {
            // An earlier apply may have been stopped before its services converged: with nothing left to change, the
            // apply still ends only when they have.
            if (deployment.HasChanges && !await observer.ConfirmAsync(deployment, cancellationToken))
            {
                return new DeployResult(DeployStatus.Declined, gate, deployment, null);
            }

            result = await new ConvergenceWatcher(engine, time).WaitAsync(environment.Name, request.Apply, observer, 0, cancellationToken);
        }
        else
        {
            if (!await observer.ConfirmAsync(deployment, cancellationToken))
            {
                return new DeployResult(DeployStatus.Declined, gate, deployment, null);
            }

            await images.DistributeAsync(deployment.Images, observer.Note, cancellationToken);
            result = await new Applier(engine, time).ApplyAsync(deployment.Plan, request.Apply, observer, cancellationToken);
        }

        return await WithRoutesAsync(environment, new DeployResult(StatusOf(result), gate, deployment, result), observer, cancellationToken);
    }

    /// <summary>
    /// Once the services have converged, sends the load balancer the routes the file's domains ask for (the load
    /// balancer is one of those services). A refusal fails the apply, with the load balancer's own words.
    /// </summary>
    private async Task<DeployResult> WithRoutesAsync(LoadedEnvironment environment, DeployResult result, IDeployObserver observer, CancellationToken cancellationToken)
    {
        if (balancer is null || environment.Spec.Domains.Count == 0 || result.Status != DeployStatus.Converged)
        {
            return result;
        }

        try
        {
            var routes = await balancer.SyncAsync(environment, cancellationToken);
            foreach (var route in routes.Routes)
            {
                observer.Note($"{route.Domain}: {route.Note}");
            }

            return result with { Routes = routes };
        }
        catch (EngineException e)
        {
            var applied = result.Applied!;
            return result with { Status = DeployStatus.Failed, Applied = applied with { Problems = [.. applied.Problems, $"routes: {e.Message}"] } };
        }
    }

    /// <summary>
    /// What an apply would decide before touching the swarm: the readiness gate's verdict and, when it passes, that the
    /// request's names are the environment's and the file can become Swarm objects. A host that answers at once (the API, before it starts
    /// the apply as an operation) asks this first; <see cref="ApplyAsync"/> decides the same again.
    /// </summary>
    /// <exception cref="DeployRequestException">The request names a service the file lacks.</exception>
    /// <exception cref="DesiredStateException">The file cannot become Swarm objects.</exception>
    public static GateVerdict Admit(LoadedEnvironment environment, DeployRequest request)
    {
        // In the order ApplyAsync decides: the gate first, so a refused file is refused for its findings.
        var gate = ReadinessGate.Evaluate(environment, request.Force);
        if (gate.Passes)
        {
            Desire(environment, request);
        }

        return gate;
    }

    private static DesiredState Desire(LoadedEnvironment environment, DeployRequest request)
    {
        var desired = environment.ToDesired();
        var services = environment.Spec.Services.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = request.Restart.Where(r => !services.Contains(r)).ToList();
        if (unknown.Count > 0)
        {
            throw new DeployRequestException(
                DeployRequestCodes.UnknownService,
                $"--restart names {string.Join(", ", unknown.Select(u => $"'{u}'"))}, which {(unknown.Count == 1 ? "is not a service" : "are not services")} of {environment.Name}; its services are {string.Join(", ", services.Order(StringComparer.Ordinal))}");
        }

        return desired;
    }

    private async Task<DeploymentPlan> PlanAsync(LoadedEnvironment environment, DesiredState desired, DeployRequest request, CancellationToken cancellationToken)
    {
        await Databases.DatabasePlacementCheck.CheckAsync(engine, environment.Spec, cancellationToken);
        var resolution = request.ResolveImages ? await images.ResolveAsync(desired.Images, cancellationToken) : ImageResolution.AsWritten;
        var objects = ImagePins.Apply(desired.Objects, resolution);
        var observed = await StateReader.ReadAsync(engine, environment.Name, cancellationToken);
        var restart = request.Restart.Select(r => StackNames.Scoped(environment.Name, r)).ToHashSet(StringComparer.Ordinal);
        var plan = Planner.Make(environment.Name, objects, desired.Nodes, observed, request.Prune, restart);
        var routes = balancer is not null && environment.Spec.Domains.Count > 0 ? await balancer.PlanAsync(environment, cancellationToken) : null;
        return new DeploymentPlan(ImagePins.Explain(plan, resolution), resolution) { Routes = routes };
    }

    private static DeployStatus StatusOf(ApplyResult result) => result.Outcome switch
    {
        ApplyOutcome.Converged when result.Problems.Count == 0 => DeployStatus.Converged,
        ApplyOutcome.TimedOut => DeployStatus.TimedOut,
        _ => DeployStatus.Failed,
    };
}
