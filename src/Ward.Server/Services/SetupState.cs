using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Ward.Store;
using Ward.Store.Entities;

namespace Ward.Server.Services;

/// <summary>
/// The first run: while the store has no <see cref="Installation"/> row, each replica makes a one-time setup code and
/// prints it to its own log (stderr). Whoever creates the first owner must show a replica's code, so no one on the
/// network can claim a fresh server, and there is no default password anywhere. Which setup wins is decided by the
/// store: the owner is created together with the one installation row, which only one setup can insert.
/// </summary>
public sealed class SetupState(StoreOptions store)
{
    private readonly Lock _gate = new();
    private string? _code;
    private bool _done;

    /// <summary>Whether the store still has no first owner; once it has, this replica stops asking.</summary>
    public async Task<bool> NeededAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_done)
            {
                return false;
            }
        }

        await using var db = store.CreateContext();
        if (await db.Installation.AnyAsync(cancellationToken))
        {
            Finish();
            return false;
        }

        return true;
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

    /// <summary>Whether <paramref name="code"/> is this replica's open code (compared in constant time).</summary>
    public bool Matches(string code)
    {
        lock (_gate)
        {
            return _code is not null && CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(_code), System.Text.Encoding.UTF8.GetBytes(code.Trim().ToUpperInvariant()));
        }
    }

    /// <summary>
    /// Creates the first owner with the installation row, in one transaction: true when this setup made them, false when
    /// another one (on this replica or another) got there first.
    /// </summary>
    public async Task<bool> TryCompleteAsync(User owner, RoleGrant grant, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = store.CreateContext();
        db.Installation.Add(new Installation { SetUpAt = now, OwnerId = owner.Id });
        db.Users.Add(owner);
        db.RoleGrants.Add(grant);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            if (!await NeededAsync(cancellationToken))
            {
                return false;
            }

            throw;
        }

        Finish();
        return true;
    }

    private void Finish()
    {
        lock (_gate)
        {
            _done = true;
            _code = null;
        }
    }
}
