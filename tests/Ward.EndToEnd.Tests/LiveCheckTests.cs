using System.Text.Json;
using Ward.EndToEnd.Tests.Support;

namespace Ward.EndToEnd.Tests;

/// <summary>
/// ward check --live on the local cluster: the rules that need the cluster and DNS run, with image sizes from the
/// nodes (IMG-002) and A records from a real resolver (DNS-001, answered by a local dnsmasq).
/// </summary>
public sealed class LiveCheckTests
{
    private const string Clinic = "examples/clinic/production.yaml";

    [Fact]
    public async Task The_clinic_checked_live_runs_DNS_001_and_IMG_002_and_passes_when_its_domain_points_at_the_manager()
    {
        using var swarm = await LocalSwarm.RequireAsync(TestContext.Current.CancellationToken);
        using var dns = await TestDns.StartAsync(new Dictionary<string, string> { ["clinic.example.org"] = "10.213.0.10" });
        var result = await WardProcess.RunAsync("check", Clinic, "--live", "--resolver", dns.Resolver, "--format", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var report = JsonDocument.Parse(result.Stdout);
        var notChecked = report.RootElement.GetProperty("notChecked").EnumerateArray().Select(n => n.GetProperty("rule").GetString()).ToList();
        Assert.DoesNotContain("DNS-001", notChecked);
        Assert.DoesNotContain("IMG-002", notChecked);
        Assert.DoesNotContain(Rules(report), r => r is "DNS-001" or "IMG-002");
        Assert.Contains("4 image size(s) from the cluster (largest clinic/postgres:15.20", result.Stderr, StringComparison.Ordinal);
        Assert.Contains($"1 domain(s) resolved through {dns.Resolver}", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_domain_that_points_elsewhere_is_an_error_naming_the_address_it_resolves_to()
    {
        using var swarm = await LocalSwarm.RequireAsync(TestContext.Current.CancellationToken);
        using var dns = await TestDns.StartAsync(new Dictionary<string, string> { ["clinic.example.org"] = "192.0.2.7" });
        var result = await WardProcess.RunAsync("check", Clinic, "--live", "--resolver", dns.Resolver, "--format", "json");

        Assert.True(result.ExitCode == 1, result.ToString());
        using var report = JsonDocument.Parse(result.Stdout);
        var finding = report.RootElement.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("rule").GetString() == "DNS-001");
        Assert.Equal("clinic.example.org resolves to 192.0.2.7; every A record must be the manager's address (10.213.0.10)", finding.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Without_live_the_rules_that_need_the_cluster_say_they_were_not_checked()
    {
        var result = await WardProcess.RunAsync("check", Clinic, "--format", "json");
        using var report = JsonDocument.Parse(result.Stdout);
        var notChecked = report.RootElement.GetProperty("notChecked").EnumerateArray().Select(n => n.GetProperty("rule").GetString()).ToList();
        Assert.Contains("DNS-001", notChecked);
        Assert.Contains("IMG-002", notChecked);
    }

    [Fact]
    public async Task A_resolver_that_is_not_an_address_is_refused_with_exit_2()
    {
        var result = await WardProcess.RunAsync("check", Clinic, "--live", "--resolver", "dns.example.org");
        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("the DNS resolver 'dns.example.org' is not an IP address with an optional port", result.Stderr, StringComparison.Ordinal);
    }

    private static List<string?> Rules(JsonDocument report) =>
        [.. report.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("rule").GetString())];
}
