using System.Text.Json.Nodes;
using Ward.Deploying;
using Ward.Deploying.Balancing;
using Ward.Engine.Applying;
using Ward.Engine.Balancing;
using Ward.Engine.Planning;
using Ward.Engine.Ports;
using Ward.Engine.Tests.Deploying;

namespace Ward.Engine.Tests.Balancing;

/// <summary>
/// The load balancer as an apply makes it: its service added to an environment with domains, its routes sent to the
/// running task after convergence, ACME orders only for domains ready for them, and routes changed without a restart.
/// </summary>
public sealed class LoadBalancerSyncTests : IDisposable
{
    private readonly CoreWorld _world = new();
    private readonly FakeBalancer _balancer = new();
    private readonly FakeDns _dns = new();
    private readonly FakeProbe _probe = new();

    public LoadBalancerSyncTests()
    {
        _balancer.Attach(_world.Engine);
        _world.Images.Ids["clinic/web:1.0"] = "sha256:" + new string('a', 64);
        _world.Images.Ids["clinic/api:1.0"] = "sha256:" + new string('b', 64);
        _world.Images.Ids[LoadBalancerService.Image] = "sha256:" + new string('c', 64);
    }

    public void Dispose() => _world.Dispose();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static string File(string kind = "production", string domains = "    - { name: shop.example.org, service: web, port: 8080 }") => $$"""
        version: "3.9"
        x-ward:
          environment: { name: shop, kind: {{kind}} }
          nodes:
            - { name: manager-1, role: manager, size: medium, address: 10.0.0.10 }
            - { name: worker-1, role: worker, size: large }
          domains:
        {{domains}}
        services:
          web:
            image: clinic/web:1.0
            networks: [ front ]
          api:
            image: clinic/api:1.0
            networks: [ back ]
        networks:
          front: {}
          back: {}
        """;

    private Deployer Deployer() => new(_world.Engine, _world.Images, TimeProvider.System, new LockHolder("test-host", 1000), _ => true, new LoadBalancerSync(_world.Engine, _dns, _probe));

    private Task<DeployResult> ApplyAsync(string file) => Deployer().ApplyAsync(_world.Load(file), CoreWorld.Quick(force: true), new RecordingObserver(), Token);

    private JsonObject LiveConfig => JsonNode.Parse(_balancer.Config!)!.AsObject();

    [Fact]
    public async Task An_environment_with_domains_gets_a_load_balancer_on_the_manager_on_the_routed_services_networks_only()
    {
        var result = await ApplyAsync(File());
        Assert.Equal(DeployStatus.Converged, result.Status);
        var service = _world.Engine.Object(ObjectKind.Service, "shop_ward-lb");
        Assert.Equal("node.role == manager", service.Spec["TaskTemplate"]!["Placement"]!["Constraints"]![0]!.GetValue<string>());
        var front = _world.Engine.Object(ObjectKind.Network, "shop_front").Id;
        Assert.Equal([front], service.Spec["TaskTemplate"]!["Networks"]!.AsArray().Select(n => n!["Target"]!.GetValue<string>()));
        var ports = service.Spec["EndpointSpec"]!["Ports"]!.AsArray();
        Assert.All(ports, p => Assert.Equal("host", p!["PublishMode"]!.GetValue<string>()));
        Assert.Equal([80, 443], ports.Select(p => p!["PublishedPort"]!.GetValue<int>()));
        Assert.Equal("load-balancer", service.Labels[LoadBalancerService.PlatformLabel]);
        var task = _world.Engine.Tasks.Single(t => t.ServiceId == service.Id);
        Assert.Equal(_world.Engine.Nodes.Single(n => n.Role == "manager").Id, task.NodeId);
    }

    [Fact]
    public async Task An_environment_without_domains_gets_none()
    {
        await ApplyAsync(File(domains: "    []").Replace("  domains:\n    []\n", "", StringComparison.Ordinal));
        Assert.DoesNotContain(_world.Engine.Objects, o => o.Name == "shop_ward-lb");
        Assert.Empty(_world.Engine.Execs);
    }

    [Fact]
    public async Task A_production_domain_whose_record_points_elsewhere_is_served_over_http_and_nothing_is_ordered()
    {
        _dns.Records["shop.example.org"] = ["192.0.2.7"];
        var result = await ApplyAsync(File());
        Assert.Equal(DeployStatus.Converged, result.Status);
        var route = Assert.Single(result.Routes!.Routes);
        Assert.Equal(RouteTls.WaitingForDns, route.Tls);
        Assert.Contains("shop.example.org resolves to 192.0.2.7, not only the manager's 10.0.0.10", route.Note, StringComparison.Ordinal);
        Assert.Empty(LiveConfig["apps"]!["tls"]!["automation"]!["policies"]!.AsArray());
        Assert.Empty(_probe.Asked);
    }

    [Fact]
    public async Task A_production_domain_pointing_at_the_manager_whose_probe_answers_there_gets_an_acme_order()
    {
        _dns.Records["shop.example.org"] = ["10.0.0.10"];
        _probe.Answering.Add("shop.example.org");
        var result = await ApplyAsync(File());
        Assert.Equal(RouteTls.Acme, Assert.Single(result.Routes!.Routes).Tls);
        Assert.NotEmpty(_probe.Asked);
        Assert.All(_probe.Asked, asked => Assert.Equal("10.0.0.10 shop.example.org/.well-known/ward-probe", asked));
        var policy = Assert.Single(LiveConfig["apps"]!["tls"]!["automation"]!["policies"]!.AsArray())!;
        Assert.Equal("acme", policy["issuers"]![0]!["module"]!.GetValue<string>());
        Assert.Equal(BalancerSettings.LetsEncrypt, policy["issuers"]![0]!["ca"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_probe_that_does_not_answer_through_the_manager_keeps_the_domain_waiting()
    {
        _dns.Records["shop.example.org"] = ["10.0.0.10"];
        var result = await ApplyAsync(File());
        var route = Assert.Single(result.Routes!.Routes);
        Assert.Equal(RouteTls.WaitingForDns, route.Tls);
        Assert.Contains("does not answer through the manager 10.0.0.10", route.Note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_domain_that_has_its_certificate_keeps_https_without_a_look_up()
    {
        _dns.Records["shop.example.org"] = ["10.0.0.10"];
        _probe.Answering.Add("shop.example.org");
        await ApplyAsync(File());

        // The order went through; from now on a DNS hiccup does not take HTTPS away.
        _balancer.Certificates = $"# /data/caddy/certificates/acme.test-dir/shop.example.org/shop.example.org.crt\n{SelfSigned("shop.example.org")}";
        _dns.Records.Clear();
        _dns.Asked.Clear();
        var result = await ApplyAsync(File());
        var route = Assert.Single(result.Routes!.Routes);
        Assert.Equal(RouteTls.Acme, route.Tls);
        Assert.Contains("certificate from shop.example.org valid until", route.Note, StringComparison.Ordinal);
        Assert.Empty(_dns.Asked);
    }

    [Fact]
    public async Task Staging_domains_use_the_internal_authority_and_routes_are_sent_once_not_again_when_nothing_changed()
    {
        var first = await ApplyAsync(File(kind: "staging"));
        Assert.Equal(RouteTls.Internal, Assert.Single(first.Routes!.Routes).Tls);
        var sent = _balancer.Applied;
        Assert.True(sent >= 1);

        var again = await ApplyAsync(File(kind: "staging"));
        Assert.True(again.NothingChanged);
        Assert.False(again.Routes!.Changes);
        Assert.Equal(sent, _balancer.Applied);
    }

    [Fact]
    public async Task Adding_a_domain_changes_the_routes_and_not_the_load_balancer_service()
    {
        await ApplyAsync(File(kind: "staging"));
        var before = _world.Engine.Object(ObjectKind.Service, "shop_ward-lb");
        var twoDomains = File(kind: "staging", domains: "    - { name: shop.example.org, service: web, port: 8080 }\n    - { name: admin.example.org, service: web, port: 8080, path: /admin }");

        var plan = await Deployer().PlanAsync(_world.Load(twoDomains), CoreWorld.Quick(), Token);
        Assert.DoesNotContain(plan.Plan.Steps, s => s.Name == "shop_ward-lb");
        Assert.True(plan.Routes!.Changes);
        Assert.True(plan.HasChanges);

        await ApplyAsync(twoDomains);
        Assert.Equal(before.Version, _world.Engine.Object(ObjectKind.Service, "shop_ward-lb").Version);
        Assert.Contains("admin.example.org", _balancer.Config!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_load_balancer_that_refuses_the_routes_fails_the_apply_with_its_words()
    {
        _world.Engine.ExecHandler = (_, command, _) => command[^1] == "apply" ? new ExecResult(65, "", "adapting config: unknown module") : new ExecResult(0, "", "");
        var result = await ApplyAsync(File(kind: "staging"));
        Assert.Equal(DeployStatus.Failed, result.Status);
        Assert.Contains(result.Applied!.Problems, p => p.Contains("routes: the load balancer refused `ward-lb apply` (exit 65): adapting config: unknown module", StringComparison.Ordinal));
    }

    private static string SelfSigned(string name)
    {
        using var key = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest($"CN={name}", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(89));
        return certificate.ExportCertificatePem() + "\n";
    }
}
