using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ward.Docker.Tests.Support;

/// <summary>
/// A domain asked for through a fixed address (the manager's), as a client whose DNS points the domain there: HTTP
/// and HTTPS requests with the domain as Host and SNI, TLS handshakes that keep the server's certificate, and, for
/// the protocol versions .NET will not offer (TLS 1.0 and 1.1), the openssl command.
/// </summary>
internal static class Https
{
    /// <summary>An HTTP client that connects to <paramref name="address"/> whatever the URL's host, trusting only <paramref name="root"/> (null: plain HTTP only).</summary>
    public static HttpClient Client(IPAddress address, X509Certificate2? root) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.Zero,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
        SslOptions = root is null ? new SslClientAuthenticationOptions() : new SslClientAuthenticationOptions { CertificateChainPolicy = LoadLoop.TrustOnly(root) },
    }) { Timeout = TimeSpan.FromSeconds(15) };

    /// <summary>A TLS handshake with <paramref name="host"/> as SNI; the certificate must chain to <paramref name="root"/> and name the host.</summary>
    /// <returns>The server's certificate and the protocol agreed.</returns>
    public static async Task<(X509Certificate2 Certificate, SslProtocols Protocol)> HandshakeAsync(IPAddress address, string host, X509Certificate2 root, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(address, 443, cancellationToken);
        await using var tls = new SslStream(client.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host, CertificateChainPolicy = LoadLoop.TrustOnly(root) }, cancellationToken);
        return (new X509Certificate2(tls.RemoteCertificate!), tls.SslProtocol);
    }

    /// <summary>
    /// Whether a TLS handshake with exactly this protocol (openssl's -tls1, -tls1_1, -tls1_2 or -tls1_3) completes: the
    /// security level is lowered to 0 so that the client itself is able to speak the old versions.
    /// </summary>
    public static async Task<(bool Completed, string Output)> OpenSslHandshakeAsync(string address, int port, string host, string protocolFlag)
    {
        var result = await Processes.RunAsync("openssl", ["s_client", "-connect", $"{address}:{port}", "-servername", host, protocolFlag, "-cipher", "DEFAULT@SECLEVEL=0", "-brief"], null, TimeSpan.FromSeconds(20));
        return (result.ExitCode == 0 && result.Output.Contains("Protocol version:", StringComparison.Ordinal), result.Output);
    }

    /// <summary>
    /// openssl's own TLS server on loopback, for one protocol version: the control that proves <see cref="OpenSslHandshakeAsync"/>
    /// can complete a TLS 1.0 or 1.1 handshake, so that a refusal by the load balancer is the load balancer's.
    /// </summary>
    public static async Task<Process> StartOpenSslServerAsync(int port, string protocolFlag)
    {
        var folder = Scratch.Folder("openssl-server");
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=openssl control", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        File.WriteAllText(Path.Combine(folder, "cert.pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(folder, "key.pem"), key.ExportPkcs8PrivateKeyPem());
        var server = Process.Start(new ProcessStartInfo("openssl", ["s_server", "-accept", $"127.0.0.1:{port}", "-cert", Path.Combine(folder, "cert.pem"), "-key", Path.Combine(folder, "key.pem"), protocolFlag, "-cipher", "DEFAULT@SECLEVEL=0", "-www", "-quiet"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        })!;
        await Poll.RequireAsync("openssl s_server to listen", () =>
        {
            try
            {
                using var probe = new TcpClient();
                probe.Connect(IPAddress.Loopback, port);
                return Task.FromResult(true);
            }
            catch (SocketException)
            {
                return Task.FromResult(false);
            }
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
        return server;
    }

    /// <summary>A free TCP port on loopback.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
