using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.EntityFrameworkCore;
using Ward.Store;

namespace Ward.Server.Auth;

/// <summary>
/// Encrypts the data-protection key ring's secret parts before they are stored (AES-256-GCM with a key derived from the
/// <see cref="InstallationKey"/>), so the store holds the key ring only encrypted. The framework finds
/// <see cref="KeyRingDecryptor"/> by the type name it records next to each encrypted part.
/// </summary>
public sealed class KeyRingEncryptor(InstallationKey key) : IXmlEncryptor
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    /// <summary>The element the framework stores in place of a secret part.</summary>
    private static readonly XName EncryptedSecret = XName.Get("encryptedSecret", "http://schemas.asp.net/2015/03/dataProtection");

    /// <summary>The mark the framework puts on parts to encrypt before storing (a key ring written without an encryptor keeps them in clear).</summary>
    private static readonly XName RequiresEncryption = XName.Get("requiresEncryption", "http://schemas.asp.net/2015/03/dataProtection");

    internal static readonly XName Element = "wardKeyRing";

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plain = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var sealedBytes = new byte[NonceBytes + TagBytes + plain.Length];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(key.KeyRingKey, TagBytes))
        {
            aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceBytes + TagBytes), sealedBytes.AsSpan(NonceBytes, TagBytes));
        }

        CryptographicOperations.ZeroMemory(plain);
        return new EncryptedXmlInfo(new XElement(Element, new XAttribute("version", 1), Convert.ToBase64String(sealedBytes)), typeof(KeyRingDecryptor));
    }

    /// <summary>
    /// Encrypts, in place, the secret parts of keys stored in clear (by Ward before the key file existed): the same form
    /// the framework writes, so the keys keep working. Returns how many keys were encrypted.
    /// </summary>
    public async Task<int> EncryptStoredKeysAsync(StoreOptions store, CancellationToken cancellationToken)
    {
        await using var db = store.CreateContext();
        var changed = 0;
        foreach (var stored in await db.DataProtectionKeys.Where(k => k.Xml != null).ToListAsync(cancellationToken))
        {
            var root = XElement.Parse(stored.Xml!);
            var inClear = root.DescendantsAndSelf().Where(e => (bool?)e.Attribute(RequiresEncryption) == true).ToList();
            foreach (var part in inClear)
            {
                var encrypted = Encrypt(new XElement(part));
                part.ReplaceWith(new XElement(EncryptedSecret, new XAttribute("decryptorType", encrypted.DecryptorType.AssemblyQualifiedName!), encrypted.EncryptedElement));
            }

            if (inClear.Count > 0)
            {
                stored.Xml = root.ToString(SaveOptions.DisableFormatting);
                changed++;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        return changed;
    }

    /// <summary>The parts of the store's key ring that this encryptor encrypted (with whichever key file).</summary>
    public static async Task<IReadOnlyList<XElement>> EncryptedPartsAsync(StoreOptions store, CancellationToken cancellationToken)
    {
        await using var db = store.CreateContext();
        var xml = await db.DataProtectionKeys.Where(k => k.Xml != null).Select(k => k.Xml!).ToListAsync(cancellationToken);
        return [.. xml.SelectMany(x => XElement.Parse(x).Descendants(Element))];
    }
}

/// <summary>Decrypts what <see cref="KeyRingEncryptor"/> encrypted; a wrong key file fails the GCM tag check.</summary>
public sealed class KeyRingDecryptor : IXmlDecryptor
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly InstallationKey _key;

    /// <summary>The framework makes decryptors through this constructor.</summary>
    public KeyRingDecryptor(IServiceProvider services) => _key = services.GetRequiredService<InstallationKey>();

    public XElement Decrypt(XElement encryptedElement)
    {
        var sealedBytes = Convert.FromBase64String(encryptedElement.Value);
        if (sealedBytes.Length < NonceBytes + TagBytes)
        {
            throw new CryptographicException("the encrypted key is too short to be one");
        }

        var plain = new byte[sealedBytes.Length - NonceBytes - TagBytes];
        try
        {
            using var aes = new AesGcm(_key.KeyRingKey, TagBytes);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceBytes), sealedBytes.AsSpan(NonceBytes + TagBytes), sealedBytes.AsSpan(NonceBytes, TagBytes), plain);
            return XElement.Parse(Encoding.UTF8.GetString(plain));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }
}
