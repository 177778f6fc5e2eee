using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Ward.EndToEnd.Tests.Support;
using Ward.Server.Auth;
using static Microsoft.Playwright.Assertions;

namespace Ward.EndToEnd.Tests;

/// <summary>
/// The whole story in a real browser against a server in this process and the local swarm: first owner, two-factor
/// enrolment and sign-in, an environment registered, checked, given a secret, planned and applied until it converges,
/// the nodes picture showing where its tasks run, and the audit log. What it deployed is removed at the end.
/// </summary>
public sealed class ConsoleStoryTests
{
    private const string Owner = "owner";
    private const string Password = "correct horse battery staple";

    [Fact(Timeout = 600_000)]
    public async Task From_first_owner_to_a_converged_apply_and_the_audit_log()
    {
        var cancellation = TestContext.Current.CancellationToken;
        using var swarm = await LocalSwarm.RequireAsync(cancellation);
        await swarm.EnsureImageAsync(cancellation);
        var name = StoryEnvironment.NewName("e2e");
        var port = await swarm.FreePublishedPortAsync(cancellation);

        await using var server = await ConsoleServer.StartAsync(cancellation);
        await using var browser = await ConsoleBrowser.LaunchAsync();
        try
        {
            var secret = await SetUpOwnerAsync(server, browser);
            await SignInWithTwoFactorAsync(browser, secret);
            await RegisterAsync(browser, name, port);
            await ReadFindingsAsync(browser);
            await SetSecretAsync(browser);
            await PlanAndApplyAsync(browser, name);
            await SeeWhereTasksRunAsync(browser, name);
            await ReadAuditLogAsync(browser);
            await VisitUsersAndTokensAsync(browser);
            Assert.Empty(browser.Errors);
        }
        finally
        {
            await swarm.DestroyAsync(name, CancellationToken.None);
        }
    }

    private static async Task<string> SetUpOwnerAsync(ConsoleServer server, ConsoleBrowser browser)
    {
        var page = browser.Page;
        await page.GotoAsync(server.Url + "/");
        await Expect(page).ToHaveURLAsync(new Regex("#/setup$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Set up Ward", Level = 1 })).ToBeVisibleAsync();
        await page.GetByLabel("Setup code").FillAsync(server.SetupCode);
        await page.GetByLabel("User name").FillAsync(Owner);
        await page.GetByLabel("Password").FillAsync(Password);
        await browser.ScreenshotAsync("01-setup");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create the owner" }).ClickAsync();

        // Signing in for the first time leads to two-factor enrolment: owners must have it.
        await Expect(page).ToHaveURLAsync(new Regex("#/sign-in"));
        await Expect(page.GetByLabel("User name")).ToHaveValueAsync(Owner);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Set up two-factor sign-in" })).ToBeVisibleAsync();
        var secret = (await page.GetByTestId("totp-secret").TextContentAsync())!.Trim();
        await Expect(page.GetByTestId("totp-uri")).ToContainTextAsync($"otpauth://totp/Ward:{Owner}?secret={secret}");
        await browser.ScreenshotAsync("02-two-factor-enrolment");
        await page.GetByLabel("6-digit code from the app").FillAsync(await TotpCodes.NextAsync(secret));
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm and finish" }).ClickAsync();

        // The recovery codes, shown this once, before anything else.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your recovery codes" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("recovery-codes").Locator("li")).ToHaveCountAsync(10);
        await browser.ScreenshotAsync("02b-recovery-codes");
        await page.GetByRole(AriaRole.Button, new() { Name = "I have saved them, continue" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Environments", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByText("No environments yet")).ToBeVisibleAsync();
        return secret;
    }

    private static async Task SignInWithTwoFactorAsync(ConsoleBrowser browser, string secret)
    {
        var page = browser.Page;
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Ward" })).ToBeVisibleAsync();
        await page.GetByLabel("User name").FillAsync(Owner);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        // A wrong code is refused with the server's explanation; the right one signs in.
        await page.GetByLabel("6-digit code").FillAsync(WrongCode(secret));
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify and sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "wrong or expired" })).ToBeVisibleAsync();
        await page.GetByLabel("6-digit code").FillAsync(await TotpCodes.NextAsync(secret));
        await browser.ScreenshotAsync("03-sign-in-two-factor-code");
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify and sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Environments", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByText($"Signed in as {Owner}")).ToBeVisibleAsync();
    }

    /// <summary>A code that is none of the three the server accepts (previous, current, next step).</summary>
    private static string WrongCode(string secret)
    {
        var now = DateTimeOffset.UtcNow;
        var valid = new[] { -60, -30, 0, 30, 60 }.Select(s => Totp.Code(secret, now.AddSeconds(s))).ToHashSet();
        return Enumerable.Range(0, 10).Select(i => $"{i}{i}{i}{i}{i}{i}").First(c => !valid.Contains(c));
    }

    private static async Task RegisterAsync(ConsoleBrowser browser, string name, int port)
    {
        var page = browser.Page;
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Register" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Register an environment", Level = 1 })).ToBeVisibleAsync();

        // A file with a mistake is refused with every problem and its place; the corrected one is registered.
        await page.GetByLabel("File name", new() { Exact = true }).FillAsync($"{name}.yaml");
        await page.GetByLabel("Environment file (YAML)").FillAsync(StoryEnvironment.File(name, port).Replace("size: large }", "size: huge }", StringComparison.Ordinal));
        await page.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "cannot be read" })).ToBeVisibleAsync();
        await Expect(page.GetByText("huge").First).ToBeVisibleAsync();
        await browser.ScreenshotAsync("04-register-invalid-file");

        await page.GetByLabel("Environment file (YAML)").FillAsync(StoryEnvironment.File(name, port));
        await browser.ScreenshotAsync("05-register");
        await page.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"#/env/{name}/findings$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = name, Level = 1 })).ToBeVisibleAsync();
    }

    private static async Task ReadFindingsAsync(ConsoleBrowser browser)
    {
        var page = browser.Page;
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Errors (0)" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex(@"^Warnings \(\d+\)$") })).ToBeVisibleAsync();

        // The waiver in the file shows as a waived finding with its reason.
        var waived = page.Locator(".finding-waived[data-rule='IMG-004']");
        await Expect(waived).ToContainTextAsync("the test image's httpd runs as root");

        // Each finding explains itself on request.
        var healthcheck = page.Locator(".finding[data-rule='REL-002']").First;
        await healthcheck.GetByText("Why it matters and how to fix it").ClickAsync();
        await Expect(healthcheck.GetByText("healthcheck:", new() { Exact = false }).First).ToBeVisibleAsync();
        await browser.ScreenshotAsync("06-findings");
    }

    private static async Task SetSecretAsync(ConsoleBrowser browser)
    {
        var page = browser.Page;
        await page.GetByRole(AriaRole.Link, new() { Name = "Secrets", Exact = true }).ClickAsync();
        var row = page.Locator("tr[data-secret='token']");
        await Expect(row).ToContainTextAsync("no value yet");
        var value = $"s3cret-{Guid.NewGuid():N}";
        await page.GetByLabel("Secret", new() { Exact = true }).FillAsync("token");
        await page.GetByLabel("New value").FillAsync(value);
        await page.GetByRole(AriaRole.Button, new() { Name = "Set the value" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Secret token is set" })).ToBeVisibleAsync();
        await Expect(row).ToContainTextAsync("held by Ward");

        // Write-only: the value is gone from the form and appears nowhere on the page.
        await Expect(page.GetByLabel("New value")).ToHaveValueAsync("");
        Assert.DoesNotContain(value, await page.ContentAsync(), StringComparison.Ordinal);
        await browser.ScreenshotAsync("07-secrets");
    }

    private static async Task PlanAndApplyAsync(ConsoleBrowser browser, string name)
    {
        var page = browser.Page;
        await page.GetByRole(AriaRole.Link, new() { Name = "Plan & apply" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Make a plan" }).ClickAsync();
        var plan = page.GetByTestId("plan");
        await Expect(plan).ToContainTextAsync("to create");
        await Expect(plan).ToContainTextAsync($"{name}_web");
        await Expect(plan).ToContainTextAsync($"{name}_worker");
        await browser.ScreenshotAsync("08-plan");

        await page.GetByRole(AriaRole.Button, new() { Name = "Apply", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("apply-progress")).ToBeVisibleAsync(new() { Timeout = 120_000 });
        await browser.ScreenshotAsync("09-apply-progress");
        await Expect(page.GetByTestId("apply-result")).ToContainTextAsync("converged", new() { Timeout = 300_000 });
        await Expect(page.Locator("[data-testid='apply-progress'] tr[data-service='web']")).ToContainTextAsync("2 / 2");
        await Expect(page.GetByRole(AriaRole.Table).Filter(new() { HasText = "Show progress" }).Locator("tbody tr").First).ToContainTextAsync("converged");
        await browser.ScreenshotAsync("10-apply-converged");
    }

    private static async Task SeeWhereTasksRunAsync(ConsoleBrowser browser, string name)
    {
        var page = browser.Page;
        await page.GetByRole(AriaRole.Link, new() { Name = "Overview" }).ClickAsync();
        var picture = page.GetByTestId("nodes-picture");

        // The page polls the status: the picture shows web on both workers and nothing on the manager.
        var slow = new LocatorAssertionsToContainTextOptions { Timeout = 60_000 };
        await Expect(picture.Locator("[data-node='worker-1'] .chips")).ToContainTextAsync("web", slow);
        await Expect(picture.Locator("[data-node='worker-2'] .chips")).ToContainTextAsync("web", slow);
        await Expect(picture.Locator("[data-node='manager-1']")).ToContainTextAsync("No tasks of this environment");
        await Expect(picture.Locator("[data-node='manager-1']")).ToContainTextAsync("manager");
        await Expect(page.GetByTestId("manager-load")).ToContainTextAsync("The manager runs no application tasks");
        await Expect(page.Locator(".env-summary")).ToContainTextAsync("converged", slow);
        await browser.ScreenshotAsync("11-overview-nodes");

        await page.GetByRole(AriaRole.Link, new() { Name = "Services", Exact = true }).ClickAsync();
        await Expect(page.Locator("tr[data-service='web']")).ToContainTextAsync("2 / 2");
        await Expect(page.Locator("tr[data-service='worker']")).ToContainTextAsync("1 / 1");
        await browser.ScreenshotAsync("12-services");

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Environments" }).ClickAsync();
        var row = page.Locator($"tr[data-environment='{name}']");
        await Expect(row).ToContainTextAsync("converged");
        await Expect(row).ToContainTextAsync("0 errors");
        await browser.ScreenshotAsync("13-environments");
    }

    private static async Task ReadAuditLogAsync(ConsoleBrowser browser)
    {
        var page = browser.Page;
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
        var table = page.GetByTestId("audit-table");
        foreach (var action in new[] { "setup", "two-factor-enrolled", "environment-registered", "secret-created", "apply-started" })
        {
            await Expect(table.GetByRole(AriaRole.Rowheader, new() { Name = action, Exact = true }).First).ToBeVisibleAsync();
        }

        await page.GetByLabel("Action contains").FillAsync("secret");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show entries" }).ClickAsync();
        await Expect(table.Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "CSV" })).ToHaveAttributeAsync("href", new Regex("format=csv"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify the chain" }).ClickAsync();
        await Expect(page.GetByTestId("audit-verify")).ToContainTextAsync("intact");
        await browser.ScreenshotAsync("14-audit");
    }

    private static async Task VisitUsersAndTokensAsync(ConsoleBrowser browser)
    {
        var page = browser.Page;
        await page.GetByRole(AriaRole.Link, new() { Name = "Users" }).ClickAsync();
        await Expect(page.Locator($"tr[data-user='{Owner}']")).ToContainTextAsync("owner");
        await browser.ScreenshotAsync("15-users");

        await page.GetByRole(AriaRole.Link, new() { Name = "API tokens" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("ci-deploy");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create the token" }).ClickAsync();
        await Expect(page.GetByTestId("new-token")).ToContainTextAsync("ward_");
        await Expect(page.Locator("tr[data-token='ci-deploy']")).ToBeVisibleAsync();
        await browser.ScreenshotAsync("16-tokens");
    }
}
