using System.Net;
using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Ward.Store;
using Ward.Store.Entities;

namespace Ward.Server.Auth;

/// <summary>
/// Back-off after failed sign-ins, in the store so every replica counts the same failures. Failures are counted per user
/// name and client address (or per user name and device, for a browser that signed in as that user before) and per
/// address across names. After <see cref="ServerOptions.LockoutThreshold"/> failures under a key (ten times that for an
/// address), each further failure holds that key back for twice as long as the one before, up to
/// <see cref="ServerOptions.LockoutDuration"/>. No key is ever the account itself, so nobody can keep its owner out:
/// a stranger's failures hold back the stranger's address, and the owner's known browser has a key of its own.
/// The same applies to names that exist and names that do not.
/// </summary>
public sealed class SignInThrottle(StoreOptions store, TimeProvider time, IOptions<ServerOptions> options)
{
    /// <summary>Failures older than this, with none since, are forgotten.</summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromDays(1);

    /// <summary>An address is held back after this many times the per-user threshold (password spraying across names).</summary>
    public const int AddressFactor = 10;

    private const string AddressPrefix = "address:";

    /// <summary>The keys one attempt counts under, and those a success clears (never the address's).</summary>
    public sealed record Keys(IReadOnlyList<string> Counted, IReadOnlyList<string> ClearedOnSuccess);

    public static Keys For(string userName, string address, Guid? device)
    {
        if (device is { } known)
        {
            string[] own = [$"device:{userName}|{known:N}"];
            return new Keys(own, own);
        }

        string[] user = [$"user:{userName}|{address}"];
        return new Keys([.. user, AddressPrefix + address], user);
    }

    /// <summary>
    /// Codes tried to change a user's second factor, from a session of theirs: only someone signed in as the user can
    /// fail under this key, so it is per user alone.
    /// </summary>
    public static Keys ForFactorChange(string userName)
    {
        string[] own = [$"factor:{userName}"];
        return new Keys(own, own);
    }

    /// <summary>How long the attempt must wait, or null when it may go ahead.</summary>
    public async Task<TimeSpan?> HeldBackAsync(Keys keys, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = store.CreateContext();
        var until = await db.SignInFailures.AsNoTracking().Where(f => keys.Counted.Contains(f.Key) && f.BlockedUntil > now)
            .Select(f => f.BlockedUntil).ToListAsync(cancellationToken);
        return until.Count == 0 ? null : until.Max()!.Value - now;
    }

    public async Task FailedAsync(Keys keys, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        for (var attempt = 1; ; attempt++)
        {
            await using var db = store.CreateContext();

            // Failures long forgotten are tidied where failures are written.
            await db.SignInFailures.Where(f => f.LastFailureAt < now - QuietPeriod).ExecuteDeleteAsync(cancellationToken);
            var rows = await db.SignInFailures.Where(f => keys.Counted.Contains(f.Key)).ToDictionaryAsync(f => f.Key, StringComparer.Ordinal, cancellationToken);
            foreach (var key in keys.Counted)
            {
                if (!rows.TryGetValue(key, out var row))
                {
                    row = new SignInFailure { Key = key };
                    db.SignInFailures.Add(row);
                }

                row.Failures++;
                row.LastFailureAt = now;
                var threshold = options.Value.LockoutThreshold * (key.StartsWith(AddressPrefix, StringComparison.Ordinal) ? AddressFactor : 1);
                row.BlockedUntil = row.Failures >= threshold ? now + BackOff(row.Failures - threshold) : null;
            }

            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return;
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // Another replica counted a first failure under the same key at the same moment: count again on top of it.
            }
        }
    }

    public async Task SucceededAsync(Keys keys, CancellationToken cancellationToken)
    {
        await using var db = store.CreateContext();
        await db.SignInFailures.Where(f => keys.ClearedOnSuccess.Contains(f.Key)).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>1 second after the threshold, then 2, 4, 8, ... up to the longest back-off.</summary>
    private TimeSpan BackOff(int beyondThreshold) =>
        TimeSpan.FromSeconds(Math.Min(Math.Pow(2, Math.Min(beyondThreshold, 30)), options.Value.LockoutDuration.TotalSeconds));
}

/// <summary>
/// A client's address as sign-in limits count it: IPv4 addresses one by one, IPv6 by their /64 (one machine usually has
/// a whole /64), and every loopback address as one (127.0.0.2 is the same machine as 127.0.0.1).
/// </summary>
public static class ClientAddress
{
    public static string Of(HttpContext context) => Of(context.Connection.RemoteIpAddress);

    public static string Of(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return "loopback";
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
