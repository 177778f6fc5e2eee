using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ward.Server;
using Ward.Server.Services;

namespace Ward.EndToEnd.Tests.Support;

/// <summary>
/// A Ward server hosted in the test process on a free loopback port, with its own data folder, serving the console
/// as it does in production (embedded files, the same CSP and CSRF rules). Cookies are not Secure-only, because the
/// browser reaches it over http.
/// </summary>
internal sealed class ConsoleServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DirectoryInfo _data;

    private ConsoleServer(WebApplication app, DirectoryInfo data, string url)
    {
        _app = app;
        _data = data;
        Url = url;
    }

    public string Url { get; }

    /// <summary>The recovery codes the server showed the owner <see cref="CreateOwnerAsync"/> created, once.</summary>
    public IReadOnlyList<string> OwnerRecoveryCodes { get; private set; } = [];

    /// <summary>The one-time setup code the server would print to its log.</summary>
    public string SetupCode => _app.Services.GetRequiredService<SetupState>().Code ?? throw new InvalidOperationException("setup is over");

    /// <param name="cancellationToken">Stops the start.</param>
    /// <param name="settings">More settings, such as "--Ward:DnsResolver=127.0.0.1:5353".</param>
    public static async Task<ConsoleServer> StartAsync(CancellationToken cancellationToken, params string[] settings)
    {
        var data = Directory.CreateTempSubdirectory("ward-e2e-");
        var url = $"http://127.0.0.1:{FreePort()}";
        var app = WardServer.Build(
            ["--urls", url, $"--Ward:DataDirectory={data.FullName}", "--Ward:SecureCookies=false", .. settings],
            builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
        await WardServer.PrepareAsync(app, cancellationToken);
        await app.StartAsync(cancellationToken);
        return new ConsoleServer(app, data, url);
    }

    /// <summary>
    /// The first owner with two-factor sign-in, created through the API (for tests whose story starts after setup).
    /// Returns the TOTP secret.
    /// </summary>
    public async Task<string> CreateOwnerAsync(string userName, string password, CancellationToken cancellationToken)
    {
        using var client = ApiClient();
        await CsrfAsync(client, cancellationToken);
        await PostAsync(client, "setup", new { code = SetupCode, userName, password }, cancellationToken);
        await PostAsync(client, "session", new { userName, password }, cancellationToken);
        await CsrfAsync(client, cancellationToken);
        var enrolment = await PostAsync(client, "session/totp", new { }, cancellationToken);
        var secret = enrolment["secret"]!.GetValue<string>();
        var confirmed = await PostAsync(client, "session/totp/confirm", new { code = await TotpCodes.NextAsync(secret) }, cancellationToken);
        OwnerRecoveryCodes = [.. confirmed["recoveryCodes"]!.AsArray().Select(c => c!.GetValue<string>())];
        return secret;
    }

    /// <summary>Registers an environment through the API as the given owner.</summary>
    public async Task RegisterAsync(string userName, string password, string secret, string fileName, string content, CancellationToken cancellationToken)
    {
        using var client = ApiClient();
        await CsrfAsync(client, cancellationToken);
        await PostAsync(client, "session", new { userName, password, code = await TotpCodes.NextAsync(secret) }, cancellationToken);
        await CsrfAsync(client, cancellationToken);
        await PostAsync(client, "environments", new { fileName, content }, cancellationToken);
    }

    private HttpClient ApiClient() =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(Url + "/api/v1/") };

    private static async Task CsrfAsync(HttpClient client, CancellationToken cancellationToken)
    {
        var session = await client.GetFromJsonAsync<JsonObject>("session", cancellationToken);
        client.DefaultRequestHeaders.Remove(WardServer.CsrfHeader);
        client.DefaultRequestHeaders.Add(WardServer.CsrfHeader, session!["csrfToken"]!.GetValue<string>());
    }

    private static async Task<JsonObject> PostAsync(HttpClient client, string path, object body, CancellationToken cancellationToken)
    {
        using var response = await client.PostAsJsonAsync(path, body, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text) as JsonObject ?? [];
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        try
        {
            File.Delete(Path.TrimEndingDirectorySeparator(_data.FullName) + ".key");
            _data.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A file still held open (SQLite's shared cache) leaves a temp folder behind; nothing else depends on it.
        }
    }
}
