using Microsoft.Playwright;
using Ward.EndToEnd.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Ward.EndToEnd.Tests;

/// <summary>
/// The console's guards, which need no swarm: the readiness gate that refuses a production apply with errors (and
/// the explicit force it offers), a file saved over someone else's newer version, and a session that ends.
/// </summary>
public sealed class GuardTests
{
    private const string Owner = "guard";
    private const string Password = "guards are on duty";

    [Fact(Timeout = 180_000)]
    public async Task A_production_apply_with_errors_is_refused_and_force_needs_consent()
    {
        var cancellation = TestContext.Current.CancellationToken;
        await using var server = await ConsoleServer.StartAsync(cancellation);
        var secret = await server.CreateOwnerAsync(Owner, Password, cancellation);
        var name = StoryEnvironment.NewName("gate");

        // As a production environment that migrates, the story's file has an error-level finding (no restore rehearsal).
        var file = StoryEnvironment.File(name, 20000, kind: "production", switchover: "{ window: { start: 2099-01-01T02:00:00Z, end: 2099-01-01T05:00:00Z } }");
        await server.RegisterAsync(Owner, Password, secret, $"{name}.yaml", file, cancellation);
        await using var browser = await ConsoleBrowser.LaunchAsync();
        var page = browser.Page;
        await browser.SignInAsync(server.Url, Owner, Password, secret);
        await Expect(page.Locator($"tr[data-environment='{name}']")).ToContainTextAsync("not ready");

        await page.GotoAsync($"{server.Url}/#/env/{name}/deploy");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply", Exact = true }).ClickAsync();
        var gate = page.Locator(".gate");
        await Expect(gate).ToContainTextAsync("refused by the readiness gate");
        await Expect(gate).ToContainTextAsync("SWO-001");
        var force = page.GetByRole(AriaRole.Button, new() { Name = "Apply with force" });
        await Expect(force).ToBeDisabledAsync();
        await page.GetByLabel("apply anyway (force)").CheckAsync();
        await Expect(force).ToBeEnabledAsync();
        await browser.ScreenshotAsync("17-readiness-gate");

        // Nothing was started: the gate answers before any operation exists.
        await Expect(page.GetByText("No operations yet.")).ToBeVisibleAsync();
        Assert.Empty(browser.Errors);
    }

    [Fact(Timeout = 180_000)]
    public async Task Saving_a_file_someone_changed_meanwhile_is_explained_not_overwritten()
    {
        var cancellation = TestContext.Current.CancellationToken;
        await using var server = await ConsoleServer.StartAsync(cancellation);
        var secret = await server.CreateOwnerAsync(Owner, Password, cancellation);
        var name = StoryEnvironment.NewName("stale");
        await server.RegisterAsync(Owner, Password, secret, $"{name}.yaml", StoryEnvironment.File(name, 20000), cancellation);
        await using var browser = await ConsoleBrowser.LaunchAsync();
        await browser.SignInAsync(server.Url, Owner, Password, secret);

        // Two windows open the file at version 1; the first saves, then the second.
        var first = browser.Page;
        var second = await browser.NewTabAsync();
        foreach (var page in new[] { first, second })
        {
            await page.GotoAsync($"{server.Url}/#/env/{name}/file");
            await Expect(page.GetByLabel($"{name}.yaml (version 1)")).ToBeVisibleAsync();
        }

        var editor = first.GetByLabel($"{name}.yaml (version 1)");
        await editor.FillAsync("# reviewed\n" + await editor.InputValueAsync());
        await first.GetByRole(AriaRole.Button, new() { Name = "Save the file" }).ClickAsync();
        await Expect(first.GetByRole(AriaRole.Status)).ToContainTextAsync("Saved as version 2");

        await second.GetByRole(AriaRole.Button, new() { Name = "Save the file" }).ClickAsync();
        await Expect(second.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Your change was not saved" })).ToBeVisibleAsync();
        await browser.ScreenshotAsync("18-stale-version", second);
        Assert.Empty(browser.Errors);
    }

    [Fact(Timeout = 180_000)]
    public async Task A_lost_session_sends_to_sign_in_and_back_to_the_page()
    {
        var cancellation = TestContext.Current.CancellationToken;
        await using var server = await ConsoleServer.StartAsync(cancellation);
        var secret = await server.CreateOwnerAsync(Owner, Password, cancellation);
        await using var browser = await ConsoleBrowser.LaunchAsync();
        var page = browser.Page;
        await browser.SignInAsync(server.Url, Owner, Password, secret);

        await browser.ForgetSessionAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Ward" })).ToBeVisibleAsync();
        await Expect(page.Locator("#alerts")).ToHaveTextAsync("Your session has ended. Sign in again.");
        await browser.ScreenshotAsync("19-session-ended");

        await browser.FillSignInAsync(Owner, Password, secret);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Audit log", Level = 1 })).ToBeVisibleAsync();
        Assert.Empty(browser.Errors);
    }
}
