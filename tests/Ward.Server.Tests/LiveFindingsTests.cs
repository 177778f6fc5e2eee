using Ward.Server.Tests.Support;

namespace Ward.Server.Tests;

/// <summary>
/// The server's findings run the rules that need DNS, as ward check --live does: A records through the resolver the
/// server is given (Ward:DnsResolver), answered here by a real dnsmasq.
/// </summary>
public sealed class LiveFindingsTests
{
    private const string File = """
        version: "3.9"
        x-ward:
          environment: { name: shop, kind: staging }
          nodes:
            - { name: manager-1, role: manager, size: medium, address: 10.213.0.10 }
            - { name: worker-1, role: worker, size: large }
          domains:
            - { name: shop.example.org, service: web, port: 8080 }
        services:
          web:
            image: registry.example.org/web:1.0
            deploy:
              placement: { constraints: [ "node.role != manager" ] }
        """;

    [Fact]
    public async Task Findings_check_each_domain_through_the_configured_resolver()
    {
        using var dns = await TestDns.StartAsync(new Dictionary<string, string> { ["shop.example.org"] = "192.0.2.44" });
        await using var host = await WardHost.StartAsync(new HostOptions { Engine = new FakeSwarm(), Settings = [$"--Ward:DnsResolver={dns.Resolver}"] });
        var owner = await host.CreateOwnerAsync();
        await WardHost.RegisterAsync(owner, File);

        var report = (await owner.GetAsync("/api/v1/environments/shop/findings?profile=production").Expect(200)).Json!;
        Assert.DoesNotContain(report["notChecked"]!.AsArray(), n => n!["rule"]!.GetValue<string>() == "DNS-001");
        var finding = Assert.Single(report["findings"]!.AsArray(), f => f!["rule"]!.GetValue<string>() == "DNS-001")!;
        Assert.Equal("shop.example.org resolves to 192.0.2.44; every A record must be the manager's address (10.213.0.10)", finding["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Domains_are_listed_with_their_dns_when_the_engine_cannot_be_reached_and_say_why_the_balancer_is_unknown()
    {
        using var dns = await TestDns.StartAsync(new Dictionary<string, string> { ["shop.example.org"] = "10.213.0.10" });
        await using var host = await WardHost.StartAsync(new HostOptions { Settings = [$"--Ward:DnsResolver={dns.Resolver}"] });
        var owner = await host.CreateOwnerAsync();
        await WardHost.RegisterAsync(owner, File);
        await owner.PostAsync("/api/v1/environments/shop/domains/checks").Expect(204);

        var domain = Assert.Single((await owner.GetAsync("/api/v1/environments/shop/domains").Expect(200)).Json!.AsArray())!;
        Assert.Equal("shop.example.org", domain["name"]!.GetValue<string>());
        Assert.True(domain["pointsAtManager"]!.GetValue<bool>());
        Assert.Null(domain["served"]);
        Assert.StartsWith("the load balancer could not be asked: no Docker engine at ", domain["balancerUnknown"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_resolver_setting_that_is_not_an_address_stops_the_server_naming_it()
    {
        var failure = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            WardHost.StartAsync(new HostOptions { Settings = ["--Ward:DnsResolver=dns.example.org"] }));
        Assert.Contains("Ward:DnsResolver: the DNS resolver 'dns.example.org' is not an IP address", failure.Message, StringComparison.Ordinal);
    }
}
