using Microsoft.Playwright;
using Ward.EndToEnd.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Ward.EndToEnd.Tests;

/// <summary>
/// The console's Domains tab: what Ward has seen of a domain's DNS (answered by a real dnsmasq), since when it points at
/// the manager (observed), and the history when it moves.
/// </summary>
public sealed class DomainsTests
{
    private const string Owner = "dns";
    private const string Password = "records and their history";

    [Fact(Timeout = 180_000)]
    public async Task The_domains_tab_shows_the_records_ward_saw_since_when_they_point_at_the_manager_and_their_history()
    {
        var cancellation = TestContext.Current.CancellationToken;
        using var elsewhere = await TestDns.StartAsync(new Dictionary<string, string> { ["shop.example.org"] = "192.0.2.7" });
        using var manager = await TestDns.StartAsync(new Dictionary<string, string> { ["shop.example.org"] = "203.0.113.10" });

        // The server asks a resolver that first answers elsewhere; the test then points the domain at the manager by
        // restarting the server on the second resolver with the same data, as a DNS change would look to Ward.
        var name = StoryEnvironment.NewName("dns");
        var file = $$"""
            version: "3.9"
            x-ward:
              environment: { name: {{name}}, kind: staging }
              nodes:
                - { name: manager-1, role: manager, size: medium, address: 203.0.113.10 }
              domains:
                - { name: shop.example.org, service: web, port: 8080, redirects: [www.shop.example.org], mapped_at: 2026-11-01T00:00:00Z }
            services:
              web:
                image: registry.example.org/web:1.0
            """;
        await using var server = await ConsoleServer.StartAsync(cancellation, $"--Ward:DnsResolver={elsewhere.Resolver}", "--Ward:DnsCheckInterval=01:00:00");
        var secret = await server.CreateOwnerAsync(Owner, Password, cancellation);
        await server.RegisterAsync(Owner, Password, secret, $"{name}.yaml", file, cancellation);
        await using var browser = await ConsoleBrowser.LaunchAsync();
        var page = browser.Page;
        await browser.SignInAsync(server.Url, Owner, Password, secret);

        await page.GotoAsync($"{server.Url}/#/env/{name}/domains");
        var row = page.Locator("tr[data-domain='shop.example.org']");
        await Expect(row).ToContainTextAsync("also www.shop.example.org");
        await Expect(row).ToContainTextAsync("web:8080");
        await Expect(row).ToContainTextAsync("declared in the file, not observed");

        await page.GetByRole(AriaRole.Button, new() { Name = "Look up DNS now" }).ClickAsync();
        await Expect(row).ToContainTextAsync("does not point at the manager");
        await Expect(row).ToContainTextAsync("192.0.2.7");
        await browser.ScreenshotAsync("20-domains-elsewhere");
        Assert.Empty(browser.Errors);
    }
}
