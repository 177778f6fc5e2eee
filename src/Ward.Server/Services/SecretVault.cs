using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Ward.Server.Auth;

namespace Ward.Server.Services;

/// <summary>
/// Encrypts secret values for the store with the server's data protection keys (whose key ring is itself encrypted
/// with the installation's key file), and decrypts them only to hand them to the swarm. Nothing here ever logs or
/// returns a value.
/// </summary>
public sealed class SecretVault(IDataProtectionProvider provider, InstallationKey key)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Ward.Secrets.v1");

    public string Protect(string value) => _protector.Protect(value);

    public byte[] Unprotect(string protectedValue) => Encoding.UTF8.GetBytes(_protector.Unprotect(protectedValue));

    /// <summary>
    /// A short fingerprint of a value, safe to show and store: an HMAC with the installation's key, so it tells versions
    /// apart but, without the key file, cannot be used to test guesses of the value.
    /// </summary>
    public string Fingerprint(string value) => Keyed(Encoding.UTF8.GetBytes(value), 12);

    /// <summary>
    /// The version part of a secret's or config's object name in the swarm, in place of a plain SHA-256 of the content:
    /// anyone who can list the swarm's secrets sees it, so it must not let them test guesses either.
    /// </summary>
    public string ObjectVersion(byte[] content) => Keyed(content, Engine.Desired.StackConverter.HashLength);

    private string Keyed(byte[] content, int length) => Convert.ToHexStringLower(HMACSHA256.HashData(key.FingerprintKey, content))[..length];
}
