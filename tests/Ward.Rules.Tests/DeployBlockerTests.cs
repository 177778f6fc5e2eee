using Ward.Model.Diagnostics;
using Ward.Model.Spec;

namespace Ward.Rules.Tests;

/// <summary>
/// What the engine would refuse is found before a deploy creates anything, reported together, and cannot be waived:
/// DeployBlockers.Find is what the deploy core calls on the check it ran.
/// </summary>
public sealed class DeployBlockerTests
{
    // One file with a problem of each kind the engine refuses, in a staging environment (no production gate).
    private const string Refused = """
        version: "3.9"
        x-ward:
          environment: { name: blockers, kind: staging }
          waivers:
            - { rule: ENG-003, target: services.web, reason: "we know better", expires: 2027-01-31 }
        services:
          web:
            image: "clinic/web:"
            volumes: [ "data:/data", "/srv/cache:/data" ]
            healthcheck: { test: [ "CMD", "true" ], interval: 100us }
            deploy:
              restart_policy: { condition: always }
              placement: { constraints: [ "node.role=worker" ] }
          api.v2:
            image: clinic/api:2.0.0
            ports: [ "8080:80", "8080:81" ]
        volumes:
          data: {}
        """;

    [Fact]
    public void Every_refusal_of_the_file_is_found_at_once_as_a_blocking_error()
    {
        var result = WardCheck.RunText(Refused).Result;
        var blockers = DeployBlockers.Find(result);

        Assert.Equal(
            ["ENG-001", "ENG-002", "ENG-003", "ENG-004", "ENG-005", "ENG-006", "ENG-008"],
            blockers.Select(f => f.Rule).Distinct().Order(StringComparer.Ordinal));
        Assert.All(blockers, f => Assert.Equal((Severity.Error, false), (f.Severity, f.Waived)));
        Assert.Equal(result.Findings.Where(f => DeployBlockers.IsBlocking(f.Rule)), blockers);
    }

    [Fact]
    public void A_waiver_cannot_hide_a_blocking_finding_and_says_so()
    {
        var result = WardCheck.RunText(Refused).Result;

        var duplicate = Assert.Single(result.Findings, f => f.Rule == "ENG-003");
        Assert.False(duplicate.Waived);
        var unused = Assert.Single(result.Findings, f => f.Rule == "WVR-002");
        Assert.Contains("cannot cover anything: ENG-003 findings block every deploy", unused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_production_example_has_no_blocker_and_readiness_errors_are_not_blockers()
    {
        Assert.Empty(DeployBlockers.Find(WardCheck.Run(Repository.PathOf("examples", "production.yaml")).Result));

        // The broken example fails many readiness rules; only its undeclared secret would stop a deploy.
        var broken = WardCheck.Run(Repository.PathOf("examples", "production-broken.yaml")).Result;
        Assert.True(broken.Summary.Errors > 10);
        Assert.Equal([("CMP-002", "services.api.secrets[1]")], DeployBlockers.Find(broken).Select(f => (f.Rule, f.Path)));
    }

    [Fact]
    public void Blocking_findings_are_reported_in_staging_too()
    {
        var staging = WardCheck.RunText(Refused, profile: EnvironmentKind.Staging).Result;
        var production = WardCheck.RunText(Refused, profile: EnvironmentKind.Production).Result;
        Assert.Equal(DeployBlockers.Find(production).Select(f => f.Path), DeployBlockers.Find(staging).Select(f => f.Path));
    }
}
