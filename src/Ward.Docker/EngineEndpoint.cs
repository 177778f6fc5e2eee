using System.Net.Security;
using System.Security.Cryptography;
using Docker.DotNet;
using Docker.DotNet.Handler.Abstractions;
using Docker.DotNet.X509;
using Ward.Engine.Ports;

namespace Ward.Docker;

/// <summary>
/// Where the engine is and how to reach it: the local unix socket by default, or <c>DOCKER_HOST</c> (tcp with TLS
/// when <c>DOCKER_TLS_VERIFY</c> is set, with certificates from <c>DOCKER_CERT_PATH</c>, as the docker CLI does).
/// </summary>
public sealed record EngineEndpoint(Uri Address, string? CertificateDirectory)
{
    public const string DefaultSocket = "unix:///var/run/docker.sock";

    public static EngineEndpoint FromEnvironment(string? overrideHost = null)
    {
        var host = overrideHost ?? Environment.GetEnvironmentVariable("DOCKER_HOST");
        var address = new Uri(string.IsNullOrWhiteSpace(host) ? DefaultSocket : host);
        var tls = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOCKER_TLS_VERIFY")) && address.Scheme is "tcp" or "https";
        var certificates = tls
            ? Environment.GetEnvironmentVariable("DOCKER_CERT_PATH") is { Length: > 0 } path ? path : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker")
            : null;
        return new EngineEndpoint(address, certificates);
    }

    public static EngineEndpoint Socket(string path) => new(new Uri("unix://" + path), null);

    public override string ToString() => Address.ToString();

    internal DockerClient CreateClient(TimeSpan timeout)
    {
        try
        {
            var builder = new DockerClientBuilder().WithEndpoint(Address).WithTimeout(timeout);
            if (CertificateDirectory is not null)
            {
                builder = builder.WithAuthProvider(RequireHostName(LoadCertificates(CertificateDirectory).CreateCredentials()));
            }

            return builder.Build();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DockerConfigurationException or NotSupportedException or UriFormatException)
        {
            throw new EngineUnavailableException($"cannot use the Docker endpoint {Address}: {e.Message}", e);
        }
    }

    /// <summary>
    /// The library checks the engine's certificate against ca.pem only; like the docker CLI, Ward also wants it issued
    /// for the host it connects to, so that another engine's certificate from the same CA is refused.
    /// </summary>
    private static IAuthProvider RequireHostName(IAuthProvider provider) => new HostNameCheck(provider);

    private sealed class HostNameCheck(IAuthProvider inner) : IAuthProvider
    {
        public bool TlsEnabled => inner.TlsEnabled;

        public HttpMessageHandler ConfigureHandler(HttpMessageHandler handler)
        {
            var configured = inner.ConfigureHandler(handler);
            switch (configured)
            {
                case Microsoft.Net.Http.Client.ManagedHandler managed:
                    managed.ServerCertificateValidationCallback = WithHostName(managed.ServerCertificateValidationCallback);
                    break;
                case SocketsHttpHandler sockets:
                    sockets.SslOptions.RemoteCertificateValidationCallback = WithHostName(sockets.SslOptions.RemoteCertificateValidationCallback);
                    break;
                default:
                    throw new NotSupportedException($"cannot check the engine's host name with a {configured.GetType().Name}");
            }

            return configured;
        }

        private static RemoteCertificateValidationCallback WithHostName(RemoteCertificateValidationCallback? signedByCa) =>
            (sender, certificate, chain, errors) =>
                !errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) &&
                (signedByCa is null ? errors == SslPolicyErrors.None : signedByCa(sender, certificate, chain, errors));
    }

    /// <summary>ca.pem, cert.pem and key.pem from the folder; a folder or file that is missing or unreadable is named, with DOCKER_CERT_PATH.</summary>
    private DockerTlsCertificates LoadCertificates(string folder)
    {
        // Without ca.pem the library would trust the system's CAs; the docker CLI refuses, and so does Ward.
        if (MissingFile(folder) is { } missing)
        {
            throw CertificateProblem(folder, missing, null);
        }

        try
        {
            return DockerTlsCertificates.LoadFromDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw CertificateProblem(folder, MissingFile(folder) ?? e.Message.TrimEnd('.'), e);
        }
    }

    private static string? MissingFile(string folder) =>
        !Directory.Exists(folder) ? "the folder does not exist"
        : new[] { "ca.pem", "cert.pem", "key.pem" }.FirstOrDefault(f => !File.Exists(Path.Combine(folder, f))) is { } missing ? $"it has no {missing}"
        : null;

    private EngineUnavailableException CertificateProblem(string folder, string reason, Exception? inner) =>
        new($"cannot use the TLS certificates in {folder} (DOCKER_CERT_PATH, with ca.pem, cert.pem and key.pem) for the Docker engine at {Address}: {reason}", inner);
}
