using Ward.Engine.Applying;
using Ward.Engine.Tests.Support;

namespace Ward.Engine.Tests.Applying;

/// <summary>
/// An apply killed at any moment is finished by running it again: the next plan starts from what the swarm holds,
/// and the end state is the same as an apply that was never interrupted, with nothing duplicated or left behind.
/// </summary>
public sealed class InterruptedApplyTests
{
    public enum Moment
    {
        /// <summary>Killed before the engine got the call.</summary>
        Before,

        /// <summary>Killed after the engine did it but before the apply heard back.</summary>
        After,
    }

    /// <summary>The state after applying <paramref name="versions"/> one after the other without interruption, and the calls the last one made.</summary>
    private static async Task<(SortedDictionary<string, string> State, int Calls)> ReferenceAsync(string[] versions)
    {
        using var reference = new Deployment();
        foreach (var version in versions)
        {
            reference.Engine.Calls.Clear();
            await reference.DeployAsync(version, prune: true);
        }

        return (reference.State(), reference.Engine.Calls.Count);
    }

    public static TheoryData<string, Moment> Scenarios() => new()
    {
        { "empty to v1", Moment.Before },
        { "empty to v1", Moment.After },
        { "v1 to v2", Moment.Before },
        { "v1 to v2", Moment.After },
    };

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task An_apply_killed_at_any_call_is_finished_by_the_next_one(string scenario, Moment moment)
    {
        string[] versions = scenario == "empty to v1" ? [Deployment.V1] : [Deployment.V1, Deployment.V2];
        var (expected, calls) = await ReferenceAsync(versions);
        Assert.True(calls >= 5, $"the scenario should make several calls, made {calls}");

        for (var kill = 0; kill < calls; kill++)
        {
            using var deployment = new Deployment();
            foreach (var earlier in versions[..^1])
            {
                await deployment.DeployAsync(earlier, prune: true);
            }

            var plan = await deployment.PlanAsync(versions[^1], prune: true);
            var seen = 0;
            void Killer(string call)
            {
                if (Interlocked.Increment(ref seen) > kill)
                {
                    throw new OperationCanceledException($"killed at call {kill} ({call})");
                }
            }

            if (moment == Moment.Before)
            {
                deployment.Engine.BeforeCall = Killer;
            }
            else
            {
                deployment.Engine.AfterCall = Killer;
            }

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => deployment.ApplyAsync(plan));
            deployment.Engine.BeforeCall = null;
            deployment.Engine.AfterCall = null;

            var resumed = await deployment.PlanAsync(versions[^1], prune: true);
            var result = await deployment.ApplyAsync(resumed);
            Assert.True(result.Outcome == ApplyOutcome.Converged && result.Problems.Count == 0, $"kill {moment} call {kill}: {result.Outcome} {string.Join("; ", result.Problems)}");
            var actual = deployment.State();
            Assert.True(
                expected.SequenceEqual(actual),
                $"kill {moment} call {kill}: the end state differs\n  missing or different: {string.Join(", ", expected.Except(actual).Select(p => p.Key))}\n  extra or different: {string.Join(", ", actual.Except(expected).Select(p => p.Key))}");
            var again = await deployment.PlanAsync(versions[^1], prune: true);
            Assert.False(again.HasChanges, $"kill {moment} call {kill}: a third plan still has {string.Join(", ", again.Steps.Select(s => $"{s.Change} {s.Target} {s.Name}"))}");
        }
    }
}
