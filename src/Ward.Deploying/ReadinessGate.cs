using Ward.Deploying.Loading;
using Ward.Model.Diagnostics;
using Ward.Model.Spec;
using Ward.Rules;

namespace Ward.Deploying;

/// <summary>The gate's judgement: whether the apply may go on, and the findings that stood in its way.</summary>
/// <param name="Passes">The apply may go on.</param>
/// <param name="Forced">It goes on only because it was forced past the findings.</param>
/// <param name="Blocking">The findings that refuse it (or that it was forced past).</param>
/// <param name="Forceable">False when the findings are what the engine would refuse: forcing cannot help.</param>
public sealed record GateVerdict(bool Passes, bool Forced, IReadOnlyList<Finding> Blocking, bool Forceable = true);

/// <summary>
/// The readiness gate before any apply. What the engine or docker stack deploy would refuse part-way (the deploy
/// blockers: ENG rules and the like) refuses every apply, in every environment, forced or not, so nothing is left
/// half-created. Beyond that, a production environment with error-level findings (not waived) is refused unless
/// forced; staging environments pass, their findings are advice.
/// </summary>
public static class ReadinessGate
{
    public static GateVerdict Evaluate(LoadedEnvironment environment, bool force)
    {
        if (DeployBlockers.Find(environment.Check) is { Count: > 0 } refused)
        {
            return new GateVerdict(false, false, refused, Forceable: false);
        }

        if (environment.Spec.Kind != EnvironmentKind.Production || !environment.Check.HasErrors)
        {
            return new GateVerdict(true, false, []);
        }

        var blocking = environment.Check.Findings.Where(f => f.Severity == Severity.Error && !f.Waived).ToList();
        return new GateVerdict(force, force, blocking);
    }
}
