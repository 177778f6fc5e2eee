using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Ward.Engine.Ports;

namespace Ward.Engine.Applying;

/// <summary>Another apply holds the environment.</summary>
public sealed class LockConflictException(string message) : Exception(message);

/// <summary>
/// Keeps two applies of one environment from interleaving. The lock is a Swarm config named
/// <c>ward-lock.&lt;environment&gt;</c>: creating it is atomic in the swarm's Raft store, so it works across machines.
/// A holder that crashed leaves it behind; it is taken over when its process is gone (same host) or its lease ran out.
/// </summary>
public sealed class EnvironmentLock : IAsyncDisposable
{
    private const string HolderLabel = "ward.lock.holder";
    private const string ExpiresLabel = "ward.lock.expires";

    private readonly IEngine _engine;
    private readonly string _id;

    private EnvironmentLock(IEngine engine, string id)
    {
        _engine = engine;
        _id = id;
    }

    public static string NameOf(string environment) => $"ward-lock.{environment}";

    /// <param name="engine">The swarm.</param>
    /// <param name="environment">The environment to lock.</param>
    /// <param name="lease">How long the lock is valid without its holder (longer than an apply can take).</param>
    /// <param name="wait">How long to wait for another holder before giving up with a conflict.</param>
    /// <param name="time">The clock.</param>
    /// <param name="holder">Who takes it: host and process, shown to whoever waits.</param>
    /// <param name="isAlive">Whether a process of this host still runs (to take over a crashed holder's lock).</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public static async Task<EnvironmentLock> AcquireAsync(
        IEngine engine, string environment, TimeSpan lease, TimeSpan wait, TimeProvider time, LockHolder holder, Func<int, bool> isAlive, CancellationToken cancellationToken)
    {
        var name = NameOf(environment);
        var started = time.GetTimestamp();
        while (true)
        {
            var expires = time.GetUtcNow() + lease;
            var spec = new JsonObject
            {
                ["Name"] = name,
                ["Labels"] = new JsonObject
                {
                    [HolderLabel] = holder.ToString(),
                    [ExpiresLabel] = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                },
                ["Data"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(holder.ToString())),
            };
            try
            {
                return new EnvironmentLock(engine, await engine.CreateAsync(ObjectKind.Config, spec, cancellationToken));
            }
            catch (EngineConflictException)
            {
                var existing = (await engine.ListAsync(ObjectKind.Config, null, cancellationToken)).FirstOrDefault(c => c.Name == name);
                if (existing is null)
                {
                    continue;
                }

                var other = LockHolder.Parse(existing.Labels.GetValueOrDefault(HolderLabel) ?? "");
                var until = long.TryParse(existing.Labels.GetValueOrDefault(ExpiresLabel), out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : DateTimeOffset.MinValue;
                var crashed = other is not null && other.Host == holder.Host && !isAlive(other.ProcessId);
                if (crashed || until < time.GetUtcNow())
                {
                    await RemoveQuietlyAsync(engine, existing.Id, cancellationToken);
                    continue;
                }

                if (time.GetElapsedTime(started) >= wait)
                {
                    throw new LockConflictException(
                        $"another apply of {environment} is running ({other?.ToString() ?? "unknown holder"}, lease until {until:u}); wait for it to finish, or run again with --lock-wait 10m");
                }

                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken);
            }
        }
    }

    public async ValueTask DisposeAsync() => await RemoveQuietlyAsync(_engine, _id, CancellationToken.None);

    private static async Task RemoveQuietlyAsync(IEngine engine, string id, CancellationToken cancellationToken)
    {
        try
        {
            await engine.RemoveAsync(ObjectKind.Config, id, cancellationToken);
        }
        catch (EngineNotFoundException)
        {
            // Someone released or took it over already.
        }
    }
}

/// <summary>Who holds a lock: "host:pid".</summary>
public sealed record LockHolder(string Host, int ProcessId)
{
    public static LockHolder Current => new(Environment.MachineName, Environment.ProcessId);

    public static LockHolder? Parse(string text)
    {
        var colon = text.LastIndexOf(':');
        return colon > 0 && int.TryParse(text[(colon + 1)..], out var pid) ? new LockHolder(text[..colon], pid) : null;
    }

    public override string ToString() => $"{Host}:{ProcessId}";
}
