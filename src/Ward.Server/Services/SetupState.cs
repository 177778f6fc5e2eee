using System.Security.Cryptography;

namespace Ward.Server.Services;

/// <summary>
/// The first run: with no users, the server makes a one-time setup code and prints it to its own log (stderr).
/// Whoever creates the first owner must show it, so no one on the network can claim a fresh server, and there is
/// no default password anywhere.
/// </summary>
public sealed class SetupState
{
    private readonly Lock _gate = new();
    private string? _code;

    public bool Needed
    {
        get
        {
            lock (_gate)
            {
                return _code is not null;
            }
        }
    }

    /// <summary>The open code, for tests that host the server in-process; people read it from the server's log.</summary>
    internal string? Code
    {
        get
        {
            lock (_gate)
            {
                return _code;
            }
        }
    }

    public string Begin()
    {
        lock (_gate)
        {
            _code ??= string.Create(19, RandomNumberGenerator.GetBytes(16), static (span, bytes) =>
            {
                const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
                for (var i = 0; i < span.Length; i++)
                {
                    span[i] = i % 5 == 4 ? '-' : Alphabet[bytes[i % bytes.Length] % Alphabet.Length];
                }
            });
            return _code;
        }
    }

    /// <summary>Uses up the code when it matches; false otherwise (or when setup is over).</summary>
    public bool TryComplete(string code)
    {
        lock (_gate)
        {
            if (_code is null || !CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(_code), System.Text.Encoding.UTF8.GetBytes(code.Trim().ToUpperInvariant())))
            {
                return false;
            }

            _code = null;
            return true;
        }
    }
}
