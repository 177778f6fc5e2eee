using Ward.Model.Spec;
using static Ward.Model.Tests.Support.Reader;

namespace Ward.Model.Tests.Reading;

/// <summary>x-ward.monitoring and x-ward.alerts: bound into the spec; a threshold, duration or address out of range is refused with what is allowed.</summary>
public sealed class AlertsSectionTests
{
    [Fact]
    public void Monitoring_and_alerts_bind()
    {
        var spec = Reads(File("""
            monitoring: { node: worker-1, retention: 168h, retention_size: 2g, scrape_interval: 5s, port: 9091 }
            alerts:
              rules:
                manager-cpu: { threshold: 70, for: 2m }
                node-down: { for: 30s }
                backup-late: { enabled: false }
              email: [ops@example.org]
              webhooks: [{ url: "https://hooks.example.org/ward", secret: hook_key }]
            """));
        Assert.Equal(new MonitoringSpec { Node = "worker-1", Retention = TimeSpan.FromDays(7), RetentionBytes = 2L << 30, ScrapeInterval = TimeSpan.FromSeconds(5), Port = 9091 }, spec.Monitoring);
        var alerts = spec.Alerts!;
        Assert.Equal(
            [new AlertRuleSetting("manager-cpu") { Threshold = 70, For = TimeSpan.FromMinutes(2) }, new AlertRuleSetting("node-down") { For = TimeSpan.FromSeconds(30) }, new AlertRuleSetting("backup-late") { Enabled = false }],
            alerts.Rules);
        Assert.Equal(["ops@example.org"], alerts.Email);
        Assert.Equal([new WebhookSpec("https://hooks.example.org/ward", "hook_key")], alerts.Webhooks);
    }

    [Fact]
    public void Without_the_sections_there_is_nothing_to_monitor_and_no_one_to_tell()
    {
        var spec = Reads(File("environment: { name: quiet }"));
        Assert.Null(spec.Monitoring);
        Assert.Null(spec.Alerts);
    }

    [Theory]
    [InlineData("alerts: { rules: { manager-cpu: { threshold: 150 } } }", "x-ward.alerts.rules.manager-cpu.threshold", "allowed is 1 to 100 %")]
    [InlineData("alerts: { rules: { manager-cpu: { threshold: 0 } } }", "x-ward.alerts.rules.manager-cpu.threshold", "allowed is 1 to 100 %")]
    [InlineData("alerts: { rules: { node-down: { threshold: 3 } } }", "x-ward.alerts.rules.node-down.threshold", "has no threshold")]
    [InlineData("alerts: { rules: { manager-cpu: { for: 48h } } }", "x-ward.alerts.rules.manager-cpu.for", "allowed is 0s to 24h")]
    [InlineData("alerts: { rules: { cpu-everywhere: { threshold: 50 } } }", "x-ward.alerts.rules.cpu-everywhere", "node-down, manager-cpu")]
    [InlineData("alerts: { email: [not-an-address] }", "x-ward.alerts.email[0]", "'not-an-address' is not an e-mail address")]
    [InlineData("alerts: { webhooks: [{ url: ftp://example.org/x }] }", "x-ward.alerts.webhooks[0].url", "not an http:// or https:// URL")]
    [InlineData("alerts: { webhooks: [{ url: 'https://example.org/x', secret: nope }] }", "x-ward.alerts.webhooks[0].secret", "its secrets are hook_key")]
    [InlineData("monitoring: { scrape_interval: 60s }", "x-ward.monitoring.scrape_interval", "allowed is 1s to 15s")]
    [InlineData("monitoring: { retention: 10m }", "x-ward.monitoring.retention", "at least 1h")]
    [InlineData("monitoring: { retention_size: 1m }", "x-ward.monitoring.retention_size", "64m or more")]
    [InlineData("monitoring: { port: 70000 }", "x-ward.monitoring.port", "1 to 65535")]
    public void Values_out_of_range_are_refused_with_what_is_allowed(string body, string path, string named)
    {
        Names(Refused(File(body), "WARD-SPEC", path), named);
    }

    private static string File(string body) =>
        $"version: \"3.8\"\nx-ward:\n  {body.Trim().Replace("\n", "\n  ", StringComparison.Ordinal)}\nservices:\n  web: {{ image: nginx }}\nsecrets:\n  hook_key: {{ external: true }}\n";
}
