using Ward.Deploying.Live;
using Ward.Deploying.Loading;

namespace Ward.Deploying.Switchover;

/// <summary>
/// <c>ward switchover plan</c> and <c>GET /environments/{name}/switchover/plan</c>, once: the file's switchover checked
/// (bad input before anything is asked of the swarm), facts gathered from the swarm and DNS, every gate judged.
/// </summary>
public sealed class SwitchoverPlanner(TimeProvider time, SwitchoverOptions options)
{
    /// <summary>
    /// Ward does not run the runbook yet: said in every plan, so no one waits for a <c>switchover start</c> that does
    /// not exist.
    /// </summary>
    public const string RunsByHand = "by hand: Ward plans the switchover and judges its gates; it does not run the steps yet (ward switchover start is to come)";

    /// <param name="environment">The environment as loaded from its file.</param>
    /// <param name="gather">The host's way to the live facts (the CLI asks the swarm and DNS; the server adds what it caches and keeps).</param>
    /// <param name="mappedSince">Since when each domain has pointed at the manager, observed by the control plane; null when the host keeps no such history.</param>
    /// <param name="cancellationToken">Stops the gathering.</param>
    /// <exception cref="SwitchoverRequestException">The file cannot plan a switchover (nothing was asked of the swarm).</exception>
    public async Task<SwitchoverPlan> PlanAsync(LoadedEnvironment environment, Func<CancellationToken, Task<LiveFacts>> gather, IReadOnlyDictionary<string, DateTimeOffset>? mappedSince, CancellationToken cancellationToken)
    {
        var (window, rollbackPlan) = SwitchoverRequest.Validate(environment.Spec, time.GetUtcNow(), options);
        var facts = await gather(cancellationToken);
        if (mappedSince is not null)
        {
            facts = facts.WithMappedSince(mappedSince);
        }

        var now = time.GetUtcNow();
        var readiness = environment.WithLive(facts).Check;
        var gates = new SwitchoverGates(environment.Spec, options, now).Evaluate(window, rollbackPlan, readiness, facts, new SwitchoverObservations(mappedSince));
        return new SwitchoverPlan(environment.Name, now, window.Start, window.End, rollbackPlan, gates, Runbook.For(environment.Spec), RunsByHand);
    }
}
