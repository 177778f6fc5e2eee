using System.Diagnostics;
using Microsoft.Playwright;
using Ward.Docker.Tests.Support;
using Ward.EndToEnd.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Ward.Docker.Tests;

/// <summary>
/// Alerts for real: ward serve watches the test cluster, a worker's engine is stopped, and the mail saying so arrives at
/// a real SMTP server (Debian's aiosmtpd) — once, however long the node stays down — then the one saying it is over;
/// meanwhile the console's Alerts tab shows it firing and takes an acknowledgement.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class AlertMailTests(TestCluster cluster)
{
    private const string Name = "alertmail";
    private const string Owner = "oncall";
    private const string Password = "pager duty at three in the morning";

    private const string File = """
        version: "3.9"
        x-ward:
          environment: { name: alertmail, kind: staging }
          alerts:
            rules:
              node-down: { for: 0s }
              service-degraded: { enabled: false }
            email: [oncall@example.org]
        services:
          app:
            image: ward/busybox:1.0
            command: ["sleep", "86400"]
            stop_grace_period: 1s
            deploy:
              replicas: 2
              placement: { constraints: ["node.role == worker"] }
        """;

    [Fact]
    public async Task A_stopped_worker_sends_one_firing_mail_and_one_resolved_mail()
    {
        cluster.Require();
        var token = TestContext.Current.CancellationToken;
        using var smtp = SmtpSink.Start();
        var environment = EnvironmentFile.Write(Name, File);
        try
        {
            var apply = await WardCli.ApplyAsync(environment.Path);
            Assert.True(apply.ExitCode == 0, apply.ToString());
            await using var server = await ConsoleServer.StartAsync(
                token,
                $"--Ward:EngineHost={TestCluster.ManagerHost}",
                "--Ward:AlertInterval=00:00:01",
                "--Ward:Smtp:Host=127.0.0.1",
                $"--Ward:Smtp:Port={smtp.Port}",
                "--Ward:Smtp:StartTls=none",
                "--Ward:Smtp:From=ward@example.org");
            var secret = await server.CreateOwnerAsync(Owner, Password, token);
            await server.RegisterAsync(Owner, Password, secret, $"{Name}.yaml", File, token);
            await using var browser = await ConsoleBrowser.LaunchAsync();
            var page = browser.Page;
            await browser.SignInAsync(server.Url, Owner, Password, secret);

            // A healthy swarm tells no one.
            await Task.Delay(3000, token);
            Assert.Empty(smtp.Received());

            var stop = await WardCli.RunAsync("cluster", "stop-node", "worker-2");
            Assert.True(stop.ExitCode == 0, stop.ToString());
            var stopped = Stopwatch.StartNew();
            await Poll.RequireAsync("the firing mail", () => Task.FromResult(smtp.Received().Any(m => m.Contains("node-down worker-2", StringComparison.Ordinal))), TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(200));
            var arrived = stopped.Elapsed;
            Figures.Write($"alerts: the mail for worker-2 down arrived {arrived.TotalSeconds:0.0} s after its engine stopped (evaluated every 1 s; the swarm's own detection included)");
            var firing = smtp.Received().Single();
            Assert.Contains("Subject: [Ward] alertmail: 1 firing (node-down worker-2)", firing, StringComparison.Ordinal);
            Assert.Contains("To: oncall@example.org", firing, StringComparison.Ordinal);
            Assert.Contains("FIRING: A node is down", firing, StringComparison.Ordinal);

            // The console lists it; acknowledging it names who took it.
            await page.GotoAsync($"{server.Url}/#/env/{Name}/alerts");
            var row = page.Locator("tr[data-alert='node-down|worker-2']");
            await Expect(row).ToContainTextAsync("firing");
            await Expect(row).ToContainTextAsync("A node is down");
            await Expect(page.GetByTestId("deliveries")).ToContainTextAsync("email to oncall@example.org");
            await row.GetByRole(AriaRole.Button, new() { Name = "Acknowledge" }).ClickAsync();
            await Expect(row).ToContainTextAsync("acknowledged by oncall");
            await browser.ScreenshotAsync("31-alerts-firing");

            // Down for a while longer: still that one mail.
            await Task.Delay(5000, token);
            Assert.Single(smtp.Received());

            var start = await WardCli.RunAsync("cluster", "start-node", "worker-2");
            Assert.True(start.ExitCode == 0, start.ToString());
            await Poll.RequireAsync("the resolved mail", () => Task.FromResult(smtp.Received().Count == 2), TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(200));
            var resolved = smtp.Received().Single(m => m != firing);
            Assert.Contains("Subject: [Ward] alertmail: 1 resolved", resolved, StringComparison.Ordinal);
            Assert.Contains("RESOLVED: A node is down", resolved, StringComparison.Ordinal);
            await Expect(page.GetByTestId("no-alerts")).ToBeVisibleAsync();
            await Task.Delay(3000, token);
            Assert.Equal(2, smtp.Received().Count);
            Assert.Empty(browser.Errors);
        }
        finally
        {
            await WardCli.RunAsync("cluster", "start-node", "worker-2");
            await Stacks.RemoveAsync(cluster.Manager, Name, token);
        }
    }
}
