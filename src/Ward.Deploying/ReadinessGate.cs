using Ward.Deploying.Loading;
using Ward.Model.Diagnostics;
using Ward.Model.Spec;
using Ward.Rules;

namespace Ward.Deploying;

/// <summary>The gate's judgement: whether the apply may go on, and the findings that stood in its way.</summary>
/// <param name="Passes">The apply may go on.</param>
/// <param name="Forced">It goes on only because it was forced past the findings.</param>
/// <param name="Blocking">The error-level findings (not waived) of a production environment.</param>
public sealed record GateVerdict(bool Passes, bool Forced, IReadOnlyList<Finding> Blocking);

/// <summary>
/// The readiness gate before any apply: a production environment with error-level findings (not waived) is refused
/// unless forced. Staging environments always pass: their findings are advice.
/// </summary>
public static class ReadinessGate
{
    public static GateVerdict Evaluate(LoadedEnvironment environment, bool force)
    {
        if (environment.Spec.Kind != EnvironmentKind.Production || !environment.Check.HasErrors)
        {
            return new GateVerdict(true, false, []);
        }

        var blocking = environment.Check.Findings.Where(f => f.Severity == Severity.Error && !f.Waived).ToList();
        return new GateVerdict(force, force, blocking);
    }
}
