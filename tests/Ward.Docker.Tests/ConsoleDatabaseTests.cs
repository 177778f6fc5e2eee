using Microsoft.Playwright;
using Ward.Docker.Tests.Support;
using Ward.EndToEnd.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Ward.Docker.Tests;

/// <summary>
/// The console's Databases tab on the real swarm, in Debian's chromium, over a database applied with Ward's image
/// (DatabaseTests' file: basic-1, the repository on another worker): the tier's settings beside what the running
/// PostgreSQL reports, its volume, the repository's first scheduled backup (empty, and shown so); then a backup taken
/// from the page, its phases shown as they come, and listed as checked. One environment for the whole story.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ConsoleDatabaseTests(TestCluster cluster)
{
    private const string Owner = "operator";
    private const string Password = "databases seen through the console";
    private const string Name = "dbconsole";

    [Fact]
    public async Task The_databases_tab_shows_the_tiers_settings_and_the_checked_backups_and_takes_a_backup_that_is_checked()
    {
        cluster.Require();
        var token = TestContext.Current.CancellationToken;
        await DatabaseImage.EnsureAsync();

        // The server runs in this process: it reaches the nodes' engines (a database's task runs on a worker) through
        // the test cluster's layout, as ward does with WARD_CLUSTER_DIR.
        var layout = Environment.GetEnvironmentVariable("WARD_CLUSTER_DIR");
        Environment.SetEnvironmentVariable("WARD_CLUSTER_DIR", TestCluster.StateDirectory);
        var environment = EnvironmentFile.Write(Name, DatabaseTests.Yaml(Name));
        try
        {
            var apply = await WardCli.RunAsync(["apply", environment.Path, "--yes", "--host", TestCluster.ManagerHost], null, TimeSpan.FromMinutes(8));
            Assert.True(apply.ExitCode == 0, apply.ToString());

            await using var server = await ConsoleServer.StartAsync(token, $"--Ward:EngineHost={TestCluster.ManagerHost}");
            var secret = await server.CreateOwnerAsync(Owner, Password, token);
            await server.RegisterAsync(Owner, Password, secret, $"{Name}.yaml", DatabaseTests.Yaml(Name), token);
            await using var browser = await ConsoleBrowser.LaunchAsync();
            var page = browser.Page;
            await browser.SignInAsync(server.Url, Owner, Password, secret);
            await page.GotoAsync($"{server.Url}/#/env/{Name}/databases");
            var records = page.Locator("section[data-database='records']");

            // The tier's settings as the running database reports them (it answers once its cluster is initialised).
            await Poll.RequireAsync("the databases tab showing the sizing of records", () => ShownAfterReloadAsync(page, records.GetByTestId("db-settings")), TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(3));
            var settings = records.GetByTestId("db-settings");
            await Expect(settings).ToContainTextAsync("tier basic-1");
            await Expect(settings.Locator("tr[data-setting='shared_buffers']")).ToContainTextAsync("512MB");
            await Expect(settings.Locator("tr[data-setting='max_connections']")).ToContainTextAsync("50");
            var rows = await settings.Locator("tbody tr").CountAsync();
            Assert.True(rows >= 5, $"the tier sets {rows} settings; shared_buffers, effective_cache_size, work_mem, maintenance_work_mem and max_connections at least");
            Assert.Equal(rows, await settings.Locator("tbody tr").Filter(new() { HasText = "as the tier says" }).CountAsync());
            await Expect(settings).Not.ToContainTextAsync("differs");
            await Expect(records.GetByTestId("db-volume")).ToContainTextAsync("free");

            // The repository's first scheduled backup, taken when the database started, before it held any table:
            // listed, a restore point, and never shown as good (its check found nothing to restore).
            var scheduled = records.Locator("tr[data-trigger='schedule']");
            var seen = await Poll.UntilAsync(async () => await ShownAfterReloadAsync(page, scheduled.First) && Checked(await scheduled.First.InnerTextAsync()), TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(5));
            Assert.True(seen is not null, $"the first scheduled backup was not listed and checked within 3 minutes: {await records.GetByTestId("db-backups").InnerTextAsync()}");
            await Expect(scheduled.First).ToContainTextAsync("empty");
            await Expect(scheduled.First).Not.ToContainTextAsync("good");
            await Expect(records.GetByTestId("db-earliest")).Not.ToContainTextAsync("none yet");
            await browser.ScreenshotAsync("40-databases");

            // Rows to back up, written as the application would.
            var (host, container) = await DatabaseTests.RunningAsync(cluster, $"{Name}_records", token);
            await DatabaseTests.PsqlAsync(host, container, "records", "CREATE TABLE visits (id int PRIMARY KEY); INSERT INTO visits SELECT generate_series(1, 250)");

            // A backup taken from the page: its phases as they come, then its result, and the listing read again.
            await records.GetByRole(AriaRole.Button, new() { Name = "Take a backup now" }).ClickAsync();
            await Expect(page.GetByTestId("db-operation-phases").Locator("li").First).ToBeVisibleAsync(new() { Timeout = 60_000 });
            await Expect(page.GetByTestId("db-operation-result")).ToContainTextAsync("succeeded", new() { Timeout = 300_000 });
            await Expect(page.GetByTestId("db-operation-result")).ToContainTextAsync("checked by restore");
            var manual = records.Locator("tr[data-trigger='manual']");
            await Expect(manual).ToHaveCountAsync(1);
            await Expect(manual).ToContainTextAsync("good");
            await Expect(manual).ToContainTextAsync("passed: 1 tables, 250 rows");
            Figures.Write($"database backup from the console: {await page.GetByTestId("db-operation-result").InnerTextAsync()}");
            await browser.ScreenshotAsync("41-databases-backup-taken");
            Assert.Empty(browser.Errors);
        }
        finally
        {
            Environment.SetEnvironmentVariable("WARD_CLUSTER_DIR", layout);
            await Stacks.RemoveAsync(cluster.Manager, Name, token);
        }
    }

    /// <summary>Whether a backup's row shows it taken and checked (not running, nor waiting for its check).</summary>
    private static bool Checked(string row) => !row.Contains("running", StringComparison.Ordinal) && !row.Contains("unchecked", StringComparison.Ordinal);

    /// <summary>Reloads the page and waits for the Databases tab to draw; whether the element is then shown.</summary>
    private static async Task<bool> ShownAfterReloadAsync(IPage page, ILocator element)
    {
        await page.ReloadAsync();
        await Expect(page.Locator("section[data-database]").First).ToBeVisibleAsync(new() { Timeout = 60_000 });
        return await element.IsVisibleAsync();
    }
}
