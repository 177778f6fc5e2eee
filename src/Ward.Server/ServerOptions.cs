using Microsoft.Extensions.Options;

namespace Ward.Server;

/// <summary>The server's settings, bound from the configuration section "Ward" (or WARD__* environment variables).</summary>
public sealed class ServerOptions
{
    public const string Section = "Ward";

    /// <summary>Where the SQLite store lives (made 0700, the database 0600).</summary>
    public string DataDirectory { get; set; } = "/var/lib/ward/data";

    /// <summary>
    /// The installation's key file, which encrypts the key ring in the store: outside the data folder, mode 0600, made at
    /// first start when missing. Empty: beside the data folder, named after it (/var/lib/ward/data.key). Every replica of
    /// one PostgreSQL store needs a copy of the same file.
    /// </summary>
    public string? KeyFile { get; set; }

    /// <summary>The address clients reach the server at, for the OpenAPI document's servers entry; empty: none is given (never the request's Host header).</summary>
    public string? PublicUrl { get; set; }

    /// <summary>"sqlite" (default) or "postgres".</summary>
    public string StoreProvider { get; set; } = "sqlite";

    /// <summary>The PostgreSQL connection string when StoreProvider is postgres.</summary>
    public string? StoreConnectionString { get; set; }

    /// <summary>When true every user needs two-factor sign-in; owners and admins always do.</summary>
    public bool RequireTwoFactorForAll { get; set; }

    /// <summary>A console session ends after this long without activity.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Failed sign-ins for one user name from one address (or device) before each further failure holds that address
    /// back, for twice as long each time; ten times as many across names hold an address back. Nothing is ever locked.
    /// </summary>
    public int LockoutThreshold { get; set; } = 5;

    /// <summary>The longest an address is held back after failed sign-ins.</summary>
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

    /// <summary>A YAML file of extra node sizes and database tiers, as the CLI's --catalog; empty: WARD_CATALOG, else the built-in catalog.</summary>
    public string? Catalog { get; set; }

    /// <summary>The DNS resolver the domain checks ask (ADDRESS[:PORT]); empty: WARD_DNS_RESOLVER, else the system's.</summary>
    public string? DnsResolver { get; set; }

    /// <summary>How often every environment's domains are looked up, to observe since when they point at the manager.</summary>
    public TimeSpan DnsCheckInterval { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>Checks the options at start and names the exact setting that is wrong.</summary>
/// <param name="configuration">The server's configuration, for the listen addresses (urls), which are not a Ward:* key.</param>
public sealed class ServerOptionsValidator(IConfiguration? configuration = null) : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        var failures = new List<string>();
        foreach (var url in (configuration?["urls"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (ListenAddressProblem(url) is { } problem)
            {
                failures.Add($"urls (--urls) has '{url}': {problem}; give addresses such as http://127.0.0.1:8080, separated by ';'");
            }
        }

        if (options.StoreProvider is not ("sqlite" or "postgres"))
        {
            failures.Add($"Ward:StoreProvider is '{options.StoreProvider}'; allowed are sqlite and postgres");
        }

        if (options.StoreProvider == "postgres" && string.IsNullOrWhiteSpace(options.StoreConnectionString))
        {
            failures.Add("Ward:StoreConnectionString is required when Ward:StoreProvider is postgres");
        }

        if (options.StoreProvider == "postgres" && !string.IsNullOrWhiteSpace(options.StoreConnectionString) && ConnectionStringProblem(options.StoreConnectionString) is { } connectionProblem)
        {
            // The message never repeats the connection string: it may hold a password.
            failures.Add($"Ward:StoreConnectionString is not a usable PostgreSQL connection string: {connectionProblem}");
        }

        var catalog = new Model.Diagnostics.DiagnosticBag();
        Deploying.Loading.Catalogs.Load(string.IsNullOrWhiteSpace(options.Catalog) ? null : options.Catalog, catalog);
        foreach (var problem in catalog.Items.Where(d => d.Severity == Model.Diagnostics.Severity.Error))
        {
            failures.Add($"Ward:Catalog (or {Deploying.Loading.Catalogs.Variable}): {problem}");
        }

        try
        {
            Deploying.Live.DnsResolver.Create(options.DnsResolver);
        }
        catch (Deploying.DeployRequestException e)
        {
            failures.Add($"Ward:DnsResolver: {e.Message}");
        }

        if (!string.IsNullOrWhiteSpace(options.EngineHost) &&
            !(Uri.TryCreate(options.EngineHost, UriKind.Absolute, out var engine) && engine.Scheme is "unix" or "tcp" or "http" or "https" or "npipe"))
        {
            failures.Add($"Ward:EngineHost is '{options.EngineHost}'; give unix:///path/to/docker.sock or tcp://host:port");
        }

        if (options.LockoutDuration < TimeSpan.FromSeconds(1) || options.LockoutDuration > TimeSpan.FromDays(7))
        {
            failures.Add($"Ward:LockoutDuration is {options.LockoutDuration}; allowed is 00:00:01 to 7.00:00:00");
        }

        if (options.StoreProvider == "sqlite" && string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add("Ward:DataDirectory must name a folder for the SQLite store");
        }

        if (KeyFileProblem(options) is { } keyFileProblem)
        {
            failures.Add($"Ward:KeyFile {keyFileProblem}");
        }

        if (!string.IsNullOrWhiteSpace(options.PublicUrl) &&
            !(Uri.TryCreate(options.PublicUrl, UriKind.Absolute, out var publicUrl) && publicUrl.Scheme is "http" or "https" && string.IsNullOrEmpty(publicUrl.Query)))
        {
            failures.Add($"Ward:PublicUrl is '{options.PublicUrl}'; give the address clients use, such as https://ward.example.org/");
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

        if (options.DnsCheckInterval < TimeSpan.FromSeconds(1))
        {
            failures.Add($"Ward:DnsCheckInterval is {options.DnsCheckInterval}; at least 00:00:01");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Why the key file setting cannot work, or null: it must not lie inside the data folder, whose copies it would travel with.</summary>
    private static string? KeyFileProblem(ServerOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.KeyFile) || string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            return null;
        }

        var data = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.DataDirectory)) + Path.DirectorySeparatorChar;
        return Path.GetFullPath(options.KeyFile).StartsWith(data, StringComparison.Ordinal)
            ? $"is '{options.KeyFile}', inside Ward:DataDirectory; keep it outside, so that a copy or backup of the data folder does not carry the key to its secrets"
            : null;
    }

    /// <summary>Why Kestrel could not listen on an address, or null when it can.</summary>
    private static string? ListenAddressProblem(string url)
    {
        BindingAddress address;
        try
        {
            address = BindingAddress.Parse(url);
        }
        catch (FormatException)
        {
            return "it is not an address";
        }

        if (address.Scheme is not ("http" or "https"))
        {
            return $"the scheme is '{address.Scheme}', not http or https";
        }

        if (!address.IsUnixPipe && (string.IsNullOrEmpty(address.Host) || address.Port is < 0 or > 65535))
        {
            return "the host or port is missing or out of range";
        }

        return address.PathBase.Length > 0 ? "an address to listen on has no path" : null;
    }

    private static string? ConnectionStringProblem(string connectionString)
    {
        try
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            return string.IsNullOrWhiteSpace(builder.Host) ? "it names no Host" : null;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            return e.Message;
        }
    }
}
