using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace Ward.Server.Services;

/// <summary>
/// Encrypts secret values for the store with the server's data protection keys (kept in the data folder), and
/// decrypts them only to hand them to the swarm. Nothing here ever logs or returns a value.
/// </summary>
public sealed class SecretVault(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Ward.Secrets.v1");

    public string Protect(string value) => _protector.Protect(value);

    public byte[] Unprotect(string protectedValue) => Encoding.UTF8.GetBytes(_protector.Unprotect(protectedValue));

    /// <summary>A short fingerprint of a value, safe to show: enough to tell versions apart, useless to recover it.</summary>
    public static string Fingerprint(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..12];
}
