using Ward.Server.Tests.Support;

namespace Ward.Server.Tests;

/// <summary>GET /metrics: Ward's own signals in the Prometheus text format, only for the scraper's token.</summary>
public sealed class MetricsEndpointTests
{
    private const string Token = "scrape-0123456789abcdef";

    [Fact]
    public async Task Metrics_need_the_token_and_count_requests_and_applies()
    {
        await using var host = await WardHost.StartAsync(new HostOptions { Engine = new FakeSwarm(), Settings = [$"--Ward:MetricsToken={Token}"] });
        await host.Anonymous().GetAsync("/metrics").Expect(401, "unauthenticated");
        await host.WithToken("scrape-not-the-token-at-all").GetAsync("/metrics").Expect(401, "unauthenticated");
        var first = await host.WithToken(Token).GetAsync("/metrics").Expect(200);
        Assert.Equal("text/plain", first.ContentType);
        Assert.Contains("# TYPE ward_http_requests_total counter\n", first.Body, StringComparison.Ordinal);
        Assert.Contains("ward_http_requests_total{method=\"GET\",code=\"401\"} 2\n", first.Body, StringComparison.Ordinal);

        // An apply on the fake swarm, which refuses services: it fails, and is counted as failed with its duration.
        var owner = await host.CreateOwnerAsync();
        await WardHost.RegisterAsync(owner, Environments.File("shop"));
        await owner.PutAsync("/api/v1/environments/shop/secrets/token", new { value = "metrics" }).Expect(200);
        var operation = (await owner.PostAsync("/api/v1/environments/shop/applies", new { prune = false }).Expect(202)).Json!;
        var finished = await WardHost.WaitForOperationAsync(owner, Guid.Parse(operation["id"]!.GetValue<string>()));
        Assert.Equal("failed", finished["state"]!.GetValue<string>());

        var text = (await host.WithToken(Token).GetAsync("/metrics").Expect(200)).Body;
        Assert.Contains("ward_http_requests_total{method=\"GET\",code=\"200\"}", text, StringComparison.Ordinal);
        Assert.Contains("ward_http_requests_total{method=\"POST\",code=\"202\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("ward_http_requests_total{method=\"PUT\",code=\"200\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE ward_http_request_duration_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("ward_applies_total{outcome=\"failed\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("ward_apply_duration_seconds_count 1\n", text, StringComparison.Ordinal);
        Assert.Contains("ward_apply_duration_seconds_bucket{le=\"+Inf\"} 1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_token_configured_there_is_no_metrics_endpoint()
    {
        await using var host = await WardHost.StartAsync();
        await host.Anonymous().GetAsync("/metrics").Expect(404);
        await host.WithToken(Token).GetAsync("/metrics").Expect(404);
    }
}
