using Microsoft.Extensions.Options;

namespace Ward.Server.Tests;

/// <summary>
/// Each wrong setting stops the server at start (<see cref="WardServer.PrepareAsync"/>, as `ward serve` runs it) with a
/// message naming exactly that setting, and only that one; several wrong settings are all reported at once.
/// </summary>
public sealed class OptionsValidationTests
{
    public static TheoryData<string[], string> BadSettings => new()
    {
        { ["--urls", "not-an-address"], "urls (--urls)" },
        { ["--urls", "ftp://127.0.0.1:2121"], "urls (--urls)" },
        { ["--urls", "http://127.0.0.1:8080;http://127.0.0.1:99999"], "urls (--urls)" },
        { ["--Ward:StoreProvider=mysql"], "Ward:StoreProvider" },
        { ["--Ward:StoreProvider=postgres"], "Ward:StoreConnectionString" },
        { ["--Ward:StoreProvider=postgres", "--Ward:StoreConnectionString=Host=127.0.0.1;Password=hunter2-secret;Port=not-a-port"], "Ward:StoreConnectionString" },
        { ["--Ward:StoreProvider=postgres", "--Ward:StoreConnectionString=this is not a connection string"], "Ward:StoreConnectionString" },
        { ["--Ward:StoreProvider=postgres", "--Ward:StoreConnectionString=Username=ward;Password=hunter2-secret"], "Ward:StoreConnectionString" },
        { ["--Ward:IdleTimeout=00:00:30"], "Ward:IdleTimeout" },
        { ["--Ward:IdleTimeout=2.00:00:00"], "Ward:IdleTimeout" },
        { ["--Ward:IdleTimeout=soon"], "Ward:IdleTimeout" },
        { ["--Ward:LockoutThreshold=0"], "Ward:LockoutThreshold" },
        { ["--Ward:LockoutThreshold=1000"], "Ward:LockoutThreshold" },
        { ["--Ward:LockoutDuration=00:00:00"], "Ward:LockoutDuration" },
        { ["--Ward:SignInAttemptsPerMinute=0"], "Ward:SignInAttemptsPerMinute" },
        { ["--Ward:TokenMaxLifetime=-1.00:00:00"], "Ward:TokenMaxLifetime" },
        { ["--Ward:StatusRefresh=00:00:00.050"], "Ward:StatusRefresh" },
        { ["--Ward:EngineHost=not a docker endpoint"], "Ward:EngineHost" },
        { ["--Ward:EngineHost=ftp://docker.example.org"], "Ward:EngineHost" },
        { ["--Ward:DataDirectory=/etc/hostname/ward"], "Ward:DataDirectory" },
        { ["--Ward:StoreProvider=postgres", "--Ward:StoreConnectionString=Host=127.0.0.1;Port=1;Username=ward;Password=hunter2-secret;Timeout=3"], "Ward:StoreConnectionString" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task A_bad_setting_fails_at_start_naming_that_setting(string[] settings, string named)
    {
        var failures = await FailuresAsync(settings);
        var failure = Assert.Single(failures);
        Assert.StartsWith(named, failure, StringComparison.Ordinal);

        // The password of a connection string is never repeated.
        Assert.DoesNotContain("hunter2-secret", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Several_bad_settings_are_reported_together()
    {
        var failures = await FailuresAsync(["--urls", "nonsense", "--Ward:IdleTimeout=00:00:01", "--Ward:LockoutThreshold=0", "--Ward:StoreProvider=oracle"]);
        Assert.Equal(4, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("urls (--urls)", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Ward:IdleTimeout", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Ward:LockoutThreshold", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Ward:StoreProvider", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Good_settings_start()
    {
        // The control for the theory above: the same base settings with nothing wrong prepare without complaint.
        Assert.Empty(await FailuresAsync(["--urls", "http://127.0.0.1:0;https://localhost:8443", "--Ward:IdleTimeout=01:00:00", "--Ward:EngineHost=tcp://10.0.0.1:2376"]));
    }

    /// <summary>Builds and prepares a server with the settings; the failures it reports (none when it prepares).</summary>
    private static async Task<IReadOnlyList<string>> FailuresAsync(string[] settings)
    {
        var data = Directory.CreateTempSubdirectory("ward-server-tests-options-");
        try
        {
            var urls = settings.Contains("--urls") ? [] : new[] { "--urls", "http://127.0.0.1:0" };
            var app = WardServer.Build([.. urls, $"--Ward:DataDirectory={data.FullName}", .. settings]);
            await using (app)
            {
                try
                {
                    await WardServer.PrepareAsync(app, TestContext.Current.CancellationToken);
                    return [];
                }
                catch (OptionsValidationException e)
                {
                    Assert.NotEmpty(e.Failures);
                    return [.. e.Failures];
                }
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(Support.WardHost.DefaultKeyFile(data.FullName));
            data.Delete(recursive: true);
        }
    }
}
