using Ward.Model.Diagnostics;
using Ward.Model.Spec;

namespace Ward.Rules.Rules;

/// <summary>WVR-001: an expired waiver no longer hides its finding, and says so.</summary>
public sealed class ExpiredWaiverRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "WVR-001",
        Title = "Waiver has expired",
        Severity = Severity.Warning,
        Why = "A waiver is a decision with a shelf life. Once it expires the finding it covered counts again, so the decision must be made anew.",
        Fix = "Fix what the waived finding reports, or renew the waiver with a new `expires` date and a reason that still holds.",
        Source = "Ward: layered waivers with reasons and expiry (KICS, Polaris exemptions).",
    };

    public override IEnumerable<Finding> Evaluate(RuleContext context)
    {
        var today = DateOnly.FromDateTime(context.Now.UtcDateTime);
        foreach (var waiver in context.Spec.Waivers)
        {
            if (waiver.Expires is { } expires && expires < today)
            {
                yield return Report(
                    waiver.Path,
                    $"the waiver of {waiver.Rule} for '{Target(waiver)}' expired on {expires:yyyy-MM-dd}; its findings count again",
                    subject: $"waiver of {waiver.Rule}",
                    value: $"expires: {expires:yyyy-MM-dd}");
            }
        }
    }

    internal static string Target(WaiverSpec waiver) => waiver.Target.Length == 0 ? "*" : waiver.Target;
}

/// <summary>WVR-002: a waiver that matches no finding is stale and hides nothing; it should go.</summary>
public sealed class UnusedWaiverRule : Rule
{
    public override RuleDescriptor Descriptor { get; } = new()
    {
        Id = "WVR-002",
        Title = "Waiver matches no finding",
        Severity = Severity.Info,
        Why = "A waiver that covers nothing is either stale (the problem was fixed) or mistyped (it waives the wrong path), and then the finding it meant to cover still fails the check.",
        Fix = "Remove the waiver, or correct its `rule` and `target` to the id and path that the finding names.",
        Source = "Ward.",
    };

    /// <summary>The checker reports unused waivers once all rules have run; this rule alone has no view of other findings.</summary>
    public override IEnumerable<Finding> Evaluate(RuleContext context) => [];

    /// <param name="waiver">The waiver that covered nothing.</param>
    /// <param name="blocking">Whether it names a rule whose findings block deploys, which no waiver can cover.</param>
    public Finding ReportUnused(WaiverSpec waiver, bool blocking = false) => Report(
        waiver.Path,
        blocking
            ? $"the waiver of {waiver.Rule} for '{ExpiredWaiverRule.Target(waiver)}' cannot cover anything: {waiver.Rule} findings block every deploy (the engine would refuse the file anyway)"
            : $"the waiver of {waiver.Rule} for '{ExpiredWaiverRule.Target(waiver)}' matches no finding",
        subject: $"waiver of {waiver.Rule}");
}
