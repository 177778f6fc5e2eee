using System.Security.Cryptography;

namespace Ward.Server.Auth;

/// <summary>
/// Passwords hashed with PBKDF2-HMAC-SHA512, 210,000 iterations and a random salt (OWASP's recommendation for
/// PBKDF2), stored as <c>pbkdf2-sha512$iterations$salt$hash</c> so the cost can be raised later.
/// </summary>
public static class PasswordHasher
{
    private const int Iterations = 210_000;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public static string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, Iterations, HashAlgorithmName.SHA512, HashBytes);
        return $"pbkdf2-sha512${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    public static bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != "pbkdf2-sha512" || !int.TryParse(parts[1], out var iterations))
        {
            return false;
        }

        var expected = Convert.FromBase64String(parts[3]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(password, Convert.FromBase64String(parts[2]), iterations, HashAlgorithmName.SHA512, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>What a new password must be: long enough to resist guessing (NIST 800-63B: length over composition rules).</summary>
    public static string? Weakness(string password) => password.Length switch
    {
        < 12 => "the password must be at least 12 characters",
        > 256 => "the password must be at most 256 characters",
        _ => null,
    };
}
