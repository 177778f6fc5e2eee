using System.Security.Cryptography;

namespace Ward.Server.Auth;

/// <summary>Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits), as authenticator apps use.</summary>
public static class Totp
{
    private const int Step = 30;
    private const string Base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public static string NewSecret() => Base32(RandomNumberGenerator.GetBytes(20));

    /// <summary>The otpauth:// URI an authenticator app scans.</summary>
    public static string Uri(string secret, string account) =>
        $"otpauth://totp/Ward:{System.Uri.EscapeDataString(account)}?secret={secret}&issuer=Ward&algorithm=SHA1&digits=6&period={Step}";

    public static string Code(string secret, DateTimeOffset at) => Code(FromBase32(secret), at.ToUnixTimeSeconds() / Step);

    /// <summary>
    /// The 30-second step whose code <paramref name="code"/> is, among the current step and the one before and after
    /// (clock drift), or null when it is none of them. Each candidate is compared in constant time. The caller accepts a
    /// step once (<see cref="SecondFactor"/>).
    /// </summary>
    public static long? MatchingStep(string secret, string code, DateTimeOffset now)
    {
        if (code.Length != 6 || !code.All(char.IsAsciiDigit))
        {
            return null;
        }

        var key = FromBase32(secret);
        var counter = now.ToUnixTimeSeconds() / Step;
        long? match = null;
        for (var drift = -1; drift <= 1; drift++)
        {
            if (CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(Code(key, counter + drift)), System.Text.Encoding.ASCII.GetBytes(code)))
            {
                match = counter + drift;
            }
        }

        return match;
    }

    private static string Code(byte[] key, long counter)
    {
        Span<byte> message = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(message, counter);
        var hash = HMACSHA1.HashData(key, message);
        var offset = hash[^1] & 0x0F;
        var value = ((hash[offset] & 0x7F) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (value % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Base32(byte[] data)
    {
        var text = new System.Text.StringBuilder();
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(Base32Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            text.Append(Base32Alphabet[(buffer << (5 - bits)) & 31]);
        }

        return text.ToString();
    }

    private static byte[] FromBase32(string text)
    {
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in text.TrimEnd('=').ToUpperInvariant())
        {
            var value = Base32Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (value < 0)
            {
                continue;
            }

            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }

        return [.. bytes];
    }
}
