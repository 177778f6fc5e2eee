using Ward.Model.Diagnostics;
using Ward.Model.Spec;

namespace Ward.Rules.Tests;

/// <summary>The staging profile relaxes production: production-only rules do not run, and PLC-001 only warns.</summary>
public sealed class ProfileTests
{
    private static readonly string Broken = Repository.PathOf("examples", "production-broken.yaml");

    private static bool IsProductionOnly(string rule) => RuleCatalog.Find(rule)?.Descriptor.Scope == RuleScope.ProductionOnly;

    [Fact]
    public void Production_only_rules_do_not_run_with_the_staging_profile()
    {
        var production = WardCheck.Run(Broken).Result;
        var staging = WardCheck.Run(Broken, profile: EnvironmentKind.Staging).Result;

        Assert.Equal(EnvironmentKind.Staging, staging.Profile);
        Assert.Contains(production.Findings, f => IsProductionOnly(f.Rule));
        Assert.DoesNotContain(staging.Findings, f => IsProductionOnly(f.Rule));
        Assert.DoesNotContain(staging.NotChecked, n => IsProductionOnly(n.Rule));

        // Rules for every environment still run.
        Assert.Contains(staging.Findings, f => f.Rule == "SEC-001");
    }

    [Fact]
    public void A_file_of_kind_staging_is_checked_as_staging_and_production_overrides_it()
    {
        var staging = Repository.PathOf("examples", "staging.yaml");
        var asWritten = WardCheck.Run(staging).Result;
        var asProduction = WardCheck.Run(staging, profile: EnvironmentKind.Production).Result;

        Assert.Equal(EnvironmentKind.Staging, asWritten.Profile);
        Assert.DoesNotContain(asWritten.Findings, f => IsProductionOnly(f.Rule));
        Assert.False(asWritten.HasErrors);
        Assert.Contains(asProduction.Findings, f => f.Rule == "NODE-002");
    }

    [Fact]
    public void PLC_001_is_an_error_in_production_and_a_warning_in_staging()
    {
        var file = Samples.PathOf("PLC-001", "fail.yaml");
        var production = WardCheck.Run(file, profile: EnvironmentKind.Production).Result.Findings.Where(f => f.Rule == "PLC-001").ToList();
        var staging = WardCheck.Run(file, profile: EnvironmentKind.Staging).Result.Findings.Where(f => f.Rule == "PLC-001").ToList();

        Assert.NotEmpty(production);
        Assert.All(production, f => Assert.Equal(Severity.Error, f.Severity));
        Assert.Equal(production.Select(f => f.Path), staging.Select(f => f.Path));
        Assert.All(staging, f => Assert.Equal(Severity.Warning, f.Severity));
    }

    [Fact]
    public void The_production_example_passes_and_the_broken_one_fails_every_MedStack_recommendation()
    {
        var good = WardCheck.Run(Repository.PathOf("examples", "production.yaml")).Result;
        Assert.Equal(0, good.Summary.Errors);
        Assert.Equal(0, good.Summary.Warnings);

        var broken = WardCheck.Run(Broken).Result;
        string[] medstack = ["NODE-001", "NODE-002", "NODE-003", "DB-001", "PLC-001", "PLC-002", "PLC-003", "STO-001", "SEC-001", "SEC-002", "SEC-004", "SWO-001", "DNS-002", "SWO-002"];
        Assert.All(medstack, rule => Assert.Contains(broken.Findings, f => f.Rule == rule));
    }
}
