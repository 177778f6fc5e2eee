using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ward.Engine.Ports;
using Ward.Server.Auth;
using Ward.Server.Services;
using Ward.Store;

namespace Ward.Server.Tests.Support;

/// <summary>How to host a test server.</summary>
internal sealed record HostOptions
{
    /// <summary>The store: null is SQLite in the data folder.</summary>
    public StoreTarget? Store { get; init; }

    /// <summary>An existing data folder (a restart); null makes a fresh one, removed at the end.</summary>
    public string? DataDirectory { get; init; }

    public bool Https { get; init; }

    /// <summary>More command-line settings, such as "--Ward:LockoutThreshold=3".</summary>
    public IReadOnlyList<string> Settings { get; init; } = [];

    /// <summary>The server's clock; null is the system clock.</summary>
    public TimeProvider? Clock { get; init; }

    /// <summary>The swarm; null is an engine endpoint where nothing listens (the socket does not exist).</summary>
    public IEngine? Engine { get; init; }

    /// <summary>The engines of the swarm's nodes (commands in a task's container); null: none can be reached.</summary>
    public INodeEngines? Nodes { get; init; }

    /// <summary>The key file (Ward:KeyFile); null is the server's default, next to the data folder.</summary>
    public string? KeyFile { get; init; }
}

/// <summary>
/// A Ward server hosted in the test process on a free loopback port, built and prepared exactly as `ward serve` does
/// (<see cref="WardServer.Build"/>, <see cref="WardServer.PrepareAsync"/>), with its log captured.
/// </summary>
internal sealed class WardHost : IAsyncDisposable
{
    /// <summary>Where the default engine is said to be: nothing is there, so engine calls fail at once.</summary>
    public const string MissingEngine = "unix:///nonexistent/ward-server-tests/docker.sock";

    /// <summary>A password long enough for the server's rule (12 characters or more).</summary>
    public const string Password = "correct horse battery staple";

    private readonly bool _ownsData;

    private WardHost(WebApplication app, string url, string dataDirectory, bool ownsData, CapturedLogs logs, TimeProvider clock)
    {
        App = app;
        Url = url;
        DataDirectory = dataDirectory;
        _ownsData = ownsData;
        Logs = logs;
        Clock = clock;
    }

    public WebApplication App { get; }

    public string Url { get; }

    public string DataDirectory { get; }

    public CapturedLogs Logs { get; }

    public TimeProvider Clock { get; }

    /// <summary>Every answer any client of this host received: status, headers and body.</summary>
    public ConcurrentQueue<string> Transcript { get; } = new();

    public StoreOptions Store => App.Services.GetRequiredService<StoreOptions>();

    /// <summary>The one-time setup code the server printed to its log.</summary>
    public string SetupCode => App.Services.GetRequiredService<SetupState>().Code ?? throw new InvalidOperationException("setup is over");

    public static async Task<WardHost> StartAsync(HostOptions? options = null)
    {
        options ??= new HostOptions();
        var ownsData = options.DataDirectory is null;
        var data = options.DataDirectory ?? Directory.CreateTempSubdirectory("ward-server-tests-").FullName;
        var url = $"{(options.Https ? "https" : "http")}://127.0.0.1:{FreePort()}";
        var logs = new CapturedLogs();
        List<string> args =
        [
            "--urls", url,
            $"--Ward:DataDirectory={data}",
            "--Ward:SecureCookies=false",
            "--Ward:SignInAttemptsPerMinute=10000",
            .. options.Engine is null ? [$"--Ward:EngineHost={MissingEngine}"] : Array.Empty<string>(),
            .. options.KeyFile is null ? Array.Empty<string>() : [$"--Ward:KeyFile={options.KeyFile}"],
            .. options.Store?.Settings ?? [],
            .. options.Settings,
        ];
        var app = WardServer.Build([.. args], builder =>
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddProvider(logs);
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
            if (options.Clock is { } clock)
            {
                builder.Services.AddSingleton(clock);
            }

            if (options.Engine is { } engine)
            {
                builder.Services.AddSingleton(new EngineAccess(engine, "the fake swarm", nodes: options.Nodes));
            }

            if (options.Https)
            {
                builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = Certificate.Value));
            }
        });
        try
        {
            await WardServer.PrepareAsync(app, TestContext.Current.CancellationToken);
            await app.StartAsync(TestContext.Current.CancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new WardHost(app, url, data, ownsData, logs, options.Clock ?? TimeProvider.System);
    }

    public ApiClient Anonymous() => new(Url, Transcript);

    public ApiClient WithToken(string token) => new(Url, Transcript, bearer: token);

    /// <summary>Runs first-run setup and signs the owner in with a second factor; returns the owner's session.</summary>
    public async Task<ApiClient> CreateOwnerAsync(string userName = "owner", string password = Password)
    {
        var client = Anonymous();
        await client.PostAsync("/api/v1/setup", new { code = SetupCode, userName, password }).Expect(201);
        return await SignInAsync(userName, password, client);
    }

    /// <summary>
    /// Signs in through the API as the console does; enrols a second factor when the server asks for one (owners and
    /// admins), and uses it on later sign-ins.
    /// </summary>
    public async Task<ApiClient> SignInAsync(string userName, string password, ApiClient? client = null, string? totpSecret = null)
    {
        client ??= Anonymous();
        client.UserName = userName;
        client.Password = password;
        client.TotpSecret = totpSecret ?? client.TotpSecret;
        var code = client.TotpSecret is { } secret ? await NextCodeAsync(secret) : null;
        var signedIn = await client.PostAsync("/api/v1/session", new { userName, password, code }).Expect(200);
        if (signedIn.Json!["stage"]!.GetValue<string>() == "enroll")
        {
            await client.RefreshCsrfAsync();
            var enrolment = await client.PostAsync("/api/v1/session/totp").Expect(200);
            client.TotpSecret = enrolment.Json!["secret"]!.GetValue<string>();
            var confirmed = await client.PostAsync("/api/v1/session/totp/confirm", new { code = await NextCodeAsync(client.TotpSecret) }).Expect(200);
            client.RecoveryCodes = confirmed.Json?["recoveryCodes"]?.AsArray().Select(c => c!.GetValue<string>()).ToList() ?? [];
        }

        await client.RefreshCsrfAsync();
        return client;
    }

    /// <summary>The next unused code of a TOTP secret by this server's clock (a fake clock is moved on when the steps are used up).</summary>
    public Task<string> NextCodeAsync(string secret) =>
        TotpCodes.NextAsync(secret, Clock, Clock is Microsoft.Extensions.Time.Testing.FakeTimeProvider fake ? fake.Advance : null);

    /// <summary>Creates a user (as an admin or owner session) and returns its id.</summary>
    public static async Task<Guid> CreateUserAsync(ApiClient admin, string userName, string password = Password)
    {
        var created = await admin.PostAsync("/api/v1/users", new { userName, password }).Expect(201);
        return created.Json!["id"]!.GetValue<Guid>();
    }

    /// <summary>A user's current version, as GET /api/v1/users reports it.</summary>
    public static async Task<long> UserVersionAsync(ApiClient admin, Guid userId)
    {
        var users = (await admin.GetAsync("/api/v1/users").Expect(200)).Json!.AsArray();
        return users.Single(u => u!["id"]!.GetValue<Guid>() == userId)!["version"]!.GetValue<long>();
    }

    public static async Task<Guid> GrantAsync(ApiClient admin, Guid userId, string role, string? environment = null)
    {
        var version = await UserVersionAsync(admin, userId);
        var granted = await admin.PostAsync($"/api/v1/users/{userId}/grants", new { role, environment, version }).Expect(201);
        return granted.Json!["id"]!.GetValue<Guid>();
    }

    /// <summary>A user with one role (global, or in one environment), signed in.</summary>
    public async Task<ApiClient> UserWithRoleAsync(ApiClient owner, string userName, string role, string? environment = null)
    {
        var id = await CreateUserAsync(owner, userName);
        await GrantAsync(owner, id, role, environment);
        return await SignInAsync(userName, Password);
    }

    /// <summary>Creates an API token from a session; returns the token (shown once).</summary>
    public static async Task<string> CreateTokenAsync(ApiClient session, string role, string? environment = null, int days = 30)
    {
        var created = await session.PostAsync("/api/v1/tokens", new { name = $"{role} {environment}", role, environment, expiresInDays = days }).Expect(201);
        return created.Json!["token"]!.GetValue<string>();
    }

    public static async Task RegisterAsync(ApiClient admin, string content, string fileName = "environment.yaml") =>
        await admin.PostAsync("/api/v1/environments", new { fileName, content }).Expect(201);

    public static async Task<JsonObject> WaitForOperationAsync(ApiClient client, Guid id)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var operation = (JsonObject)(await client.GetAsync($"/api/v1/operations/{id}").Expect(200)).Json!;
            if (operation["state"]!.GetValue<string>() != "running")
            {
                return operation;
            }

            Assert.True(DateTime.UtcNow < deadline, $"operation {id} still running after 15 s");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
        if (_ownsData)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(DefaultKeyFile(DataDirectory));
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open leaves a temp folder behind; nothing depends on it.
            }
        }
    }

    /// <summary>Where the server keeps its key file when Ward:KeyFile is not given: next to the data folder, not in it.</summary>
    public static string DefaultKeyFile(string dataDirectory) => Path.TrimEndingDirectorySeparator(dataDirectory) + ".key";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static readonly Lazy<X509Certificate2> Certificate = new(() =>
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        // Kestrel needs the private key in a form it can use on Linux: export and import it.
        return X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pkcs12), null);
    });
}
