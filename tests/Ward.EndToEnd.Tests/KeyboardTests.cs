using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Ward.EndToEnd.Tests.Support;
using Ward.Server.Auth;
using static Microsoft.Playwright.Assertions;

namespace Ward.EndToEnd.Tests;

/// <summary>The console used with the keyboard only: no clicks, no filling by selector, only keys.</summary>
public sealed class KeyboardTests
{
    private const string Owner = "keys";
    private const string Password = "keyboard only, no mouse";

    [Fact(Timeout = 180_000)]
    public async Task Sign_in_with_two_factor_and_open_an_environment_with_the_keyboard_only()
    {
        var cancellation = TestContext.Current.CancellationToken;
        await using var server = await ConsoleServer.StartAsync(cancellation);
        var secret = await server.CreateOwnerAsync(Owner, Password, cancellation);
        var name = StoryEnvironment.NewName("keys");

        // Registered only, never applied: this story needs no swarm.
        await server.RegisterAsync(Owner, Password, secret, $"{name}.yaml", StoryEnvironment.File(name, 20000), cancellation);

        await using var browser = await ConsoleBrowser.LaunchAsync();
        var page = browser.Page;
        var keyboard = page.Keyboard;
        await page.GotoAsync(server.Url + "/");
        await Expect(page).ToHaveURLAsync(new Regex("#/sign-in"));

        // Focus starts in the form; the skip link is the first stop of the page and moves focus to the content.
        await TabToAsync(page, ".skip-link", backwards: true);
        Assert.Equal("Skip to content", await FocusedTextAsync(page));
        await Expect(page.Locator(".skip-link")).ToBeInViewportAsync();
        await keyboard.PressAsync("Enter");
        Assert.Equal("main", await page.EvaluateAsync<string>("document.activeElement.id"));

        // The sign-in form: typing, Tab between fields, Enter to send.
        await TabToAsync(page, "input[name='userName']");
        await keyboard.TypeAsync(Owner);
        await keyboard.PressAsync("Tab");
        await keyboard.TypeAsync(Password);
        await browser.ScreenshotAsync("keyboard-01-sign-in");
        await keyboard.PressAsync("Enter");

        // The code step takes focus itself.
        await Expect(page.GetByLabel("6-digit code")).ToBeFocusedAsync();
        await keyboard.TypeAsync(await TotpCodes.NextAsync(secret));
        await keyboard.PressAsync("Enter");

        // On the environments page focus starts at its heading; the environment's link is a few Tabs away.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Environments", Level = 1 })).ToBeFocusedAsync();
        await TabToAsync(page, $"a[href='#/env/{name}']");
        await browser.ScreenshotAsync("keyboard-02-environment-link-focused");
        await keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = name, Level = 1 })).ToBeFocusedAsync();

        // The sections are links too: open the findings and expand an explanation with the keyboard.
        await TabToAsync(page, $"a[href='#/env/{name}/findings']");
        await keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Findings", Level = 2 })).ToBeFocusedAsync();
        await TabToAsync(page, ".finding summary");
        await keyboard.PressAsync("Enter");
        Assert.True(await page.EvaluateAsync<bool>("document.activeElement.parentElement.open"));
        await browser.ScreenshotAsync("keyboard-03-findings");
        Assert.Empty(browser.Errors);
    }

    private static Task<string> FocusedTextAsync(IPage page) => page.EvaluateAsync<string>("document.activeElement.textContent.trim()");

    /// <summary>Presses Tab (or Shift+Tab) until the element matching the selector has focus; fails after a bounded number of presses.</summary>
    private static async Task TabToAsync(IPage page, string selector, bool backwards = false)
    {
        for (var presses = 0; presses < 60; presses++)
        {
            if (await page.EvaluateAsync<bool>("s => document.activeElement?.matches(s) ?? false", selector))
            {
                return;
            }

            await page.Keyboard.PressAsync(backwards ? "Shift+Tab" : "Tab");
        }

        Assert.Fail($"60 presses of Tab never reached {selector}; focus is on {await page.EvaluateAsync<string>("document.activeElement.outerHTML.slice(0, 120)")}");
    }
}
