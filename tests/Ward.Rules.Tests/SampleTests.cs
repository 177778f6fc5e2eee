namespace Ward.Rules.Tests;

/// <summary>
/// Every rule's samples, run through the wiring of <c>ward check</c> and compared with the golden files
/// (KICS-style positive/negative samples). A failing golden comparison prints both texts; when the change is
/// intended, run the tests with WARD_UPDATE_GOLDEN=1 and review the rewritten files by hand.
/// </summary>
/// <remarks>
/// CMP-002 (forbidden keys) and CMP-003 make the file unreadable: <c>ward check</c> then reports the reader's
/// diagnostics, whose code is the rule id, as its findings and checks nothing else. Their golden files therefore list
/// reader diagnostics; <see cref="ReaderRuleTests"/> asserts the same through the reader directly.
/// </remarks>
public sealed class SampleTests
{
    public static TheoryData<string, string> AllSamples()
    {
        var data = new TheoryData<string, string>();
        foreach (var (rule, file) in Samples.All())
        {
            data.Add(rule, file);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllSamples))]
    public void Sample_gives_the_expected_findings_of_its_rule(string rule, string file)
    {
        var outcome = Samples.Check(rule, file);
        var findings = Samples.FindingsOf(outcome, rule);
        Assert.DoesNotContain(outcome.Result.Findings, f => f.Message.StartsWith("internal error", StringComparison.Ordinal));

        if (!Samples.IsFailing(file))
        {
            Assert.True(findings.Count == 0, $"{rule}/{file} should give no {rule} finding:\n{Samples.Golden(findings)}");
            return;
        }

        Assert.True(findings.Count > 0, $"{rule}/{file} should give at least one {rule} finding");
        var actual = Samples.Golden(findings);
        var expectedPath = Samples.ExpectedPathOf(rule, file);
        if (Samples.Updating)
        {
            File.WriteAllText(expectedPath, actual);
        }

        Assert.True(File.Exists(expectedPath), $"{Repository.Display(expectedPath)} is missing; run with {Samples.UpdateVariable}=1 and review it");
        Assert.Equal(File.ReadAllText(expectedPath).ReplaceLineEndings("\n"), actual);
    }

    [Fact]
    public void Every_golden_file_belongs_to_a_failing_sample()
    {
        var orphans = Directory.EnumerateFiles(Samples.Folder, "*.expected.json", SearchOption.AllDirectories)
            .Where(f => !File.Exists(f.Replace(".expected.json", ".yaml", StringComparison.Ordinal)))
            .Select(Repository.Display)
            .ToList();
        Assert.Empty(orphans);
    }
}
