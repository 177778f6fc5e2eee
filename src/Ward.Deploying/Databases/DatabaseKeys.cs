using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Ward.Engine.Databases;

namespace Ward.Deploying.Databases;

/// <summary>
/// The keys Ward makes for a database: the TLS bundle its pgBackRest servers authenticate each other with (an
/// authority of its own and one certificate for the database's and the repository's names, which both sides present
/// as clients too), and the password of a database Ward adds. Made fresh each time they are asked for: the planner
/// creates the secret only when its (fixed) name is missing, so what the swarm holds is never replaced.
/// </summary>
public static class DatabaseKeys
{
    /// <summary>The common name both sides present; pgBackRest's servers authorise it for the database's stanza.</summary>
    public const string ClientName = "ward-db";

    /// <summary>The authority's certificate, the certificate and its key, as PEM, in the order ward-db reads them.</summary>
    public static byte[] TlsBundle(string database)
    {
        var now = DateTimeOffset.UtcNow.AddMinutes(-5);
        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest($"CN=Ward database {database} authority", authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var authority = authorityRequest.CreateSelfSigned(now, now.AddYears(20));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={ClientName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(DatabaseNames.DatabaseAlias(database));
        names.AddDnsName(DatabaseNames.RepositoryAlias(database));
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var certificate = request.Create(authority, now, now.AddYears(20), serial);

        var bundle = new StringBuilder()
            .Append(authority.ExportCertificatePem()).Append('\n')
            .Append(certificate.ExportCertificatePem()).Append('\n')
            .Append(key.ExportPkcs8PrivateKeyPem()).Append('\n');
        return Encoding.ASCII.GetBytes(bundle.ToString());
    }

    /// <summary>A password of 32 letters and digits (190 bits).</summary>
    public static byte[] Password() =>
        Encoding.ASCII.GetBytes(RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 32));
}
