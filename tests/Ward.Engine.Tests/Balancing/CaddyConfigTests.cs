using System.Text.Json.Nodes;
using Ward.Engine.Balancing;

namespace Ward.Engine.Tests.Balancing;

/// <summary>The load balancer's Caddy configuration for each way a domain is served.</summary>
public sealed class CaddyConfigTests
{
    private static readonly BalancerSettings Settings = new("https://acme.test/dir", "ops@example.org", "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n", "ward-probe-abc");

    private static Route Route(string domain, RouteTls tls, bool hsts = false, string? path = null, params string[] redirects) =>
        new(domain, "shop_web", 8080, path, redirects, tls, hsts);

    [Fact]
    public void An_internal_domain_is_served_over_https_by_the_own_authority_with_tls_12_and_13_only()
    {
        var config = CaddyConfig.Build([Route("shop.example.org", RouteTls.Internal)], Settings);
        var https = config["apps"]!["http"]!["servers"]!["https"]!;
        Assert.Equal(":443", https["listen"]![0]!.GetValue<string>());
        Assert.Equal("shop.example.org", https["routes"]![0]!["match"]![0]!["host"]![0]!.GetValue<string>());
        Assert.Equal(("tls1.2", "tls1.3"), (https["tls_connection_policies"]![0]!["protocol_min"]!.GetValue<string>(), https["tls_connection_policies"]![0]!["protocol_max"]!.GetValue<string>()));
        var policy = Assert.Single(config["apps"]!["tls"]!["automation"]!["policies"]!.AsArray())!;
        Assert.Equal("internal", policy["issuers"]![0]!["module"]!.GetValue<string>());
        Assert.False(config["apps"]!["pki"]!["certificate_authorities"]!["local"]!["install_trust"]!.GetValue<bool>());
    }

    [Fact]
    public void The_proxy_finds_the_tasks_by_dns_every_second_and_retries_a_task_that_does_not_answer()
    {
        var config = CaddyConfig.Build([Route("shop.example.org", RouteTls.Internal)], Settings);
        var proxy = config["apps"]!["http"]!["servers"]!["https"]!["routes"]![0]!["handle"]!.AsArray().Single(h => h!["handler"]!.GetValue<string>() == "reverse_proxy")!;
        var upstreams = proxy["dynamic_upstreams"]!;
        Assert.Equal(("a", "tasks.shop_web", "8080", "1s"), (upstreams["source"]!.GetValue<string>(), upstreams["name"]!.GetValue<string>(), upstreams["port"]!.GetValue<string>(), upstreams["refresh"]!.GetValue<string>()));
        Assert.Equal("udp/127.0.0.11:53", upstreams["resolver"]!["addresses"]![0]!.GetValue<string>());
        Assert.True(proxy["load_balancing"]!["retries"]!.GetValue<int>() >= 1);
        Assert.NotNull(proxy["health_checks"]!["passive"]);
    }

    [Fact]
    public void An_acme_domain_is_ordered_from_the_directory_by_http_01_with_the_private_root_and_renewed_30_days_ahead()
    {
        var config = CaddyConfig.Build([Route("shop.example.org", RouteTls.Acme, hsts: true, redirects: "www.shop.example.org")], Settings);
        var policy = Assert.Single(config["apps"]!["tls"]!["automation"]!["policies"]!.AsArray())!;
        Assert.Equal(["shop.example.org", "www.shop.example.org"], policy["subjects"]!.AsArray().Select(s => s!.GetValue<string>()));
        var issuer = policy["issuers"]![0]!;
        Assert.Equal(("acme", "https://acme.test/dir", "ops@example.org"), (issuer["module"]!.GetValue<string>(), issuer["ca"]!.GetValue<string>(), issuer["email"]!.GetValue<string>()));
        Assert.True(issuer["challenges"]!["tls-alpn"]!["disabled"]!.GetValue<bool>());
        Assert.Equal(CaddyConfig.AcmeCaRootFile, issuer["trusted_roots_pem_files"]![0]!.GetValue<string>());
        Assert.Equal(1.0 / 3, policy["renewal_window_ratio"]!.GetValue<double>());

        var routes = config["apps"]!["http"]!["servers"]!["https"]!["routes"]!.AsArray();
        var headers = routes[0]!["handle"]![0]!;
        Assert.Equal("max-age=31536000", headers["response"]!["set"]!["Strict-Transport-Security"]![0]!.GetValue<string>());
        var redirect = routes.Single(r => r!["match"]![0]!["host"]![0]!.GetValue<string>() == "www.shop.example.org")!["handle"]![0]!;
        Assert.Equal(308, redirect["status_code"]!.GetValue<int>());
        Assert.Equal("https://shop.example.org{http.request.uri}", redirect["headers"]!["Location"]![0]!.GetValue<string>());
    }

    [Fact]
    public void A_domain_waiting_for_dns_is_served_over_plain_http_and_nothing_is_ordered_for_it()
    {
        var config = CaddyConfig.Build([Route("shop.example.org", RouteTls.WaitingForDns)], Settings);
        Assert.Null(config["apps"]!["http"]!["servers"]!["https"]);
        Assert.Empty(config["apps"]!["tls"]!["automation"]!["policies"]!.AsArray());
        var routes = config["apps"]!["http"]!["servers"]!["http"]!["routes"]!.AsArray();
        Assert.Equal("shop.example.org", routes[1]!["match"]![0]!["host"]![0]!.GetValue<string>());
    }

    [Fact]
    public void The_probe_path_answers_the_token_on_port_80_before_any_route()
    {
        var config = CaddyConfig.Build([Route("shop.example.org", RouteTls.WaitingForDns)], Settings);
        var probe = config["apps"]!["http"]!["servers"]!["http"]!["routes"]![0]!;
        Assert.Equal(BalancerSettings.ProbePath, probe["match"]![0]!["path"]![0]!.GetValue<string>());
        Assert.Equal("ward-probe-abc", probe["handle"]![0]!["body"]!.GetValue<string>());
    }

    [Fact]
    public void A_path_prefix_matches_the_prefix_and_what_is_under_it()
    {
        var config = CaddyConfig.Build([Route("shop.example.org", RouteTls.Internal, path: "/api")], Settings);
        var match = config["apps"]!["http"]!["servers"]!["https"]!["routes"]![0]!["match"]![0]!;
        Assert.Equal(["/api", "/api/*"], match["path"]!.AsArray().Select(p => p!.GetValue<string>()));
    }

    [Fact]
    public void The_same_routes_make_the_same_configuration() =>
        Assert.True(JsonNode.DeepEquals(
            CaddyConfig.Build([Route("a.example.org", RouteTls.Internal), Route("b.example.org", RouteTls.Acme)], Settings),
            CaddyConfig.Build([Route("a.example.org", RouteTls.Internal), Route("b.example.org", RouteTls.Acme)], Settings)));
}
