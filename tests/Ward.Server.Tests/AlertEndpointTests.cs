using Microsoft.Extensions.DependencyInjection;
using Ward.Server.Services;
using Ward.Server.Tests.Support;

namespace Ward.Server.Tests;

/// <summary>
/// The server's alerts over the swarm's state: a node down fires, is listed by the API and by ward alerts, is silenced
/// and acknowledged, resolves; each step in the audit log, and a delivery that cannot be made shown with why.
/// </summary>
public sealed class AlertEndpointTests : IAsyncLifetime
{
    private const string File = """
        version: "3.9"
        x-ward:
          environment: { name: clinic, kind: staging }
          alerts:
            rules:
              node-down: { for: 0s }
            email: [oncall@example.org]
        services:
          api:
            image: registry.example.org/api:1.0
        """;

    private readonly FakeSwarm _swarm = new();
    private WardHost _host = null!;

    // Evaluated by the test, not the clock: the background round comes every five minutes.
    public async ValueTask InitializeAsync() => _host = await WardHost.StartAsync(new HostOptions { Engine = _swarm, Settings = ["--Ward:AlertInterval=00:05:00"] });

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_node_down_fires_is_listed_silenced_acknowledged_and_resolves_each_step_audited()
    {
        var owner = await _host.CreateOwnerAsync();
        await WardHost.RegisterAsync(owner, File);
        var watcher = _host.App.Services.GetRequiredService<AlertWatcher>();
        var token = TestContext.Current.CancellationToken;

        await watcher.EvaluateAsync("clinic", token);
        Assert.Empty((await owner.GetAsync("/api/v1/environments/clinic/alerts").Expect(200)).Json!["alerts"]!.AsArray());

        _swarm.Nodes[1] = _swarm.Nodes[1] with { State = "down", Message = "heartbeat failure" };
        await watcher.EvaluateAsync("clinic", token);
        var listed = (await owner.GetAsync("/api/v1/environments/clinic/alerts").Expect(200)).Json!;
        var alert = listed["alerts"]!.AsArray().Single()!;
        Assert.Equal(("node-down", "worker-1", "firing", "the node is down (heartbeat failure)"), (alert["rule"]!.GetValue<string>(), alert["subject"]!.GetValue<string>(), alert["state"]!.GetValue<string>(), alert["detail"]!.GetValue<string>()));

        // No relay is configured: the mail is not sent, and the failure says why.
        var delivery = listed["deliveries"]!.AsArray().Single()!;
        Assert.Equal(("email", "oncall@example.org", false), (delivery["channel"]!.GetValue<string>(), delivery["target"]!.GetValue<string>(), delivery["delivered"]!.GetValue<bool>()));
        Assert.Equal("no SMTP relay is configured (Ward:Smtp:Host)", delivery["error"]!.GetValue<string>());

        // ward alerts, with an API token.
        var created = (await owner.PostAsync("/api/v1/tokens", new { name = "cli", role = "deployer" }).Expect(201)).Json!;
        var variables = new Dictionary<string, string> { ["WARD_TOKEN"] = created["token"]!.GetValue<string>() };
        var cli = await WardProcess.RunAsync(variables, "alerts", "clinic", "--server", _host.Url);
        Assert.True(cli.ExitCode == 1, cli.ToString());
        Assert.Matches(@"firing\s+node-down\s+worker-1\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+the node is down \(heartbeat failure\)", cli.Stdout);

        // Silence and acknowledge, through the API and the CLI; out of range and unknown alerts are refused.
        await owner.PostAsync("/api/v1/environments/clinic/alerts/silences", new { rule = "node-down", subject = "worker-1", minutes = 0 }).Expect(400, "invalid_silence");
        await owner.PostAsync("/api/v1/environments/clinic/alerts/silences", new { rule = "node-down", subject = "worker-9", minutes = 30 }).Expect(404, "alert_not_found");
        var silenced = await WardProcess.RunAsync(variables, "alerts", "silence", "clinic", "node-down", "worker-1", "--for", "30m", "--server", _host.Url);
        Assert.True(silenced.ExitCode == 0, silenced.ToString());
        Assert.StartsWith("silenced node-down worker-1 until ", silenced.Stdout, StringComparison.Ordinal);
        await owner.PostAsync("/api/v1/environments/clinic/alerts/acknowledgements", new { rule = "node-down", subject = "worker-1" }).Expect(204);
        var unknown = await WardProcess.RunAsync(variables, "alerts", "ack", "clinic", "node-down", "worker-9", "--server", _host.Url);
        Assert.True(unknown.ExitCode == 2, unknown.ToString());
        Assert.Contains("clinic has no firing alert node-down for worker-9", unknown.Stderr, StringComparison.Ordinal);
        alert = (await owner.GetAsync("/api/v1/environments/clinic/alerts").Expect(200)).Json!["alerts"]!.AsArray().Single()!;
        Assert.Equal("owner", alert["acknowledgedBy"]!.GetValue<string>());
        Assert.NotNull(alert["silencedUntil"]);

        _swarm.Nodes[1] = _swarm.Nodes[1] with { State = "ready", Message = null };
        await watcher.EvaluateAsync("clinic", token);
        Assert.Empty((await owner.GetAsync("/api/v1/environments/clinic/alerts").Expect(200)).Json!["alerts"]!.AsArray());
        var quiet = await WardProcess.RunAsync(variables, "alerts", "clinic", "--server", _host.Url);
        Assert.True(quiet.ExitCode == 0, quiet.ToString());
        Assert.Equal("clinic: no alerts", quiet.Stdout.Trim());

        var audit = (await owner.GetAsync("/api/v1/audit").Expect(200)).Body;
        foreach (var action in new[] { "alert.firing", "alert.delivery-failed", "alert.silenced", "alert.acknowledged", "alert.resolved" })
        {
            Assert.Contains($"\"{action}\"", audit, StringComparison.Ordinal);
        }

        // Silenced when it resolved: recorded, but no mail was attempted for it (one failed delivery, for the firing).
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(audit, "\"alert.delivery-failed\""));
    }

    [Fact]
    public async Task Ward_alerts_without_a_token_or_a_server_says_what_to_do()
    {
        var noToken = await WardProcess.RunAsync(new Dictionary<string, string> { ["WARD_TOKEN"] = "" }, "alerts", "clinic", "--server", _host.Url);
        Assert.Equal(2, noToken.ExitCode);
        Assert.Contains("set WARD_TOKEN", noToken.Stderr, StringComparison.Ordinal);
        var nobody = await WardProcess.RunAsync(new Dictionary<string, string> { ["WARD_TOKEN"] = "wt_nothing" }, "alerts", "clinic", "--server", "http://127.0.0.1:9");
        Assert.Equal(69, nobody.ExitCode);
        Assert.Contains("the server at http://127.0.0.1:9 could not be reached", nobody.Stderr, StringComparison.Ordinal);
    }
}
