using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Ward.Store;
using Ward.Store.Entities;

namespace Ward.Server.Auth;

/// <summary>
/// The second factor: TOTP secrets (stored encrypted), codes accepted once each, and recovery codes (shown once, stored
/// hashed, each good once).
/// </summary>
public sealed class SecondFactor(StoreOptions store, IDataProtectionProvider protection, TimeProvider time)
{
    public const int RecoveryCodeCount = 10;

    private const string RecoveryAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    private readonly IDataProtector _protector = protection.CreateProtector("Ward.Totp.v1");

    public string Protect(string secret) => _protector.Protect(secret);

    /// <summary>
    /// Whether <paramref name="code"/> is a code of the user's secret in use, not accepted before: the step it belongs to
    /// must be later than the last one accepted, which the store records in the same statement (so two replicas cannot
    /// both accept it).
    /// </summary>
    public async Task<bool> AcceptCodeAsync(User user, string code, CancellationToken cancellationToken)
    {
        if (user.TotpSecret is null || Totp.MatchingStep(_protector.Unprotect(user.TotpSecret), code, time.GetUtcNow()) is not { } step)
        {
            return false;
        }

        await using var db = store.CreateContext();
        var accepted = await db.Users.Where(u => u.Id == user.Id && (u.TotpLastStep == null || u.TotpLastStep < step))
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.TotpLastStep, step), cancellationToken);
        return accepted == 1;
    }

    /// <summary>The step of a code of the pending (not yet confirmed) secret, or null when the code is not one.</summary>
    public long? PendingStep(User user, string code) =>
        user.PendingTotpSecret is null ? null : Totp.MatchingStep(_protector.Unprotect(user.PendingTotpSecret), code, time.GetUtcNow());

    /// <summary>Uses up one of the user's recovery codes; false when it is not one, or was used.</summary>
    public async Task<bool> UseRecoveryCodeAsync(Guid userId, string code, CancellationToken cancellationToken)
    {
        var hash = HashOf(code);
        var now = time.GetUtcNow();
        await using var db = store.CreateContext();
        return await db.RecoveryCodes.Where(c => c.UserId == userId && c.Hash == hash && c.UsedAt == null)
            .ExecuteUpdateAsync(c => c.SetProperty(x => x.UsedAt, now), cancellationToken) == 1;
    }

    public async Task<int> RecoveryCodesLeftAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var db = store.CreateContext();
        return await db.RecoveryCodes.CountAsync(c => c.UserId == userId && c.UsedAt == null, cancellationToken);
    }

    /// <summary>
    /// A new set of recovery codes for the user, replacing the old set, added to <paramref name="db"/> (saved with the
    /// change that calls for them). Returned to be shown once.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ReplaceRecoveryCodesAsync(WardDbContext db, Guid userId, CancellationToken cancellationToken)
    {
        await db.RecoveryCodes.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        var codes = Enumerable.Range(0, RecoveryCodeCount).Select(_ => NewRecoveryCode()).ToList();
        db.RecoveryCodes.AddRange(codes.Select(c => new RecoveryCode { UserId = userId, Hash = HashOf(c) }));
        return codes;
    }

    /// <summary>16 characters of a 32-letter alphabet (80 random bits), as XXXX-XXXX-XXXX-XXXX.</summary>
    private static string NewRecoveryCode()
    {
        var letters = RandomNumberGenerator.GetString(RecoveryAlphabet, 16);
        return string.Join('-', letters.Chunk(4).Select(c => new string(c)));
    }

    /// <summary>SHA-256 of the code as people may type it: any case, with or without dashes and spaces.</summary>
    private static string HashOf(string code)
    {
        var normalised = new string([.. code.ToUpperInvariant().Where(c => c is not ('-' or ' '))]);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalised)));
    }
}
