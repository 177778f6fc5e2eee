using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace Ward.Docker.Tests.Support;

/// <summary>
/// A real ACME server for one test: Debian's pebble on the test cluster's bridge address (10.214.0.1), with a TLS
/// certificate for that address made here, resolving names through the test's dnsmasq and validating HTTP-01 on port
/// 80 of whatever they resolve to (the manager's load balancer). PEBBLE_VA_NOSLEEP=1 removes its random 0-15 s pause
/// before each validation, PEBBLE_WFE_NONCEREJECT=0 its rejection of 5% of good nonces: a fast, deterministic issuer.
/// Its own root (which signs what it issues) is made at start and read from its management interface.
/// </summary>
internal sealed class Pebble : IDisposable
{
    private readonly Process _process;
    private readonly HttpClient _management;
    private readonly List<string> _log = [];

    private Pebble(Process process, string address, int port, int managementPort, string listenerPem, X509Certificate2 listener)
    {
        _process = process;
        Directory = new Uri($"https://{address}:{port}/dir");
        ManagementUrl = new Uri($"https://{address}:{managementPort}/");
        ListenerCertificatePem = listenerPem;
        _management = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, CustomTrustStore = { listener }, RevocationMode = X509RevocationMode.NoCheck },
            },
        }) { BaseAddress = ManagementUrl, Timeout = TimeSpan.FromSeconds(10) };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The ACME directory.</summary>
    public Uri Directory { get; }

    public Uri ManagementUrl { get; }

    /// <summary>The certificate of pebble's own HTTPS listener (self-signed): the root an ACME client must trust to talk to it.</summary>
    public string ListenerCertificatePem { get; }

    /// <summary>How many certificates pebble has issued (its log's "Issued certificate serial" lines).</summary>
    public int Issued
    {
        get
        {
            lock (_log)
            {
                return _log.Count(l => l.Contains("Issued certificate serial", StringComparison.Ordinal));
            }
        }
    }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return string.Join('\n', _log);
            }
        }
    }

    /// <param name="address">The address it listens on (the test cluster's bridge).</param>
    /// <param name="dnsServer">The resolver it asks for the domains' addresses (ADDRESS:PORT).</param>
    /// <param name="blocked">Names it refuses to issue for (its domainBlocklist): an authority that refuses.</param>
    public static async Task<Pebble> StartAsync(string address, string dnsServer, IReadOnlyList<string> blocked)
    {
        var folder = Scratch.Folder("pebble");
        using var listener = ListenerCertificate(address);
        var listenerPem = listener.ExportCertificatePem();
        File.WriteAllText(Path.Combine(folder, "cert.pem"), listenerPem);
        File.WriteAllText(Path.Combine(folder, "key.pem"), listener.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        var port = FreeTcpPort(address);
        var managementPort = FreeTcpPort(address);
        var config = new JsonObject
        {
            ["pebble"] = new JsonObject
            {
                ["listenAddress"] = $"{address}:{port}",
                ["managementListenAddress"] = $"{address}:{managementPort}",
                ["certificate"] = Path.Combine(folder, "cert.pem"),
                ["privateKey"] = Path.Combine(folder, "key.pem"),
                // HTTP-01 on the real port 80, where the manager's load balancer answers the challenges.
                ["httpPort"] = 80,
                ["tlsPort"] = 443,
                ["ocspResponderURL"] = "",
                ["externalAccountBindingRequired"] = false,
                ["domainBlocklist"] = new JsonArray([.. blocked.Select(b => (JsonNode)b)]),
            },
        };
        var configFile = Path.Combine(folder, "pebble-config.json");
        File.WriteAllText(configFile, config.ToJsonString());

        var start = new ProcessStartInfo("pebble", ["-config", configFile, "-dnsserver", dnsServer, "-strict=false"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["PEBBLE_VA_NOSLEEP"] = "1";
        start.Environment["PEBBLE_WFE_NONCEREJECT"] = "0";
        var process = Process.Start(start) ?? throw new InvalidOperationException("pebble did not start (scripts/setup.sh --tests installs it)");
        var pebble = new Pebble(process, address, port, managementPort, listenerPem, X509Certificate2.CreateFromPem(listenerPem));
        await pebble.WaitUntilListeningAsync();
        return pebble;
    }

    /// <summary>The root pebble signs with (its management interface's /roots/0), which a client verifies the issued chains against.</summary>
    public async Task<X509Certificate2> RootAsync(CancellationToken cancellationToken) =>
        X509Certificate2.CreateFromPem(await _management.GetStringAsync(new Uri("roots/0", UriKind.Relative), cancellationToken));

    /// <summary>Stops the server: its directory no longer answers (an ACME authority that is down).</summary>
    public void Stop()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
    }

    public void Dispose()
    {
        Stop();
        _process.Dispose();
        _management.Dispose();
    }

    /// <summary>A self-signed certificate for pebble's HTTPS listener, valid for its IP address only.</summary>
    private static X509Certificate2 ListenerCertificate(string address)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=pebble listener (Ward tests)", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Parse(address));
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static int FreeTcpPort(string address)
    {
        using var socket = new TcpListener(IPAddress.Parse(address), 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private async Task WaitUntilListeningAsync()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (_process.HasExited)
            {
                Assert.Fail($"pebble exited with {_process.ExitCode}:\n{Log}");
            }

            try
            {
                using var root = await RootAsync(TestContext.Current.CancellationToken);
                return;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }

        Assert.Fail($"pebble did not answer on {ManagementUrl} within 10 s:\n{Log}");
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.Add(line);
            }
        }
    }
}
