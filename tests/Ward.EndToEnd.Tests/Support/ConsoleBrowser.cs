using Microsoft.Playwright;

namespace Ward.EndToEnd.Tests.Support;

/// <summary>
/// Debian's chromium driven by Playwright (its own browser download cannot work here and is not needed). Collects
/// the page's console errors and uncaught exceptions, which include Content-Security-Policy violations, so a test
/// can assert that the console runs clean under the server's CSP.
/// </summary>
internal sealed class ConsoleBrowser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly IBrowserContext _context;
    private readonly List<string> _errors = [];

    private ConsoleBrowser(IPlaywright playwright, IBrowser browser, IBrowserContext context, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        _context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (_errors)
                {
                    _errors.Add($"console: {message.Text}");
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (_errors)
            {
                _errors.Add($"uncaught: {error}");
            }
        };
    }

    public IPage Page { get; }

    public static string ScreenshotDirectory { get; } = Repository.PathOf(".artifacts", "screenshots");

    public static async Task<ConsoleBrowser> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "en-GB", TimezoneId = "UTC" });
        // The machine is shared and small: generous waits keep the stories from failing on a busy moment.
        context.SetDefaultTimeout(30_000);
        Assertions.SetDefaultExpectTimeout(30_000);
        var page = await context.NewPageAsync();
        return new ConsoleBrowser(playwright, browser, context, page);
    }

    /// <summary>Errors the page reported; 4xx answers the console handles itself are expected and left out.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
            {
                // Chromium logs every failed fetch ("Failed to load resource: ... 401"); the console handles those.
                return [.. _errors.Where(e => !e.Contains("Failed to load resource", StringComparison.Ordinal))];
            }
        }
    }

    /// <summary>Signs in through the console's form, with the two-factor code, and waits for the environments page.</summary>
    public async Task SignInAsync(string url, string userName, string password, string totpSecret)
    {
        await Page.GotoAsync(url + "/#/sign-in");
        await FillSignInAsync(userName, password, totpSecret);
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Environments", Level = 1 })).ToBeVisibleAsync();
    }

    /// <summary>Fills the sign-in form the page shows, then its two-factor step.</summary>
    public async Task FillSignInAsync(string userName, string password, string totpSecret)
    {
        await Page.GetByLabel("User name").FillAsync(userName);
        await Page.GetByLabel("Password").FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Page.GetByLabel("6-digit code").FillAsync(await TotpCodes.NextAsync(totpSecret));
        await Page.GetByRole(AriaRole.Button, new() { Name = "Verify and sign in" }).ClickAsync();
    }

    /// <summary>Forgets the session cookie, as when a session expires on the server.</summary>
    public Task ForgetSessionAsync() => _context.ClearCookiesAsync();

    /// <summary>A second tab of the same browser session (same cookies), for stories with two people or two windows.</summary>
    public Task<IPage> NewTabAsync() => _context.NewPageAsync();

    public async Task ScreenshotAsync(string name, IPage? page = null)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await (page ?? Page).ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        await _context.CloseAsync();
        await _browser.CloseAsync();
        _playwright.Dispose();
    }
}
