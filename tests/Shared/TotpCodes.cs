using Ward.Server.Auth;

namespace Ward.Testing;

/// <summary>
/// Two-factor codes as an authenticator gives them to a person who signs in again and again: the server accepts each
/// 30-second step once, so a test that signs the same user in twice takes the next unused step, waiting (or moving a
/// fake clock, through <c>moveClock</c>) when the three steps the server accepts are used up.
/// </summary>
internal static class TotpCodes
{
    private const int Step = 30;
    private static readonly Dictionary<string, long> LastUsed = new(StringComparer.Ordinal);
    private static readonly Lock Gate = new();

    public static async Task<string> NextAsync(string secret, TimeProvider? clock = null, Action<TimeSpan>? moveClock = null)
    {
        while (true)
        {
            var now = (clock ?? TimeProvider.System).GetUtcNow().ToUnixTimeSeconds();
            var current = now / Step;

            // The step before is accepted too, but only early in the current one: near its end the server's clock may
            // already be in the next step when the code arrives.
            var earliest = now % Step < 20 ? current - 1 : current;
            lock (Gate)
            {
                var step = LastUsed.TryGetValue(secret, out var last) ? Math.Max(earliest, last + 1) : earliest;
                if (step <= current + 1)
                {
                    LastUsed[secret] = step;
                    return Totp.Code(secret, DateTimeOffset.FromUnixTimeSeconds(step * Step));
                }
            }

            if (moveClock is not null)
            {
                moveClock(TimeSpan.FromSeconds(Step));
            }
            else
            {
                await Task.Delay(TimeSpan.FromSeconds(Step - (now % Step) + 0.2), TestContext.Current.CancellationToken);
            }
        }
    }

    /// <summary>Records a code the test used directly (the server will not take it again).</summary>
    public static void MarkUsed(string secret, DateTimeOffset at)
    {
        lock (Gate)
        {
            var step = at.ToUnixTimeSeconds() / Step;
            LastUsed[secret] = LastUsed.TryGetValue(secret, out var last) ? Math.Max(last, step) : step;
        }
    }
}
