using Ward.Model.Diagnostics;

namespace Ward.Rules.Tests;

/// <summary>Waivers in x-ward.waivers: a reason, a target path (with everything below it), an expiry, and --no-waivers.</summary>
public sealed class WaiverTests
{
    // worker and worker2 each run one replica (REL-001) and use a moving tag (IMG-001, an error).
    private static string Environment(string waivers) => $$"""
        version: "3.9"
        x-ward:
          environment: { name: waivers, kind: production }
          nodes:
            - { name: manager-1, role: manager, size: medium, address: 203.0.113.10 }
            - { name: worker-1, role: worker, size: large }
            - { name: worker-2, role: worker, size: large }
          waivers:
        {{waivers}}
        services:
          worker:
            image: registry.example.org/clinic/worker:latest
          worker2:
            image: registry.example.org/clinic/worker:latest
        """;

    private const string NoWaivers = "    []";

    [Fact]
    public void A_waiver_hides_its_finding_and_keeps_the_reason()
    {
        var without = WardCheck.RunText(Environment(NoWaivers)).Result;
        var with = WardCheck.RunText(Environment("""    - { rule: IMG-001, target: services.worker.image, reason: "pinned by digest at deploy time", expires: 2027-01-31 }""")).Result;

        var waived = Assert.Single(with.Findings, f => f.Waived);
        Assert.Equal(("IMG-001", "services.worker.image", "pinned by digest at deploy time"), (waived.Rule, waived.Path, waived.WaiverReason));
        Assert.Equal(Severity.Error, waived.Severity);
        Assert.Equal(without.Summary.Errors - 1, with.Summary.Errors);
        Assert.Equal((0, 1), (without.Summary.Waived, with.Summary.Waived));
        Assert.DoesNotContain(with.Findings, f => f.Rule.StartsWith("WVR-", StringComparison.Ordinal));
    }

    [Fact]
    public void A_waiver_covers_its_target_and_everything_below_it_but_not_a_sibling_with_a_longer_name()
    {
        var result = WardCheck.RunText(Environment("""    - { rule: REL-001, target: services.worker, reason: "a single consumer by design" }""")).Result;
        var replicas = result.Findings.Where(f => f.Rule == "REL-001").ToDictionary(f => f.Path);
        Assert.True(replicas["services.worker.deploy.replicas"].Waived);
        Assert.False(replicas["services.worker2.deploy.replicas"].Waived);
    }

    [Theory]
    [InlineData("services.worker", "services.worker.deploy.replicas", true)]
    [InlineData("services.worker", "services.worker", true)]
    [InlineData("services.worker", "services.worker.volumes[0]", true)]
    [InlineData("services.worker.volumes", "services.worker.volumes[1]", true)]
    [InlineData("services.worker", "services.worker2.deploy.replicas", false)]
    [InlineData("services.worker", "services.work", false)]
    [InlineData("services.worker.deploy", "services.worker", false)]
    [InlineData("", "services.anything", true)]
    [InlineData("*", "x-ward.nodes", true)]
    public void Target_matching(string target, string path, bool covers)
    {
        var waiver = new Model.Spec.WaiverSpec { Rule = "REL-001", Target = target, Reason = "r" };
        var finding = new Finding { Rule = "REL-001", Severity = Severity.Warning, Path = path, Message = "m" };
        Assert.Equal(covers, Checker.Covers(waiver, finding));
    }

    [Fact]
    public void A_waiver_names_one_rule_in_any_case_and_never_covers_waiver_findings()
    {
        var waiver = new Model.Spec.WaiverSpec { Rule = "rel-001", Target = "*", Reason = "r" };
        Assert.True(Checker.Covers(waiver, new Finding { Rule = "REL-001", Severity = Severity.Warning, Path = "services.a", Message = "m" }));
        Assert.False(Checker.Covers(waiver, new Finding { Rule = "REL-002", Severity = Severity.Warning, Path = "services.a", Message = "m" }));
        Assert.False(Checker.Covers(waiver with { Rule = "WVR-002" }, new Finding { Rule = "WVR-002", Severity = Severity.Info, Path = "x-ward.waivers[0]", Message = "m" }));
    }

    [Fact]
    public void An_expired_waiver_does_not_apply_and_is_reported()
    {
        var result = WardCheck.RunText(Environment("""    - { rule: REL-001, target: services.worker, reason: "a single consumer by design", expires: 2026-11-26 }""")).Result;
        Assert.False(Assert.Single(result.Findings, f => f.Path == "services.worker.deploy.replicas").Waived);
        var expired = Assert.Single(result.Findings, f => f.Rule == "WVR-001");
        Assert.Equal(("x-ward.waivers[0]", Severity.Warning), (expired.Path, expired.Severity));
        Assert.Contains("2026-11-26", expired.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Findings, f => f.Rule == "WVR-002");
        Assert.Equal(0, result.Summary.Waived);
    }

    [Fact]
    public void A_waiver_that_expires_today_still_applies()
    {
        var result = WardCheck.RunText(Environment("""    - { rule: REL-001, target: services.worker, reason: "until the end of today", expires: 2026-11-27 }""")).Result;
        Assert.True(Assert.Single(result.Findings, f => f.Path == "services.worker.deploy.replicas").Waived);
        Assert.DoesNotContain(result.Findings, f => f.Rule == "WVR-001");
    }

    [Fact]
    public void An_unused_waiver_is_reported()
    {
        var result = WardCheck.RunText(Environment("""
                - { rule: REL-001, target: services.worker, reason: "a single consumer by design" }
                - { rule: IMG-004, target: services.wroker, reason: "a typo in the target" }
            """)).Result;
        var unused = Assert.Single(result.Findings, f => f.Rule == "WVR-002");
        Assert.Equal(("x-ward.waivers[1]", Severity.Info, false), (unused.Path, unused.Severity, unused.Waived));
        Assert.NotNull(unused.Location);
    }

    [Fact]
    public void No_waivers_ignores_every_waiver_and_reports_none_of_them()
    {
        var yaml = Environment("""
                - { rule: REL-001, target: services.worker, reason: "a single consumer by design" }
                - { rule: IMG-001, target: services, reason: "expired", expires: 2026-01-01 }
                - { rule: IMG-004, target: services.nothing, reason: "unused" }
            """);
        var waived = WardCheck.RunText(yaml).Result;
        var all = WardCheck.RunText(yaml, useWaivers: false).Result;

        Assert.Contains(waived.Findings, f => f.Waived);
        Assert.Contains(waived.Findings, f => f.Rule == "WVR-001");
        Assert.Contains(waived.Findings, f => f.Rule == "WVR-002");
        Assert.DoesNotContain(all.Findings, f => f.Waived || f.WaiverReason is not null);
        Assert.DoesNotContain(all.Findings, f => f.Rule.StartsWith("WVR-", StringComparison.Ordinal));
        Assert.Equal(0, all.Summary.Waived);
        Assert.Equal(waived.Findings.Count(f => !f.Rule.StartsWith("WVR-", StringComparison.Ordinal)), all.Findings.Count);
    }
}
