using Microsoft.Playwright;
using Ward.EndToEnd.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Ward.EndToEnd.Tests;

/// <summary>
/// The second factor in the browser when the authenticator is lost: signing in with a recovery code (each works once),
/// and replacing the authenticator from the Two-factor page, proven with a recovery code, with new recovery codes shown
/// once; after that the new authenticator's codes sign in and the old one's do not.
/// </summary>
public sealed class TwoFactorStoryTests
{
    private const string Owner = "keeper";
    private const string Password = "two factors are better";

    [Fact(Timeout = 240_000)]
    public async Task A_lost_authenticator_is_replaced_with_the_recovery_codes()
    {
        var cancellation = TestContext.Current.CancellationToken;
        await using var server = await ConsoleServer.StartAsync(cancellation);
        var oldSecret = await server.CreateOwnerAsync(Owner, Password, cancellation);
        var codes = server.OwnerRecoveryCodes;
        Assert.Equal(10, codes.Count);
        await using var browser = await ConsoleBrowser.LaunchAsync();
        var page = browser.Page;

        // Phone lost: the sign-in's code step offers a recovery code instead.
        await SignInWithRecoveryCodeAsync(page, server.Url, codes[0]);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Environments", Level = 1 })).ToBeVisibleAsync();
        await browser.ScreenshotAsync("20-signed-in-with-a-recovery-code");

        // A recovery code works once.
        await SignOutAsync(page);
        await SignInWithRecoveryCodeAsync(page, server.Url, codes[0]);
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "was used" })).ToBeVisibleAsync();
        await page.GetByLabel("Recovery code").FillAsync(codes[1]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify and sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Environments", Level = 1 })).ToBeVisibleAsync();

        // A new authenticator, proven with a third recovery code.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Two-factor" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Two-factor sign-in", Level = 1 })).ToBeVisibleAsync();
        await page.GetByLabel("Current code or a recovery code").FillAsync(codes[2]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Set up two-factor sign-in" })).ToBeVisibleAsync();
        var newSecret = (await page.GetByTestId("totp-secret").TextContentAsync())!.Trim();
        Assert.NotEqual(oldSecret, newSecret);
        await browser.ScreenshotAsync("21-replacing-the-authenticator");
        await page.GetByLabel("6-digit code from the app").FillAsync(await TotpCodes.NextAsync(newSecret));
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm and finish" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your recovery codes" })).ToBeVisibleAsync();
        var fresh = await page.GetByTestId("recovery-codes").Locator("li").AllTextContentsAsync();
        Assert.Equal(10, fresh.Count);
        Assert.Empty(fresh.Select(c => c.Trim()).Intersect(codes));
        await page.GetByRole(AriaRole.Button, new() { Name = "I have saved them, continue" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Environments", Level = 1 })).ToBeVisibleAsync();

        // The old authenticator no longer signs in; the new one does.
        await SignOutAsync(page);
        await page.GotoAsync(server.Url + "/#/sign-in");
        await page.GetByLabel("User name").FillAsync(Owner);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByLabel("6-digit code").FillAsync(await TotpCodes.NextAsync(oldSecret));
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify and sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "wrong or expired" })).ToBeVisibleAsync();
        await page.GetByLabel("6-digit code").FillAsync(await TotpCodes.NextAsync(newSecret));
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify and sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Environments", Level = 1 })).ToBeVisibleAsync();
        Assert.Empty(browser.Errors);
    }

    private static async Task SignInWithRecoveryCodeAsync(IPage page, string url, string code)
    {
        await page.GotoAsync(url + "/#/sign-in");
        await page.GetByLabel("User name").FillAsync(Owner);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Use a recovery code instead" }).ClickAsync();
        await page.GetByLabel("Recovery code").FillAsync(code);
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify and sign in" }).ClickAsync();
    }

    private static async Task SignOutAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Ward" })).ToBeVisibleAsync();
    }
}
