using Microsoft.Extensions.Options;

namespace Ward.Server;

/// <summary>The server's settings, bound from the configuration section "Ward" (or WARD__* environment variables).</summary>
public sealed class ServerOptions
{
    public const string Section = "Ward";

    /// <summary>Where the SQLite store and the data protection keys live.</summary>
    public string DataDirectory { get; set; } = "/var/lib/ward/data";

    /// <summary>"sqlite" (default) or "postgres".</summary>
    public string StoreProvider { get; set; } = "sqlite";

    /// <summary>The PostgreSQL connection string when StoreProvider is postgres.</summary>
    public string? StoreConnectionString { get; set; }

    /// <summary>When true every user needs two-factor sign-in; owners and admins always do.</summary>
    public bool RequireTwoFactorForAll { get; set; }

    /// <summary>A console session ends after this long without activity.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Failed sign-ins before an account is locked.</summary>
    public int LockoutThreshold { get; set; } = 5;

    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Sign-in attempts allowed per client address per minute.</summary>
    public int SignInAttemptsPerMinute { get; set; } = 10;

    /// <summary>The longest an API token may live.</summary>
    public TimeSpan TokenMaxLifetime { get; set; } = TimeSpan.FromDays(365);

    /// <summary>How often the status of each environment is refreshed from the swarm.</summary>
    public TimeSpan StatusRefresh { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Send cookies only over HTTPS (browsers accept them over http on localhost).</summary>
    public bool SecureCookies { get; set; } = true;

    /// <summary>The engine endpoint (unix:///... or tcp://...); empty: DOCKER_HOST, else the local cluster, else the default socket.</summary>
    public string? EngineHost { get; set; }
}

/// <summary>Checks the options at start and names the exact setting that is wrong.</summary>
public sealed class ServerOptionsValidator : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        var failures = new List<string>();
        if (options.StoreProvider is not ("sqlite" or "postgres"))
        {
            failures.Add($"Ward:StoreProvider is '{options.StoreProvider}'; allowed are sqlite and postgres");
        }

        if (options.StoreProvider == "postgres" && string.IsNullOrWhiteSpace(options.StoreConnectionString))
        {
            failures.Add("Ward:StoreConnectionString is required when Ward:StoreProvider is postgres");
        }

        if (options.StoreProvider == "sqlite" && string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add("Ward:DataDirectory must name a folder for the SQLite store");
        }

        if (options.IdleTimeout < TimeSpan.FromMinutes(1) || options.IdleTimeout > TimeSpan.FromDays(1))
        {
            failures.Add($"Ward:IdleTimeout is {options.IdleTimeout}; allowed is 00:01:00 to 1.00:00:00");
        }

        if (options.LockoutThreshold is < 1 or > 100)
        {
            failures.Add($"Ward:LockoutThreshold is {options.LockoutThreshold}; allowed is 1 to 100");
        }

        if (options.SignInAttemptsPerMinute is < 1 or > 10_000)
        {
            failures.Add($"Ward:SignInAttemptsPerMinute is {options.SignInAttemptsPerMinute}; allowed is 1 to 10000");
        }

        if (options.TokenMaxLifetime <= TimeSpan.Zero)
        {
            failures.Add("Ward:TokenMaxLifetime must be positive");
        }

        if (options.StatusRefresh < TimeSpan.FromMilliseconds(200))
        {
            failures.Add($"Ward:StatusRefresh is {options.StatusRefresh}; at least 00:00:00.2");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
