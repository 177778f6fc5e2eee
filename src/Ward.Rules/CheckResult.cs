using Ward.Model.Diagnostics;
using Ward.Model.Spec;

namespace Ward.Rules;

/// <summary>The counts of a check: waived findings count separately and never fail it.</summary>
public sealed record CheckSummary(int Errors, int Warnings, int Info, int Waived);

/// <summary>The outcome of checking one environment.</summary>
public sealed record CheckResult(IReadOnlyList<Finding> Findings, IReadOnlyList<NotChecked> NotChecked, EnvironmentKind Profile)
{
    public CheckSummary Summary { get; } = new(
        Findings.Count(f => !f.Waived && f.Severity == Severity.Error),
        Findings.Count(f => !f.Waived && f.Severity == Severity.Warning),
        Findings.Count(f => !f.Waived && f.Severity == Severity.Info),
        Findings.Count(f => f.Waived));

    public bool HasErrors => Summary.Errors > 0;
}
