using Microsoft.Playwright;
using Ward.EndToEnd.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Ward.EndToEnd.Tests;

/// <summary>
/// The console's capacity view in a real browser: a bar per node against its size with the manager marked, where each
/// task lands, and what-ifs (a lost worker, an added one, a scaled service) answered with what no longer fits and the
/// smallest change. It needs no swarm: the nodes are the file's.
/// </summary>
public sealed class CapacityViewTests
{
    private const string Owner = "planner";
    private const string Password = "plans are worthless, planning is everything";

    [Fact(Timeout = 180_000)]
    public async Task Nodes_tasks_and_what_ifs_are_shown_with_what_no_longer_fits_and_the_fix()
    {
        var cancellation = TestContext.Current.CancellationToken;
        await using var server = await ConsoleServer.StartAsync(cancellation);
        var secret = await server.CreateOwnerAsync(Owner, Password, cancellation);
        var name = StoryEnvironment.NewName("capacity");
        await server.RegisterAsync(Owner, Password, secret, $"{name}.yaml", StoryEnvironment.File(name, 20000), cancellation);
        await using var browser = await ConsoleBrowser.LaunchAsync();
        var page = browser.Page;
        await browser.SignInAsync(server.Url, Owner, Password, secret);

        await page.GotoAsync($"{server.Url}/#/env/{name}/capacity");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Capacity", Level = 2 })).ToBeVisibleAsync();
        var capacity = page.GetByTestId("capacity");
        await Expect(capacity).ToContainTextAsync("Every task finds a node");

        // One card per node: the manager marked and carrying nothing, each worker with a CPU and a memory meter.
        var manager = page.Locator(".capacity li[data-node='manager-1']");
        await Expect(manager).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("node-manager"));
        await Expect(manager).ToContainTextAsync("No tasks");
        await Expect(page.Locator(".capacity li[data-node='worker-1'] meter")).ToHaveCountAsync(2);
        await Expect(page.Locator(".capacity li[data-node='worker-1'] .chips")).ToContainTextAsync("web");
        await Expect(page.Locator(".capacity li[data-node='worker-1'] .chips")).ToContainTextAsync("worker");
        await Expect(page.Locator(".capacity li[data-node='worker-2'] .chips")).ToContainTextAsync("web");
        await Expect(page.GetByTestId("capacity-manager-share")).ToContainTextAsync("0 of 3 tasks");
        await browser.ScreenshotAsync("20-capacity");

        // Lose worker-2: web publishes a host-mode port, so its second task has nowhere to go; a small worker is enough.
        await page.GetByLabel("worker-2", new() { Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Show what happens" }).ClickAsync();
        await Expect(capacity).ToContainTextAsync("1 task would stay pending");
        await Expect(page.GetByTestId("capacity-pending")).ToContainTextAsync("web: 1 of 2 — no suitable node (");
        await Expect(page.GetByTestId("no-longer-fits")).ToHaveTextAsync("No longer fits without worker-2: web.");
        await Expect(page.GetByTestId("capacity-fix")).ToContainTextAsync("add 1 small (B1ms: 1 vCPU, 2 GB) worker");
        await Expect(page.Locator(".capacity li[data-node='worker-2']")).ToContainTextAsync("Takes no tasks");
        await browser.ScreenshotAsync("21-capacity-without-worker-2");

        // With a medium worker added as well, everything fits again.
        await page.GetByLabel("Size").SelectOptionAsync("medium");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show what happens" }).ClickAsync();
        await Expect(capacity).ToContainTextAsync("Every task finds a node");
        await Expect(page.Locator(".capacity li[data-node='new-worker-1'] .chips")).ToContainTextAsync("web");

        // Back to the file, then five web replicas on two workers: three wait.
        await page.GetByRole(AriaRole.Button, new() { Name = "As the file says" }).ClickAsync();
        await Expect(capacity).ToContainTextAsync("Every task finds a node");
        await page.GetByLabel("web", new() { Exact = true }).FillAsync("5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show what happens" }).ClickAsync();
        await Expect(capacity).ToContainTextAsync("3 tasks would stay pending");
        Assert.Empty(browser.Errors);
    }
}
