namespace Ward.Rules.Tests;

/// <summary>
/// SWO-001 judges what Ward observed (the rehearsals it ran and recorded) over what the file claims; the claim is
/// judged only when nothing observed can be, and is always reported as a claim.
/// </summary>
public sealed class RestoreRehearsalRuleTests
{
    private const string Claimed = """
        version: "3.9"
        x-ward:
          environment: { name: sample, kind: production }
          databases:
            - { name: records, engine: postgres, version: "15", tier: general-purpose-2 }
          switchover:
            window: { start: 2026-12-05T02:00:00Z, end: 2026-12-05T05:00:00Z }
            restore_rehearsal: { at: 2026-11-26T10:00:00Z, passed: true }
        services:
          web:
            image: registry.example.org/clinic/web:1.4.2
        """;

    private static ObservedRehearsal Rehearsal(string at, bool verified, double seconds = 600) =>
        new(DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture), "clinic@legacy:5432/records", verified, verified ? null : "table visits: 4 rows missing", 1_000_000_000, seconds);

    private static List<Finding> Swo001(string yaml, ILiveFacts? live) =>
        [.. WardCheck.RunText(yaml, live: live).Result.Findings.Where(f => f.Rule == "SWO-001")];

    [Fact]
    public void Offline_a_passing_claim_is_only_reported_as_declared_not_observed()
    {
        var finding = Assert.Single(Swo001(Claimed, null));
        Assert.Equal(Model.Diagnostics.Severity.Info, finding.Severity);
        Assert.Contains("declared in the file, not observed", finding.Message);
    }

    [Fact]
    public void Connected_the_claim_does_not_stand_in_for_a_rehearsal_Ward_has_not_recorded()
    {
        var findings = Swo001(Claimed, new FakeLiveFacts { RecordedRehearsals = [] });
        var error = Assert.Single(findings, f => f.Severity == Model.Diagnostics.Severity.Error);
        Assert.Contains("Ward has recorded no migration rehearsal of database records", error.Message);
        Assert.Contains("ward db rehearse sample records --from", error.Message);
        Assert.Contains(findings, f => f.Severity == Model.Diagnostics.Severity.Info && f.Message.Contains("Ward judged the rehearsals it recorded instead", StringComparison.Ordinal));
    }

    [Fact]
    public void The_newest_recorded_rehearsal_before_the_window_counts_and_a_later_one_does_not()
    {
        // Verified the day before, failed after the window started: the failure is not before the switchover.
        var live = new FakeLiveFacts { RecordedRehearsals = new() { ["records"] = [Rehearsal("2026-12-06T10:00:00Z", false), Rehearsal("2026-11-26T10:00:00Z", true)] } };
        Assert.DoesNotContain(Swo001(Claimed, live), f => f.Severity > Model.Diagnostics.Severity.Info);

        var failedLast = new FakeLiveFacts { RecordedRehearsals = new() { ["records"] = [Rehearsal("2026-11-26T12:00:00Z", false), Rehearsal("2026-11-26T10:00:00Z", true)] } };
        var error = Assert.Single(Swo001(Claimed, failedLast), f => f.Severity == Model.Diagnostics.Severity.Error);
        Assert.Contains("did not verify: table visits: 4 rows missing", error.Message);
    }

    [Fact]
    public void A_rehearsal_that_takes_more_than_half_the_window_warns_with_the_figures()
    {
        var live = new FakeLiveFacts { RecordedRehearsals = new() { ["records"] = [Rehearsal("2026-11-26T10:00:00Z", true, seconds: 5_500)] } };
        var warning = Assert.Single(Swo001(Claimed, live), f => f.Severity == Model.Diagnostics.Severity.Warning);
        Assert.Contains("took 1.5 h when rehearsed", warning.Message);
        Assert.Contains("the 3 h window leaves 1.5 h", warning.Message);

        var fits = new FakeLiveFacts { RecordedRehearsals = new() { ["records"] = [Rehearsal("2026-11-26T10:00:00Z", true, seconds: 5_400)] } };
        Assert.DoesNotContain(Swo001(Claimed, fits), f => f.Severity == Model.Diagnostics.Severity.Warning);
    }

    [Fact]
    public void Once_the_window_has_ended_no_rehearsal_is_asked_for_until_a_new_window_is_planned()
    {
        var ended = Claimed.Replace("2026-12-05T02:00:00Z, end: 2026-12-05T05:00:00Z", "2026-11-20T02:00:00Z, end: 2026-11-20T05:00:00Z", StringComparison.Ordinal);
        Assert.DoesNotContain(Swo001(ended, new FakeLiveFacts { RecordedRehearsals = [] }), f => f.Severity > Model.Diagnostics.Severity.Info);
        Assert.Contains(WardCheck.RunText(ended).Result.Findings, f => f.Rule == "SWO-002" && f.Message.Contains("record the outcome or plan a new window", StringComparison.Ordinal));
    }
}
