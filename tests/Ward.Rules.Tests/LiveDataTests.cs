using Ward.Model.Spec;

namespace Ward.Rules.Tests;

/// <summary>IMG-002 and DNS-001 need a cluster and DNS: decided with a fake one, "not checked" without.</summary>
public sealed class LiveDataTests
{
    private static readonly FakeLiveFacts Cluster = new()
    {
        Images = { ["registry.example.org/clinic/web:1.4.2"] = 120_000_000, ["registry.example.org/clinic/ml:2.1.0"] = 1_800_000_000 },
        Dns = { ["app.example.org"] = ["203.0.113.10"], ["old.example.org"] = ["198.51.100.7"] },
    };

    [Theory]
    [InlineData("IMG-002")]
    [InlineData("DNS-001")]
    public void Without_a_cluster_the_rule_is_not_checked(string rule)
    {
        foreach (var file in new[] { "pass.yaml", "fail.yaml" })
        {
            var outcome = WardCheck.Run(Samples.PathOf(rule, file));
            Assert.DoesNotContain(outcome.Result.Findings, f => f.Rule == rule);
            var notChecked = Assert.Single(outcome.Result.NotChecked, n => n.Rule == rule);
            Assert.Equal(RuleCatalog.Find(rule)!.Descriptor.NeedsLiveData, notChecked.Reason);
        }
    }

    [Theory]
    [InlineData("IMG-002")]
    [InlineData("DNS-001")]
    public void With_a_cluster_the_rule_is_decided(string rule)
    {
        var pass = WardCheck.Run(Samples.PathOf(rule, "pass.yaml"), live: Cluster);
        var fail = WardCheck.Run(Samples.PathOf(rule, "fail.yaml"), live: Cluster);
        Assert.DoesNotContain(pass.Result.NotChecked, n => n.Rule == rule);
        Assert.DoesNotContain(pass.Result.Findings, f => f.Rule == rule);
        Assert.Contains(fail.Result.Findings, f => f.Rule == rule);
    }

    [Fact]
    public void An_oversized_image_is_named_with_its_size_and_the_budget()
    {
        var finding = Assert.Single(WardCheck.Run(Samples.PathOf("IMG-002", "fail.yaml"), live: Cluster).Result.Findings, f => f.Rule == "IMG-002");
        Assert.Equal("services.ml.image", finding.Path);
        Assert.Contains("1800 MB", finding.Message, StringComparison.Ordinal);
        Assert.Contains("500 MB", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_smaller_budget_is_an_option()
    {
        var options = new RuleOptions { ImageSizeBudgetBytes = 100_000_000 };
        var findings = WardCheck.Run(Samples.PathOf("IMG-002", "pass.yaml"), live: Cluster, options: options).Result.Findings;
        Assert.Contains(findings, f => f.Rule == "IMG-002" && f.Path == "services.web.image");
    }

    [Fact]
    public void A_domain_pointing_elsewhere_names_the_records_and_the_manager()
    {
        var findings = WardCheck.Run(Samples.PathOf("DNS-001", "fail.yaml"), live: Cluster).Result.Findings.Where(f => f.Rule == "DNS-001").ToList();
        var old = Assert.Single(findings, f => f.Path == "x-ward.domains[0].name");
        Assert.Contains("198.51.100.7", old.Message, StringComparison.Ordinal);
        Assert.Contains("203.0.113.10", old.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Staging_skips_DNS_001_rather_than_reporting_it_not_checked()
    {
        var outcome = WardCheck.Run(Samples.PathOf("DNS-001", "fail.yaml"), profile: EnvironmentKind.Staging);
        Assert.DoesNotContain(outcome.Result.NotChecked, n => n.Rule == "DNS-001");
        Assert.Contains(outcome.Result.NotChecked, n => n.Rule == "IMG-002");
    }
}
