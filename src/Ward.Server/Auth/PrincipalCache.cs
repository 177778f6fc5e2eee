using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Ward.Store;

namespace Ward.Server.Auth;

/// <summary>
/// Users' grants and tokens kept in memory so authenticating a request touches no database: entries live a few
/// seconds (so changes made by another replica arrive soon) and are dropped at once when this replica changes them.
/// </summary>
public sealed class PrincipalCache(StoreOptions store, TimeProvider time)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<Guid, (WardPrincipal? Principal, DateTimeOffset Until)> _users = new();
    private readonly ConcurrentDictionary<string, (TokenEntry? Entry, DateTimeOffset Until)> _tokens = new(StringComparer.Ordinal);

    /// <summary>A token as the cache holds it: who it belongs to, its cap, and when it stops working.</summary>
    public sealed record TokenEntry(Guid TokenId, Guid UserId, string Role, string? Environment, DateTimeOffset ExpiresAt);

    public static string HashToken(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public async ValueTask<WardPrincipal?> UserAsync(Guid userId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_users.TryGetValue(userId, out var cached) && cached.Until > now)
        {
            return cached.Principal;
        }

        await using var context = store.CreateContext();
        var user = await context.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        WardPrincipal? principal = null;
        if (user is { Disabled: false })
        {
            var grants = await context.RoleGrants.AsNoTracking().Where(g => g.UserId == userId).Select(g => new Grant(g.Role, g.Environment)).ToListAsync(cancellationToken);
            principal = new WardPrincipal(user.Id, user.UserName, grants);
        }

        _users[userId] = (principal, now + Lifetime);
        return principal;
    }

    /// <summary>The principal of a presented token, or null when it is unknown, revoked or expired.</summary>
    public async ValueTask<WardPrincipal?> TokenAsync(string token, CancellationToken cancellationToken)
    {
        var hash = HashToken(token);
        var now = time.GetUtcNow();
        if (!_tokens.TryGetValue(hash, out var cached) || cached.Until <= now)
        {
            await using var context = store.CreateContext();
            var stored = await context.ApiTokens.AsNoTracking().FirstOrDefaultAsync(t => t.Hash == hash && !t.Revoked, cancellationToken);
            cached = (stored is null ? null : new TokenEntry(stored.Id, stored.UserId, stored.Role, stored.Environment, stored.ExpiresAt), now + Lifetime);
            _tokens[hash] = cached;
            if (stored is not null && stored.ExpiresAt > now)
            {
                // "Last used" to within the cache's lifetime: one write per token and replica at most every few seconds.
                // Not a change of the token, so its version stays.
                await context.ApiTokens.Where(t => t.Id == stored.Id).ExecuteUpdateAsync(t => t.SetProperty(x => x.LastUsedAt, now), cancellationToken);
            }
        }

        if (cached.Entry is not { } entry || entry.ExpiresAt <= now)
        {
            return null;
        }

        var user = await UserAsync(entry.UserId, cancellationToken);
        return user is null ? null : user with { TokenRole = entry.Role, TokenEnvironment = entry.Environment };
    }

    public void Forget(Guid userId) => _users.TryRemove(userId, out _);

    public void ForgetTokens() => _tokens.Clear();
}
