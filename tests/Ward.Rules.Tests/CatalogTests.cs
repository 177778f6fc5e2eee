using System.Text.RegularExpressions;
using Ward.Model.Diagnostics;
using Ward.Rules.Reports;

namespace Ward.Rules.Tests;

/// <summary>The catalog itself: ids, documentation, samples for every rule, and docs/rules.md kept current.</summary>
public sealed partial class CatalogTests
{
    public static TheoryData<string> RuleIds()
    {
        var data = new TheoryData<string>();
        foreach (var rule in RuleCatalog.All)
        {
            data.Add(rule.Descriptor.Id);
        }

        return data;
    }

    [Fact]
    public void Ids_are_unique_and_well_formed()
    {
        var ids = RuleCatalog.All.Select(r => r.Descriptor.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(ids, id => Assert.Matches(IdPattern(), id));
    }

    [Fact]
    public void The_catalog_has_the_documented_rules()
    {
        // 60 catalog rules (CIS 7.2 and 7.6-7.9 grouped as CIS-7.X), two capacity rules on the placement simulator
        // (PLC-008, RES-005), three reader rules, two waiver rules, the eleven ENG rules (what the engine refuses), and
        // TLS-001 on the load balancer's certificates.
        Assert.Equal(79, RuleCatalog.All.Count);
        Assert.Equal(["CIS", "CMP", "CSEC", "DB", "DNS", "ENG", "IMG", "NET", "NODE", "PLC", "READ", "REL", "RES", "SEC", "STO", "SWO", "TLS", "WVR"], RuleCatalog.All.Select(r => r.Descriptor.Category).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_rules_that_block_deploys_are_the_engine_rules_and_what_docker_stack_deploy_refuses()
    {
        var blocking = RuleCatalog.All.Where(r => r.Descriptor.BlocksDeploy).Select(r => r.Descriptor.Id).ToList();
        Assert.Equal(["CMP-002", "ENG-001", "ENG-002", "ENG-003", "ENG-004", "ENG-005", "ENG-006", "ENG-007", "ENG-008", "ENG-009", "ENG-010", "ENG-011", "SEC-005", "STO-005"], blocking);
        Assert.All(RuleCatalog.All.Where(r => r.Descriptor.Category == "ENG"), r => Assert.True(r.Descriptor.BlocksDeploy, r.Descriptor.Id));
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void A_blocking_rule_reports_errors_in_every_environment_from_the_file_alone(string id)
    {
        // A deploy must be able to count on it: never skipped by the staging profile or for want of a live cluster.
        var rule = RuleCatalog.Find(id)!.Descriptor;
        if (rule.BlocksDeploy)
        {
            Assert.Equal((Severity.Error, RuleScope.All, RuleKind.Auto, null), (rule.Severity, rule.Scope, rule.Kind, rule.NeedsLiveData));
        }
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Rule_is_documented(string id)
    {
        var rule = RuleCatalog.Find(id)!.Descriptor;
        Assert.False(string.IsNullOrWhiteSpace(rule.Title), $"{id} has no title");
        Assert.False(string.IsNullOrWhiteSpace(rule.Why), $"{id} has no why");
        Assert.False(string.IsNullOrWhiteSpace(rule.Fix), $"{id} has no fix");
        Assert.False(string.IsNullOrWhiteSpace(rule.Source), $"{id} has no source");
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Rule_has_a_passing_and_a_failing_sample_that_behave(string id)
    {
        var folder = Path.Combine(Samples.Folder, id);
        Assert.True(File.Exists(Path.Combine(folder, "pass.yaml")), $"Samples/{id}/pass.yaml is missing");
        Assert.True(File.Exists(Path.Combine(folder, "fail.yaml")), $"Samples/{id}/fail.yaml is missing");
        foreach (var (rule, file) in Samples.All().Where(s => s.Rule == id))
        {
            var findings = Samples.FindingsOf(Samples.Check(rule, file), rule);
            if (Samples.IsFailing(file))
            {
                Assert.True(findings.Count > 0, $"Samples/{id}/{file} gives no {id} finding");
            }
            else
            {
                Assert.True(findings.Count == 0, $"Samples/{id}/{file} gives {findings.Count} {id} finding(s): {string.Join("; ", findings.Select(f => f.Message))}");
            }
        }
    }

    [Fact]
    public void Every_sample_folder_names_a_rule()
    {
        var unknown = Directory.EnumerateDirectories(Samples.Folder).Select(Path.GetFileName).Where(n => RuleCatalog.Find(n!) is null).ToList();
        Assert.Empty(unknown);
    }

    [Fact]
    public void Rules_md_is_what_ward_rules_generates()
    {
        var path = Repository.PathOf("docs", "rules.md");
        var generated = RuleDocs.Markdown(RuleCatalog.All);
        if (Samples.Updating)
        {
            File.WriteAllText(path, generated);
        }

        Assert.True(File.Exists(path), "docs/rules.md is missing: run ward rules --format markdown > docs/rules.md");
        Assert.True(File.ReadAllText(path).ReplaceLineEndings("\n") == generated, "docs/rules.md is stale: run ward rules --format markdown > docs/rules.md");
    }

    // CAT-NNN (NODE-001, CSEC-003, ...) or a CIS section 7 item (CIS-7.5, CIS-7.X for the grouped ones).
    [GeneratedRegex(@"^([A-Z]{2,4}-\d{3}|CIS-7\.([0-9]|X))$")]
    private static partial Regex IdPattern();
}
