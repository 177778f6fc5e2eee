using Ward.Model.Diagnostics;
using Ward.Model.Spec;
using Ward.Rules.Rules;

namespace Ward.Rules;

/// <summary>
/// Runs the catalog over an environment, applies the file's waivers and places each finding in the file.
/// </summary>
public static class Checker
{
    private const int LocateBatch = 2048;

    /// <param name="context">The environment and everything the rules may look at.</param>
    /// <param name="useWaivers">False for <c>--no-waivers</c>: every finding counts.</param>
    /// <param name="locate">Maps a finding's path to its place in the file; called from several threads at once.</param>
    /// <param name="rules">The rules to run; the whole catalog by default.</param>
    public static CheckResult Run(RuleContext context, bool useWaivers, Func<string, SourceLocation?> locate, IEnumerable<IRule>? rules = null)
    {
        var notChecked = new List<NotChecked>();
        var applicable = new List<IRule>();
        foreach (var rule in rules ?? RuleCatalog.All)
        {
            var descriptor = rule.Descriptor;
            if (descriptor.Scope == RuleScope.ProductionOnly && !context.IsProduction)
            {
                continue;
            }

            if (descriptor.NeedsLiveData is { } need && context.Live is null)
            {
                notChecked.Add(new NotChecked(descriptor.Id, need));
                continue;
            }

            if (!useWaivers && descriptor.Category == "WVR")
            {
                continue;
            }

            applicable.Add(rule);
        }

        // Rules are pure functions of the context, so they run on every core; their findings are joined in catalog order.
        var perRule = new IReadOnlyList<Finding>[applicable.Count];
        Parallel.For(0, applicable.Count, i => perRule[i] = Evaluate(applicable[i], context));
        var findings = new List<Finding>(perRule.Sum(f => f.Count));
        foreach (var ruleFindings in perRule)
        {
            findings.AddRange(ruleFindings);
        }

        if (useWaivers)
        {
            findings = ApplyWaivers(findings, context, [.. applicable.Where(r => r.Descriptor.BlocksDeploy).Select(r => r.Descriptor.Id)]);
        }

        // Locating reads the tree only, so it runs on every core too (tens of thousands of findings on a large file).
        var ordered = new (int Index, Finding Item)[findings.Count];
        Parallel.For(0, (findings.Count + LocateBatch - 1) / LocateBatch, batch =>
        {
            for (var i = batch * LocateBatch; i < Math.Min(findings.Count, (batch + 1) * LocateBatch); i++)
            {
                var finding = findings[i];
                ordered[i] = (i, finding.Location is null ? finding with { Location = locate(finding.Path) } : finding);
            }
        });

        // A stable sort (Array.Sort is not, hence the index): the most severe first, then in file order, then by rule.
        Array.Sort(ordered, CompareForReport);
        return new CheckResult([.. ordered.Select(o => o.Item)], notChecked, context.Profile);
    }

    private static int CompareForReport((int Index, Finding Item) a, (int Index, Finding Item) b)
    {
        var (x, y) = (a.Item, b.Item);
        // Compared as numbers: Enum.CompareTo boxes, once per comparison.
        var order = ((int)y.Severity).CompareTo((int)x.Severity);
        order = order != 0 ? order : (x.Location?.Line ?? 0).CompareTo(y.Location?.Line ?? 0);
        order = order != 0 ? order : (x.Location?.Column ?? 0).CompareTo(y.Location?.Column ?? 0);
        order = order != 0 ? order : string.CompareOrdinal(x.Rule, y.Rule);
        return order != 0 ? order : a.Index.CompareTo(b.Index);
    }

    private static IReadOnlyList<Finding> Evaluate(IRule rule, RuleContext context)
    {
        try
        {
            // Materialise inside the try: rules are lazy iterators and would otherwise fail outside it.
            return [.. rule.Evaluate(context)];
        }
#pragma warning disable CA1031 // One broken rule must not hide the findings of all the others.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return
            [
                new Finding
                {
                    Rule = rule.Descriptor.Id,
                    Severity = Severity.Error,
                    Path = "",
                    Message = $"internal error: the rule failed ({e.GetType().Name}: {e.Message}); please report it",
                },
            ];
        }
    }

    /// <param name="findings">Every finding of the run.</param>
    /// <param name="context">The environment, with its waivers.</param>
    /// <param name="unwaivable">The rules whose findings block deploys: no waiver covers them.</param>
    private static List<Finding> ApplyWaivers(List<Finding> findings, RuleContext context, HashSet<string> unwaivable)
    {
        var today = DateOnly.FromDateTime(context.Now.UtcDateTime);
        var active = context.Spec.Waivers.Where(w => w.Expires is null || w.Expires >= today).ToList();
        var used = new HashSet<WaiverSpec>(ReferenceEqualityComparer.Instance);
        var result = new List<Finding>(findings.Count);
        foreach (var finding in findings)
        {
            var waiver = unwaivable.Contains(finding.Rule) ? null : CoveringWaiver(active, finding);
            if (waiver is null)
            {
                result.Add(finding);
                continue;
            }

            used.Add(waiver);
            result.Add(finding with { Waived = true, WaiverReason = waiver.Reason });
        }

        var unused = new UnusedWaiverRule();
        result.AddRange(active.Where(w => !used.Contains(w)).Select(w => unused.ReportUnused(w, DeployBlockers.IsBlocking(w.Rule))));
        return result;
    }

    // A loop, not FirstOrDefault with a lambda: this runs once per finding, and a closure per finding adds up.
    private static WaiverSpec? CoveringWaiver(List<WaiverSpec> waivers, Finding finding)
    {
        foreach (var waiver in waivers)
        {
            if (Covers(waiver, finding))
            {
                return waiver;
            }
        }

        return null;
    }

    /// <summary>A waiver covers a finding of its rule at its target or anywhere below it.</summary>
    public static bool Covers(WaiverSpec waiver, Finding finding)
    {
        if (!string.Equals(waiver.Rule, finding.Rule, StringComparison.OrdinalIgnoreCase) || finding.Rule.StartsWith("WVR-", StringComparison.Ordinal))
        {
            return false;
        }

        var target = waiver.Target;
        if (target.Length == 0 || target == "*" || finding.Path == target)
        {
            return true;
        }

        return finding.Path.StartsWith(target, StringComparison.Ordinal) &&
               finding.Path.Length > target.Length &&
               finding.Path[target.Length] is '.' or '[';
    }
}
