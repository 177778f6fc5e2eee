using System.Security.Cryptography;
using Docker.DotNet;
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
                builder = builder.WithAuthProvider(LoadCertificates(CertificateDirectory).CreateCredentials());
            }

            return builder.Build();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DockerConfigurationException or NotSupportedException or UriFormatException)
        {
            throw new EngineUnavailableException($"cannot use the Docker endpoint {Address}: {e.Message}", e);
        }
    }

    /// <summary>ca.pem, cert.pem and key.pem from the folder; a folder or file that is missing or unreadable is named, with DOCKER_CERT_PATH.</summary>
    private DockerTlsCertificates LoadCertificates(string folder)
    {
        try
        {
            return DockerTlsCertificates.LoadFromDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            var reason = !Directory.Exists(folder) ? "the folder does not exist"
                : new[] { "cert.pem", "key.pem" }.FirstOrDefault(f => !File.Exists(Path.Combine(folder, f))) is { } missing ? $"it has no {missing}"
                : e.Message.TrimEnd('.');
            throw new EngineUnavailableException($"cannot use the TLS certificates in {folder} (DOCKER_CERT_PATH, with ca.pem, cert.pem and key.pem) for the Docker engine at {Address}: {reason}", e);
        }
    }
}
