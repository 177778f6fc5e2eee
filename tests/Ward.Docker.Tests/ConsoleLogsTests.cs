using Microsoft.Playwright;
using Ward.Docker.Tests.Support;
using Ward.EndToEnd.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Ward.Docker.Tests;

/// <summary>
/// The console's Logs tab on the real swarm, in Debian's chromium: a service writing hundreds of lines a second shows
/// live, each line with its task and node, the filter narrows them as one types, and the value of the secret Ward
/// holds, which the application prints, never reaches the page.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ConsoleLogsTests(TestCluster cluster)
{
    private const string Owner = "operator";
    private const string Password = "logs that keep up with the service";
    private const string Name = "livelogs";

    // Two tasks, each about 200 lines a second: orders now and then, health checks all the time, the token once a loop.
    private const string File = """
        version: "3.9"
        x-ward:
          environment: { name: livelogs, kind: staging }
        services:
          shop:
            image: ward/busybox:1.0
            command: ["sh", "-c", "i=0; while true; do i=$$((i+1)); echo \"GET /health 200 #$$i\"; echo \"GET /health 200 #$$i\"; echo \"auth with $$(cat /run/secrets/token)\"; if [ $$((i % 50)) -eq 0 ]; then echo \"POST /orders 201 order-$$i\"; fi; sleep 0.01; done"]
            stop_grace_period: 1s
            secrets: [token]
            deploy:
              replicas: 2
              placement: { constraints: ["node.role == worker"], max_replicas_per_node: 1 }
        secrets:
          token: {}
        """;

    [Fact]
    public async Task The_logs_tab_shows_lines_live_with_task_and_node_filters_them_and_masks_the_secret()
    {
        cluster.Require();
        var token = TestContext.Current.CancellationToken;
        var value = $"tok-{Guid.NewGuid():N}";
        await using var server = await ConsoleServer.StartAsync(token, $"--Ward:EngineHost={TestCluster.ManagerHost}");
        var secret = await server.CreateOwnerAsync(Owner, Password, token);
        await server.RegisterAsync(Owner, Password, secret, $"{Name}.yaml", File, token);
        await using var browser = await ConsoleBrowser.LaunchAsync();
        var page = browser.Page;
        try
        {
            await browser.SignInAsync(server.Url, Owner, Password, secret);

            // The token's value is set in the console and the service deployed from it.
            await page.GotoAsync($"{server.Url}/#/env/{Name}/secrets");
            await page.GetByLabel("Secret", new() { Exact = true }).FillAsync("token");
            await page.GetByLabel("New value").FillAsync(value);
            await page.GetByRole(AriaRole.Button, new() { Name = "Set the value" }).ClickAsync();
            await Expect(page.Locator("tr[data-secret='token']")).ToContainTextAsync("held by Ward");
            await page.GetByRole(AriaRole.Link, new() { Name = "Plan & apply" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Make a plan" }).ClickAsync();
            await Expect(page.GetByTestId("plan")).ToContainTextAsync($"{Name}_shop");
            await page.GetByRole(AriaRole.Button, new() { Name = "Apply", Exact = true }).ClickAsync();
            await Expect(page.GetByTestId("apply-result")).ToContainTextAsync("converged", new() { Timeout = 180_000 });

            // Live: lines of both tasks, each named with its task and worker, the count growing.
            await page.GetByRole(AriaRole.Link, new() { Name = "Logs", Exact = true }).ClickAsync();
            await Expect(page.GetByTestId("log-state")).ToContainTextAsync("live");
            var lines = page.GetByTestId("log-lines");

            // Styled as a terminal: the stylesheet's log rules apply (an unclosed rule above them once dropped them all).
            await Expect(lines).ToHaveCSSAsync("list-style-type", "none");
            await Expect(lines).ToHaveCSSAsync("background-color", "rgb(17, 17, 17)");
            await Expect(lines).ToContainTextAsync("shop.1@worker-");
            await Expect(lines).ToContainTextAsync("shop.2@worker-");
            await Expect(lines).ToContainTextAsync("auth with [secret token]");
            var first = await ReceivedAsync(page);
            await Task.Delay(3000, token);
            var later = await ReceivedAsync(page);
            Assert.True(later - first >= 100, $"the page received {later - first} lines in 3 s from two tasks writing up to 200 a second each");

            // The filter narrows the lines as one types; the newest lines that arrive meanwhile are filtered too.
            await page.GetByLabel("Filter").FillAsync("orders");
            var shown = page.Locator("[data-testid='log-lines'] li:not([hidden])");
            await Expect(shown.First).ToContainTextAsync("POST /orders 201");
            await Task.Delay(1000, token);
            var texts = await shown.AllInnerTextsAsync();
            Assert.NotEmpty(texts);
            Assert.All(texts, t => Assert.Contains("orders", t, StringComparison.OrdinalIgnoreCase));
            await browser.ScreenshotAsync("30-logs-filtered");

            // Clearing the filter shows everything again; the secret's value is nowhere on the page.
            await page.GetByLabel("Filter").FillAsync("");
            await Expect(shown.Filter(new() { HasText = "GET /health" }).First).ToBeVisibleAsync();
            Assert.DoesNotContain(value, await page.ContentAsync(), StringComparison.Ordinal);
            Assert.Empty(browser.Errors);
        }
        finally
        {
            await Stacks.RemoveAsync(cluster.Manager, Name, token);
        }
    }

    private static async Task<int> ReceivedAsync(IPage page) =>
        int.Parse((await page.GetByTestId("log-count").InnerTextAsync()).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
}
