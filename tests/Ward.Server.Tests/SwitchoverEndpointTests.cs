using System.Globalization;
using System.Text.Json.Nodes;
using Ward.Deploying.Databases;
using Ward.Engine.Ports;
using Ward.Server.Tests.Support;

namespace Ward.Server.Tests;

/// <summary>
/// GET /api/v1/environments/{name}/switchover/plan: the gates as ward switchover plan judges them, with the DNS history
/// the server keeps (since when each domain has pointed at the manager) and the rehearsals the swarm records; the
/// thresholds come from Ward:Switchover (a test shortens the 48 hours).
/// </summary>
public sealed class SwitchoverEndpointTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow.AddDays(3);

    private static string File(bool switchover = true) => $$"""
        version: "3.9"
        x-ward:
          environment: { name: clinic, kind: staging }
          nodes:
            - { name: manager-1, role: manager, size: medium, address: 10.213.0.10 }
          databases:
            - { name: records, engine: postgres, version: "15", tier: basic-1 }
          domains:
            - { name: app.clinic.example.org, service: web, port: 8080 }
        {{(switchover ? $"  switchover:\n    window: {{ start: {Time(Start)}, end: {Time(Start.AddHours(3))} }}\n    rollback_plan: \"repoint to 198.51.100.7\"\n" : "")}}
        services:
          web:
            image: registry.example.org/web:1.0
        """;

    [Fact]
    public async Task The_plan_judges_dns_from_what_the_server_observed_and_rehearsals_from_the_swarm()
    {
        using var dns = await TestDns.StartAsync(new Dictionary<string, string> { ["app.clinic.example.org"] = "10.213.0.10" });
        var swarm = new FakeSwarm();
        await RecordAsync(swarm, DateTimeOffset.UtcNow.AddHours(-2));
        await using var host = await WardHost.StartAsync(new HostOptions { Engine = swarm, Settings = [$"--Ward:DnsResolver={dns.Resolver}", "--Ward:Switchover:DomainLeadTime=00:00:00"] });
        var owner = await host.CreateOwnerAsync();
        await WardHost.RegisterAsync(owner, File());

        // Before the server has looked, the domain's history is empty: the gate says so, it does not guess.
        var before = (await owner.GetAsync("/api/v1/environments/clinic/switchover/plan").Expect(200)).Json!;
        Assert.Contains("the server has not recorded it yet", Gate(before, "dns:app.clinic.example.org")["observed"]!.GetValue<string>(), StringComparison.Ordinal);

        await owner.PostAsync("/api/v1/environments/clinic/domains/checks").Expect(204);
        var plan = (await owner.GetAsync("/api/v1/environments/clinic/switchover/plan").Expect(200)).Json!;

        Assert.False(plan["ready"]!.GetValue<bool>());
        var domain = Gate(plan, "dns:app.clinic.example.org");
        Assert.True(domain["passed"]!.GetValue<bool>(), domain.ToJsonString());
        Assert.Contains("(observed by Ward)", domain["observed"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(Gate(plan, "rehearsal:records")["passed"]!.GetValue<bool>());
        Assert.False(Gate(plan, "window")["passed"]!.GetValue<bool>());
        Assert.False(Gate(plan, "swarm-backup")["passed"]!.GetValue<bool>());
        Assert.Equal("repoint to 198.51.100.7", plan["rollbackPlan"]!.GetValue<string>());
        Assert.Equal(6, plan["steps"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_file_without_a_switchover_is_a_bad_request_and_an_unknown_environment_is_not_found()
    {
        await using var host = await WardHost.StartAsync(new HostOptions { Engine = new FakeSwarm() });
        var owner = await host.CreateOwnerAsync();
        await WardHost.RegisterAsync(owner, File(switchover: false));

        var problem = await owner.GetAsync("/api/v1/environments/clinic/switchover/plan").Expect(400, "no_switchover");
        Assert.StartsWith("clinic has no switchover section", problem.Json!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await owner.GetAsync("/api/v1/environments/nowhere/switchover/plan").Expect(404, "environment_not_found");
    }

    [Fact]
    public async Task Without_a_swarm_to_observe_the_gates_the_plan_is_unavailable()
    {
        await using var host = await WardHost.StartAsync(new HostOptions());
        var owner = await host.CreateOwnerAsync();
        await WardHost.RegisterAsync(owner, File());

        await owner.GetAsync("/api/v1/environments/clinic/switchover/plan").Expect(503, "engine_unavailable");
    }

    private static JsonNode Gate(JsonNode plan, string id) => plan["gates"]!.AsArray().Single(g => g!["id"]!.GetValue<string>() == id)!;

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static Task RecordAsync(FakeSwarm swarm, DateTimeOffset at)
    {
        var record = new RehearsalRecord("clinic", "records", at, "owner", "legacy@db.example.org:5432/records", true, null, null,
            1_000_000, 400_000, 3, 1200, new Dictionary<string, double> { ["dump"] = 40, ["restore"] = 60 }, 110, 9.8);
        return swarm.CreateAsync(ObjectKind.Config, Rehearsals.RecordSpec(record, "test"), TestContext.Current.CancellationToken);
    }
}
