using Ward.Model.Diagnostics;

namespace Ward.Rules.Tests;

/// <summary>
/// Rules whose findings the reader makes (CMP-001/002/003, READ-001/002/003). When the finding makes the file
/// unreadable (CMP-002 forbidden keys, CMP-003), there is no rule context at all: the reader's diagnostic, with the
/// rule's id as its code, is what <c>ward check</c> reports, so these tests assert the diagnostic itself.
/// </summary>
public sealed class ReaderRuleTests
{
    [Fact]
    public void Forbidden_keys_make_the_file_unreadable_with_CMP_002_diagnostics()
    {
        var outcome = Samples.Check("CMP-002", "fail-forbidden.yaml");
        Assert.Null(outcome.Read.Spec);
        Assert.False(outcome.Report.Readable);
        var blocking = outcome.Read.Diagnostics.Where(d => d.BlocksReading).ToList();
        Assert.Equal(["services.web.mem_limit", "services.sidecar.volumes_from"], blocking.Select(d => d.Path));
        Assert.All(blocking, d => Assert.Equal(("CMP-002", Severity.Error), (d.Code, d.Severity)));
    }

    [Fact]
    public void Keys_newer_than_the_version_make_the_file_unreadable_with_CMP_003_diagnostics()
    {
        var outcome = Samples.Check("CMP-003", "fail.yaml");
        Assert.Null(outcome.Read.Spec);
        Assert.Contains(outcome.Read.Diagnostics, d => d.Code == "CMP-003" && d.Path == "services.web.deploy.placement.max_replicas_per_node" && d.BlocksReading);
        Assert.Contains(outcome.Read.Diagnostics, d => d.Code == "CMP-003" && d.Path == "services.web.deploy.rollback_config");
        Assert.Contains(outcome.Read.Diagnostics, d => d.Code == "CMP-003" && d.Path == "services.web.deploy.update_config.order");
    }

    [Fact]
    public void Deploy_blockers_that_read_are_CMP_002_findings_next_to_the_others()
    {
        var outcome = Samples.Check("CMP-002", "fail.yaml");
        Assert.NotNull(outcome.Read.Spec);
        var blocker = Assert.Single(outcome.Read.Diagnostics, d => d.Code == "CMP-002");
        Assert.False(blocker.BlocksReading);
        Assert.Contains(outcome.Result.Findings, f => f.Rule == "CMP-002" && f.Path == blocker.Path && f.Location == blocker.Location);

        // The file reads, so every other rule ran too.
        Assert.Contains(outcome.Result.Findings, f => f.Rule == "REL-001");
    }

    [Theory]
    [InlineData("CMP-001", "fail.yaml")]
    [InlineData("READ-001", "fail.yaml")]
    [InlineData("READ-002", "fail.yaml")]
    [InlineData("READ-003", "fail.yaml")]
    public void Reader_warnings_become_findings_of_their_rule(string rule, string file)
    {
        var outcome = Samples.Check(rule, file);
        var diagnostics = outcome.Read.Diagnostics.Where(d => d.Code == rule).ToList();
        Assert.NotEmpty(diagnostics);
        var findings = outcome.Result.Findings.Where(f => f.Rule == rule).ToList();
        Assert.Equal(
            diagnostics.Select(d => $"{d.Path} {d.Severity} {d.Location}").Order(StringComparer.Ordinal),
            findings.Select(f => $"{f.Path} {f.Severity} {f.Location}").Order(StringComparer.Ordinal));
    }
}
