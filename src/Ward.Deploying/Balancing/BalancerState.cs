using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace Ward.Deploying.Balancing;

/// <summary>A certificate the load balancer holds for a domain.</summary>
/// <param name="Domain">The name it was issued for (its file's name in the load balancer's storage).</param>
/// <param name="Issuer">Who signed it (the ACME authority, or the load balancer's own).</param>
/// <param name="NotBefore">From when it is valid.</param>
/// <param name="NotAfter">Until when it is valid.</param>
public sealed record CertificateInfo(string Domain, string Issuer, DateTimeOffset NotBefore, DateTimeOffset NotAfter)
{
    /// <summary>Reads the "# FILE" + PEM listing of <c>ward-lb certificates</c>: the first certificate of each file (the leaf).</summary>
    public static IReadOnlyList<CertificateInfo> ParseListing(string listing)
    {
        var certificates = new List<CertificateInfo>();
        foreach (var section in listing.Split("# ", StringSplitOptions.RemoveEmptyEntries))
        {
            var newline = section.IndexOf('\n', StringComparison.Ordinal);
            if (newline < 0)
            {
                continue;
            }

            var file = section[..newline].Trim();
            var pem = section[(newline + 1)..];
            var begin = pem.IndexOf("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal);
            var end = pem.IndexOf("-----END CERTIFICATE-----", StringComparison.Ordinal);
            if (begin < 0 || end < begin)
            {
                continue;
            }

            try
            {
                using var certificate = X509Certificate2.CreateFromPem(pem.AsSpan(begin, end + "-----END CERTIFICATE-----".Length - begin));
                certificates.Add(new CertificateInfo(
                    Path.GetFileNameWithoutExtension(file),
                    certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: true),
                    certificate.NotBefore.ToUniversalTime(),
                    certificate.NotAfter.ToUniversalTime()));
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                // A file Caddy is still writing: the next look reads it.
            }
        }

        return certificates;
    }
}

/// <summary>What the load balancer's running task holds: its routes, certificates and recent certificate errors.</summary>
/// <param name="ContainerId">Its container on the manager.</param>
/// <param name="Config">The routes in force (null before Ward sent any).</param>
/// <param name="Certificates">The certificates it holds.</param>
/// <param name="Errors">The last certificate errors it logged (ordering or renewing), newest last.</param>
public sealed record BalancerState(string ContainerId, JsonObject? Config, IReadOnlyList<CertificateInfo> Certificates, IReadOnlyList<string> Errors)
{
    public CertificateInfo? CertificateOf(string domain) =>
        Certificates.Where(c => string.Equals(c.Domain, domain, StringComparison.OrdinalIgnoreCase)).MaxBy(c => c.NotAfter);
}
