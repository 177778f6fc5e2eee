using Ward.Model.Diagnostics;

namespace Ward.Rules;

/// <summary>How a rule decides: computed from the model, or from a human attestation recorded in the file.</summary>
public enum RuleKind
{
    Auto,
    Attest,
}

/// <summary>Which environments a rule applies to.</summary>
public enum RuleScope
{
    /// <summary>Every environment.</summary>
    All,

    /// <summary>Production only: the staging profile relaxes it (skips it).</summary>
    ProductionOnly,
}

/// <summary>What a rule is and how to fix what it finds: the text of <c>ward check --explain</c>.</summary>
public sealed record RuleDescriptor
{
    /// <summary>Stable id, e.g. NODE-001. Users waive findings by id.</summary>
    public required string Id { get; init; }

    public required string Title { get; init; }

    /// <summary>The highest severity the rule reports (some rules report lower levels for lesser cases).</summary>
    public required Severity Severity { get; init; }

    public RuleKind Kind { get; init; } = RuleKind.Auto;

    public RuleScope Scope { get; init; } = RuleScope.All;

    /// <summary>Why it matters in production, in one or two sentences.</summary>
    public required string Why { get; init; }

    /// <summary>How to fix a finding, with a snippet where one helps.</summary>
    public required string Fix { get; init; }

    /// <summary>Where the recommendation comes from (MedStack, Docker docs, CIS, ...).</summary>
    public required string Source { get; init; }

    /// <summary>Set when the rule needs a live cluster or DNS and cannot be decided from the file alone.</summary>
    public string? NeedsLiveData { get; init; }

    /// <summary>
    /// Findings of the rule block every deploy, whatever the profile: the engine (or docker stack deploy before it) would
    /// refuse the file anyway, part-way through, so they cannot be waived and forcing a deploy does not apply to them.
    /// Such a rule reports errors, in every environment, from the file alone (see <see cref="DeployBlockers"/>).
    /// </summary>
    public bool BlocksDeploy { get; init; }

    public string Category => Id[..Id.IndexOf('-', StringComparison.Ordinal)];
}
